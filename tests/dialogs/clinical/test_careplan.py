"""The care plan: the safety rules of clinical-rules §9, each at its boundaries, and properties.

Expected row orders and doses below are written from the guideline's tables, not from the code.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import texts
from dialogs.clinical.assessment import Assessment, assess
from dialogs.clinical.careplan import CarePlan, first_steps, icp_arm, is_child
from dialogs.clinical.findings import Findings
from dialogs.clinical.guideline import Guideline
from dialogs.report.handover import handover
from dialogs.report.result import render_assessment
from tests.dialogs.report.scenarios import SCENARIOS

ADULT = {"age_years": 54, "weight": {"value": 70}}

CRS_BY_GRADE: dict[int, dict[str, Any]] = {
    0: {"max_temperature": {"value": 37.0}},
    1: {"max_temperature": {"value": 38.5}},
    2: {"max_temperature": {"value": 38.5}, "hypotension": "fluids"},
    3: {"max_temperature": {"value": 38.5}, "oxygen": "facemask"},
    4: {"max_temperature": {"value": 38.5}, "oxygen": "bipap"},
}
ICANS_BY_GRADE: dict[int, dict[str, Any]] = {
    0: {"ice_score": 10, "consciousness": "alert"},
    1: {"ice_score": 8, "consciousness": "alert"},
    2: {"ice_score": 4, "consciousness": "alert"},
    3: {"ice_score": 2, "consciousness": "alert"},
    4: {"consciousness": "unarousable"},
}
# ICU escalation rows that are done now (Tables 2, 5, 6, 7).
ICU_NOW = {"crs3_icu", "crs4_icu", "icans3_icu", "icans4_icu", "cse_icu", "icp_icu"}
# Table 7's ICU-level measures.
ICU_LEVEL = {
    "icp_hyperventilation",
    "icp_hyperosmolar",
    "icp_hyperosmolar_maintenance",
    "icp_herniation",
}


def plan_of(guideline: Guideline, **document: Any) -> Assessment:
    """Assess a findings document."""
    return assess(Findings.model_validate(document), guideline)


def ordered_regimens(plan: CarePlan) -> list[str]:
    """Every regimen the plan orders (now, ladder, pathways), each time it is ordered."""
    seen: set[tuple[str, ...]] = set()
    out: list[str] = []
    for step in (*plan.now, *plan.then, *(s for p in plan.pathways for s in p.steps)):
        if step.ids in seen:
            continue
        seen.add(step.ids)
        out += [d.regimen for d in step.doses]
    return out


# --- §9.1 first things first ---


def test_every_grade_pair_opens_with_escalation_and_cites_every_step(guideline: Guideline) -> None:
    """For every CRS × ICANS grade pair, escalations come first in 'do now'; all is cited."""
    for crs, icans in itertools.product(CRS_BY_GRADE, ICANS_BY_GRADE):
        result = plan_of(
            guideline, patient=ADULT, crs=CRS_BY_GRADE[crs], icans=ICANS_BY_GRADE[icans]
        )
        assert (result.crs and result.crs.grade, result.icans and result.icans.grade) == (
            crs,
            icans,
        )
        kinds = [s.kind == "escalation" for s in result.plan.now]
        assert kinds == sorted(kinds, reverse=True), (crs, icans, kinds)
        if 4 in (crs, icans):
            assert result.plan.now[0].kind == "escalation"
            assert set(result.plan.now[0].ids) & ICU_NOW
        for step in result.plan.steps():
            assert step.citations, step
            assert all(c.section for c in step.citations)


@pytest.mark.parametrize(
    ("doses", "stock"),
    [({"last_24h": 0, "total": 0}, True), ({"last_24h": 3, "total": 3}, False), (None, True)],
)
def test_stock_follows_the_tocilizumab_order_only(
    guideline: Guideline, doses: dict[str, int] | None, stock: bool
) -> None:
    """Ward 33 and the Freeman fridge stand under the tocilizumab order, never without one."""
    result = plan_of(guideline, patient=ADULT, crs=CRS_BY_GRADE[3], tocilizumab_doses=doses)
    with_stock = [s for s in result.plan.steps() if s.stock]
    assert bool(with_stock) is stock
    for step in with_stock:
        assert any(d.regimen == "tocilizumab" for d in step.doses)
        assert any("ward 33" in line for line in step.stock)


# --- §9.2 protocols keep their order ---


@pytest.mark.parametrize(
    ("seizure", "order"),
    [
        (
            "status_convulsive",
            [
                "cse_abc",
                "cse_icu",
                "cse_lorazepam",
                "cse_levetiracetam",
                "cse_phenobarbital",
                "cse_maintenance",
                "cse_eeg",
            ],
        ),
        (
            "status_nonconvulsive",
            ["ncse_abc", "ncse_lorazepam", "ncse_levetiracetam", "ncse_icu", "ncse_maintenance"],
        ),
    ],
)
def test_status_epilepticus_keeps_table_6_order(
    guideline: Guideline, seizure: str, order: list[str]
) -> None:
    """Table 6 order: ABC and glucose, lorazepam, levetiracetam, then if persisting, then after."""
    result = plan_of(
        guideline,
        patient=ADULT,
        icans={"ice_score": 6, "consciousness": "alert", "seizure": seizure},
    )
    (pathway,) = result.plan.pathways
    assert [s.ids[0] for s in pathway.steps] == order
    now = [i for s in result.plan.now for i in s.ids if i in order]
    # Done now: up to the "if seizures persist" step, which stays in 'do now' with its trigger.
    persist = next(i for i in order if i.endswith(("_phenobarbital", "ncse_icu")))
    assert now == order[: order.index(persist) + 1], "Table 6 order kept in 'do now'"
    (rung,) = [s for s in result.plan.now if persist in s.ids]
    assert rung.trigger == "Seizures persist"
    assert "icans_agitation" not in result.plan.row_ids(), "agitation drugs give way to Table 6"
    sedation = [s for s in result.plan.steps() if s.ids == ("icans_no_sedatives",)]
    assert all("other than" in s.text for s in sedation)


def test_convulsive_status_now_follows_table_6_then_other_calls(guideline: Guideline) -> None:
    """Do now: ABC and glucose, ICU, lorazepam 2 mg, levetiracetam, if persisting phenobarbital
    15 mg/kg (Table 6), then neurology."""
    result = plan_of(
        guideline,
        patient=ADULT,
        icans={"ice_score": 6, "consciousness": "alert", "seizure": "status_convulsive"},
    )
    ids = [s.ids[0] for s in result.plan.now]
    assert ids[:6] == [
        "cse_abc",
        "cse_icu",
        "cse_lorazepam",
        "cse_levetiracetam",
        "cse_phenobarbital",
        "icans_neurology",
    ]
    (phenobarbital,) = result.plan.now[4].doses
    assert (phenobarbital.low, phenobarbital.unit) == (15 * 70, "mg")
    icu = result.plan.now[1]
    assert "icans4_icu" in icu.ids, "ICU is called once, for Table 5 and Table 6 alike"
    assert "mechanical ventilation" in icu.text
    lorazepam = result.plan.now[2].doses[0]
    assert (lorazepam.low, lorazepam.unit) == (2, "mg")
    levetiracetam = {d.regimen: d.low for d in result.plan.now[3].doses}
    assert levetiracetam == {"levetiracetam_load": 500}


def test_eeg_seizures_resolved_at_grade_3_get_maintenance(guideline: Guideline) -> None:
    """EEG seizures that resolved (grade 3): lorazepam and levetiracetam maintenance now."""
    result = plan_of(
        guideline,
        patient=ADULT,
        icans={"ice_score": 9, "consciousness": "alert", "seizure": "eeg_resolved"},
    )
    assert result.icans is not None
    assert result.icans.grade == 3
    now = {d.regimen for s in result.plan.now for d in s.doses}
    assert {"lorazepam_maintenance", "levetiracetam_maintenance"} <= now


def test_hlh_manages_as_crs_first_and_etoposide_only_after_48_h(guideline: Guideline) -> None:
    """HLH/MAS: 'manage as CRS' is done now; etoposide waits for 48 h without improvement."""
    result = plan_of(
        guideline,
        patient={"weight": {"value": 70}, "height": {"value": 170}, "age_years": 40},
        hlh={"peak_ferritin_ng_ml": 25000, "liver": True, "pulmonary_oedema": True},
    )
    (pathway,) = result.plan.pathways
    assert [s.ids[0] for s in pathway.steps] == [
        "hlh_manage_as_crs",
        "hlh_etoposide",
        "hlh_etoposide_no_delay",
        "hlh_intrathecal",
    ]
    assert "hlh_manage_as_crs" in result.plan.now_ids()
    etoposide = pathway.steps[1]
    assert etoposide.trigger is not None
    assert "48 h" in etoposide.trigger
    assert "hlh_etoposide" not in result.plan.now_ids()
    # "Do not delay" is its own step, behind the same 48 h gate, never beside the order (§9.2).
    assert "delay" not in etoposide.instruction
    no_delay = pathway.steps[2]
    assert no_delay.trigger is not None
    assert "48 h" in no_delay.trigger
    assert "hlh_etoposide_no_delay" not in result.plan.now_ids()
    assert not no_delay.doses
    assert (etoposide.doses[0].low, etoposide.doses[0].high) == (136, 182)


# --- §9.3 limits gate orders ---


@pytest.mark.parametrize(
    ("last_24h", "total", "ordered", "withheld"),
    [
        (0, 0, True, False),
        (2, 2, True, False),
        (2, 3, True, False),
        (3, 3, False, True),
        (0, 4, False, True),
        (3, 4, False, True),
    ],
)
def test_tocilizumab_limit_removes_the_order_and_says_why(
    guideline: Guideline, last_24h: int, total: int, ordered: bool, withheld: bool
) -> None:
    """At 3 in 24 h or 4 in total: no tocilizumab order, no stock, an explicit withhold."""
    for crs in (1, 2, 3, 4):
        result = plan_of(
            guideline,
            patient=ADULT,
            crs=CRS_BY_GRADE[crs],
            icans={**ICANS_BY_GRADE[2], "concurrent_crs": True},
            tocilizumab_doses={"last_24h": last_24h, "total": total},
        )
        assert ("tocilizumab" in ordered_regimens(result.plan)) is ordered
        held = [w for w in result.plan.withheld if w.drug == "Tocilizumab"]
        assert bool(held) is withheld
        if withheld:
            assert not any(s.stock for s in result.plan.steps())
            text = render_assessment(result).text
            assert "Tocilizumab withheld" in text
            assert "Tocilizumab 560 mg" not in render_assessment(result).full_text


def test_the_last_permitted_dose_says_so_and_drops_repeat(guideline: Guideline) -> None:
    """The third dose in 24 h is ordered without 'repeat if no response' and says it is last."""
    result = plan_of(
        guideline,
        patient=ADULT,
        crs=CRS_BY_GRADE[3],
        tocilizumab_doses={"last_24h": 2, "total": 2},
    )
    (dose,) = [d for s in result.plan.now for d in s.doses if d.regimen == "tocilizumab"]
    assert "repeat" not in dose.text
    assert any("the last allowed in 24 h" in w for w in dose.warnings)


# --- §9.4 one order per drug ---


def test_crs_3_with_icans_4_has_one_tocilizumab_and_one_steroid_regimen(
    guideline: Guideline,
) -> None:
    """CRS 3 + ICANS 4: one tocilizumab order; methylprednisolone 1 g replaces dexamethasone."""
    result = plan_of(
        guideline,
        patient=ADULT,
        crs=CRS_BY_GRADE[3],
        icans={**ICANS_BY_GRADE[4], "concurrent_crs": True},
        tocilizumab_doses={"last_24h": 0, "total": 0},
    )
    regimens = ordered_regimens(result.plan)
    assert regimens.count("tocilizumab") == 1
    assert regimens.count("methylprednisolone_1g") == 1
    assert not {"dexamethasone_10", "dexamethasone_20", "methylprednisolone_1mgkg"} & set(regimens)
    # Said beside the 1 g order, not in a separate notes fold (review A11).
    (high,) = [
        s for s in result.plan.now if "methylprednisolone_1g" in {d.regimen for d in s.doses}
    ]
    assert "instead of dexamethasone or methylprednisolone 1 mg/kg" in high.instruction
    assert not result.plan.notes


def test_crs_and_icans_steroid_steps_merge_into_one(guideline: Guideline) -> None:
    """CRS 3 + ICANS 3 with CRS: dexamethasone is ordered once, citing both tables."""
    result = plan_of(
        guideline,
        patient=ADULT,
        crs=CRS_BY_GRADE[3],
        icans={**ICANS_BY_GRADE[3], "concurrent_crs": True},
        tocilizumab_doses={"last_24h": 0, "total": 0},
    )
    regimens = ordered_regimens(result.plan)
    assert regimens.count("dexamethasone_10") == 1
    (step,) = [s for s in result.plan.then if "crs3_dexamethasone" in s.ids]
    assert "icans2_steroids_refractory" in step.ids
    assert {c.section for c in step.citations} >= {"Table 2, grade 3", "Table 5, grades 2 and 3"}


# --- §9.5 taper follows the regimen given ---


# (grade, child, the one taper row, whether it carries the 1 g/day example). Table 5: grades 3-4
# continue steroids until grade 1 then taper; "General": taper once improving, the example from
# 1 g/day; §9.5: the example only with high-dose steroids (grade 4 here); children: no adult
# example dose (§9.8).
TAPER_CASES = [
    (2, False, "icans_taper", False),
    (3, False, "icans3_steroid_duration", False),
    (4, False, "icans_steroid_duration_high_dose", True),
    (3, True, "icans3_steroid_duration", False),
    (4, True, "icans_steroid_duration_high_dose_child", False),
]
TAPER_ROWS = {
    "icans_taper",
    "icans3_steroid_duration",
    "icans_taper_high_dose",
    "icans_steroid_duration_high_dose",
    "icans_taper_high_dose_child",
    "icans_steroid_duration_high_dose_child",
}


@pytest.mark.parametrize(("grade", "child", "row", "example"), TAPER_CASES)
def test_one_taper_step_and_the_example_only_with_high_dose_steroids_in_adults(
    guideline: Guideline, grade: int, child: bool, row: str, example: bool
) -> None:
    """One taper step per plan; the 1 g/day example only for an adult on high-dose steroids."""
    patient = {"age_years": 14, "weight": {"value": 45}} if child else ADULT
    result = plan_of(
        guideline, patient=patient, icans={**ICANS_BY_GRADE[grade], "concurrent_crs": False}
    )
    assert result.plan.row_ids() & TAPER_ROWS == {row}
    regimens = ordered_regimens(result.plan)
    assert ("methylprednisolone_taper" in regimens) is example
    text = "\n".join(
        [*render_assessment(result).text.splitlines()]
        + [line for f in render_assessment(result).folds for line in f.lines]
    )
    assert "for example" in text if example else "for example" not in text


# --- §9.6 raised ICP by Table 5 and Table 7 together ---


@pytest.mark.parametrize(
    ("icans", "arm"),
    [
        (
            {
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 2,
                "csf_opening_pressure_mmhg": 19.9,
                "imaging": "no_oedema",
            },
            "acetazolamide",
        ),
        (
            {
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 2,
                "csf_opening_pressure_mmhg": 20,
                "imaging": "no_oedema",
            },
            "high_dose",
        ),
        (
            {
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 3,
                "csf_opening_pressure_mmhg": 10,
                "imaging": "no_oedema",
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
        (
            {
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 2,
                "csf_opening_pressure_mmhg": 10,
            },
            "undetermined",
        ),
        (
            {"icp_signs": ["papilloedema"], "papilloedema_stage": 2, "imaging": "no_oedema"},
            "undetermined",
        ),
        (
            {"icp_signs": ["papilloedema"], "imaging": "no_oedema", "csf_opening_pressure_mmhg": 5},
            "undetermined",
        ),
        ({"imaging": "diffuse_oedema"}, "high_dose"),
        ({"icp_signs": ["cushings_triad"]}, "high_dose"),
        ({"icp_signs": ["posturing"]}, "high_dose"),
        ({"icp_signs": ["cranial_nerve_vi_palsy"]}, "high_dose"),
        ({"csf_opening_pressure_mmhg": 25, "imaging": "no_oedema"}, "pressure_review"),
        ({"csf_opening_pressure_mmhg": 19.9, "imaging": "no_oedema"}, None),
        ({}, None),
    ],
)
def test_raised_icp_arm_boundaries(
    guideline: Guideline, icans: dict[str, Any], arm: str | None
) -> None:
    """Table 7 arms routed by Table 5 grade; signs start the high-dose arm; ICU goes with it."""
    findings = Findings.model_validate(
        {"patient": ADULT, "icans": {"ice_score": 9, "consciousness": "alert", **icans}}
    )
    result = assess(findings, guideline)
    assert icp_arm(findings, result.icans, guideline) == arm
    ids = result.plan.row_ids()
    if arm == "high_dose":
        assert {"icp_icu", "icp_neurosurgery", "icp_hyperosmolar"} <= result.plan.now_ids()
    if arm == "undetermined":
        assert "icp_acetazolamide" not in ids
        assert "icp_low_arm_pending" in ids
        assert "icp_low_arm_pending" not in result.plan.now_ids()
    if arm == "pressure_review":
        assert not ids & ICU_LEVEL
        assert "icp_pressure_review" in result.plan.now_ids()


def test_a_high_pressure_at_grade_3_takes_the_high_dose_arm(guideline: Guideline) -> None:
    """Opening pressure ≥ 20 mmHg at ICANS grade 3 (ICE 2) is Table 7's high-dose arm."""
    findings = Findings.model_validate(
        {
            "patient": ADULT,
            "icans": {
                "ice_score": 2,
                "consciousness": "alert",
                "csf_opening_pressure_mmhg": 20,
                "imaging": "no_oedema",
            },
        }
    )
    result = assess(findings, guideline)
    assert icp_arm(findings, result.icans, guideline) == "high_dose"


