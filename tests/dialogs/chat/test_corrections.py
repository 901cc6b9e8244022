"""Correct after the result: change one answer, only what it affects is asked, the plan is
re-issued headed by what changed; a result carries the menu, so nothing is swallowed."""

from __future__ import annotations

from dialogs.chat.engine import FIX
from dialogs.chat.messages import Event
from tests.dialogs.chat.test_patient_context import Chat

# Fluids only and nasal cannula 4 L/min: CRS grade 2 (ASTCT: hypotension without vasopressors,
# low-flow oxygen ≤ 6 L/min).
CRS2 = ("39.1", "none", "fluids", "no", "nasal cannula", "4", "yes", "70")
# One vasopressor: CRS grade 3.
# The oxygen's cause is not asked beside grade 3 hypotension (it cannot change the plan).
CRS3 = ("39.1", "none", "vasopressors", "noradrenaline", "no", "nasal cannula", "4", "70")


def crs(*answers: str) -> Chat:
    """A chat at the result of a CRS review."""
    chat = Chat("crs")
    chat.answer(*answers)
    assert chat.session.state == "result"
    chat.asked.clear()
    return chat


def test_a_result_carries_change_an_answer_and_the_menu() -> None:
    """The last message of a result offers 'Change an answer' and every menu entry."""
    chat = crs(*CRS2)
    ids = [o.id for o in chat.last.options]
    assert ids[0] == "next.change"
    assert {"menu.crs", "menu.icans", "menu.ice", "menu.dose", "menu.assessment"} <= set(ids)


def test_the_next_tap_or_text_after_a_result_starts_at_once() -> None:
    """A menu tap, or its name typed, starts that dialog: no 'that assessment is finished'."""
    chat = crs(*CRS2)
    chat.tap("menu.ice")
    assert chat.session.dialog == "ice"
    assert chat.session.state == "year"
    assert len(chat.replies) == 1
    chat = crs(*CRS2)
    chat.send("Dose calculator")
    assert chat.session.dialog == "dose"


def test_unknown_text_after_a_result_says_what_is_accepted_and_keeps_the_result() -> None:
    """Text that names no option: a clear message, the options again, the answers kept."""
    chat = crs(*CRS2)
    answers = chat.session.answers
    chat.send("banana")
    assert chat.replies[0].kind == "error"
    assert chat.session.state == "result"
    assert chat.session.answers == answers
    assert chat.last.options[0].id == "next.change"


def test_change_an_answer_lists_the_answers_in_words() -> None:
    """The list names each question and its current answer, as the doctor gave it."""
    chat = crs(*CRS2)
    chat.tap("next.change")
    assert chat.session.state == FIX
    labels = [o.label for o in chat.last.options]
    assert labels[:3] == [
        "Temperature: 39.1 °C",
        "Treatment so far: None yet",
        "Blood pressure: Fluids only",
    ]
    assert "Oxygen flow: 4 L/min" in labels
    assert "Weight: 70 kg" in labels
    assert labels[-1] == "Keep the answers as they are"


def test_fluids_to_vasopressors_asks_which_pressor_then_reissues_the_plan() -> None:
    """The new route needs the vasopressor question, which has no answer: only it is asked;
    everything else is kept, and the plan is headed 'CRS grade 2 → 3'."""
    chat = crs(*CRS2)
    chat.tap("next.change")
    chat.tap("fix.bp")
    assert chat.last.text.startswith("Changing Blood pressure (was: Fluids only).")
    chat.tap("bp.vasopressors")
    assert chat.session.state == "press"
    chat.send("noradrenaline")
    assert chat.asked == [FIX, "bp", "press", "result"]
    lines = chat.visible.splitlines()
    assert lines[0] == "CRS grade 2 → 3"
    assert lines[1] == "Changed Blood pressure: Fluids only → Vasopressor(s)"
    assert lines[2] == "CRS grade 3"
    assert chat.session.answers["oxygen_flow_l_min"] == 4.0
    assert chat.session.change is None
    assert chat.session.reserve == {}


