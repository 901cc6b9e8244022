"""Engine behaviour at every question: bad input, commands, stale buttons, back, JSON sessions."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.chat.diagrams import all_diagrams
from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import COMMANDS, Event
from dialogs.chat.questions import Q
from dialogs.chat.records import AssessmentRecord, GradedDomain, ReminderOffer
from dialogs.chat.session import Session
from tests.dialogs.client import DialogClient
from tests.packaged import PARTS

ENGINE = PARTS.engine
QUESTIONS = PARTS.questions
FLOWS = PARTS.flows


def test_implausible_temperature_asks_for_confirmation(engine: DialogEngine) -> None:
    """44 °C and 30 °C ask for confirmation; 'yes' records it, 'no' re-asks."""
    for typed in ("44", "30"):
        client = DialogClient(engine, "crs")
        client.send(typed)
        assert client.session.state == "temp"
        assert client.last.text == f"{typed} °C is unusual. Is it right?"
        client.click("Yes, it is right")
        assert client.session.state == "prior"
        assert client.session.answers["temperature"] == {"value": float(typed), "unit": "C"}
    client = DialogClient(engine, "crs")
    client.send("44")
    client.click("No, re-enter")
    assert client.session.state == "temp"
    assert "temperature" not in client.session.answers


def test_impossible_temperature_is_refused_with_the_range(engine: DialogEngine) -> None:
    """60 °C is refused with the accepted range; the dialog stays on the question."""
    client = DialogClient(engine, "crs")
    client.send("60")
    assert client.replies[0].kind == "error"
    assert client.replies[0].text == (
        "60 taken as °C: temperature must be 25–46 °C (77–114.8 °F). "
        "Add the unit if it is another, e.g. 38.4 or 101.1 F"
    )
    assert client.last.text.startswith("Highest temperature")
    assert client.session.state == "temp"
    assert client.session.step == 0


def test_fahrenheit_is_converted_and_echoed(engine: DialogEngine) -> None:
    """101 F is accepted and echoed in °C."""
    client = DialogClient(engine, "crs")
    client.send("101 F")
    assert client.last.text.startswith("Recorded: 101 °F = 38.3 °C")


@pytest.mark.parametrize("typed", ["noradrenaline", "Norepinephrine", "norad", "NORADRENALIN"])
def test_common_spellings_of_vasopressors(engine: DialogEngine, typed: str) -> None:
    """Noradrenaline and its other names are all understood."""
    client = DialogClient(engine, "crs")
    client.answer("38.5", "none", "vasopressors", typed)
    assert client.session.answers["vasopressors"] == ["noradrenaline"]


def test_vasopressors_by_buttons_toggle_then_done(engine: DialogEngine) -> None:
    """Tapping toggles a tick; Done records the selection; Done with none is refused."""
    client = DialogClient(engine, "crs")
    client.answer("38.5", "none", "vasopressors")
    client.click("Done")
    assert client.replies[0].text == "Choose at least one, or 'None of these'."
    client.click("Noradrenaline")
    client.click("Vasopressin")
    client.click("✓ Noradrenaline")
    client.click("Adrenaline")
    client.click("Done")
    assert client.session.answers["vasopressors"] == ["adrenaline", "vasopressin"]


def test_option_from_an_earlier_question_is_rejected(engine: DialogEngine) -> None:
    """An option id from an earlier question changes nothing and says so."""
    client = DialogClient(engine, "crs")
    client.send("38.5")
    before = client.session
    client._apply(Event.option("temp.confirm_yes"))
    assert (
        client.replies[0].text == "That button belongs to another question. Answer the one below."
    )
    assert client.session == before


def test_a_tap_on_an_old_message_is_stale(engine: DialogEngine) -> None:
    """A button from an older step is answered 'that question has moved on'."""
    client = DialogClient(engine, "crs")
    client.answer("38.5")
    old_step = client.session.step
    client.send("none")
    before = client.session
    client._apply(Event.option("bp.none", step=old_step))
    assert client.replies[0].text == "That question has moved on. Answer the one below."
    assert client.replies[0].kind == "stale", "transports recognise it by kind, not by text"
    assert client.session == before


def test_a_stale_tap_in_training_is_marked_stale_too(engine: DialogEngine) -> None:
    """In a rehearsal (whose replies carry a prefix) a stale tap is still of kind 'stale'."""
    client = DialogClient(engine, "rehearsal")
    old_step = client.session.step
    option = client.last.options[0].id
    client._apply(Event.option(option, step=old_step))
    before = client.session
    client._apply(Event.option(option, step=old_step))
    assert client.replies[0].kind == "stale"
    assert client.session == before


def test_a_result_records_its_grades_as_data(engine: DialogEngine) -> None:
    """A result's turn records the grades as the grader gave them: grade, per-domain grades."""
    client = DialogClient(engine, "crs")
    client.answer("39.1", "none", "fluids", "no", "room air", "70")
    (record,) = client.turn.of(AssessmentRecord)
    assert record == AssessmentRecord(
        dialog="crs",
        guideline="ACLIN.P.088 v2.1",
        grades=(
            GradedDomain(
                toxicity="CRS",
                grade=2,
                domains=(("fever", 1), ("hypotension", 2)),
            ),
        ),
    )


