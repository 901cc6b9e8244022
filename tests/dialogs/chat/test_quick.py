"""Quick entry: shorthand read into the questions' answers, echoed, confirmed, the rest asked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import Event, Reply
from dialogs.chat.quick import QUICK, S, echo_items, read_message
from dialogs.chat.session import Answer, Session
from tests.dialogs.client import DialogClient
from tests.packaged import PARTS

ENGINE = PARTS.engine
QUESTIONS = PARTS.questions
META = ("quick.open", "quick.unknown", "quick.notes")

CRS3 = "39.1 norad NC 4L no prior no other cause 70kg"
EXAMPLE = "39.1 norad NC 4L ICE 7 voice 70kg"


def _at_prompt() -> Session:
    session, _ = ENGINE.start(QUICK)
    return session


def _read(text: str) -> tuple[Session, list[Reply]]:
    """Type `text` at the quick-entry prompt."""
    return ENGINE.handle(_at_prompt(), Event.text(text))


def _answers(session: Session) -> dict[str, Answer]:
    return {k: v for k, v in session.answers.items() if k not in META}


def _c(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "C"}


PRESSORS: dict[str, Answer] = {"hypotension": "vasopressors"}

# What you type -> the answers recorded (as the questions themselves record them).
VOCABULARY: list[tuple[str, dict[str, Answer]]] = [
    # temperature
    ("t 39.1", {"temperature": _c(39.1)}),
    ("T39.1", {"temperature": _c(39.1)}),
    ("temp 38.5", {"temperature": _c(38.5)}),
    ("tmax 38.5", {"temperature": _c(38.5)}),
    ("39.1c", {"temperature": _c(39.1)}),
    ("39.1 °C", {"temperature": _c(39.1)}),
    ("39.1℃", {"temperature": _c(39.1)}),
    ("38,4 C", {"temperature": _c(38.4)}),
    ("３９．１ｃ", {"temperature": _c(39.1)}),
    ("101 F", {"temperature": {"value": 101.0, "unit": "F"}}),
    ("101.3℉", {"temperature": {"value": 101.3, "unit": "F"}}),
    ("t 101", {"temperature": {"value": 101.0, "unit": "F"}}),
    ("fever 39", {"temperature": _c(39.0)}),
    # blood pressure
    ("norad", {**PRESSORS, "vasopressors": ["noradrenaline"]}),
    ("noradrenaline", {**PRESSORS, "vasopressors": ["noradrenaline"]}),
    ("Norepinephrine", {**PRESSORS, "vasopressors": ["noradrenaline"]}),
    ("levophed", {**PRESSORS, "vasopressors": ["noradrenaline"]}),
    ("adrenaline", {**PRESSORS, "vasopressors": ["adrenaline"]}),
    ("epi", {**PRESSORS, "vasopressors": ["adrenaline"]}),
    ("dopamine", {**PRESSORS, "vasopressors": ["dopamine"]}),
    ("phenyl", {**PRESSORS, "vasopressors": ["phenylephrine"]}),
    ("vaso", {**PRESSORS, "vasopressors": ["vasopressin"]}),
    ("norad+vaso", {**PRESSORS, "vasopressors": ["noradrenaline", "vasopressin"]}),
    ("norad/adrenaline", {**PRESSORS, "vasopressors": ["noradrenaline", "adrenaline"]}),
    ("fluids norad", {**PRESSORS, "vasopressors": ["noradrenaline"]}),
    ("pressors", PRESSORS),
    ("fluids", {"hypotension": "fluids"}),
    ("bolus", {"hypotension": "fluids"}),
    ("normotensive", {"hypotension": "none"}),
    ("no pressors", {"hypotension": "none"}),
    # oxygen
    ("RA", {"oxygen": "none"}),
    ("room air", {"oxygen": "none"}),
    ("on air", {"oxygen": "none"}),
    ("NC", {"oxygen": "nasal_cannula"}),
    ("NC 4L", {"oxygen": "nasal_cannula", "oxygen_flow_l_min": 4.0}),
    ("NC 4", {"oxygen": "nasal_cannula", "oxygen_flow_l_min": 4.0}),
    ("nc4l", {"oxygen": "nasal_cannula", "oxygen_flow_l_min": 4.0}),
    ("4 L/min NC", {"oxygen": "nasal_cannula", "oxygen_flow_l_min": 4.0}),
    ("nasal cannula 2 lpm", {"oxygen": "nasal_cannula", "oxygen_flow_l_min": 2.0}),
    ("o2 3l", {"oxygen_flow_l_min": 3.0}),
    ("HFNC", {"oxygen": "high_flow_nasal_cannula"}),
    ("high flow", {"oxygen": "high_flow_nasal_cannula"}),
    ("face mask", {"oxygen": "facemask"}),
    ("NRB", {"oxygen": "non_rebreather"}),
    ("non-rebreather", {"oxygen": "non_rebreather"}),
    ("venturi", {"oxygen": "venturi"}),
    ("blow-by", {"oxygen": "blow_by"}),
    ("CPAP", {"oxygen": "cpap"}),
    ("BiPAP", {"oxygen": "bipap"}),
    ("NIV", {"oxygen": "bipap"}),
    ("intubated", {"oxygen": "mechanical_ventilation"}),
    # treatment already given, causes
    ("no prior", {"prior_treatment": []}),
    ("untreated", {"prior_treatment": []}),
    ("paracetamol", {"prior_treatment": ["antipyretic"]}),
    ("post toci", {"prior_treatment": ["tocilizumab"]}),
    ("toci dex", {"prior_treatment": ["tocilizumab", "steroids"]}),
    ("toci x2", {"prior_treatment": ["tocilizumab"], "toci_total": 2}),
    ("2x toci", {"prior_treatment": ["tocilizumab"], "toci_total": 2}),
    ("toci×1 6h ago", {"prior_treatment": ["tocilizumab"], "toci_total": 1, "toci_hours": 6.0}),
    ("no toci", {"toci_24h": 0, "toci_total": 0}),
    ("no other cause", {"hypotension_other_cause": False, "hypoxia_cause": "crs"}),
    ("comfort", {"hypoxia_cause": "comfort"}),
    ("comfort no other cause", {"hypotension_other_cause": False, "hypoxia_cause": "comfort"}),
    # ICE, CAPD, consciousness, sedation
    ("ICE 7", {"ice_score": 7}),
    ("ICE7", {"ice_score": 7}),
    ("ice 7/10", {"ice_score": 7}),
    ("ICE: 0", {"ice_score": 0}),
    ("CAPD 10", {"capd_total": 10}),
    ("alert", {"consciousness": "alert"}),
    ("drowsy", {"consciousness": "wakes_spontaneously"}),
    ("voice", {"consciousness": "wakes_to_voice"}),
    ("wakes to voice", {"consciousness": "wakes_to_voice"}),
    ("touch", {"consciousness": "wakes_to_touch"}),
    ("unarousable", {"consciousness": "unarousable"}),
    ("sedated", {"consciousness_from_sedation": True}),
    ("no sedation", {"consciousness_from_sedation": False}),
    # seizures, motor, raised ICP, imaging
    ("no seizures", {"seizure": "none"}),
    ("nil seizures", {"seizure": "none"}),
    ("brief seizure", {"seizure": "brief_clinical"}),
    ("EEG seizures", {"seizure": "eeg_resolved"}),
    ("NCSE", {"seizure": "status_nonconvulsive"}),
    ("CSE", {"seizure": "status_convulsive"}),
    ("no weakness", {"motor": "none"}),
    ("tremor", {"motor": "tremor_or_myoclonus"}),
    ("myoclonus", {"motor": "tremor_or_myoclonus"}),
    ("hemiparesis", {"motor": "focal_weakness"}),
    ("papilloedema", {"icp_signs": ["papilloedema"]}),
    ("papilledema", {"icp_signs": ["papilloedema"]}),
    ("papilloedema stage 2", {"icp_signs": ["papilloedema"], "papilloedema_stage": 2}),
    ("CN VI palsy", {"icp_signs": ["cranial_nerve_vi_palsy"]}),
    ("6th nerve palsy", {"icp_signs": ["cranial_nerve_vi_palsy"]}),
    ("posturing", {"icp_signs": ["posturing"]}),
    ("Cushing's", {"icp_signs": ["cushings_triad"]}),
    ("no ICP signs", {"icp_signs": []}),
    ("CT normal", {"imaging": "no_oedema"}),
    ("no imaging", {"imaging": "not_done"}),
    ("focal oedema", {"imaging": "focal_oedema"}),
    ("diffuse oedema", {"imaging": "diffuse_oedema"}),
    ("OP 25", {"csf_opening_pressure_mmhg": 25.0}),
    # the patient
    ("45y", {"age_years": 45}),
    ("45 yo", {"age_years": 45}),
    ("age 8", {"age_years": 8}),
    ("45 years old", {"age_years": 45}),
    ("adult", {"age_years": "adult"}),
    ("dev delay", {"age_years": "delay"}),
    ("70kg", {"weight": {"value": 70.0, "unit": "kg"}}),
    ("70 kg", {"weight": {"value": 70.0, "unit": "kg"}}),
    ("154lb", {"weight": {"value": 154.0, "unit": "lb"}}),
    ("wt 70", {"weight": {"value": 70.0, "unit": "kg"}}),
    ("170cm", {"height": {"value": 170.0, "unit": "cm"}}),
]


@pytest.mark.parametrize(("typed", "expected"), VOCABULARY)
def test_each_form_is_read_into_the_answer_the_question_records(
    typed: str, expected: dict[str, Answer]
) -> None:
    """Every spelling in the vocabulary sets exactly the answers its question would record."""
    session, replies = _read(typed)
    assert session.state == S.CONFIRM.value, [r.text for r in replies]
    assert _answers(session) == expected


def test_the_example_is_echoed_item_by_item() -> None:
    """The issue's example is read back item by item, with one-tap confirm or start over."""
    session, replies = _read(EXAMPLE)
    assert replies[-1].text.splitlines()[0] == (
        "I read: Temperature 39.1 °C · Noradrenaline · Nasal cannula 4 L/min · ICE 7/10 · "
        "Wakes to voice · Weight 70 kg"
    )
    assert [o.label for o in replies[-1].options] == ["✓ Correct", "Start over"]
    assert _answers(session) == {
        "temperature": _c(39.1),
        "hypotension": "vasopressors",
        "vasopressors": ["noradrenaline"],
        "oxygen": "nasal_cannula",
        "oxygen_flow_l_min": 4.0,
        "ice_score": 7,
        "consciousness": "wakes_to_voice",
        "weight": {"value": 70.0, "unit": "kg"},
    }