def test_vasopressors_to_none_drops_the_answers_the_route_no_longer_uses() -> None:
    """No hypotension: the vasopressor and 'another cause' answers are dropped; the oxygen's
    cause, which now decides the grade, is asked; the plan is headed 'CRS grade 3 → 2'."""
    chat = crs(*CRS3)
    chat.tap("next.change")
    chat.tap("fix.bp")
    chat.tap("bp.none")
    assert chat.session.state == "o2cause"
    chat.tap("o2cause.crs")
    assert chat.session.state == "result"
    assert "vasopressors" not in chat.session.answers
    assert "hypotension_other_cause" not in chat.session.answers
    assert chat.visible.splitlines()[0] == "CRS grade 3 → 2"
    assert [s.state for s in chat.session.history] == [
        "temp",
        "prior",
        "bp",
        "o2",
        "flow",
        "o2cause",
        "wt",
    ]


def test_room_air_to_nasal_cannula_asks_the_flow_and_the_cause() -> None:
    """A change that opens new questions asks each of them, and only them."""
    chat = crs("38.6", "none", "none", "room air", "70")
    chat.tap("next.change")
    chat.tap("fix.o2")
    chat.tap("o2.nasal_cannula")
    assert chat.session.state == "flow"
    chat.send("4")
    assert chat.session.state == "o2cause"
    chat.send("not sure")
    # The weight was given before the change: kept, not asked again.
    assert chat.asked == [FIX, "o2", "flow", "o2cause", "result"]
    assert chat.visible.splitlines()[0] == "CRS grade 1 → 2"


def test_bad_input_during_a_change_is_refused_and_the_change_goes_on() -> None:
    """Nonsense at the re-asked question: the usual message, the question again, nothing lost."""
    chat = crs(*CRS2)
    chat.tap("next.change")
    chat.tap("fix.temp")
    chat.send("ninety")
    assert chat.replies[0].kind == "error"
    assert chat.session.state == "temp"
    assert chat.session.change is not None
    chat.send("38.2")
    assert chat.session.state == "result"
    assert chat.visible.splitlines()[0] == "Grades unchanged"
    assert chat.visible.splitlines()[1] == "Changed Temperature: 39.1 °C → 38.2 °C"


def test_keep_the_answers_goes_back_to_the_result() -> None:
    """Changing nothing: back under the result, every answer as it was."""
    chat = crs(*CRS2)
    answers = chat.session.answers
    chat.tap("next.change")
    chat.tap("fix.keep")
    assert chat.session.state == "result"
    assert chat.session.answers == answers
    assert chat.last.options[0].id == "next.change"


def test_a_stale_result_button_is_refused() -> None:
    """A tap on the options of an earlier step does nothing but say so."""
    chat = crs(*CRS2)
    step = chat.session.step
    chat.tap("next.change")
    before = chat.session
    chat.session, chat.replies = chat.engine.handle(
        chat.session, Event.option("menu.ice", step=step)
    )
    assert chat.replies[0].kind == "stale"
    assert chat.session == before


def test_a_change_updates_the_patient_context() -> None:
    """The corrected grade is what the next dialog is offered."""
    chat = crs(*CRS2)
    chat.tap("next.change")
    chat.tap("fix.bp")
    chat.tap("bp.vasopressors")
    chat.send("noradrenaline")
    assert chat.session.patient is not None
    assert chat.session.patient.crs_grade == 3


def test_back_from_the_list_of_answers_returns_to_the_result() -> None:
    """'back' at the list: under the result again, nothing changed."""
    chat = crs(*CRS2)
    answers = chat.session.answers
    chat.tap("next.change")
    chat.command("back")
    assert chat.session.state == "result"
    assert chat.session.answers == answers


def test_changing_a_guided_ice_task_rescores_and_updates_the_icans_button() -> None:
    """One ICE task corrected: the header gives the score change and the ICANS button the new
    score."""
    chat = Chat("ice")
    chat.answer("correct", "correct", "correct", "wrong", "correct", "2", "correct", "wrong")
    chat.tap("next.change")
    chat.tap("fix.hospital")
    chat.tap("hospital.right")
    assert chat.session.state == "result"
    lines = chat.result_reply.text.splitlines()
    assert lines[0] == "ICE score 7 → 8"
    assert lines[1] == "Changed ICE: hospital: Wrong / no answer → Correct"
    assert "Grade ICANS with ICE 8" in [o.label for o in chat.last.options]