def test_a_result_offers_reminders_at_its_own_step(engine: DialogEngine) -> None:
    """After a CRS result the turn offers the 12-hourly CRS and 8-hourly neuro reviews, valid
    at the step of the session it returns; the records never stay in the session."""
    client = DialogClient(engine, "crs")
    client.answer("39.1", "none", "fluids", "no", "room air", "70")
    (offer,) = client.turn.of(ReminderOffer)
    assert offer.step == client.session.step
    assert [(c.kind, c.hours) for c in offer.choices] == [("crs", 12), ("neuro", 8)]
    assert client.session.records == ()


def test_the_ice_and_dose_results_record_no_reminder_and_the_ice_its_score(
    engine: DialogEngine,
) -> None:
    """The ICE alone records its score and band; the dose calculator records nothing."""
    ice = DialogClient(engine, "ice")
    ice.answer("y", "y", "y", "y", "y", "2", "n", "n")  # 4 + 1 + 2 = ICE 7
    (record,) = ice.turn.of(AssessmentRecord)
    assert record.grades == (GradedDomain(toxicity="ICE", grade=1, score=("ICE", 7)),)
    assert ice.turn.of(ReminderOffer) == ()
    dose = DialogClient(engine, "dose")
    dose.answer("tocilizumab", "70", "0", "0")
    assert dose.result_reply.kind == "result"
    assert dose.turn.records == ()


def test_a_question_turn_records_nothing(engine: DialogEngine) -> None:
    """Only results (and training answers) make records: a question's turn has none."""
    client = DialogClient(engine, "crs")
    client.answer("39.1")
    assert client.turn.records == ()


def test_back_is_repeatable_to_the_first_question(engine: DialogEngine) -> None:
    """Back undoes answers one by one, then says there is nothing to undo."""
    client = DialogClient(engine, "crs")
    client.answer("38.5", "none", "fluids", "no")
    states = []
    for _ in range(4):
        client.command("back")
        states.append(client.session.state)
    assert states == ["bpcause", "bp", "prior", "temp"]
    assert client.session.answers == {}
    client.command("back")
    assert client.replies[0].text == "This is the first question: nothing to undo."


def test_cancel_restart_help(engine: DialogEngine) -> None:
    """Cancel returns to the menu, restart begins again, help explains and keeps the place."""
    client = DialogClient(engine, "crs")
    client.answer("38.5", "none")
    client.command("help")
    assert client.replies[0].text.startswith("About this question:\nCRS grade by blood pressure")
    assert "Commands: back (undo the last answer)" in client.replies[0].text
    assert client.session.state == "bp"
    client.command("restart")
    assert client.session.state == "temp"
    assert client.session.answers == {}
    client.send("cancel")
    assert client.session.dialog == "menu"
    assert client.replies[0].text.startswith("Stopped.")


def test_bad_choice_names_what_is_accepted(engine: DialogEngine) -> None:
    """An unrecognised answer is re-asked, naming the accepted answers."""
    client = DialogClient(engine, "crs")
    client.answer("38.5")
    client.send("maybe")
    assert client.replies[0].text == (
        "Please choose one of the options: tap it, or type its number (1–5)."
    )
    assert client.session.state == "prior"


def test_unknown_is_recorded_and_reported(engine: DialogEngine) -> None:
    """Where 'unknown' is allowed, the result says what was assumed."""
    client = DialogClient(engine, "icans")
    client.answer("45", "8", "alert", "none", "none", "none", "not done")
    client.click("Unknown")
    assert client.last.text.startswith("Weight")
    client.answer("70", "0", "0")
    assert "Not known: concurrent CRS; advice shown for both" in client.result
    assert "With concurrent CRS: Consider Tocilizumab 560 mg" in client.result


def test_the_guideline_version_is_in_the_session(engine: DialogEngine) -> None:
    """Every session records the guideline version it runs."""
    client = DialogClient(engine, "crs")
    assert client.session.guideline == "ACLIN.P.088 v2.1"


def test_every_question_is_reachable_in_some_dialog() -> None:
    """Every defined question belongs to at least one dialog, and every state has a question."""
    states = {s for flow in FLOWS.values() for s in flow.states}
    assert set(QUESTIONS) | {Q.RESULT} == states | {Q.MENU}