# --- ambiguity: asked, never guessed ---

AMBIGUOUS = [
    ("39.1", ["Temperature 39.1 °C", "Weight 39.1 kg"]),
    ("220", ["Weight 220 kg", "Weight 220 lb = 99.8 kg"]),
    ("wt 220", ["Weight 220 kg", "Weight 220 lb = 99.8 kg"]),
    ("7", ["Weight 7 kg", "Weight 7 lb = 3.2 kg", "Age 7", "ICE 7/10", "CAPD 7"]),
    ("101", ["Temperature 101 °F = 38.3 °C", "Weight 101 kg", "Age 101"]),
    ("39 70kg", ["Temperature 39 °C", "Age 39"]),
    ("150", ["Weight 150 kg"]),
    ("NC 39.1 norad", ["Oxygen flow 39.1 L/min", "Temperature 39.1 °C"]),
]


@pytest.mark.parametrize(("typed", "labels"), AMBIGUOUS)
def test_a_number_that_could_be_two_things_is_asked(typed: str, labels: list[str]) -> None:
    """A bare number is offered in each reading it may have (and 'none of these')."""
    session, replies = _read(typed)
    assert session.state == S.WHICH.value
    words = typed.split()
    number = words[1] if typed.startswith(("wt", "NC")) else words[0]
    assert replies[-1].text.startswith(f"What is {number}?")
    assert [o.label for o in replies[-1].options] == [*labels, "None of these (ask me later)"]


