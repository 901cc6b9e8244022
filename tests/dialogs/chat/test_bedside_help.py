"""Help at each question, the guided CAPD and ICE headers, "Discard / Keep going", and the
console's words (issue 9, items 6 and 7)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import texts
from dialogs.chat.messages import Event
from dialogs.chat.questions import Q
from dialogs.chat.records import AssessmentRecord
from dialogs.chat.session import Session
from dialogs.clinical.guideline import Guideline
from tests.dialogs.client import DialogClient
from tests.packaged import PARTS

ENGINE = PARTS.engine

# Plain answers to finish an ICANS dialog for a child once the CAPD is in.
_REST = {
    "lvl": "alert",
    "seiz": "none",
    "motor": "none",
    "icp": "none",
    "img": "not done",
    "ccrs": "no",
    "wt": "20 kg",
    "t24": "0",
    "ttot": "0",
    "tlast": "1",
}


def _help_at(client: DialogClient) -> str:
    state = client.session.state
    client.command("help")
    assert client.session.state == state, "help keeps the place"
    assert client.last.kind == "question", "and asks the question again"
    return client.replies[0].text


def test_help_explains_deep_focal_weakness_with_its_grade(guideline: Guideline) -> None:
    """At the motor question, help names hemiparesis and paraparesis and the grade they make."""
    client = DialogClient(ENGINE, "icans")
    client.answer("45", "8", "alert", "none")
    assert client.session.state == Q.MOTOR.value
    text = _help_at(client)
    weakness = next(r for r in guideline.icans.motor if r.kind.value == "focal_weakness")
    assert "hemiparesis" in text
    assert "paraparesis" in text
    assert f"grade {weakness.grade}" in text
    assert "Tremor and myoclonus do not change the grade" in text


def test_help_at_the_flow_question_gives_the_low_flow_limit(guideline: Guideline) -> None:
    """At the nasal cannula flow, help gives the low-flow limit and the grade on each side."""
    client = DialogClient(ENGINE, "crs")
    client.answer("38.5", "none", "none", "nasal cannula")
    assert client.session.state == Q.FLOW.value
    nasal = next(o for o in guideline.crs.oxygen if o.device.value == "nasal_cannula")
    text = _help_at(client)
    assert f"≤ {nasal.low_flow_max_l_min:g} L/min is low-flow: grade {nasal.grade}" in text
    assert f"high-flow: grade {nasal.grade_above}" in text


def test_help_at_the_writing_task_says_what_the_sources_give() -> None:
    """At the ICE writing task, help says it scores 1 point and that no sentence is prescribed."""
    client = DialogClient(ENGINE, "ice")
    for _ in range(5):
        client.click("Correct")
    client.click("3 of 3")
    assert client.session.state == Q.ICE_WRITING.value
    text = _help_at(client)
    assert "standard sentence: 1 point" in text
    assert "name no particular sentence" in text


def test_help_at_the_capd_gives_its_items_scoring_and_bands(guideline: Guideline) -> None:
    """At the CAPD, help gives the item count, the 0-4 scoring, the total and the grade bands."""
    client = DialogClient(ENGINE, "icans")
    client.send("7")
    assert client.session.state == Q.CAPD.value
    text = _help_at(client)
    top = max(guideline.icans.capd_bands, key=lambda b: b.grade)
    assert "8 items, each scored 0–4" in text
    assert "the total is 0–32" in text
    assert f"{top.low}–{top.high} grade {top.grade}" in text
    assert "copyrighted" in text


def test_help_exists_at_every_grading_question() -> None:
    """Every question whose answer sets a grade has its own help text."""
    grading = {
        Q.TEMPERATURE, Q.PRIOR, Q.BP, Q.PRESSORS, Q.BP_CAUSE, Q.OXYGEN, Q.FLOW, Q.O2_CAUSE,
        Q.AGE, Q.TOOL, Q.ICE_ENTRY, Q.CAPD, Q.CONSCIOUSNESS, Q.SEDATION, Q.SEIZURE, Q.MOTOR,
        Q.ICP, Q.IMAGING, Q.ICE_YEAR, Q.ICE_NAMING, Q.ICE_WRITING, Q.CAPD_1, Q.CAPD_8,
    }  # fmt: skip
    missing = [q for q in grading if not ENGINE.questions[q].help]
    assert missing == []


def test_the_guided_ice_header_counts_tasks_and_points() -> None:
    """The guided ICE shows 'Task n of 8 · score/10 so far'."""
    client = DialogClient(ENGINE, "ice")
    assert client.last.text.startswith("Task 1 of 8 · 0/10 so far\n")
    for label in ("Correct", "Wrong", "Correct", "Correct"):
        client.click(label)
    assert client.last.text.startswith("Task 5 of 8 · 3/10 so far\n")
    client.click("Correct")
    client.click("2 of 3")
    assert client.last.text.startswith("Task 7 of 8 · 6/10 so far\n")


def _finish(client: DialogClient) -> None:
    while client.session.state != Q.RESULT.value:
        state = client.session.state
        client.send(_REST[state])
        assert client.session.state != state, client.last.text


def _capd(items: list[int] | None, total: int) -> DialogClient:
    """A child's ICANS dialog with the CAPD guided item by item, or typed as a total."""
    client = DialogClient(ENGINE, "icans")
    client.send("7")
    if items is None:
        client.send(str(total))
    else:
        client.click("Guide me")
        for n, score in enumerate(items, 1):
            assert client.last.text.startswith(f"CAPD item {n} of 8 · ")
            client.send(str(score))
    _finish(client)
    return client


