"""The /progress chart: a trainee's accuracy per topic and per day, drawn with matplotlib.

Built from the store's training records (counts and times), never from the text of a reply.
matplotlib is imported on first use, inside these functions, so that no start-up pays for it,
and only its object API is used: each chart is its own `Figure` on an Agg canvas, with none of
pyplot's global state, so charts can be drawn in worker threads (`asyncio.to_thread`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from dialogs import texts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Score", "daily_scores", "png", "progress_chart", "progress_figure"]

# One colour a topic, in the order given: the colour-blind-safe palette whose squares
# (texts.PROGRESS_MARKS) key the topics in the /progress message.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
LINE = "#0072B2"
MIN_SLOTS = 3
DAYS_SHOWN = 10  # the latest days with answers; more would crowd the axis
SIZE_INCHES = (6.4, 7.2)
DPI = 150  # 960 × 1080 pixels: readable on a phone after Telegram recompresses it


@dataclass(frozen=True)
class Score:
    """Answers counted under one label (a topic or a day): how many, and how many right."""

    label: str
    total: int
    right: int

    @property
    def percent(self) -> int:
        """Accuracy in whole per cent."""
        return round(100 * self.right / self.total) if self.total else 0


def daily_scores(history: Sequence[tuple[float, bool]], timezone: tzinfo) -> list[Score]:
    """Attempts (time, right) counted per calendar day in the site's time zone, oldest first."""
    days: dict[date, list[int]] = {}
    for at, correct in history:
        counts = days.setdefault(datetime.fromtimestamp(at, timezone).date(), [0, 0])
        counts[0] += 1
        counts[1] += int(correct)
    return [
        Score(day.strftime(texts.CHART_DAY_FORMAT), total, right)
        for day, (total, right) in sorted(days.items())
    ]


def progress_figure(topics: Sequence[Score], days: Sequence[Score]) -> Figure:
    """The chart as a matplotlib Figure on an Agg canvas: bars per topic, a line per day."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - lazy: heavy
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import PercentFormatter  # noqa: PLC0415

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # Agg chosen here, for this figure only
    figure.suptitle(texts.CHART_TITLE, fontsize="x-large", fontweight="bold")
    by_topic, by_day = figure.subplots(2, 1)

    places = list(range(len(topics)))
    bars = by_topic.bar(
        places,
        [t.percent for t in topics],
        color=[COLOURS[i % len(COLOURS)] for i in places],
    )
    by_topic.set_xticks(places, [t.label for t in topics])
    # Room for at least three bars, so that one or two topics are not drawn as wide slabs.
    pad = max(0.0, (MIN_SLOTS - len(topics)) / 2)
    by_topic.set_xlim(-0.5 - pad, len(topics) - 0.5 + pad)
    by_topic.bar_label(
        bars,
        labels=[
            texts.CHART_TOPIC_LABEL.format(percent=t.percent, right=t.right, total=t.total)
            for t in topics
        ],
        padding=3,
    )
    by_topic.set_title(texts.CHART_BY_TOPIC)
    by_topic.set_xlabel(texts.CHART_TOPIC_AXIS)

    shown = list(days)[-DAYS_SHOWN:]
    positions = range(len(shown))
    by_day.plot(positions, [d.percent for d in shown], color=LINE, marker="o")
    for x, day in zip(positions, shown, strict=True):
        by_day.annotate(
            texts.CHART_DAY_LABEL.format(percent=day.percent),
            (x, day.percent),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize="small",
        )
    by_day.set_xticks(
        list(positions),
        [texts.CHART_DAY_TICK.format(day=d.label, right=d.right, total=d.total) for d in shown],
        fontsize="small",
    )
    pad = max(0.0, (MIN_SLOTS - len(shown)) / 2)
    by_day.set_xlim(-0.5 - pad, len(shown) - 0.5 + pad)
    by_day.set_title(texts.CHART_BY_DAY.format(days=len(shown)))
    by_day.set_xlabel(texts.CHART_DAY_AXIS)

    for axes in (by_topic, by_day):
        # Headroom above 100 % for the labels over a full bar or a perfect day.
        axes.set_ylim(0, 118)
        axes.set_yticks([0, 25, 50, 75, 100])
        axes.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
        axes.set_ylabel(texts.CHART_ACCURACY_AXIS)
        axes.grid(axis="y", color="#dddddd")
        axes.set_axisbelow(True)
        axes.spines[["top", "right"]].set_visible(False)
    return figure


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def progress_chart(
    topics: Sequence[tuple[str, int, int]],
    history: Sequence[tuple[float, bool]],
    timezone: tzinfo,
) -> bytes:
    """The /progress chart as PNG, from the store's counts per topic (name, answers, right)
    and its attempts (time, right). CPU-bound: call it in a worker thread."""
    scores = [Score(topic, total, right) for topic, total, right in topics]
    return png(progress_figure(scores, daily_scores(history, timezone)))