def test_a_number_the_rest_leaves_one_reading_is_placed() -> None:
    """39.1 beside an explicit weight can only be the temperature."""
    session, _ = _read("39.1 70kg")
    assert session.state == S.CONFIRM.value
    assert _answers(session)["temperature"] == _c(39.1)


def test_choosing_a_reading_records_it_and_settles_the_next_number() -> None:
    """Two bare numbers: choosing the first as the weight leaves the second one reading."""
    client = DialogClient(ENGINE, QUICK)
    client.send("39.1 38.5")
    assert client.session.state == S.WHICH.value
    client.click("Weight 39.1 kg")
    assert client.session.state == S.CONFIRM.value
    assert _answers(client.session) == {
        "weight": {"value": 39.1, "unit": "kg"},
        "temperature": _c(38.5),
    }


def test_none_of_these_drops_the_number_for_its_question_later() -> None:
    """'None of these' records nothing for that number; the dialog asks it in its turn."""
    client = DialogClient(ENGINE, QUICK)
    client.send("39.1 norad")
    client.click("None of these")
    assert _answers(client.session) == {**PRESSORS, "vasopressors": ["noradrenaline"]}
    client.click("✓ Correct")
    assert client.session.dialog == "crs"
    assert client.session.state == "temp"


def test_a_bare_seven_at_the_menu_is_still_the_seventh_option() -> None:
    """At the menu a number alone picks that option (as before); quick entry asks it instead."""
    client = DialogClient(ENGINE)
    client.send("7")
    assert client.session.dialog == "hlh"  # after the two emergency entries