@pytest.mark.parametrize(
    ("signs", "now"),
    [(["cushings_triad"], True), (["posturing"], True), (["cranial_nerve_vi_palsy"], False)],
)
def test_herniation_step_is_done_now_only_with_signs_of_herniation(
    guideline: Guideline, signs: list[str], now: bool
) -> None:
    """23.4% saline 30 mL is a 'do now' step with Cushing's triad or posturing, and its trigger
    then reads as applying now (not 'if imminent'); with CN VI palsy alone it stays conditional."""
    result = plan_of(
        guideline,
        patient=ADULT,
        icans={"ice_score": 9, "consciousness": "alert", "icp_signs": signs},
    )
    assert ("icp_herniation" in result.plan.now_ids()) is now
    assert "icp_herniation" in result.plan.row_ids()
    (step,) = [s for s in result.plan.steps() if "icp_herniation" in s.ids]
    expected = (
        texts.NOW_IF_TRIGGERS["herniation_signs"]
        if now
        else "Imminent herniation (Cushing's triad, posturing)"
    )
    assert step.trigger == expected


def test_imaging_not_done_makes_urgent_imaging_part_of_the_plan(guideline: Guideline) -> None:
    """Papilloedema with no imaging yet: urgent CT/MRI now, acetazolamide only once confirmed."""
    result = plan_of(
        guideline,
        patient=ADULT,
        icans={
            "ice_score": 9,
            "consciousness": "alert",
            "icp_signs": ["papilloedema"],
            "papilloedema_stage": 1,
            "csf_opening_pressure_mmhg": 12,
            "imaging": "not_done",
        },
    )
    assert "icp_urgent_imaging" in result.plan.now_ids()
    assert "acetazolamide_load" not in {d.regimen for s in result.plan.now for d in s.doses}


