"""Results as Telegram HTML: the visible part first, folds as expandable blockquotes."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.render import ANSWER_DATA, MAX_TEXT, callback_data, parse_callback, to_messages
from dialogs.chat.messages import Fold, Reply
from dialogs.clinical.assessment import assess
from dialogs.clinical.findings import Findings
from dialogs.clinical.guideline import Guideline
from dialogs.report.result import render_assessment
from tests.dialogs.report.scenarios import SCENARIOS


def _balanced(html: str) -> bool:
    """Every <b> and <blockquote …> opened in a message is closed in the same message."""
    return html.count("<b>") == html.count("</b>") and len(
        re.findall(r"<blockquote expandable>", html)
    ) == html.count("</blockquote>")


def test_a_result_shows_the_plan_first_and_folds_the_rest(guideline: Guideline) -> None:
    """The grade line in bold, 'Do now' before any blockquote, every fold expandable."""
    result = assess(Findings.model_validate(SCENARIOS["convulsive_status"]), guideline)
    reply = render_assessment(result)
    messages = to_messages(reply)
    first = messages[0]
    assert first.startswith("<b>ICANS grade 4</b>\nDo now:\nCall: ICU lead")
    assert "\n1. Check airway, breathing" in first
    assert first.index("Lorazepam 2 mg") < first.index("<blockquote expandable>")
    joined = "\n".join(messages)
    for fold in reply.folds:
        assert f"<b>{fold.title}</b>\n<blockquote expandable>" in joined
    assert all(_balanced(m) for m in messages)


@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=30),
            st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=40),
        ),
        max_size=8,
    ),
    st.text(max_size=500),
)
def test_messages_never_exceed_the_limit_nor_cut_a_tag(
    folds: list[tuple[str, list[str]]], text: str
) -> None:
    """Any text and folds: each message ≤ the limit, tags balanced, user text escaped."""
    reply = Reply(
        text=text or "x",
        kind="result",
        folds=tuple(Fold(title=t, lines=tuple(lines)) for t, lines in folds),
    )
    messages = to_messages(reply)
    for message in messages:
        assert len(message) <= MAX_TEXT
        assert _balanced(message)
        stripped = re.sub(r"</?(b|blockquote)( expandable)?>", "", message)
        assert "<" not in stripped, "all user text is escaped"


@given(st.integers(0, 10**12 - 1), st.from_regex(r"\A[a-z0-9_.]{1,40}\Z"))
def test_answer_button_data_reads_back_as_its_step_and_option(step: int, option: str) -> None:
    """What callback_data writes, parse_callback reads back (and ANSWER_DATA matches)."""
    data = callback_data(step, option)
    assert ANSWER_DATA.match(data)
    assert parse_callback(data) == (step, option)


def test_only_ascii_digits_make_a_step() -> None:
    """'²' is a digit to str.isdigit but not to int(): such data is no answer, not a crash."""
    for data in ("²|x", "١|x", "|x", "3|", "rem:crs:3", "x|3"):
        assert parse_callback(data) == (None, data)
        assert ANSWER_DATA.match(data) is None