# --- refusals: nothing recorded, the dialog stays where it was ---

REFUSED = [
    ("t 60", "Nothing was recorded: 60 taken as °C: temperature must be 25–46 °C"),
    ("ICE 11", "Nothing was recorded: ICE score must be 0–10. Send the findings again."),
    ("NC 90L", "Nothing was recorded: Oxygen flow must be 0.1–80 L/min."),
    ("500 kg", "Nothing was recorded: Weight must be 1–350 kg (2.2–771.6 lb)."),
    ("alert voice", "two different answers for consciousness (Alert, Wakes to voice)"),
    ("norad no pressors", "two different answers for blood pressure support"),
    ("ICE 7 unarousable", "Unarousable does not fit ICE 7/10"),
    ("ICE 7 CAPD 9", "two different answers for ICE score (7, 9)"),
    ("toci no toci", "two different answers for tocilizumab doses"),
    ("wt", "'wt' needs a number, e.g. wt 70"),
    ("1 2 3 4 5", "5 numbers without a word or unit; add them (e.g. 39.1 C, 70 kg, ICE 7)"),
    ("45y CAPD 10", "the CAPD is for children under 12 (or developmental delay)"),
    ("8yo ICE 7", "under 12 the CAPD replaces the ICE"),
    ("hello xyz", "I did not understand: 'hello', 'xyz'\nI found no findings there."),
    ("", "I found no findings there."),
    ("🤒", "I did not understand: '🤒'"),
]