def test_stage_1_2_papilloedema_is_grade_4_but_managed_at_grade_3(guideline: Guideline) -> None:
    """ASTCT grade 4; Table 5 grade 3 management with acetazolamide, no 1 g steroid; says so."""
    result = plan_of(
        guideline,
        patient=ADULT,
        icans={
            "ice_score": 9,
            "consciousness": "alert",
            "icp_signs": ["papilloedema"],
            "papilloedema_stage": 2,
            "csf_opening_pressure_mmhg": 12,
            "imaging": "no_oedema",
            "concurrent_crs": False,
        },
    )
    assert result.icans is not None
    assert result.icans.grade == 4
    regimens = ordered_regimens(result.plan)
    assert "acetazolamide_load" in regimens
    assert "methylprednisolone_1g" not in regimens
    assert any("Managed as grade 3" in line for line in result.plan.banner)


# --- §9.7 CRS wording as Table 2 ---


def test_crs_1_tocilizumab_needs_persistent_and_refractory_fever(guideline: Guideline) -> None:
    """Grade 1: tocilizumab only for fever persistent > 3 days AND refractory."""
    result = plan_of(guideline, patient=ADULT, crs=CRS_BY_GRADE[1])
    (step,) = [s for s in result.plan.then if "crs1_tocilizumab" in s.ids]
    assert step.trigger is not None
    assert "> 3 days" in step.trigger
    assert "and refractory" in step.trigger


@pytest.mark.parametrize(
    ("crs", "bolus_first"),
    [
        ({"max_temperature": {"value": 38.5}, "hypotension": "fluids"}, True),
        (
            {"max_temperature": {"value": 38.5}, "oxygen": "nasal_cannula", "oxygen_flow_l_min": 3},
            False,
        ),
        (
            {
                "max_temperature": {"value": 38.5},
                "hypotension": "fluids",
                "hypotension_other_cause": True,
                "oxygen": "blow_by",
            },
            False,
        ),
    ],
)
def test_crs_2_fluid_bolus_comes_first_and_only_when_hypotensive(
    guideline: Guideline, crs: dict[str, Any], bolus_first: bool
) -> None:
    """Grade 2: the fluid bolus is the first step when hypotensive, absent otherwise."""
    result = plan_of(guideline, patient=ADULT, crs=crs)
    assert result.crs is not None
    assert result.crs.grade == 2
    assert (result.plan.now[0].ids[0] == "crs2_fluids") is bolus_first
    assert ("crs2_fluids" in result.plan.row_ids()) is bolus_first


