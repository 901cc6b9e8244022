"""Advice: escalation first, the right items per grade and pathway, each cited with the version."""

from __future__ import annotations

import itertools

import pytest

from dialogs.advice import DoseContext, icans_advice, icp_pathway
from dialogs.assessment import assess
from dialogs.findings import Findings, IcansFindings
from dialogs.guideline import Guideline
from dialogs.guideline.schema import KIND_ORDER

CRS_BY_GRADE = {
    0: {"max_temperature": {"value": 37.0}},
    1: {"max_temperature": {"value": 38.5}},
    2: {"max_temperature": {"value": 38.5}, "hypotension": "fluids"},
    3: {"max_temperature": {"value": 38.5}, "oxygen": "facemask"},
    4: {"max_temperature": {"value": 38.5}, "oxygen": "bipap"},
}
ICANS_BY_GRADE = {
    0: {"ice_score": 10, "consciousness": "alert"},
    1: {"ice_score": 8, "consciousness": "alert"},
    2: {"ice_score": 4, "consciousness": "alert"},
    3: {"ice_score": 2, "consciousness": "alert"},
    4: {"consciousness": "unarousable"},
}


def _assess(guideline: Guideline, **document: object) -> object:
    return assess(Findings.model_validate(document), guideline)


def test_every_grade_pair_orders_escalation_first_and_cites_every_item(
    guideline: Guideline,
) -> None:
    """For every CRS × ICANS grade pair, escalation comes first and every item is cited."""
    for crs, icans in itertools.product(CRS_BY_GRADE, ICANS_BY_GRADE):
        result = assess(
            Findings.model_validate(
                {
                    "patient": {"weight": {"value": 70}},
                    "crs": CRS_BY_GRADE[crs],
                    "icans": ICANS_BY_GRADE[icans],
                }
            ),
            guideline,
        )
        assert result.crs is not None
        assert result.icans is not None
        assert (result.crs.grade, result.icans.grade) == (crs, icans)
        kinds = [KIND_ORDER.index(item.kind) for item in result.advice]
        assert kinds == sorted(kinds)
        assert result.guideline == "ACLIN.P.088 v2.1"
        for item in result.advice:
            assert item.citation.source
            assert item.citation.section
        if crs == 4 or icans == 4:
            assert result.advice[0].kind == "escalation"
            assert "ICU" in result.advice[0].text


def test_crs_grade_2_gives_fluids_tocilizumab_and_the_icu_trigger(guideline: Guideline) -> None:
    """CRS 2: fluid bolus 500-1000 mL, early tocilizumab with its dose, and the ICU trigger."""
    result = assess(
        Findings.model_validate({"patient": {"weight": {"value": 64}}, "crs": CRS_BY_GRADE[2]}),
        guideline,
    )
    ids = [item.id for item in result.advice]
    assert {"crs2_icu", "crs2_fluids", "crs2_tocilizumab", "crs2_dexamethasone"} <= set(ids)
    toci = next(i for i in result.advice if i.id == "crs2_tocilizumab")
    assert toci.doses[0].low == 512
    assert "500–1000 mL" in next(i for i in result.advice if i.id == "crs2_fluids").text
    assert any("ward 33" in i.text for i in result.advice if i.kind == "escalation")


def test_crs_grade_4_gives_icu_and_methylprednisolone_1g(guideline: Guideline) -> None:
    """CRS 4: ICU first, tocilizumab, methylprednisolone 1 g/day, anakinra."""
    result = assess(Findings.model_validate({"crs": CRS_BY_GRADE[4]}), guideline)
    assert result.advice[0].id == "crs4_icu"
    methylpred = next(i for i in result.advice if i.id == "crs4_methylprednisolone")
    assert methylpred.doses[0].text.startswith("Methylprednisolone 1 g IV, daily")
    assert any(i.id == "antifungal_with_steroids" for i in result.advice)


def test_no_crs_gives_only_routine_monitoring(guideline: Guideline) -> None:
    """No CRS: no treatment, only the routine monitoring schedule."""
    result = assess(Findings.model_validate({"crs": CRS_BY_GRADE[0]}), guideline)
    assert {i.kind for i in result.advice} == {"monitoring"}
    texts = " ".join(i.text for i in result.advice)
    assert "twice a day" in texts
    assert "every 8 hours" in texts