@pytest.mark.parametrize(("typed", "message"), REFUSED)
def test_a_message_that_cannot_be_used_is_refused_naming_why(typed: str, message: str) -> None:
    """Out of range, two answers for one finding, or nothing understood: nothing is recorded."""
    for start in (_at_prompt(), ENGINE.new_session()):
        session, replies = ENGINE.handle(start, Event.text(typed))
        assert session == start
        assert replies[0].kind == "error"
        assert message in replies[0].text
        assert replies[-1].kind == "question"


def test_words_not_understood_are_named_back_and_confirmed_knowingly() -> None:
    """Unknown words are named, and the confirm button says they will be ignored."""
    session, replies = _read("39.1c norad adrenalne sats 92%")
    text = replies[-1].text
    assert "I did not understand: 'adrenalne'" in text
    assert "Not used for grading: 'sats'" in text
    assert replies[-1].options[0].label == "✓ Correct, ignore the rest"
    assert _answers(session) == {
        "temperature": _c(39.1),
        **PRESSORS,
        "vasopressors": ["noradrenaline"],
    }


def test_a_topic_without_its_detail_is_noted_and_asked_later() -> None:
    """'seizure' alone does not say which kind: it is shown as asked next, not guessed."""
    session, replies = _read("ICE 8 seizure")
    assert _answers(session) == {"ice_score": 8}
    assert "Seizure (which kind: asked next)" in replies[-1].text


def test_oxygen_without_its_device_is_noted_once() -> None:
    """'o2' alone is noted; with a flow, the flow's item names the device as still to ask."""
    _, replies = _read("o2 39.1c")
    assert "Oxygen (device asked next)" in replies[-1].text
    _, replies = _read("o2 4l")
    assert replies[-1].text.count("device asked next") == 1


def test_typing_again_at_the_echo_replaces_the_findings() -> None:
    """New text at the confirmation is read afresh; start over returns to the prompt."""
    client = DialogClient(ENGINE, QUICK)
    client.send("39.1c norad")
    client.send("38.2c RA")
    assert _answers(client.session) == {"temperature": _c(38.2), "oxygen": "none"}
    client.click("Start over")
    assert client.session.state == S.ENTRY.value
    assert client.session.answers == {}


def test_back_help_cancel_in_quick_entry() -> None:
    """Back starts over, help explains the format and keeps the place, cancel goes to the menu."""
    client = DialogClient(ENGINE, QUICK)
    client.command("back")
    assert client.replies[0].text == "This is the first question: nothing to undo."
    client.send("39.1c norad")
    client.command("help")
    assert client.replies[0].text.startswith("Type the findings in one message")
    assert client.session.state == S.CONFIRM.value
    client.send("back")
    assert client.session.state == S.ENTRY.value
    client.command("cancel")
    assert client.session.dialog == "menu"


def test_a_stale_tap_on_the_echo_is_refused() -> None:
    """A tap on an old confirmation does nothing but say so."""
    client = DialogClient(ENGINE, QUICK)
    client.send("39.1c norad")
    old = client.last.options[0].id
    step = client.session.step
    client.send("38.2c RA")
    before = client.session
    client.session, client.replies = ENGINE.handle(before, Event.option(old, step=step))
    assert client.session == before
    assert client.replies[0].kind == "stale"


def test_the_menu_offers_quick_entry_which_explains_the_format() -> None:
    """The menu's ⚡ Quick entry button shows the format with an example."""
    client = DialogClient(ENGINE)
    client.click("⚡ Quick entry")
    assert client.session.dialog == QUICK
    assert "39.1 norad NC 4L ICE 7 voice 70kg" in client.last.text


# --- confirm: the right dialog, filled, asks only what is missing ---


def _messages_to_result(client: DialogClient, answers: dict[str, str]) -> int:
    """Answer whatever is asked from `answers` (by state) until the result; count messages."""
    sent = 0
    while client.session.state != "result":
        client.send(answers[client.session.state])
        sent += 1
        assert sent < 40
    return sent