@pytest.mark.parametrize(("celsius", "neutropenic"), [(37.9, False), (38.0, True)])
def test_neutropenic_sepsis_advice_only_with_fever(
    guideline: Guideline, celsius: float, neutropenic: bool
) -> None:
    """'Treat as neutropenic sepsis' appears only with fever (38.0 °C), not afebrile after toci."""
    result = plan_of(
        guideline,
        patient=ADULT,
        crs={
            "max_temperature": {"value": celsius},
            "prior_treatment": ["tocilizumab"],
            "oxygen": "facemask",
        },
    )
    assert result.crs is not None
    assert result.crs.grade == 3
    assert ("crs1_neutropenic" in result.plan.row_ids()) is neutropenic


# --- §9.8 children ---


@pytest.mark.parametrize(
    ("patient", "child"),
    [
        ({"age_years": 17}, True),
        ({"age_years": 18, "weight": {"value": 30}}, False),
        ({"weight": {"value": 39.9}}, True),
        ({"weight": {"value": 40}}, False),
        ({}, False),
    ],
)
def test_child_by_age_or_by_weight_when_age_unknown(
    guideline: Guideline, patient: dict[str, Any], child: bool
) -> None:
    """Under 18, or under 40 kg when age is unknown: the adult-guideline banner opens the plan."""
    findings = Findings.model_validate({"patient": patient, "crs": CRS_BY_GRADE[2]})
    assert is_child(findings) is child
    result = assess(findings, guideline)
    assert bool(result.plan.banner) is child
    if child:
        assert "GNCH" in result.plan.banner[0]
        assert "GNCH" in " ".join(result.plan.calls)


def test_a_child_gets_no_adult_fixed_dose_or_adult_target(guideline: Guideline) -> None:
    """An 8 kg child: tocilizumab 12 mg/kg = 96 mg; lorazepam etc. 'ask'; no adult bolus/SBP."""
    result = plan_of(
        guideline,
        patient={"age_years": 1, "weight": {"value": 8}},
        tocilizumab_doses={"last_24h": 0, "total": 0},
        crs=CRS_BY_GRADE[2],
        icans={
            "capd_total": 12,
            "consciousness": "alert",
            "seizure": "status_convulsive",
            "icp_signs": ["cushings_triad"],
        },
    )
    doses = [d for s in result.plan.steps() for d in s.doses]
    fixed = {r.id for r in guideline.drugs.regimens if r.basis == "fixed"}
    assert all(d.paediatric_ask and d.low is None for d in doses if d.regimen in fixed)
    (toci,) = [d for d in doses if d.regimen == "tocilizumab"]
    assert toci.low == 96
    text = render_assessment(result).full_text
    for adult in (
        "500–1000 mL to keep",
        "Lorazepam 2 mg",
        "Levetiracetam 500 mg",
        "30 mL IV, 23.4%",
        "Acetazolamide 1,000 mg",
    ):
        assert adult not in text
    assert "monitor_neuro_capd" in result.plan.row_ids()
    assert "monitor_neuro" not in result.plan.row_ids()


# --- §9.9 states that are not grades ---


def test_grade_5_advises_nothing(guideline: Guideline) -> None:
    """Death from CRS: no management, no routine monitoring."""
    result = plan_of(
        guideline,
        patient=ADULT,
        crs={"max_temperature": {"value": 39}, "death_from_crs": True},
        icans=ICANS_BY_GRADE[2],
    )
    assert result.plan.status == "death"
    assert not result.plan.steps()


def test_sedated_unarousable_is_not_assessable_and_advises_no_icans_care(
    guideline: Guideline,
) -> None:
    """Unarousable under sedation: 'not assessable', no ICANS table steps."""
    result = plan_of(
        guideline,
        patient=ADULT,
        icans={"consciousness": "unarousable", "consciousness_from_sedation": True},
    )
    assert result.icans is not None
    assert result.icans.grade is None
    assert not any(i.startswith("icans") for i in result.plan.row_ids())
    assert "not assessable" in render_assessment(result).text


def test_afebrile_after_treatment_is_not_gradable_and_advises_no_crs_care(
    guideline: Guideline,
) -> None:
    """Afebrile after tocilizumab with nothing else: 're-assess', no CRS steps."""
    result = plan_of(
        guideline,
        patient=ADULT,
        crs={"max_temperature": {"value": 37.0}, "prior_treatment": ["tocilizumab"]},
    )
    assert result.crs is not None
    assert result.crs.grade is None
    assert not any(i.startswith("crs") for i in result.plan.row_ids())


# --- §9.11 citations a clinician can open ---


CITABLE = ("ACLIN.P.088 v2.1", "ASTCT 2019", "Tocilizumab label")


def test_citations_name_only_the_guideline_astct_or_the_label(guideline: Guideline) -> None:
    """No citation names a file of this project (clinical-rules.md, seeds)."""
    for crs, icans in itertools.product(CRS_BY_GRADE, ICANS_BY_GRADE):
        result = plan_of(
            guideline,
            patient={"age_years": 9, "weight": {"value": 25}, "height": {"value": 130}},
            crs=CRS_BY_GRADE[crs],
            icans={
                **ICANS_BY_GRADE[icans],
                **({"capd_total": 3} if icans != 4 else {}),
                "ice_score": None,
            },
            hlh={"peak_ferritin_ng_ml": 20000, "liver": True, "renal": True},
        )
        for source in render_assessment(result).citations:
            assert source.startswith(CITABLE), source
            assert "rules" not in source
            assert "seed" not in source


# --- properties over generated findings ---

temperatures = st.sampled_from([36.5, 37.9, 38.0, 39.5])
crs_findings = st.fixed_dictionaries(
    {
        "max_temperature": st.builds(lambda c: {"value": c}, temperatures),
        "prior_treatment": st.sampled_from([[], ["tocilizumab"], ["antipyretic", "steroids"]]),
        "oxygen": st.sampled_from(["none", "blow_by", "facemask", "cpap"]),
        "hypotension": st.sampled_from(["none", "fluids"]),
    }
)
icans_findings = st.fixed_dictionaries(
    {
        "ice_score": st.integers(0, 10),
        "consciousness": st.sampled_from(
            ["alert", "wakes_spontaneously", "wakes_to_voice", "wakes_to_touch"]
        ),
        "seizure": st.sampled_from(
            ["none", "brief_clinical", "eeg_resolved", "status_nonconvulsive", "status_convulsive"]
        ),
        "motor": st.sampled_from(["none", "focal_weakness"]),
        "imaging": st.sampled_from(["not_done", "no_oedema", "focal_oedema", "diffuse_oedema"]),
        "icp_signs": st.sampled_from(
            [[], ["papilloedema"], ["cushings_triad"], ["posturing", "cranial_nerve_vi_palsy"]]
        ),
        "csf_opening_pressure_mmhg": st.sampled_from([None, 10, 19.9, 20, 30]),
        "concurrent_crs": st.sampled_from([None, True, False]),
    }
)
documents = st.fixed_dictionaries(
    {
        "patient": st.fixed_dictionaries(
            {
                "age_years": st.sampled_from([None, 1, 7, 12, 17, 18, 60]),
                "weight": st.sampled_from(
                    [None, {"value": 8}, {"value": 39.9}, {"value": 70}, {"value": 110}]
                ),
                "height": st.sampled_from([None, {"value": 170}]),
            }
        ),
        "tocilizumab_doses": st.sampled_from(
            [
                None,
                {"last_24h": 0, "total": 0},
                {"last_24h": 2, "total": 3},
                {"last_24h": 3, "total": 3, "hours_since_last": 5},
                {"last_24h": 1, "total": 4},
            ]
        ),
        "crs": st.one_of(st.none(), crs_findings),
        "icans": st.one_of(st.none(), icans_findings),
        "hlh": st.sampled_from(
            [None, {"peak_ferritin_ng_ml": 25000, "liver": True, "renal": True}]
        ),
    }
)


