"""Emergency entries (/seizure, /icp), questions skipped when they cannot change the plan, and
the "another cause?" answers (issue 9, items 1, 4 and 5).

Expected doses are worked by hand from the guideline (Tables 6 and 7), never by the code.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import Command, Event, Reply
from dialogs.chat.questions import Q
from dialogs.chat.session import Session
from tests.dialogs.client import DialogClient
from tests.packaged import PARTS

ENGINE = PARTS.engine
QUESTIONS = PARTS.questions


def _first_steps(replies: list[Reply]) -> Reply:
    found = [r for r in replies if r.kind == "first_steps"]
    assert len(found) == 1, [r.kind for r in replies]
    return found[0]


def _emergency(engine: DialogEngine, dialog: str, *answers: str) -> tuple[DialogClient, Reply]:
    """Start an emergency entry, give the answers, and return the first-steps reply."""
    client = DialogClient(engine, dialog)
    for answer in answers[:-1]:
        replies = client.send(answer)
        assert not any(r.kind == "first_steps" for r in replies)
    return client, _first_steps(client.send(answers[-1]))


def _order(text: str, *parts: str) -> list[int]:
    """Where each part first appears in the text (all must appear)."""
    places = [text.find(p) for p in parts]
    assert -1 not in places, [p for p, n in zip(parts, places, strict=True) if n == -1]
    return places


# --- the menu and the commands ---


def test_the_emergency_entries_lead_the_menu(engine: DialogEngine) -> None:
    """The menu opens with 🚨 Seizing now and 🚨 Signs of raised ICP, in that order."""
    _, replies = engine.start("menu")
    labels = [o.label for o in replies[-1].options]
    assert labels[:2] == ["🚨 Seizing now", "🚨 Signs of raised ICP"]


@pytest.mark.parametrize(("command", "prompt"), [("seizure", "Seizing now"), ("icp", "Raised ICP")])
def test_emergency_commands_start_from_anywhere(
    engine: DialogEngine, command: str, prompt: str
) -> None:
    """/seizure and /icp start the emergency entry: at once from a first question (nothing to
    lose), after 'Discard' when answers would be lost (as every dialog command does)."""
    client = DialogClient(engine, "icans")
    client.send(f"/{command}")
    assert client.session.dialog == command
    assert prompt in client.last.text
    client = DialogClient(engine, "crs")
    client.send("38.5")
    client.send(f"/{command}")
    assert client.session.dialog == "crs"
    assert [o.label for o in client.last.options] == ["Discard", "Keep going"]
    client.send("discard")
    assert client.session.dialog == command
    assert prompt in client.last.text


def test_seizure_typed_without_its_slash_is_an_answer_not_a_command(engine: DialogEngine) -> None:
    """'seizure' typed at an ICANS question is not taken as /seizure: no answer is discarded."""
    client = DialogClient(engine, "icans")
    client.answer("45", "7", "alert")
    client.send("seizure")
    assert client.session.dialog == "icans"
    assert client.session.answers["age_years"] == 45
    assert client.last.kind == "question"
    client = DialogClient(engine)
    client.send("seizure")  # at the menu it is the menu's own option
    assert client.session.dialog == "seizure"


# --- status epilepticus (Table 6) ---


def test_convulsive_status_first_steps_in_table_6_order_with_doses_by_weight(
    engine: DialogEngine,
) -> None:
    """Convulsive, 70 kg: ABC, ICU, lorazepam 2 mg, levetiracetam 500 mg, then phenobarbital
    15 mg/kg × 70 kg = 1,050 mg if seizures persist: after two answers, before any question."""
    client, first = _emergency(engine, "seizure", "status_convulsive", "70")
    visible = first.text
    assert visible.splitlines()[0] == "🚨 First steps: Status epilepticus, convulsive (Table 6)"
    places = _order(
        visible,
        "Check airway, breathing, circulation and blood glucose.",
        "Transfer to ICU.",
        "Lorazepam 2 mg IV",
        "Levetiracetam 500 mg IV bolus",
        "Seizures persist: Add a phenobarbital load. Phenobarbital 1,050 mg IV",
    )
    assert places == sorted(places)
    assert "15 mg/kg × 70 kg = 1,050 mg" in visible
    assert "Call: ICU lead" in visible
    assert len(visible.splitlines()) <= 15
    # The maintenance after resolution is in the protocol's fold, worked for 70 kg.
    assert "1–3 mg/kg × 70 kg = 70–210 mg" in first.full_text
    assert all("Table 6" in c for c in first.citations)
    # The refining questions come after: an adult by weight, so the age is asked first.
    assert client.last.kind == "question"
    assert client.session.state == "age"


def test_nonconvulsive_status_first_steps(engine: DialogEngine) -> None:
    """Non-convulsive: lorazepam 0.5 mg steps to 2 mg; ICU and phenobarbital 60 mg only if
    seizures persist (Table 6)."""
    _, first = _emergency(engine, "seizure", "ncse", "adult")
    visible = first.text
    places = _order(
        visible,
        "Check airway",
        "Lorazepam 0.5 mg IV, repeat 0.5 mg every 5 min as needed, up to 2 mg in total",
        "Levetiracetam 500 mg",
        "Seizures persist: Transfer to ICU and load phenobarbital. Phenobarbital 60 mg IV",
    )
    assert places == sorted(places)
    assert "Transfer to ICU." not in visible.replace("Seizures persist: Transfer to ICU", "")


def test_weight_not_known_gives_the_per_kg_dose(engine: DialogEngine) -> None:
    """Adult, weight not known: phenobarbital shown as 15 mg/kg, with the weight it needs."""
    _, first = _emergency(engine, "seizure", "1", "Adult (18 or over), weight not known")
    assert "Phenobarbital 15 mg/kg IV, loading dose (weight needed for the dose)" in first.text
    assert "Lorazepam 2 mg IV" in first.text


def test_a_child_never_gets_an_adult_fixed_dose(engine: DialogEngine) -> None:
    """Child, weight not known: the paediatric banner; lorazepam and levetiracetam from the
    paediatric team; phenobarbital per kg."""
    _, first = _emergency(engine, "seizure", "1", "child")
    text = first.full_text
    assert "⚠ Child: this is an adult guideline" in first.text
    for adult in ("Lorazepam 2 mg", "Levetiracetam 500 mg", "Levetiracetam 1,000 mg", "0.5 mg IV"):
        assert adult not in text
    assert "Lorazepam: paediatric dose from the paediatric team or pharmacy" in first.text
    assert "Phenobarbital 15 mg/kg IV" in text
    assert "GNCH" in first.text


def test_a_child_by_weight_gets_per_kg_doses_and_no_adult_dose(engine: DialogEngine) -> None:
    """20 kg, age not known (under 40 kg, clinical-rules §9.8): phenobarbital 15 × 20 = 300 mg."""
    _, first = _emergency(engine, "seizure", "1", "20 kg")
    assert "15 mg/kg × 20 kg = 300 mg" in first.text
    assert "Lorazepam 2 mg" not in first.full_text
    assert "⚠ Child" in first.text


def test_a_brief_seizure_has_no_status_steps_and_goes_on_to_the_questions(
    engine: DialogEngine,
) -> None:
    """A seizure that resolved rapidly is not status epilepticus: no Table 6 steps."""
    client = DialogClient(engine, "seizure")
    client.send("brief")
    replies = client.send("adult")
    assert not any(r.kind == "first_steps" for r in replies)
    assert client.session.state == "iceentry"
    assert replies[0].text == "No status epilepticus or raised-ICP protocol applies: grading ICANS."
    assert replies[0].kind == "info"


def test_the_full_plan_after_the_first_steps_asks_no_seizure_or_age_again(
    engine: DialogEngine,
) -> None:
    """After the first steps an adult goes straight to the ICE; the seizure is not asked again;
    the full plan is ICANS grade 4 with the Table 6 pathway and a handover."""
    client, _ = _emergency(engine, "seizure", "status_convulsive", "adult")
    asked = []
    for answer in ("5", "alert", "none", "none", "not done", "no"):
        asked.append(client.session.state)
        client.send(answer)
    assert asked == ["iceentry", "lvl", "motor", "icp", "img", "ccrs"]
    assert client.visible.splitlines()[0] == "ICANS grade 4"
    assert "Status epilepticus, convulsive (Table 6)" in client.result
    assert "Not known: weight; doses shown per kg" in client.result
    assert client.replies[-1].text.startswith("Handover summary")


@pytest.mark.parametrize(
    ("seizure", "noted"),
    [
        # Convulsive: phenobarbital 15 mg/kg is shown per kg (Table 6).
        ("status_convulsive", True),
        # Non-convulsive: phenobarbital 60 mg and 30 mg, levetiracetam, lorazepam, methyl-
        # prednisolone 1 g: all fixed doses (Tables 5, 6); nothing is shown per kg.
        ("status_nonconvulsive", False),
    ],
)
def test_weight_not_known_is_noted_only_when_a_dose_is_shown_per_kg(
    engine: DialogEngine, seizure: str, noted: bool
) -> None:
    """'Not known: weight; doses shown per kg' only where a per-kg dose is shown."""
    client, _ = _emergency(engine, "seizure", seizure, "adult")
    for answer in ("5", "alert", "none", "none", "not done", "no"):
        client.send(answer)
    assert ("Not known: weight; doses shown per kg" in client.result) is noted
    assert ("weight needed for the dose" in client.result) is noted


# --- raised ICP (Table 7) ---


def test_herniation_signs_first_steps_in_table_7_order_with_doses_by_weight(
    engine: DialogEngine,
) -> None:
    """Cushing's triad, 70 kg: ICU and neurosurgery, urgent imaging, methylprednisolone 1 g,
    head up 30°, mannitol 0.5–1 g/kg × 70 kg = 35–70 g or 3% saline, 23.4% saline 30 mL."""
    client, first = _emergency(engine, "icp", "cushings", "done", "70")
    text = first.full_text
    assert first.text.startswith("🚨 First steps: Raised ICP, high-dose arm (Table 7)")
    places = _order(
        text,
        "ICU care",
        "Neurosurgery consultation.",
        "Urgent CT or MRI brain",
        "Methylprednisolone 1 g IV, daily",
        "Raise the head of the bed to 30°.",
        "Mannitol 20% 35–70 g IV, initial dose (0.5–1 g/kg × 70 kg = 35–70 g)",
        "Hypertonic saline 250 mL IV, 3%",
        "23.4% saline, the hypertonic saline Table 7 gives here. Hypertonic saline 30 mL IV, 23.4%",
    )
    assert places == sorted(places)
    assert "Withhold mannitol if serum osmolality ≥ 320 mOsm/kg" in text
    assert "Withhold hypertonic saline if serum Na ≥ 155 mEq/L" in text
    assert len(first.text.splitlines()) <= 15
    assert client.session.state == "age"


def test_papilloedema_alone_first_asks_for_what_chooses_the_arm(engine: DialogEngine) -> None:
    """Papilloedema, stage and pressure not known: urgent imaging, LP with opening pressure and
    staging now; acetazolamide only once stage 1–2, < 20 mmHg and no oedema are confirmed."""
    _, first = _emergency(engine, "icp", "papilloedema", "done", "adult")
    text = first.full_text
    assert "Raised ICP, arm not yet known (Table 7)" in first.text
    places = _order(text, "Urgent CT or MRI brain", "LP with CSF opening pressure", "Stage the")
    assert places == sorted(places)
    assert "Stage 1–2, pressure < 20 mmHg and no oedema confirmed" in text
    assert "Acetazolamide 1,000 mg IV" in text
    assert "Mannitol" not in text


def test_a_child_with_raised_icp_gets_mannitol_per_kg_and_no_adult_fixed_dose(
    engine: DialogEngine,
) -> None:
    """Child of 25 kg with diffuse oedema: mannitol 12.5–25 g; no 250 mL, 30 mL or 1 g dose."""
    _, first = _emergency(engine, "icp", "diffuse", "done", "child")
    text = first.full_text
    assert "Mannitol 20% 0.5–1 g/kg IV" in text
    for adult in ("250 mL", "30 mL IV", "Methylprednisolone 1 g"):
        assert adult not in text
    _, by_weight = _emergency(engine, "icp", "diffuse", "done", "25 kg")
    assert "0.5–1 g/kg × 25 kg = 12.5–25 g" in by_weight.full_text


def test_oedema_among_the_signs_skips_the_imaging_question(engine: DialogEngine) -> None:
    """Signs with diffuse oedema and papilloedema: stage and opening pressure asked, imaging not;
    the ICP signs are not asked again."""
    client, _ = _emergency(engine, "icp", "diffuse, papilloedema", "done", "adult")
    asked = []
    for answer in ("9", "alert", "none", "none", "3", "25", "no"):
        asked.append(client.session.state)
        client.send(answer)
    assert asked == ["iceentry", "lvl", "seiz", "motor", "stage", "csf", "ccrs"]
    assert client.visible.splitlines()[0] == "ICANS grade 4"
    assert "diffuse cerebral oedema on imaging" in client.result


def test_signs_without_oedema_ask_the_imaging(engine: DialogEngine) -> None:
    """Posturing alone: the imaging is asked (it may show oedema or be not done yet)."""
    client, _ = _emergency(engine, "icp", "posturing", "done", "adult")
    client.answer("4", "wakes to touch", "no", "none", "none")
    assert client.session.state == "img"


# --- at most two answers to the first steps, for every way in ---

_SEEN = {
    "seizure": ["status_convulsive", "status_nonconvulsive"],
    "icp": [
        "papilloedema",
        "cranial_nerve_vi_palsy",
        "posturing",
        "cushings_triad",
        "focal_oedema",
        "diffuse_oedema",
    ],
}


@pytest.mark.parametrize(("dialog", "seen"), [(d, s) for d, signs in _SEEN.items() for s in signs])
@pytest.mark.parametrize("size", ["adult", "child", "70", "154 lb", "12 kg"])
def test_first_steps_after_at_most_two_answers_by_buttons(
    engine: DialogEngine, dialog: str, seen: str, size: str
) -> None:
    """Every finding and every dose basis: the first steps after two answers (one tap for a
    single choice; for the signs, a tap and Done count as one answer of one question)."""
    client = DialogClient(engine, dialog)
    question = QUESTIONS[Q(client.session.state)]
    option = next(c for c in question.choices if c.key == seen)
    client._apply(Event.option(question.option_id(option), step=client.session.step))
    if dialog == "icp":
        client._apply(Event.option("icpnow.done", step=client.session.step))
    answers = 1
    if size in ("adult", "child"):
        replies = client.click("Adult" if size == "adult" else "Child")
    else:
        replies = client.send(size)
    answers += 1
    assert answers <= 2
    first = _first_steps(replies)
    assert "Do now:" in first.text
    assert replies[-1].kind == "question"


# --- ask only what changes the plan (item 4) ---


def test_crs_grade_3_adult_in_eight_answers(engine: DialogEngine) -> None:
    """Noradrenaline and a 4 L nasal cannula: whether the oxygen is for CRS cannot change
    grade 3 or its plan, so it is not asked: 8 answers to the plan."""
    client = DialogClient(engine, "crs")
    states = []
    for answer in ("39.1", "none", "vasopressors", "noradrenaline", "no", "nc", "4", "70"):
        states.append(client.session.state)
        client.send(answer)
    assert "o2cause" not in states
    assert client.visible.splitlines()[0] == "CRS grade 3"
    assert "Tocilizumab 560 mg" in client.visible


@pytest.mark.parametrize(
    ("answers", "why"),
    [
        (("39.0", "none", "fluids", "no", "nasal cannula", "2"), "grade 2 rows differ"),
        (("37.0", "tocilizumab", "none", "nasal cannula", "8"), "grade 3 or not gradable"),
        (("38.5", "none", "none", "facemask"), "grade 3 or grade 1"),
        (("39.0", "none", "vasopressors", "vasopressin", "no", "cpap"), "grade 4 or grade 3"),
    ],
)
def test_the_oxygen_cause_is_asked_when_it_changes_the_plan(
    engine: DialogEngine, answers: tuple[str, ...], why: str
) -> None:
    """Where counting the oxygen as CRS changes a grade or the plan, its cause is asked."""
    client = DialogClient(engine, "crs")
    client.answer(*answers)
    assert client.session.state == "o2cause", why


def test_prior_treatment_without_tocilizumab_asks_no_doses_given(engine: DialogEngine) -> None:
    """'Steroids' (or 'None yet') already says no tocilizumab was given: its doses are not asked."""
    for prior in ("none", "steroids", "antipyretic"):
        client = DialogClient(engine, "crs")
        client.answer("39.0", prior, "vasopressors", "noradrenaline", "no", "room air", "70")
        assert client.result_reply.kind == "result", prior
        assert "Tocilizumab 560 mg" in client.visible


def test_weight_not_known_skips_the_tocilizumab_history(engine: DialogEngine) -> None:
    """Tocilizumab advised, weight not known: the dose is per kg with the limits to check, and
    the doses already given are not asked."""
    client = DialogClient(engine, "crs")
    client.answer("39.0", "tocilizumab", "vasopressors", "noradrenaline", "no", "room air")
    assert client.session.state == "wt"
    client.send("unknown")
    assert "Check doses already given: at most 3 in 24 h and 4 in total" in client.result
    # With a weight, the history is asked.
    client = DialogClient(engine, "crs")
    client.answer("39.0", "tocilizumab", "vasopressors", "noradrenaline", "no", "room air", "70")
    assert client.session.state == "t24"


def test_a_child_under_12_without_a_weight_is_dosed_as_a_child(engine: DialogEngine) -> None:
    """ICANS 'Under 12', weight not known: no adult fixed dose (lorazepam 2 mg) in the plan."""
    client = DialogClient(engine, "icans")
    client.answer("child", "10", "wakes to voice", "no", "cse", "none", "none", "not done", "no")
    client.send("unknown")
    assert "Lorazepam 2 mg" not in client.result
    assert "⚠ Child" in client.visible


# --- "another cause?" (item 5) ---


def test_the_cause_questions_offer_clearly_another_cause_or_grade_as_crs(
    engine: DialogEngine,
) -> None:
    """BP and oxygen cause questions: 'No / not sure (grade as CRS)' and 'Clearly another cause'."""
    client = DialogClient(engine, "crs")
    client.answer("39.0", "none", "fluids")
    assert [o.label for o in client.last.options] == [
        "No / not sure (grade as CRS)",
        "Clearly another cause",
    ]
    client.answer("no", "nasal cannula", "2")
    assert [o.label for o in client.last.options] == [
        "No / not sure (grade as CRS)",
        "Clearly another cause",
        "Oxygen for comfort only",
    ]


@pytest.mark.parametrize(
    ("bp_cause", "headline"),
    [
        ("No / not sure", "CRS grade 2"),
        ("Clearly another cause", "CRS grade 1"),
    ],
)
def test_hypotension_cause_maps_to_the_grade(
    engine: DialogEngine, bp_cause: str, headline: str
) -> None:
    """Fluids at 39 °C: 'not sure' grades it as CRS (2); 'clearly another cause' does not (1)."""
    client = DialogClient(engine, "crs")
    client.answer("39.0", "none", "fluids")
    client.click(bp_cause)
    client.answer("room air", "70")
    assert client.visible.splitlines()[0] == headline


@pytest.mark.parametrize(
    ("o2_cause", "headline"),
    [
        ("No / not sure", "CRS grade 3"),
        ("Clearly another cause", "CRS grade 1"),
        ("Oxygen for comfort only", "CRS grade 1"),
    ],
)
def test_oxygen_cause_maps_to_the_grade(engine: DialogEngine, o2_cause: str, headline: str) -> None:
    """Facemask at 38.5 °C: 'not sure' grades it as CRS (3); another cause or comfort do not (1)."""
    client = DialogClient(engine, "crs")
    client.answer("38.5", "none", "none", "facemask")
    client.click(o2_cause)
    client.answer("70")
    if client.session.state == "t24":
        client.answer("0", "0")
    assert client.visible.splitlines()[0] == headline


# --- property: random input through the emergency entries never raises ---

_OPTION_IDS = sorted(
    {
        q.option_id(c)
        for q in QUESTIONS.values()
        for c in q.choices
        if q.id.value in ("seiznow", "icpnow", "size", "age", "iceentry", "lvl", "stage", "img")
    }
    | {"icpnow.done", "size.confirm_yes", "size.confirm_no", "size.confirm_other"}
    # Under the result: change an answer (the size, what was seen), keep, the menu's entries.
    | {"next.change", "fix.size", "fix.seiznow", "fix.icpnow", "fix.keep", "menu.seizure"}
)
_COMMANDS: list[Command] = ["back", "help", "restart"]
_TYPED = [
    *("70", "220", "110", "5 kg", "adult", "child", "cse", "cushings", "done", "", "🤒"),
    *("/seizure", "/icp", "discard", "keep going"),
]
_EVENTS = st.one_of(
    st.sampled_from(_TYPED).map(Event.text),
    st.text(max_size=20).map(Event.text),
    st.sampled_from(_OPTION_IDS).map(Event.option),
    st.sampled_from(_COMMANDS).map(Event.command),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dialog=st.sampled_from(["seizure", "icp"]), events=st.lists(_EVENTS, max_size=30))
def test_random_answers_through_the_emergency_entries_never_raise(
    dialog: str, events: list[Event]
) -> None:
    """Any taps, text and commands in an emergency entry: a reply, a valid session, and first
    steps only ever right after the second question is answered."""
    session, _ = ENGINE.start(dialog)
    for event in events:
        before = session
        session, replies = ENGINE.handle(session, event)
        assert replies
        assert Session.model_validate_json(session.model_dump_json()) == session
        if any(r.kind == "first_steps" for r in replies):
            assert before.state == "size"
            assert "patient_size" in session.answers
        if session.state not in ("menu", "result"):
            assert replies[-1].kind == "question"


def test_changing_the_dose_basis_after_the_result_reissues_the_plan_only(
    engine: DialogEngine,
) -> None:
    """'Change an answer' → weight → 'adult, weight not known': the full plan again (doses per
    kg), and no first steps before it."""
    client, _ = _emergency(engine, "seizure", "cse", "70")
    client.answer("54", "5", "alert", "none", "none", "not done", "no")
    client._apply(Event.option("next.change", step=client.session.step))
    client._apply(Event.option("fix.size", step=client.session.step))
    replies = client.send("adult")
    assert [r.kind for r in replies][:1] == ["result"]
    assert "Phenobarbital 15 mg/kg IV, loading dose (weight needed for the dose)" in client.result


# --- with the patient context (one per chat) ---


def test_an_emergency_after_a_result_is_not_held_up_by_the_context_offer() -> None:
    """From a result's menu, 🚨 Seizing now asks what is seen at once (no 'same patient?'), the
    first steps come after two answers, and the context then learns the weight given."""
    from tests.dialogs.chat.test_patient_context import after_crs

    chat = after_crs()
    chat.tap("menu.seizure")
    assert chat.session.state == "seiznow"
    chat.send("cse")
    replies = chat.send("80 kg")
    first = _first_steps(replies)
    assert "15 mg/kg × 80 kg = 1,200 mg" in first.text
    chat.answer("54", "5", "alert", "none", "none", "not done", "no")
    assert "Patient: 80 kg · age 54" in chat.visible
    assert chat.session.patient is not None
    assert chat.session.patient.weight == {"value": 80.0, "unit": "kg"}


def test_help_at_the_new_questions_explains_them(engine: DialogEngine) -> None:
    """help at the dose basis says what 'not known' does; at a cause, what 'not sure' does."""
    client = DialogClient(engine, "seizure")
    client.send("cse")
    assert "never shown an adult fixed dose" in client.send("help")[0].text
    client = DialogClient(engine, "crs")
    client.answer("39", "none", "fluids")
    assert "choose 'No / not sure', and the finding is graded as CRS" in (
        client.send("help")[0].text
    )