def test_diagrams_are_up_to_date() -> None:
    """docs/diagrams matches the machines; regenerate with `python -m bot diagrams`."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[3] / "docs" / "diagrams"
    for name, source in all_diagrams(ENGINE).items():
        assert (folder / name).read_text() == source, f"{name} is stale: python -m bot diagrams"


# --- property-based: random event sequences over every dialog ---

_ALL_OPTION_IDS = sorted(
    {q.option_id(c) for q in QUESTIONS.values() for c in q.choices}
    | {f"{q.value}.done" for q in Q}
    | {f"{q.value}.confirm_yes" for q in Q}
)
_TEXTS = st.sampled_from(
    [
        "38.4",
        "101 F",
        "44",
        "60",
        "70",
        "154 lb",
        "0",
        "1",
        "2",
        "3",
        "9",
        "12",
        "none",
        "yes",
        "no",
        "unknown",
        "noradrenaline, vasopressin",
        "papilloedema",
        "guide",
        "",
        "  ",
        "🙂",
        "-5",
        "1e9",
        "nan",
    ]
)
_EVENTS = st.one_of(
    _TEXTS.map(Event.text),
    st.text(max_size=40).map(Event.text),
    st.sampled_from(_ALL_OPTION_IDS).map(Event.option),
    st.sampled_from(COMMANDS).map(Event.command),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dialog=st.sampled_from(sorted(FLOWS)), events=st.lists(_EVENTS, max_size=40))
def test_random_events_never_crash_and_keep_the_session_valid(
    dialog: str, events: list[Event]
) -> None:
    """Any sequence of taps, text and commands: no exception, a valid JSON session, a reply."""
    session, _ = ENGINE.start(dialog)
    for event in events:
        session, replies = ENGINE.handle(session, event)
        assert replies
        assert Session.model_validate_json(session.model_dump_json()) == session
        if session.state not in ("menu", "result"):
            assert replies[-1].kind == "question"


def _current_options(session: Session) -> list[str]:
    question = QUESTIONS[Q(session.state)]
    return [question.option_id(c) for c in question.visible(session.answers)]


@settings(max_examples=200, deadline=None)
@given(dialog=st.sampled_from(sorted(FLOWS)), picks=st.lists(st.integers(0, 20), max_size=30))
def test_back_returns_to_the_previous_question_with_earlier_answers_intact(
    dialog: str, picks: list[int]
) -> None:
    """After any answer, back restores exactly the previous question and answers."""
    session, _ = ENGINE.start(dialog)
    for pick in picks:
        if session.state in ("result", "menu"):
            break
        question = QUESTIONS[Q(session.state)]
        options = _current_options(session)
        if question.kind == "number" and (pick % 2 == 0 or not options):
            sample = {
                "temp": "38.6",
                "flow": "4",
                "wt": "70",
                "size": "70",
                "ht": "170",
                "fer": "12000",
                "csf": "15",
                "age": "45",
                "iceentry": "7",
                "capd": "5",
                "t24": "1",
                "ttot": "2",
                "tlast": "6",
            }[session.state]
            event = Event.text(sample)
        elif question.kind == "multi":
            event = Event.text(
                question.choices[pick % len(question.choices)].aliases[0]
                if question.choices[pick % len(question.choices)].aliases
                else question.choices[pick % len(question.choices)].key
            )
        else:
            event = Event.option(options[pick % len(options)], step=session.step)
        before = session
        session, _ = ENGINE.handle(session, event)
        if session.step == before.step or session.state == "menu":
            continue  # refused input (or the dialog ended): nothing to undo
        undone, replies = ENGINE.handle(session, Event.command("back"))
        assert undone.state == before.state
        assert undone.answers == before.answers
        assert replies[-1].kind == "question"


@pytest.mark.parametrize("typed", ["¹", "٣", "²⁵", "½", "3²"])
def test_non_ascii_digits_are_refused_not_crashed(engine: DialogEngine, typed: str) -> None:
    """Unicode digits (superscripts, Arabic-Indic) are refused with what is accepted."""
    for dialog in ("crs", "icans", "ice"):
        client = DialogClient(engine, dialog)
        client.send(typed)
        assert client.replies[0].kind == "error"
        assert client.session.step == 0


def test_a_chat_without_a_session_opens_its_dialog_at_step_zero(engine: DialogEngine) -> None:
    """A command in a chat the bot has never seen starts the dialog at step 0, with no discard
    question and no patient context to offer: its first question straight away."""
    session, replies = engine.open(None, "crs", "2026-01-01 08:00 UTC")
    assert session.dialog == "crs"
    assert session.step == 0
    assert session.patient is None
    assert [r.kind for r in replies] == ["question"]
    assert replies[0].text == engine.start("crs")[1][-1].text