def _findings(document: dict[str, Any]) -> Findings | None:
    """A valid findings document from a generated one (children under 12 by CAPD)."""
    doc = {k: v for k, v in document.items() if v is not None}
    doc["patient"] = {k: v for k, v in document["patient"].items() if v is not None}
    if not any(k in doc for k in ("crs", "icans", "hlh")):
        return None
    icans = doc.get("icans")
    if icans is not None:
        icans = {k: v for k, v in icans.items() if v is not None}
        age = doc["patient"].get("age_years")
        if age is not None and age <= 12:
            icans["capd_total"] = icans.pop("ice_score") * 3
            icans["tool"] = "capd"
        if "papilloedema" not in icans["icp_signs"]:
            icans.pop("papilloedema_stage", None)
        doc["icans"] = icans
    return Findings.model_validate(doc)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(documents)
def test_plan_properties_hold_for_any_findings(
    guideline: Guideline, document: dict[str, Any]
) -> None:
    """No withheld drug is ordered; ICU-level measures come with ICU; pathways keep file order;
    no adult fixed dose for a child; the handover holds every warning and withhold."""
    findings = _findings(document)
    if findings is None:
        return
    result = assess(findings, guideline)
    plan = result.plan
    held = {w.drug for w in plan.withheld}
    ordered = [d for s in plan.steps() for d in s.doses]
    assert not any(d.drug in held for d in ordered)
    if plan.row_ids() & ICU_LEVEL:
        assert plan.now_ids() & ICU_NOW
    files = {
        "convulsive": guideline.status_epilepticus.items,
        "nonconvulsive": guideline.status_epilepticus.items,
        "eeg_resolved": guideline.status_epilepticus.items,
        "hlh": guideline.hlh.items,
    }
    for pathway in plan.pathways:
        rows = [r.id for r in files.get(pathway.id, guideline.raised_icp.items)]
        positions = [rows.index(s.ids[0]) for s in pathway.steps]
        assert positions == sorted(positions)
    if plan.child:
        fixed = {r.id for r in guideline.drugs.regimens if r.basis == "fixed"}
        assert all(d.paediatric_ask for d in ordered if d.regimen in fixed)
    notes = handover(findings, result, at="03:10")
    for warning in plan.warnings():
        assert warning in notes
    reply = render_assessment(result)
    assert len(reply.text.splitlines()) <= 15


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_patient_line_gives_way_to_a_step_of_what_to_do_now(
    name: str, guideline: Guideline
) -> None:
    """The patient facts close the visible part only when every 'do now' step is visible too;
    otherwise they end the first fold, and no step of what to do now is pushed below it."""
    result = assess(Findings.model_validate(SCENARIOS[name]), guideline)
    line = "Patient: 70 kg · age 54"
    plain, reply = render_assessment(result), render_assessment(result, below=[line])
    visible = reply.text.splitlines()
    assert len(visible) <= 15
    continued = [f for f in reply.folds if f.title == texts.PLAN_NOW_MORE]
    if line in visible:
        assert not continued
        assert visible[:-1] == plain.text.splitlines()
    else:
        assert reply.text == plain.text  # the steps shown are exactly those without the line
        first = continued[0] if continued else next(f for f in reply.folds if line in f.lines)
        assert line in first.lines


# Table 6: "Levetiracetam 500 mg IV bolus" now; "maintenance doses after resolution …
# levetiracetam 1000 mg IV every 12 hours". One order of each (clinical-rules §9.4).
@pytest.mark.parametrize("seizure", ["status_convulsive", "status_nonconvulsive"])
@pytest.mark.parametrize("first", [False, True], ids=["full_plan", "first_steps"])
def test_levetiracetam_bolus_now_and_maintenance_only_after_resolution(
    guideline: Guideline, seizure: str, first: bool
) -> None:
    """Status epilepticus: levetiracetam 500 mg once now; 1,000 mg 12-hourly after resolution."""
    findings = Findings.model_validate(
        {"patient": ADULT, "icans": {"ice_score": 6, "consciousness": "alert", "seizure": seizure}}
    )
    plan = first_steps(findings, guideline) if first else assess(findings, guideline).plan
    now = [
        (d.regimen, d.low)
        for s in plan.now
        for d in s.doses
        if d.regimen.startswith("levetiracetam")
    ]
    assert now == [("levetiracetam_load", 500)]
    maintenance = [
        (s.trigger, d.low)
        for p in plan.pathways
        for s in p.steps
        for d in s.doses
        if d.regimen == "levetiracetam_maintenance"
    ]
    assert maintenance == [("After resolution", 1000)]


# Table 7, high-dose arm, in its own order: methylprednisolone 1 g → head up 30° →
# hyperventilation (PaCO2 28–30 mmHg) → hyperosmolar therapy → 23.4% for imminent herniation.
TABLE_7_NOW = [
    "icp_methylprednisolone",
    "icp_head_up",
    "icp_hyperventilation",
    "icp_hyperosmolar",
    "icp_herniation",
]


@pytest.mark.parametrize("first", [False, True], ids=["full_plan", "first_steps"])
def test_high_dose_arm_now_keeps_table_7_order_with_hyperventilation(
    guideline: Guideline, first: bool
) -> None:
    """Cushing's triad: hyperventilation is done now, after head up and before hyperosmolar."""
    findings = Findings.model_validate(
        {
            "patient": ADULT,
            "icans": {"ice_score": 9, "consciousness": "alert", "icp_signs": ["cushings_triad"]},
        }
    )
    plan = first_steps(findings, guideline) if first else assess(findings, guideline).plan
    ids = [i for s in plan.now for i in s.ids]
    assert [i for i in ids if i in TABLE_7_NOW] == TABLE_7_NOW
    assert "icp_icu" in ids, "hyperventilation is ICU-level: ICU is called with it"
    if not first:
        text = render_assessment(assess(findings, guideline)).text
        assert "Hyperventilate to PaCO2 28–30 mmHg" in text, "on the first screen"