def test_crs_grade_3_by_quick_entry_in_two_messages_and_same_grade_as_one_by_one() -> None:
    """Shorthand + ✓ Correct reaches the CRS grade 3 plan; the questions one by one agree."""
    quick = DialogClient(ENGINE)
    quick.send(CRS3)
    quick.click("✓ Correct")
    assert quick.session.dialog == "crs"
    assert quick.session.state == "result"
    assert quick.visible.startswith("CRS grade 3\n")
    assert "Tocilizumab 560 mg" in quick.visible
    one_by_one = DialogClient(ENGINE, "crs")
    one_by_one.answer("39.1", "none", "vasopressors", "noradrenaline", "no", "nasal cannula")
    one_by_one.answer("4", "yes", "70")
    assert one_by_one.session.state == "result"
    assert one_by_one.result == quick.result
    assert one_by_one.session.answers == quick.session.answers


def test_the_example_starts_the_full_review_and_asks_only_what_is_missing() -> None:
    """CRS and ICANS findings: the full review, skipping every question already answered."""
    client = DialogClient(ENGINE)
    client.send(EXAMPLE)
    assert "Next: full review (CRS + ICANS)" in client.last.text
    client.click("✓ Correct")
    asked: list[str] = []
    rest = {
        "prior": "none",
        "bpcause": "no",
        "age": "45",
        "sed": "no",
        "seiz": "none",
        "motor": "none",
        "icp": "none",
        "img": "not done",
    }
    while client.session.state != "result":
        asked.append(client.session.state)
        client.send(rest[client.session.state])
    assert asked == list(rest)
    assert client.visible.startswith("CRS grade 3 · ICANS grade 2\n")
    one_by_one = DialogClient(ENGINE, "assessment")
    one_by_one.answer("39.1", "none", "vasopressors", "noradrenaline", "no", "nasal cannula")
    one_by_one.answer("4", "45", "7", "voice", "no", "none", "none", "none", "not done")
    one_by_one.answer("70")
    assert one_by_one.result == client.result


def test_icans_findings_alone_start_the_icans_dialog() -> None:
    """ICANS findings only: the ICANS dialog, from its first missing question."""
    client = DialogClient(ENGINE, QUICK)
    client.send("45y ICE 4 alert CSE no weakness no ICP signs no imaging")
    assert "Next: ICANS grade" in client.last.text
    client.click("✓ Correct")
    assert client.session.dialog == "icans"
    assert client.session.state == "ccrs"


def test_unarousable_typed_skips_the_ice_it_makes_impossible() -> None:
    """An unarousable adult: the ICE question's own 'cannot be woken' is implied, not asked."""
    client = DialogClient(ENGINE, QUICK)
    client.send("adult unarousable no seizures no weakness no ICP signs no imaging")
    client.click("✓ Correct")
    assert client.session.answers["ice_score"] == "unarousable"
    assert client.session.state == "ccrs"


def test_back_after_confirm_walks_back_through_the_filled_answers() -> None:
    """Back undoes one answer at a time, the filled ones included; nothing is lost silently."""
    client = DialogClient(ENGINE)
    client.send("39.1c norad NC 4L")
    client.click("✓ Correct")
    assert client.session.state == "prior"
    client.send("none")
    assert client.session.state == "bpcause"
    client.command("back")
    assert client.session.state == "press"
    assert "vasopressors" not in client.session.answers
    assert client.session.answers["temperature"] == _c(39.1)
    assert client.session.answers["prior_treatment"] == []


def test_a_later_answer_skips_questions_already_filled() -> None:
    """Oxygen flow typed without a device: after the device is chosen, the flow is not asked."""
    client = DialogClient(ENGINE)
    client.send("39.1c no prior no pressors o2 4l")
    client.click("✓ Correct")
    assert client.session.state == "o2"
    client.send("nasal cannula")
    assert client.session.state == "o2cause"
    assert client.session.answers["oxygen_flow_l_min"] == 4.0