@pytest.mark.parametrize("grade", [1, 2, 3, 4])
def test_concurrent_crs_changes_icans_treatment_not_grade(guideline: Guideline, grade: int) -> None:
    """ICANS tocilizumab only with concurrent CRS; steroids without CRS from grade 2."""
    context = DoseContext(weight_kg=70)
    with_crs = {i.id for i in icans_advice(grade, True, guideline, context)}
    without = {i.id for i in icans_advice(grade, False, guideline, context)}
    unknown = {i.id for i in icans_advice(grade, None, guideline, context)}
    toci = {"icans1_tocilizumab", "icans2_tocilizumab", "icans3_tocilizumab"}
    assert with_crs & toci
    assert not without & toci
    assert unknown == with_crs | without
    if grade in (2, 3):
        assert "icans2_steroids_no_crs" in without
        assert "icans2_steroids_no_crs" not in with_crs


@pytest.mark.parametrize(
    ("findings", "pathway"),
    [
        (
            {
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 2,
                "csf_opening_pressure_mmhg": 19.9,
            },
            "acetazolamide",
        ),
        (
            {
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 2,
                "csf_opening_pressure_mmhg": 20,
            },
            "high_dose",
        ),
        (
            {
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 3,
                "csf_opening_pressure_mmhg": 10,
            },
            "high_dose",
        ),
        (
            {
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 1,
                "csf_opening_pressure_mmhg": 10,
                "imaging": "focal_oedema",
            },
            "high_dose",
        ),
        ({"icp_signs": ["papilloedema"], "papilloedema_stage": 2}, "undetermined"),
        ({"icp_signs": ["papilloedema"]}, "undetermined"),
        ({"imaging": "diffuse_oedema"}, "high_dose"),
        ({"csf_opening_pressure_mmhg": 25}, "high_dose"),
        ({"icp_signs": ["posturing"]}, None),
        ({}, None),
    ],
)
def test_raised_icp_pathway_boundaries(
    guideline: Guideline, findings: dict[str, object], pathway: str | None
) -> None:
    """Table 7: stage 1-2 with pressure < 20 mmHg and no oedema → acetazolamide; else high-dose."""
    model = IcansFindings.model_validate({"ice_score": 9, "consciousness": "alert", **findings})
    assert icp_pathway(model, guideline) == pathway


def test_convulsive_status_goes_to_icu_with_weight_based_phenobarbital(
    guideline: Guideline,
) -> None:
    """Convulsive status: ICU first, lorazepam 2 mg, phenobarbital 15 mg/kg (1050 mg at 70 kg)."""
    result = assess(
        Findings.model_validate(
            {
                "patient": {"weight": {"value": 70}},
                "icans": {"ice_score": 6, "consciousness": "alert", "seizure": "status_convulsive"},
            }
        ),
        guideline,
    )
    assert "Status epilepticus (convulsive)" in result.pathways
    assert any(i.id == "cse_icu" for i in result.advice if i.kind == "escalation")
    pheno = next(i for i in result.advice if i.id == "cse_phenobarbital")
    assert pheno.doses[0].low == 1050


def test_nonconvulsive_status_uses_its_own_pathway(guideline: Guideline) -> None:
    """Non-convulsive status: lorazepam 0.5 mg steps, phenobarbital 60 mg if persisting."""
    result = assess(
        Findings.model_validate(
            {"icans": {"ice_score": 6, "consciousness": "alert", "seizure": "status_nonconvulsive"}}
        ),
        guideline,
    )
    ids = {i.id for i in result.advice}
    assert {"ncse_lorazepam", "ncse_icu"} <= ids
    assert not any(i.startswith("cse_") for i in ids)


def test_hlh_pathway_gives_etoposide_by_bsa(guideline: Guideline) -> None:
    """HLH/MAS met: manage as CRS, etoposide 75-100 mg/m² from height and weight."""
    result = assess(
        Findings.model_validate(
            {
                "patient": {"weight": {"value": 70}, "height": {"value": 170}},
                "hlh": {"peak_ferritin_ng_ml": 25000, "liver": True, "pulmonary_oedema": True},
            }
        ),
        guideline,
    )
    assert result.hlh is not None
    assert result.hlh.met
    etoposide = next(i for i in result.advice if i.id == "hlh_etoposide")
    assert (etoposide.doses[0].low, etoposide.doses[0].high) == (136, 182)
    assert any("1.82 m²" in line for line in result.patient)