# Table 6: "If seizures persist, transfer to ICU and treat with phenobarbital loading dose of
# 60 mg IV" (non-convulsive); "add phenobarbital … 15 mg/kg IV" (convulsive): 15 × 70 = 1,050 mg.
@pytest.mark.parametrize(
    ("seizure", "row", "mg"),
    [("status_convulsive", "cse_phenobarbital", 1050), ("status_nonconvulsive", "ncse_icu", 60)],
)
@pytest.mark.parametrize("first", [False, True], ids=["full_plan", "first_steps"])
def test_seizures_persist_step_stays_visible_in_do_now(
    guideline: Guideline, seizure: str, row: str, mg: int, first: bool
) -> None:
    """The next rung of Table 6 is in 'do now' and on the first screen, full plan or first steps."""
    findings = Findings.model_validate(
        {"patient": ADULT, "icans": {"ice_score": 6, "consciousness": "alert", "seizure": seizure}}
    )
    plan = first_steps(findings, guideline) if first else assess(findings, guideline).plan
    (rung,) = [s for s in plan.now if row in s.ids]
    assert rung.trigger == "Seizures persist"
    assert [d.low for d in rung.doses] == [mg]
    assert sum(row in s.ids for s in plan.now) == 1, "listed once"
    # Transfer to ICU is one of the steps: the ICU lead is on the Call line.
    assert any(c.startswith("ICU lead") for c in plan.calls)
    if not first:
        assert "Seizures persist" in render_assessment(assess(findings, guideline)).text


def test_hyperosmolar_therapy_is_one_order_of_mannitol_or_3_percent_saline(
    guideline: Guideline,
) -> None:
    """Table 7 "either mannitol or hypertonic saline": one step; the second dose reads 'or'."""
    result = plan_of(
        guideline,
        patient=ADULT,
        icans={"ice_score": 9, "consciousness": "alert", "icp_signs": ["cushings_triad"]},
    )
    (step,) = [s for s in result.plan.now if "icp_hyperosmolar" in s.ids]
    assert step.alternatives
    # Mannitol 0.5–1 g/kg × 70 kg = 35–70 g; 3% saline 250 mL.
    assert [(d.regimen, d.low, d.high) for d in step.doses] == [
        ("mannitol_initial", 35, 70),
        ("saline_3_initial", 250, None),
    ]
    text = render_assessment(result).text
    assert f"   {texts.OR_INSTEAD} Hypertonic saline 250 mL IV, 3%" in text
    assert f"   {texts.OR_INSTEAD} Mannitol" not in text


@pytest.mark.parametrize(
    ("icans", "workup"),
    [
        # Cushing's triad: Table 7 high-dose arm; its own imaging replaces the grade-1 work-up.
        ({"ice_score": 9, "consciousness": "alert", "icp_signs": ["cushings_triad"]}, False),
        ({"ice_score": 9, "consciousness": "alert", "imaging": "diffuse_oedema"}, False),
        # No raised-ICP arm (grade 2), or the acetazolamide arm: the grade-1 work-up stays.
        ({"ice_score": 4, "consciousness": "alert"}, True),
        (
            {
                "ice_score": 9,
                "consciousness": "alert",
                "icp_signs": ["papilloedema"],
                "papilloedema_stage": 1,
                "csf_opening_pressure_mmhg": 15,
                "imaging": "no_oedema",
            },
            True,
        ),
    ],
)
def test_grade_1_mri_and_lp_work_up_gives_way_to_the_high_dose_arm(
    guideline: Guideline, icans: dict[str, Any], workup: bool
) -> None:
    """'Consider MRI brain and diagnostic LP' is not printed while the high-dose arm applies."""
    result = plan_of(guideline, patient=ADULT, icans=icans)
    assert ("icans_imaging" in result.plan.row_ids()) is workup


LOW_ARM = {
    "ice_score": 9,
    "consciousness": "alert",
    "icp_signs": ["papilloedema"],
    "papilloedema_stage": 1,
    "csf_opening_pressure_mmhg": 15,
    "imaging": "no_oedema",
}


@pytest.mark.parametrize(
    ("icans", "generic", "move_up"),
    [
        # Grade 3, no raised-ICP sign: Table 5's "papilloedema, OP ≥ 20 or oedema: Table 7".
        ({"ice_score": 2, "consciousness": "alert"}, True, False),
        # Acetazolamide arm: its own step says what moves it to the high-dose arm.
        (LOW_ARM, False, True),
        # Arm not yet known: its tests say what means the high-dose arm.
        ({**LOW_ARM, "imaging": "not_done"}, False, False),
        # High-dose arm: already on it.
        ({"ice_score": 9, "consciousness": "alert", "icp_signs": ["cushings_triad"]}, False, False),
    ],
)
def test_start_the_raised_icp_pathway_line_only_when_no_arm_is_in_the_plan(
    guideline: Guideline, icans: dict[str, Any], generic: bool, move_up: bool
) -> None:
    """The generic Table 5 line never contradicts an arm already chosen (stage 1–2 + < 20 mmHg)."""
    ids = plan_of(guideline, patient=ADULT, icans=icans).plan.row_ids()
    assert ("icans_icp_pathway" in ids) is generic
    assert ("icp_acetazolamide_to_high_dose" in ids) is move_up


@pytest.mark.parametrize(
    ("icans", "sedation_row", "lorazepam"),
    [
        # Arousable, no seizure drug: Table 5's agitation drugs, and the avoid-sedatives line
        # names them (no seizure control in this plan).
        (
            {"ice_score": 4, "consciousness": "alert"},
            "icans_no_sedatives_agitation",
            ["lorazepam_agitation"],
        ),
        # Unarousable: no agitation to treat; "avoid sedating drugs" with nothing to except.
        ({"consciousness": "unarousable"}, "icans_no_sedatives_plain", []),
        # EEG seizures resolved: Table 6 maintenance lorazepam is the one lorazepam order.
        (
            {"ice_score": 9, "consciousness": "alert", "seizure": "eeg_resolved"},
            "icans_no_sedatives",
            ["lorazepam_maintenance"],
        ),
        # Convulsive status: Table 6's own lorazepam now, then its maintenance after resolution.
        (
            {"ice_score": 6, "consciousness": "alert", "seizure": "status_convulsive"},
            "icans_no_sedatives",
            ["lorazepam_cse", "lorazepam_maintenance"],
        ),
    ],
)
def test_agitation_drugs_and_the_avoid_sedatives_line_fit_the_patient(
    guideline: Guideline, icans: dict[str, Any], sedation_row: str, lorazepam: list[str]
) -> None:
    """No agitation drug for the unarousable or beside Table 6 lorazepam; one lorazepam order."""
    plan = plan_of(guideline, patient=ADULT, icans=icans).plan
    ids = plan.row_ids()
    sedation = {i for i in ids if i.startswith("icans_no_sedatives")}
    assert sedation == {sedation_row}
    assert [r for r in ordered_regimens(plan) if r.startswith("lorazepam")] == lorazepam


@pytest.mark.parametrize(
    ("extra", "managed_3"),
    [
        # Arm not yet known (stage, pressure or imaging awaited): managed as grade 3, no 1 g.
        ({"imaging": "not_done"}, True),
        ({"papilloedema_stage": 2, "csf_opening_pressure_mmhg": 15, "imaging": "not_done"}, True),
        ({"csf_opening_pressure_mmhg": 15, "imaging": "no_oedema"}, True),
        # Stage 3 (Table 7: stage 3–5): the high-dose arm, grade 4, methylprednisolone 1 g.
        ({"papilloedema_stage": 3, "imaging": "not_done"}, False),
    ],
)
def test_papilloedema_arm_not_yet_known_orders_no_1_g_until_the_arm_is_chosen(
    guideline: Guideline, extra: dict[str, Any], managed_3: bool
) -> None:
    """Unstaged or staged, papilloedema awaiting its tests is managed alike (Table 5 grade 3)."""
    icans = {"ice_score": 8, "consciousness": "alert", "icp_signs": ["papilloedema"], **extra}
    plan = plan_of(guideline, patient=ADULT, icans=icans).plan
    ordered = ordered_regimens(plan)
    assert ("methylprednisolone_1g" in ordered) is not managed_3
    ids = plan.row_ids()
    assert ("icans3_icu" in ids) is managed_3
    assert ("icans4_icu" in ids) is not managed_3, "no 'consider ventilation' for ICE 8, alert"
    assert any(b.startswith("Managed as grade 3") for b in plan.banner) is managed_3


