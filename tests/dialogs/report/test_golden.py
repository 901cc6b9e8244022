"""Golden transcripts: what the doctor reads for realistic on-call scenarios, kept under review.

Each file in `golden/` holds the result as the console prints it (visible part, then every
fold) and the handover. A change to what a doctor reads fails here until the golden file is
regenerated (`UPDATE_GOLDEN=1 pytest tests/dialogs/report/test_golden.py`) and the diff is reviewed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import Reply
from dialogs.clinical.assessment import assess
from dialogs.clinical.findings import Findings
from dialogs.clinical.guideline import Guideline
from dialogs.report.handover import handover
from dialogs.report.result import VISIBLE_LINES, render_assessment
from tests.dialogs.client import DialogClient
from tests.dialogs.report.scenarios import EMERGENCIES, SCENARIOS

GOLDEN = Path(__file__).parent / "golden"

# Visible lines before the fold, per scenario: counted by reading each transcript.
VISIBLE = {
    "crs1_fever": 5,
    "crs2_hypotension_fluids": 8,
    "crs2_hypoxia_only": 7,
    "crs3_adult": 8,
    "crs3_last_permitted_toci": 8,
    "crs3_toci_limit_reached": 7,
    "crs_afebrile_after_toci": 2,
    "icans2_no_crs": 6,
    "convulsive_status": 13,
    "nonconvulsive_status": 13,
    "eeg_seizures_resolved": 10,
    "icans4_cushings_triad": 14,
    "papilloedema_imaging_not_done": 12,
    "papilloedema_low_arm": 11,
    "icans1_high_opening_pressure": 8,
    "crs3_with_icans4": 10,
    "child_8kg_full_review": 15,
    "hlh_met": 9,
    "death_from_crs": 2,
    "sedated_unarousable": 2,
}


# The emergency entries: visible lines of the first steps, then of the full plan.
VISIBLE_EMERGENCY = {
    "emergency_convulsive_adult_70kg": (8, 11),
    "emergency_convulsive_child_weight_unknown": (9, 12),
    "emergency_icp_cushings_adult_70kg": (13, 15),
    "emergency_icp_papilloedema_adult": (9, 12),
    "emergency_nonconvulsive_adult_weight_unknown": (7, 11),
}


def _written(reply: Reply) -> list[str]:
    return [reply.text, *(f"\n▸ {fold.title}\n" + "\n".join(fold.lines) for fold in reply.folds)]


def emergency_transcript(name: str, engine: DialogEngine) -> tuple[str, tuple[int, int]]:
    """The first steps and the full plan of an emergency entry, and their visible line counts."""
    dialog, first, rest = EMERGENCIES[name]
    client = DialogClient(engine, dialog)
    client.answer(*first)
    steps = next(r for r in client.replies if r.kind == "first_steps")
    client.answer(*rest)
    result = client.result_reply
    counts = (len(steps.text.splitlines()), len(result.text.splitlines()))
    parts = [
        f"# {name}: answers {' · '.join(first)}; first steps, {counts[0]} visible lines",
        *_written(steps),
        f"\n# then {' · '.join(rest)}; the full plan, {counts[1]} visible lines",
        *_written(result),
    ]
    return "\n".join(parts) + "\n", counts


def transcript(name: str, guideline: Guideline) -> tuple[str, int]:
    """The result and handover for a scenario as plain text, and its visible line count."""
    findings = Findings.model_validate(SCENARIOS[name])
    result = assess(findings, guideline)
    reply = render_assessment(result)
    visible = len(reply.text.splitlines())
    parts = [
        f"# {name}: {visible} visible lines",
        reply.text,
        *(f"\n▸ {fold.title}\n" + "\n".join(fold.lines) for fold in reply.folds),
        "\n# handover",
        handover(findings, result, at="03:10"),
    ]
    return "\n".join(parts) + "\n", visible


def test_every_scenario_has_a_golden_transcript() -> None:
    """The scenarios and the golden files match one to one."""
    assert set(VISIBLE) == set(SCENARIOS)
    assert set(VISIBLE_EMERGENCY) == set(EMERGENCIES)
    if not os.environ.get("UPDATE_GOLDEN"):
        assert {p.stem for p in GOLDEN.glob("*.txt")} == set(SCENARIOS) | set(EMERGENCIES)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_result_matches_its_golden_transcript(guideline: Guideline, name: str) -> None:
    """The rendered result is exactly the reviewed transcript, within 15 visible lines."""
    text, visible = transcript(name, guideline)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert visible <= VISIBLE_LINES
    assert visible == VISIBLE[name]
    assert path.read_text() == text, f"{name}: regenerate with UPDATE_GOLDEN=1 and review the diff"


@pytest.mark.parametrize("name", sorted(EMERGENCIES))
def test_emergency_entry_matches_its_golden_transcript(engine: DialogEngine, name: str) -> None:
    """An emergency entry's first steps and full plan are exactly the reviewed transcript."""
    text, visible = emergency_transcript(name, engine)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert max(visible) <= VISIBLE_LINES
    assert visible == VISIBLE_EMERGENCY[name]
    assert path.read_text() == text, f"{name}: regenerate with UPDATE_GOLDEN=1 and review the diff"
