"""The /progress chart: drawn with matplotlib from training counts and times, checked by
rendering it and by reading the Figure's own texts (never the PNG's pixels)."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.telegram.progress import Score, daily_scores, png, progress_chart, progress_figure
from tests.bot.harness import ROOT

TOPICS = [Score("crs", 4, 3), Score("icans", 3, 1), Score("doses", 2, 2)]
DAYS = [Score("01 Mar", 3, 2), Score("02 Mar", 4, 4)]


def _texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_the_figure_names_each_topic_with_its_percentage_and_counts() -> None:
    """Bars per topic carry the topic's name and '75% (3/4)'-style labels."""
    texts = _texts(progress_figure(TOPICS, DAYS))
    for topic in ("crs", "icans", "doses"):
        assert topic in texts
    for label in ("75% (3/4)", "33% (1/3)", "100% (2/2)"):
        assert label in texts


def test_the_figure_has_a_title_axis_labels_and_accuracy_per_day() -> None:
    """A title, both panels' titles and axis labels, and each day's percentage and counts."""
    figure = progress_figure(TOPICS, DAYS)
    texts = _texts(figure)
    assert "Your training accuracy" in texts
    by_topic, by_day = figure.axes
    assert by_topic.get_title() == "Per topic"
    assert by_topic.get_xlabel() == "Topic"
    assert by_topic.get_ylabel() == "Answers right"
    assert by_day.get_title() == "Per day with answers (latest 2)"
    assert by_day.get_xlabel() == "Day"
    assert [t.get_text() for t in by_day.get_xticklabels()] == ["01 Mar\n(2/3)", "02 Mar\n(4/4)"]
    assert "67%" in texts
    assert "100%" in texts
    # The accuracy axis is in per cent, 0 to 100, on both panels.
    for axes in figure.axes:
        assert "100%" in [t.get_text() for t in axes.get_yticklabels()]


def test_only_the_latest_ten_days_are_drawn() -> None:
    """Twelve days of answers: the two oldest are left off so the axis stays readable."""
    days = [Score(f"{day:02d} Mar", 2, 1) for day in range(1, 13)]
    by_day = progress_figure(TOPICS, days).axes[1]
    labels = [t.get_text().split("\n")[0] for t in by_day.get_xticklabels()]
    assert labels == [f"{day:02d} Mar" for day in range(3, 13)]


def test_days_are_the_site_s_calendar_days() -> None:
    """Attempts are counted on the site's calendar: 20:00 UTC on 1 March is 2 March in India."""
    history = [
        (_at("2026-03-01T10:00:00"), True),
        (_at("2026-03-01T20:00:00"), False),  # 01:30 on 2 March in Kolkata
        (_at("2026-03-02T10:00:00"), True),
    ]
    assert daily_scores(history, ZoneInfo("Asia/Kolkata")) == [
        Score("01 Mar", 1, 1),
        Score("02 Mar", 2, 1),
    ]
    assert daily_scores(history, ZoneInfo("UTC")) == [Score("01 Mar", 2, 1), Score("02 Mar", 1, 1)]


def test_the_chart_renders_as_a_png_large_enough_to_read_on_a_phone() -> None:
    """The PNG starts with the PNG signature, holds a real picture, at least 640 px wide."""
    history = [(_at("2026-03-01T10:00:00"), True), (_at("2026-03-02T10:00:00"), False)]
    picture = progress_chart([("crs", 2, 1), ("ice", 1, 0)], history, ZoneInfo("UTC"))
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(picture) > 20_000
    width, height = struct.unpack(">II", picture[16:24])  # the IHDR chunk
    assert width >= 640
    assert height >= 640


def test_a_single_answer_still_draws() -> None:
    """One topic, one day, none right: a chart, not an error (0 % bars and points)."""
    figure = progress_figure([Score("ice", 1, 0)], [Score("05 Mar", 1, 0)])
    assert "0% (0/1)" in _texts(figure)
    assert png(figure)[:8] == b"\x89PNG\r\n\x1a\n"


def test_matplotlib_loads_only_when_a_chart_is_drawn_and_never_pyplot() -> None:
    """Importing the Telegram transport does not import matplotlib; drawing does, without
    pyplot (no global figure state shared between threads)."""
    script = (
        "import sys, zoneinfo\n"
        "import bot.telegram.app\n"
        "print('matplotlib' in sys.modules)\n"
        "from bot.telegram.progress import progress_chart\n"
        "progress_chart([('crs', 1, 1)], [(0.0, True)], zoneinfo.ZoneInfo('UTC'))\n"
        "print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True", "False"]


@given(st.lists(st.tuples(st.floats(0, 4e9), st.booleans()), max_size=60))
def test_daily_scores_count_every_attempt_once(history: list[tuple[float, bool]]) -> None:
    """Whatever the times, each attempt is counted on exactly one day, rights with it."""
    days = daily_scores(history, ZoneInfo("Europe/London"))
    assert sum(d.total for d in days) == len(history)
    assert sum(d.right for d in days) == sum(correct for _, correct in history)
    assert all(0 <= d.percent <= 100 for d in days)