# --- Review B, A3: concurrent CRS decides the first ICANS drug (Table 5, grades 2-4) ---

# (ICANS grade, concurrent_crs) -> (rows in 'do now' that order a drug, in order, and the
# concurrent-CRS statement). From Table 5: grades 2-3 give tocilizumab "if associated with
# concurrent CRS" and dexamethasone or methylprednisolone "for neurotoxicity without concurrent
# CRS"; grade 4 anti-IL-6 "if concurrent CRS" and high-dose steroids always. Not known: both.
CONCURRENT_CASES: list[tuple[int, bool | None, list[str], str]] = [
    (2, False, ["icans2_steroids_no_crs"], "no"),
    (2, True, ["icans2_tocilizumab"], "yes"),
    (2, None, ["icans2_tocilizumab", "icans2_steroids_no_crs"], "unknown"),
    (3, False, ["icans2_steroids_no_crs"], "no"),
    (3, None, ["icans3_tocilizumab", "icans2_steroids_no_crs"], "unknown"),
    (4, None, ["icans2_tocilizumab", "icans4_high_dose_steroids"], "unknown"),
    (4, False, ["icans4_high_dose_steroids"], "no"),
]


@pytest.mark.parametrize(("grade", "concurrent", "first_drugs", "said"), CONCURRENT_CASES)
def test_concurrent_crs_decides_the_first_icans_drug_in_do_now(
    guideline: Guideline, grade: int, concurrent: bool | None, first_drugs: list[str], said: str
) -> None:
    """The first-line ICANS drug is done now under its concurrent-CRS condition, never a maybe."""
    icans = dict(ICANS_BY_GRADE[grade])
    if concurrent is not None:
        icans["concurrent_crs"] = concurrent
    result = plan_of(guideline, patient=ADULT, icans=icans)
    plan = result.plan
    drugs_now = [i for s in plan.now if s.kind == "drug" and s.doses for i in s.ids]
    assert drugs_now == first_drugs
    assert plan.concurrent_crs == said
    # The condition or its reason is on the order itself.
    for step in plan.now:
        if step.ids[0] == "icans2_steroids_no_crs":
            expected = "No concurrent CRS" if concurrent is False else "Without concurrent CRS"
            assert step.instruction.startswith(expected)
    # Neither a first-line order nor its condition is left under "if no response".
    then_ids = {i for s in plan.then for i in s.ids}
    assert not then_ids & set(first_drugs)
    statement = texts.CONCURRENT_CRS[said]
    assert statement in render_assessment(result).folds[-2].lines
    assert statement in handover(
        Findings.model_validate({"patient": ADULT, "icans": icans}), result
    )


def test_refractory_steroids_stay_a_maybe_with_concurrent_crs(guideline: Guideline) -> None:
    """With concurrent CRS, steroids are for ICANS refractory to anti-IL-6 (Table 5): the ladder."""
    icans = {**ICANS_BY_GRADE[2], "concurrent_crs": True}
    plan = plan_of(guideline, patient=ADULT, icans=icans).plan
    refractory = [s for s in plan.then if "icans2_steroids_refractory" in s.ids]
    assert len(refractory) == 1
    assert refractory[0].instruction.startswith("Concurrent CRS, refractory to anti-IL-6")


# --- Review B, A4: one steroid order, the alternative marked (Table 5, grades 2-3) ---

# (ICANS grade, concurrent_crs, step row): Table 5 gives "dexamethasone 10 mg IV every 6 hours
# or methylprednisolone 1 mg/kg IV every 12 hours": at 70 kg, 10 mg 6-hourly or 70 mg 12-hourly.
STEROID_ALTERNATIVE_CASES = [
    (2, False, "icans2_steroids_no_crs"),
    (3, False, "icans2_steroids_no_crs"),
    (2, True, "icans2_steroids_refractory"),
]


@pytest.mark.parametrize(("grade", "concurrent", "row"), STEROID_ALTERNATIVE_CASES)
def test_the_two_steroid_regimens_are_one_order_and_its_alternative(
    guideline: Guideline, grade: int, concurrent: bool, row: str
) -> None:
    """Dexamethasone is the order on the step's own line; methylprednisolone reads 'or instead'."""
    icans = {**ICANS_BY_GRADE[grade], "concurrent_crs": concurrent}
    result = plan_of(guideline, patient=ADULT, icans=icans)
    reply = render_assessment(result)
    lines = [*reply.text.splitlines(), *(line for f in reply.folds for line in f.lines)]
    start = next(n for n, line in enumerate(lines) if "Give one steroid." in line)
    assert "Dexamethasone 10 mg IV, every 6 h" in lines[start]
    assert lines[start + 1].startswith("   or instead: Methylprednisolone 70 mg IV, every 12 h")
    assert sum("Dexamethasone 10 mg IV" in line for line in lines) == 1
    text = handover(Findings.model_validate({"patient": ADULT, "icans": icans}), result)
    assert "    or instead: Methylprednisolone 70 mg IV, every 12 h" in text
    step = next(s for s in result.plan.steps() if row in s.ids)
    assert step.alternatives


# --- Review B, A8: who to call, always first under 'Do now', the ICU lead with any ICU step ---

# Names from the guideline's "Responsibilities" (NCCC adult team).
CAR_T = "CAR-T lead Dr Tobias Menne"
ICU = "ICU lead Dr Suzanne O’Neill"
ICU_LATER = f"{ICU} (if that escalation is reached)"
CALL_CASES: list[tuple[str, tuple[str, ...]]] = [
    # Grade 1 CRS: nothing escalated, the CAR-T lead still named.
    ("crs1_fever", (CAR_T,)),
    # Grade 2: ICU only if hypotension persists after two boluses and tocilizumab (Table 2).
    ("crs2_hypotension_fluids", (CAR_T, ICU_LATER)),
    # Grade 3: "consider ICU care" now (Table 2).
    ("crs3_adult", (ICU, CAR_T)),
]


@pytest.mark.parametrize(("name", "calls"), CALL_CASES)
def test_who_to_call_names_the_leads_and_stands_first(
    guideline: Guideline, name: str, calls: tuple[str, ...]
) -> None:
    """The Call line is the first line under 'Do now', with the leads the plan's steps need."""
    result = assess(Findings.model_validate(SCENARIOS[name]), guideline)
    assert result.plan.calls == calls
    visible = render_assessment(result).text.splitlines()
    start = visible.index(f"{texts.PLAN_NOW}:")
    assert visible[start + 1] == texts.PLAN_CALL.format(leads=" · ".join(calls))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_icu_step_has_the_icu_lead_named(guideline: Guideline, name: str) -> None:
    """Any ICU escalation in the plan, now or later, comes with the ICU (or GNCH ICCU) lead."""
    result = assess(Findings.model_validate(SCENARIOS[name]), guideline)
    plan = result.plan
    icu_rows = {"crs2_icu"} | ICU_NOW
    if plan.row_ids() & icu_rows:
        assert any("ICU lead" in c or "ICCU lead" in c for c in plan.calls)
    if plan.now and plan.calls:
        visible = render_assessment(result).text.splitlines()
        assert visible[visible.index(f"{texts.PLAN_NOW}:") + 1].startswith("Call: ")


