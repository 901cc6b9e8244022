"""Training: the case bank validates against the grading code; rehearsals give graded feedback."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from dialogs.chat.messages import Attempt, Event
from dialogs.clinical.assessment import assess
from dialogs.clinical.dosing import compute_dose
from dialogs.clinical.findings import Findings
from dialogs.clinical.guideline import Guideline
from dialogs.report.handover import handover
from dialogs.training.bank import TrainingError, load_bank
from tests.dialogs.client import DialogClient
from tests.packaged import PARTS

DATA = Path(str(resources.files("dialogs.training") / "data"))
ENGINE = PARTS.engine


def test_the_bank_has_enough_cases_covering_every_grade_and_pathway() -> None:
    """At least 24 cases: every CRS and ICANS grade, CAPD, status, raised ICP, HLH, evolving."""
    bank = PARTS.bank
    assert len(bank.cases) >= 24
    steps = [(case, step) for case in bank.cases for step in case.steps]
    assert {s.crs for _, s in steps if s.crs is not None} >= {0, 1, 2, 3, 4}
    assert {s.icans for _, s in steps if s.icans is not None} >= {0, 1, 2, 3, 4}
    pathways = {p.id for result in bank.assessments.values() for p in result.plan.pathways}
    assert {"convulsive", "nonconvulsive", "acetazolamide", "high_dose", "hlh"} <= pathways
    assert any(
        c.patient.get("age_years", 99) < 12
        and any("capd_total" in s.findings.get("icans", {}) for s in c.steps)
        for c in bank.cases
    )
    assert sum(1 for c in bank.cases if len({s.day for s in c.steps}) > 1) >= 3
    assert any(bank.actions[s.action].dose is not None for _, s in steps)


def test_every_case_step_grades_as_its_author_wrote(guideline: Guideline) -> None:
    """Re-grade every step independently of the loader: the written grades hold."""
    for case in PARTS.bank.cases:
        for step in case.steps:
            if not step.findings:
                continue
            result = assess(
                Findings.model_validate({"patient": case.patient, **step.findings}), guideline
            )
            assert (result.crs.grade if result.crs else None) == step.crs, case.id
            assert (result.icans.grade if result.icans else None) == step.icans, case.id
            assert (result.hlh.met if result.hlh else None) == step.hlh, case.id


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "training"
    shutil.copytree(DATA, target)
    path = target / "cases.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return target


def test_a_wrong_written_grade_fails_loading(tmp_path: Path, guideline: Guideline) -> None:
    """A case whose author wrote the wrong grade is rejected, naming the case and both grades."""
    folder = _edited(
        tmp_path, 'hypotension = "fluids" } }\ncrs = 2', 'hypotension = "fluids" } }\ncrs = 3'
    )
    with pytest.raises(
        TrainingError,
        match=r"case crs2-fluids step 1: the author wrote CRS 3, "
        r"the grading code gives 2",
    ):
        load_bank(guideline, folder)


def test_a_wrong_right_action_fails_loading(tmp_path: Path, guideline: Guideline) -> None:
    """A 'right' action the guideline does not advise at that grade is rejected."""
    folder = _edited(
        tmp_path,
        'crs = 2\naction = "bolus_toci"\noptions = ["bolus_toci", "supportive", "icu_toci_mp"',
        'crs = 2\naction = "icu_toci_mp"\noptions = ["bolus_toci", "supportive", "icu_toci_mp"',
    )
    with pytest.raises(TrainingError, match=r"action 'icu_toci_mp' is not what the guideline"):
        load_bank(guideline, folder)


def test_a_wrong_dose_answer_fails_loading(tmp_path: Path, guideline: Guideline) -> None:
    """A dose answer that is not the dose for the case's patient is rejected."""
    folder = _edited(tmp_path, "weight = { value = 110 } }", "weight = { value = 90 } }")
    with pytest.raises(TrainingError, match=r"dose for this patient is 720"):
        load_bank(guideline, folder)


def _walk_case(client: DialogClient, right: bool) -> None:
    """Reveal every finding, answer each question (rightly or not), stop at the next-step menu."""
    bank = PARTS.bank
    while client.session.state == "rline":
        client.click(client.last.options[0].label)
    answers = client.session.answers
    step = bank.case(str(answers["case"])).steps[int(answers["stepno"])]  # type: ignore[arg-type]
    while client.session.state in ("rcrs", "ricans", "rhlh"):
        state = client.session.state
        truth = {"rcrs": step.crs, "ricans": step.icans}.get(state)
        if state == "rhlh":
            wanted = ("Yes" if step.hlh else "No") if right else ("No" if step.hlh else "Yes")
        else:
            wanted = (
                ("No " if truth == 0 else f"Grade {truth}")
                if right
                else (f"Grade {4 if truth != 4 else 1}")
            )
        client.click(wanted)
    label = bank.actions[step.action].label
    if not right:
        label = next(o.label for o in client.last.options if o.label != label)
    client.click(label)