def _grades(client: DialogClient) -> dict[str, int | None]:
    """The grades of the client's last graded result, by toxicity, from its record."""
    record = [r for r in client.records if isinstance(r, AssessmentRecord)][-1]
    return {g.toxicity: g.grade for g in record.grades}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4), min_size=8, max_size=8))
def test_a_guided_capd_grades_exactly_as_its_typed_total(items: list[int]) -> None:
    """The guided CAPD's items add up to the total, and the result is the typed total's."""
    guided, typed = _capd(items, sum(items)), _capd(None, sum(items))
    assert guided.result == typed.result
    assert _grades(guided) == _grades(typed)


def test_the_guided_capd_crosses_the_grade_3_band_where_the_guideline_puts_it(
    guideline: Guideline,
) -> None:
    """Items adding up to the grade 3 band's lower end give grade 3; one less does not."""
    low = next(b.low for b in guideline.icans.capd_bands if b.grade == 3)
    at = [4] * (low // 4) + [low % 4]
    at += [0] * (8 - len(at))
    last = max(i for i, score in enumerate(at) if score)
    below = [score - (i == last) for i, score in enumerate(at)]
    assert sum(at) == low
    assert sum(below) == low - 1
    assert _grades(_capd(at, 0))["ICANS"] == 3
    assert _grades(_capd(below, 0))["ICANS"] != 3


def test_start_mid_dialog_asks_and_keep_going_asks_the_question_again() -> None:
    """/start with answers given asks Discard / Keep going; keeping going loses nothing."""
    client = DialogClient(ENGINE, "crs")
    client.answer("38.5", "none")
    question = client.last.text
    answers = dict(client.session.answers)
    client.command("start")
    assert client.last.text == (
        "Start again from the menu? The 2 answer(s) given so far would be discarded."
    )
    assert [o.label for o in client.last.options] == ["Discard", "Keep going"]
    client.send("38.9")  # neither: asked again, nothing recorded
    assert client.replies[0].text == texts.DISCARD_CHOOSE
    client.click("Keep going")
    assert client.last.text == question
    assert client.session.answers == answers
    client.command("start")
    client.click("Discard")
    assert client.session.dialog == "menu"
    assert client.session.answers == {}


def test_a_dialog_command_typed_mid_dialog_asks_then_starts_it() -> None:
    """'/icans' typed during a CRS dialog names ICANS in the question, then starts it."""
    client = DialogClient(ENGINE, "crs")
    client.answer("38.5")
    client.send("/icans")
    assert client.last.text.startswith("Start ICANS grade? The 1 answer(s)")
    client.send("discard")
    assert client.session.dialog == "icans"
    assert client.session.state == Q.AGE.value


def test_nothing_to_lose_starts_at_once() -> None:
    """At a first question, at the menu and after a result, a start needs no confirmation."""
    client = DialogClient(ENGINE, "crs")
    client.command("start")
    assert client.session.dialog == "menu"
    client.send("/crs")
    assert client.session.dialog == "crs"
    assert client.session.state == Q.TEMPERATURE.value


def test_a_stale_tap_on_the_confirmation_changes_nothing() -> None:
    """A Discard tapped on an older copy of the question is refused."""
    client = DialogClient(ENGINE, "crs")
    client.answer("38.5")
    client.command("start")
    discard = client.last.options[0].id
    client._apply(Event.option(discard, step=client.session.step - 1))
    assert client.replies[0].kind == "stale"
    assert client.session.discard == "menu"


def _at(state: Q) -> Session:
    dialog = next(name for name, flow in ENGINE.flows.items() if state in flow.states)
    return Session(dialog=dialog, state=state.value, guideline=ENGINE.guideline.version)


@pytest.mark.parametrize("state", [q for q in Q if q not in (Q.MENU, Q.RESULT)])
def test_the_console_never_says_tap_or_button(state: Q) -> None:
    """Every question, its refusal of a wrong answer, and its help, in console words."""
    console = ENGINE.with_words(texts.CONSOLE)
    session = _at(state)
    _, refused = console.handle(session, Event.text("zzz"))
    _, helped = console.handle(session, Event.command("help"))
    for reply in (*refused, *helped):
        # "button" as an object to name in the ICE is not a button to tap.
        words = reply.full_text.lower().replace("pen, button", "")
        assert re.search(r"\btap", words) is None
        assert "button" not in words


def test_telegram_keeps_its_own_words() -> None:
    """In the chat, a wrong answer still says to tap an option or type its number."""
    _, replies = ENGINE.handle(_at(Q.BP), Event.text("zzz"))
    assert replies[0].text == (
        "Please choose one of the options: tap it, or type its number (1–3)."
    )


def test_help_at_the_confirmation_asks_it_again() -> None:
    """Help while 'Discard / Keep going' is asked explains the commands and asks it again."""
    client = DialogClient(ENGINE, "crs")
    client.answer("38.5")
    client.command("start")
    client.command("help")
    assert client.replies[0].text.startswith(texts.CHAT.help_how)
    assert [o.label for o in client.last.options] == ["Discard", "Keep going"]
    assert client.session.discard == "menu"