def test_known_concurrent_crs_is_a_reason_not_a_condition_on_the_merged_tocilizumab(
    guideline: Guideline,
) -> None:
    """CRS 2 with ICANS 4: Table 5 gives anti-IL-6 for concurrent CRS outright, so the one
    tocilizumab order is unconditional and done now, not CRS grade 2's 'if fever persists'."""
    result = plan_of(guideline, patient=ADULT, crs=CRS_BY_GRADE[2], icans=ICANS_BY_GRADE[4])
    toci = [s for s in result.plan.now if any(d.regimen == "tocilizumab" for d in s.doses)]
    assert len(toci) == 1
    assert toci[0].trigger is None
    assert toci[0].instruction.startswith("Concurrent CRS: Give tocilizumab")


# --- Review B: tocilizumab at its limits (label: 3 in 24 h, 4 in total; §9.3) ---


def test_a_withheld_tocilizumab_stands_where_its_order_would(guideline: Guideline) -> None:
    """3 doses in 24 h, the last 6 h ago: the withhold follows ICU, where Table 2 grade 3's
    tocilizumab order stands; it says the next dose is allowed, not due, and 4 - 3 = 1 left."""
    result = assess(Findings.model_validate(SCENARIOS["crs3_toci_limit_reached"]), guideline)
    visible = render_assessment(result).text.splitlines()
    icu = next(n for n, line in enumerate(visible) if line.startswith("1. Consider ICU care."))
    held = visible[icu + 1]
    assert held.startswith("⛔ Tocilizumab withheld: 3 doses in the last 24 h")
    assert "Next dose allowed once the first of these 3 doses is over 24 h old" in held
    assert "by 18 h from now at the latest" in held
    assert "1 dose left of 4 in total" in held
    assert visible[icu + 2].startswith("2. ")


# --- Review B, A10/A11: wording ---


@pytest.mark.parametrize(
    ("crs", "echo"),
    [
        # Table 2 grade 3: "echocardiogram for persistent hypotension" - only with hypotension.
        ({"max_temperature": {"value": 39.0}, "oxygen": "facemask"}, False),
        (
            {
                "max_temperature": {"value": 39.0},
                "hypotension": "vasopressors",
                "vasopressors": ["noradrenaline"],
            },
            True,
        ),
    ],
)
def test_echo_for_persistent_hypotension_only_when_hypotensive(
    guideline: Guideline, crs: dict[str, Any], echo: bool
) -> None:
    """CRS grade 3 by oxygen alone has no 'hypotension persists: echocardiogram' step."""
    result = plan_of(guideline, patient=ADULT, crs=crs)
    assert result.crs is not None
    assert result.crs.grade == 3
    assert ("crs3_echo" in result.plan.row_ids()) is echo


def test_an_order_names_its_drug_once(guideline: Guideline) -> None:
    """'Give Tocilizumab 560 mg …', not 'Give tocilizumab. Tocilizumab 560 mg …'; 'Increase
    dexamethasone' keeps its dose apart (it must not read as 'increase by 20 mg')."""
    result = assess(Findings.model_validate(SCENARIOS["crs3_adult"]), guideline)
    reply = render_assessment(result)
    lines = [*reply.text.splitlines(), *(line for f in reply.folds for line in f.lines)]
    assert any(line.startswith("2. Give Tocilizumab 560 mg IV over 1 h") for line in lines)
    assert not any("Give tocilizumab. Tocilizumab" in line for line in lines)
    assert any("Add Dexamethasone 10 mg IV, every 6 h" in line for line in lines)
    assert any("Increase dexamethasone. Dexamethasone 20 mg IV" in line for line in lines)


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("crs_afebrile_after_toci", texts.NOTHING_NOW_ONE["crs"]),
        ("sedated_unarousable", texts.NOTHING_NOW_ONE["icans"]),
    ],
)
def test_nothing_now_names_only_the_syndrome_assessed(
    guideline: Guideline, name: str, line: str
) -> None:
    """With one syndrome assessed, 'no treatment now' does not speak for the other."""
    result = assess(Findings.model_validate(SCENARIOS[name]), guideline)
    visible = render_assessment(result).text.splitlines()
    assert line in visible
    assert texts.PLAN_NOTHING_NOW not in visible


def test_a_death_handover_lists_no_findings(guideline: Guideline) -> None:
    """Grade 5: the handover records the grade and 'no management', not findings to act on."""
    findings = Findings.model_validate(SCENARIOS["death_from_crs"])
    text = handover(findings, assess(findings, guideline))
    assert "CRS grade 5" in text
    assert "CRS findings" not in text


@pytest.mark.parametrize(("ice", "noted"), [(8, True), (2, False)])
def test_high_opening_pressure_at_grade_1_2_notes_its_divergence_from_table_7(
    guideline: Guideline, ice: int, noted: bool
) -> None:
    """OP 24 mmHg: at ICANS 1 the plan notes review instead of Table 7's high-dose arm
    (§9.6); at ICANS 3 the high-dose arm applies, so there is nothing to note."""
    icans = {
        "ice_score": ice,
        "consciousness": "alert",
        "imaging": "no_oedema",
        "csf_opening_pressure_mmhg": 24,
    }
    result = plan_of(guideline, patient=ADULT, icans=icans)
    assert (texts.PRESSURE_REVIEW_DIVERGES in result.plan.notes) is noted
    assert (icp_arm(result_findings(icans), result.icans, guideline) == "high_dose") is not noted


def result_findings(icans: dict[str, Any]) -> Findings:
    """The findings document of an ICANS-only assessment of an adult."""
    return Findings.model_validate({"patient": ADULT, "icans": icans})


def test_the_stock_line_is_short_and_keeps_the_guideline_s_box_label(guideline: Guideline) -> None:
    """The stock line names ward 33, the fridge and its box label as the guideline prints them
    ("Freeman Pharmacy Emergency Drug Fridge", "Quarantine - For CAR-T Cell rescue only"), in
    at most 150 characters (it was 165)."""
    result = assess(Findings.model_validate(SCENARIOS["crs3_adult"]), guideline)
    (stock,) = [line for line in render_assessment(result).text.splitlines() if "Stock:" in line]
    assert "ward 33" in stock
    assert "Freeman Pharmacy Emergency Drug Fridge" in stock
    assert "Quarantine - For CAR-T Cell rescue only" in stock
    assert len(stock) <= 150


def test_why_uses_astct_words_crs_by_parameter_icans_by_domain(guideline: Guideline) -> None:
    """ASTCT grades CRS by parameter (fever, hypotension, hypoxia), ICANS by domain."""
    result = assess(Findings.model_validate(SCENARIOS["crs3_with_icans4"]), guideline)
    why = render_assessment(result).folds[-2].lines
    assert any(line.startswith("CRS by parameter: fever grade") for line in why)
    assert any(line.startswith("ICANS by domain: ") for line in why)