def test_a_rehearsal_transcript_with_feedback_and_attempts() -> None:
    """A CRS drill: findings one at a time, graded answers, feedback with the rule, full advice."""
    client = DialogClient(ENGINE, "rehearsal")
    assert client.last.text.startswith("🎓 TRAINING · simulated patient")
    client.click("CRS grading")
    assert client.last.text.splitlines()[1].startswith("Case: ")
    first_lines = client.last.text
    _walk_case(client, right=True)
    texts = [r.text for r in client.replies]
    assert any("✅ Right" in t for t in texts)
    assert any("The full advice for this step" in t for t in texts)
    assert all(t.startswith("🎓 TRAINING") for t in texts)
    attempts = [r for r in client.records if isinstance(r, Attempt)]
    assert attempts
    assert all(a.correct for a in attempts)
    assert first_lines.count("\n") <= 3, "one finding at a time"


def test_wrong_answers_are_told_the_right_one_and_the_rule() -> None:
    """A wrong grade gets 'not quite', the right grade, the finding that set it and the rule."""
    client = DialogClient(ENGINE, "rehearsal")
    client.click("CRS grading")
    while client.session.state == "rline":
        client.click(client.last.options[0].label)
    client.click("Grade 4" if "crs" in client.session.state else "Grade 1")
    feedback = client.replies[0]
    (attempt,) = client.turn.of(Attempt)
    assert attempt.question in {"CRS grade", "ICANS grade"}
    assert "Set by:" in feedback.text
    assert "Rule:" in feedback.text
    if not attempt.correct:
        assert "❌ Not quite: you said" in feedback.text


@pytest.mark.parametrize("topic", ["crs", "icans", "ice", "doses", "pathways"])
def test_drills_only_give_cases_of_their_topic(topic: str) -> None:
    """A drill by topic only presents cases of that topic, across several cases."""
    label = {
        "crs": "CRS grading",
        "icans": "ICANS grading",
        "ice": "ICE boundaries",
        "doses": "Doses",
        "pathways": "Pathways",
    }[topic]
    bank = PARTS.bank
    client = DialogClient(ENGINE, "rehearsal")
    client.click(label)
    seen = set()
    for _ in range(3):
        seen.add(client.session.answers["case"])
        _walk_case(client, right=True)
        client.click("Next case")
    assert all(topic in bank.case(str(c)).topics for c in seen)


def test_back_is_refused_in_training_and_stop_returns_to_the_menu() -> None:
    """Back cannot undo a training answer; Stop training returns to the menu."""
    client = DialogClient(ENGINE, "rehearsal")
    client.click("Random")
    client.command("back")
    assert "Back is not available in training" in client.replies[0].text
    _walk_case(client, right=False)
    client.click("Stop training")
    assert client.session.dialog == "menu"


def test_handover_summary_after_a_real_assessment() -> None:
    """A real CRS result is followed by a plain-text handover: findings, grades, actions, time."""
    client = DialogClient(ENGINE, "crs")
    for text in ("39.2", "none", "fluids", "no", "nasal cannula", "3", "no"):
        client.send(text)
    client._apply(Event(kind="text", value="70", at="2026-11-20 03:10 UTC"))
    summary = client.replies[-1].text
    assert summary.startswith("Handover summary, plain text to copy into the notes:")
    assert "CAR-T toxicity review · 2026-11-20 03:10 UTC" in summary
    assert "Tmax 39.2 °C; hypotension on fluids only; nasal cannula 3 L/min" in summary
    assert "Grades: CRS grade 2" in summary
    assert "Tocilizumab 560 mg" in summary
    assert "Per ACLIN.P.088 v2.1" in summary
    assert "<" not in summary, "plain text, no markup"


def test_handover_is_pure_text_from_findings_and_result(guideline: Guideline) -> None:
    """The summary function uses what it is given, including the time passed in."""
    findings = Findings.model_validate(
        {"icans": {"ice_score": 5, "consciousness": "wakes_to_voice"}}
    )
    text = handover(findings, assess(findings, guideline), at="T")
    assert text.splitlines()[0] == "CAR-T toxicity review · T"
    assert "ICANS findings: ICE 5/10; wakes to voice" in text


def _advised(action_id: str, rows: set[str]) -> bool:
    """An action is advised when the plan holds all it requires and nothing it excludes."""
    action = PARTS.bank.actions[action_id]
    return (
        bool(action.requires) and set(action.requires) <= rows and not set(action.excludes) & rows
    )