def test_a_typed_score_the_route_does_not_take_is_asked_again_not_used() -> None:
    """CAPD typed, then an adult age answered: the route asks the ICE (the CAPD is for
    children), and the typed CAPD plays no part in the grade."""
    client = DialogClient(ENGINE, QUICK)
    client.send("CAPD 10 alert no seizures no weakness no ICP signs no imaging")
    client.click("✓ Correct")
    answers = {"age": "45", "iceentry": "7", "ccrs": "no"}
    asked = []
    while client.session.state != "result":
        asked.append(client.session.state)
        client.send(answers[client.session.state])
    assert asked == ["age", "iceentry", "ccrs"]
    assert client.session.answers["ice_score"] == 7
    assert "capd_total" not in client.session.answers


# --- properties: any text is read or refused, never an exception ---

_WORDS = sorted({" ".join(k) for k in ENGINE.quick.vocabulary.entries})
_SHORTHAND = st.lists(
    st.one_of(
        st.sampled_from(_WORDS),
        st.decimals(min_value=0, max_value=500, places=1).map(str),
        st.integers(0, 400).map(str),
        st.sampled_from(["kg", "lb", "C", "F", "°", "L", "y", "h", "x", "/10", "%", "?", "-"]),
        st.text(max_size=6),
    ),
    max_size=12,
).flatmap(lambda parts: st.sampled_from([" ", ", ", "", "+", ";"]).map(lambda s: s.join(parts)))


def _only_joining_words(text: str) -> bool:
    joining = {"on", "and", "with", "at", "via", "of", "the", "a", "is", "now", "plus", "but"}
    words = [w.strip(".:=()[]{}!*\"'-_~") for w in re.split(r"[\s;,|·•+&/]+", text.lower())]
    return all(w in joining or not any(c.isalpha() for c in w) for w in words)


def _check_read_or_refused(start: Session, text: str) -> None:
    session, replies = ENGINE.handle(start, Event.text(text))
    assert replies
    assert Session.model_validate_json(session.model_dump_json()) == session
    if session == start:
        assert replies[0].kind in ("error", "info")
        assert replies[-1].kind == "question"
        return
    if session.dialog != QUICK or session.state == S.ENTRY.value:
        # At the menu, text that names an option starts it; anywhere, a dialog command ('/icans').
        assert start.dialog == "menu" or text.strip().startswith("/")
        return
    assert session.state in (S.WHICH.value, S.CONFIRM.value)
    assert replies[-1].kind == "question"
    assert replies[-1].options
    if session.state == S.CONFIRM.value:
        answers = _answers(session)
        echoed = {key for key, _ in echo_items(answers)}
        implied = {
            "hypotension": "vasopressors",
            "papilloedema_stage": "icp_signs",
            "oxygen": "oxygen_flow_l_min",
        }
        for key in answers:
            assert key in echoed or implied.get(key) in echoed, (key, answers)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=60))
def test_any_text_is_read_and_echoed_or_refused_clearly(text: str) -> None:
    """Any text at the prompt or the menu: an echo, a question, or a clear refusal in place."""
    _check_read_or_refused(_at_prompt(), text)
    _check_read_or_refused(ENGINE.new_session(), text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_SHORTHAND)
def test_any_shorthand_is_read_and_echoed_or_refused_clearly(text: str) -> None:
    """Shorthand-like strings: every answer read is echoed; otherwise refused in place."""
    _check_read_or_refused(_at_prompt(), text)
    read = read_message(text, QUESTIONS)
    # Every letter typed is either read or named back (only punctuation and joining words
    # such as 'on' and 'and' go unnamed).
    if any(c.isalpha() for c in text) and not read.found:
        assert read.problems or read.unknown or read.not_used or _only_joining_words(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_SHORTHAND, picks=st.lists(st.integers(0, 6), max_size=4))
