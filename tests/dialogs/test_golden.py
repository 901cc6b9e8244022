"""Golden transcripts: what the doctor reads for realistic on-call scenarios, kept under review.

Each file in `golden/` holds the result as the console prints it (visible part, then every
fold) and the handover. A change to what a doctor reads fails here until the golden file is
regenerated (`UPDATE_GOLDEN=1 pytest tests/dialogs/test_golden.py`) and the diff is reviewed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dialogs.assessment import assess
from dialogs.findings import Findings
from dialogs.guideline import Guideline
from dialogs.handover import handover
from dialogs.render import VISIBLE_LINES, render_assessment
from tests.dialogs.scenarios import SCENARIOS

GOLDEN = Path(__file__).parent / "golden"

# Visible lines before the fold, per scenario: counted by reading each transcript.
VISIBLE = {
    "crs1_fever": 4,
    "crs2_hypotension_fluids": 8,
    "crs2_hypoxia_only": 7,
    "crs3_adult": 8,
    "crs3_last_permitted_toci": 8,
    "crs3_toci_limit_reached": 7,
    "crs_afebrile_after_toci": 2,
    "icans2_no_crs": 7,
    "convulsive_status": 11,
    "nonconvulsive_status": 11,
    "eeg_seizures_resolved": 11,
    "icans4_cushings_triad": 15,
    "papilloedema_imaging_not_done": 7,
    "papilloedema_low_arm": 12,
    "icans1_high_opening_pressure": 5,
    "crs3_with_icans4": 10,
    "child_8kg_full_review": 15,
    "hlh_met": 9,
    "death_from_crs": 2,
    "sedated_unarousable": 2,
}


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
    if not os.environ.get("UPDATE_GOLDEN"):
        assert {p.stem for p in GOLDEN.glob("*.txt")} == set(SCENARIOS)


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