def test_every_answer_key_is_the_advice_the_engine_gives(guideline: Guideline) -> None:
    """Graded with the engine's own code, each step's keyed action is advised and no other
    option is: a right answer is never marked wrong beside advice that says it."""
    for case in PARTS.bank.cases:
        for number, step in enumerate(case.steps, 1):
            where = f"{case.id} step {number}"
            if step.findings:
                result = assess(
                    Findings.model_validate({"patient": case.patient, **step.findings}), guideline
                )
                rows = set(result.plan.row_ids())
                if PARTS.bank.actions[step.action].requires:
                    assert _advised(step.action, rows), where
                others = [o for o in step.options if o != step.action and _advised(o, rows)]
                assert others == [], where
            key = PARTS.bank.actions[step.action].dose
            if key is not None:
                weight = case.patient["weight"]["value"]
                dose = compute_dose(guideline.regimen(key.regimen), guideline, weight)
                assert dose.low == key.value, where
                for option in step.options:
                    other = PARTS.bank.actions[option].dose
                    if option != step.action and other is not None:
                        assert other.value != dose.low, where


# Words that name a finding or a grade: a title holding one gives the answer away.
def _giveaways(guideline: Guideline) -> set[str]:
    icans, crs = guideline.icans, guideline.crs
    labels = [
        *(r.label for r in icans.consciousness),
        *(r.label for r in icans.seizure),
        *(r.label for r in icans.imaging),
        *(r.label for r in icans.icp_signs),
        *(o.label for o in crs.oxygen if o.device.value != "none"),
        *(a for v in crs.vasopressors for a in (v.name, *v.aliases)),
    ]
    words = {w.strip("(),").lower() for label in labels for w in label.split() if len(w) > 4}
    return words | {
        "grade", "ice", "capd", "fever", "febrile", "hypotension", "hypoxia", "oxygen",
        "woken", "unarousable", "seizure", "status", "crs", "icans", "neurotoxicity",
        "oedema", "papilloedema", "weakness", "tocilizumab", "ferritin", "hlh", "vasopressor",
        "vasopressors", "pressors", "bipap", "cpap", "tremor",
    }  # fmt: skip


def test_case_titles_do_not_give_the_answer_away(guideline: Guideline) -> None:
    """No title names a finding or a grade (not 'Cannot be woken', not 'Two vasopressors')."""
    giveaways = _giveaways(guideline)
    for case in PARTS.bank.cases:
        words = {w.strip(".,:'").lower() for w in case.title.split()}
        assert not words & giveaways, (case.id, case.title, words & giveaways)


def _shown(case_id: str, stepno: int) -> str:
    """Everything a trainee has read of a case by the end of a step's findings."""
    case = PARTS.bank.case(case_id)
    shown = []
    for number in range(stepno + 1):
        for line in range(len(case.steps[number].lines)):
            session = ENGINE.start("rehearsal")[0].model_copy(
                update={
                    "state": "rline",
                    "answers": {"case": case_id, "stepno": number, "line": line},
                }
            )
            shown.append(ENGINE.rehearsal.ask(session)[0].text)
    return "\n".join(shown)


def test_every_fact_the_feedback_uses_is_shown_in_the_case() -> None:
    """Age, weight and height (doses, paediatric advice) and 'no CRS' (which ICANS drug) are in
    what the trainee reads before answering."""
    for case in PARTS.bank.cases:
        for number, step in enumerate(case.steps):
            shown = _shown(case.id, number)
            patient = case.patient
            if "weight" in patient:
                assert f"{patient['weight']['value']:g} kg" in shown, case.id
            if "height" in patient:
                assert f"{patient['height']['value']:g} cm" in shown, case.id
            if "age_years" in patient:
                assert f"{patient['age_years']} years" in shown, case.id
            icans = step.findings.get("icans", {})
            if icans.get("concurrent_crs") is False and "crs" not in step.findings:
                said = shown.lower()
                assert any(w in said for w in ("no crs", "crs resolved", "no fever")), case.id


def test_an_option_the_advice_also_gives_fails_loading(
    tmp_path: Path, guideline: Guideline
) -> None:
    """A wrong option that the advice shown next also gives is rejected as ambiguous."""
    folder = _edited(
        tmp_path,
        'options = ["neuro_dex", "no_icans", "icu_high_dose"]',
        'options = ["neuro_dex", "neuro_workup", "icu_high_dose"]',
    )
    with pytest.raises(TrainingError, match=r"option 'neuro_workup' is also advised here"):
        load_bank(guideline, folder)