def test_confirmed_shorthand_starts_a_dialog_or_says_why(text: str, picks: list[int]) -> None:
    """Reading, choosing readings and confirming never raises; the dialog starts or says why."""
    session, replies = ENGINE.handle(_at_prompt(), Event.text(text))
    for pick in picks:
        if session.dialog != QUICK or session.state != S.WHICH.value:
            break
        option = replies[-1].options[pick % len(replies[-1].options)]
        session, replies = ENGINE.handle(session, Event.option(option.id, step=session.step))
    if session.dialog == QUICK and session.state == S.CONFIRM.value:
        before = session
        yes = replies[-1].options[0].id
        session, replies = ENGINE.handle(session, Event.option(yes, step=session.step))
        if session == before:
            assert replies[0].kind == "error"
        else:
            assert session.dialog in ("crs", "icans", "assessment")
            assert replies[-1].kind in ("question", "notice", "result")


# A few typed answers per question, to finish any dialog quick entry starts.
_LATER = {
    "temp": ["38.6", "37.5", "101 F"],
    "prior": ["none", "toci", "steroids"],
    "bp": ["none", "fluids", "vasopressors"],
    "press": ["noradrenaline", "vasopressin", "noradrenaline, adrenaline"],
    "bpcause": ["no", "yes"],
    "o2": ["room air", "nasal cannula", "cpap"],
    "flow": ["4", "8"],
    "o2cause": ["yes", "comfort", "other"],
    "age": ["45", "8", "12", "adult"],
    "tool": ["ice", "capd"],
    "iceentry": ["7", "0", "unarousable"],
    "capd": ["5", "12"],
    "lvl": ["alert", "voice", "touch"],
    "sed": ["no", "yes"],
    "seiz": ["none", "cse"],
    "motor": ["none", "tremor"],
    "icp": ["none", "papilloedema"],
    "stage": ["2", "unknown"],
    "img": ["not done", "focal"],
    "csf": ["15", "unknown"],
    "ccrs": ["no", "yes"],
    "wt": ["70", "25 kg", "unknown"],
    "ht": ["170"],
    "t24": ["0", "1", "3"],
    "ttot": ["0", "3", "4"],
    "tlast": ["6"],
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_SHORTHAND, picks=st.lists(st.integers(0, 5), min_size=40, max_size=40))
def test_after_quick_entry_the_dialog_finishes_without_an_error(
    text: str, picks: list[int]
) -> None:
    """Whatever was filled, answering the questions still asked reaches a result or a refusal."""
    session, replies = ENGINE.handle(_at_prompt(), Event.text(text))
    while session.dialog == QUICK and session.state == S.WHICH.value:
        option = replies[-1].options[picks[0] % len(replies[-1].options)]
        session, replies = ENGINE.handle(session, Event.option(option.id, step=session.step))
    if session.dialog != QUICK:
        return
    session, replies = ENGINE.handle(session, Event.option("qok.yes", step=session.step))
    for pick in picks:
        if session.dialog == QUICK or session.state == "result":
            break
        typed = _LATER[session.state]
        session, replies = ENGINE.handle(session, Event.text(typed[pick % len(typed)]))
        assert replies[-1].kind in ("question", "result", "notice")


def test_engine_fixture_is_the_shared_one(engine: DialogEngine) -> None:
    """The tests above use the same engine as the fixture (built once)."""
    assert engine is ENGINE


def _readme_examples() -> list[str]:
    """Every example in the first column of the README's quick-entry vocabulary table."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    table = readme.split("| You type | It means |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split(" | ")[0] for line in table.splitlines() if line.startswith("| `")]
    return [example for row in rows for example in re.findall(r"`([^`]+)`", row)]


@pytest.mark.parametrize("typed", _readme_examples())
def test_every_example_in_the_readme_vocabulary_is_read(typed: str) -> None:
    """The README's vocabulary table is accurate: each example is read, nothing left over."""
    read = read_message(typed, QUESTIONS)
    assert not read.unknown
    assert not read.problems
    assert read.found or read.not_used
