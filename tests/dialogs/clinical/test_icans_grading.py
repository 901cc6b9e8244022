"""ICE, ICANS (adult and CAPD) and HLH/MAS grading against hand-written ASTCT tables."""

from __future__ import annotations

import itertools

import pytest

from dialogs.clinical.findings import HlhFindings, IcansFindings, IceItems
from dialogs.clinical.grading import FindingsError, grade_icans, screen_hlh
from dialogs.clinical.guideline import Guideline

# --- ASTCT 2019 ICANS, restated by hand from clinical-rules.md §3 ---
ORACLE_ICE = {10: 0, 9: 1, 8: 1, 7: 1, 6: 2, 5: 2, 4: 2, 3: 2, 2: 3, 1: 3, 0: 3}
ORACLE_CONSCIOUSNESS = {
    "alert": 0,
    "wakes_spontaneously": 1,
    "wakes_to_voice": 2,
    "wakes_to_touch": 3,
    "unarousable": 4,
}
ORACLE_SEIZURE = {
    "none": 0,
    "brief_clinical": 3,
    "eeg_resolved": 3,
    "status_nonconvulsive": 4,
    "status_convulsive": 4,
}
ORACLE_MOTOR = {"none": 0, "tremor_or_myoclonus": 0, "focal_weakness": 4}
ORACLE_IMAGING = {"not_done": 0, "no_oedema": 0, "focal_oedema": 3, "diffuse_oedema": 4}
ICP_SETS: list[tuple[str, ...]] = [
    (),
    ("papilloedema",),
    ("cranial_nerve_vi_palsy",),
    ("posturing",),
    ("cushings_triad",),
    ("papilloedema", "posturing"),
]


def oracle_capd(total: int) -> int:
    """CAPD: 0 normal, 1-8 grade 1 (2 by consciousness), 9 or more grade 3."""
    return 0 if total == 0 else (1 if total <= 8 else 3)


def oracle_icans(
    screen: int | None,
    level: str,
    sedated: bool,
    seizure: str,
    motor: str,
    imaging: str,
    signs: tuple[str, ...],
) -> int | None:
    """Most severe domain; unarousable (not from sedation) is grade 4 and makes the screen 4.

    Sedated past the screen (no score) with nothing else is not a grade: None (§9.9).
    """
    unarousable = level == "unarousable" and not sedated
    screen_grade = 4 if unarousable else (screen or 0)
    conscious = 0 if sedated else ORACLE_CONSCIOUSNESS[level]
    worst = max(
        screen_grade,
        conscious,
        ORACLE_SEIZURE[seizure],
        ORACLE_MOTOR[motor],
        ORACLE_IMAGING[imaging],
        4 if signs else 0,
    )
    if worst == 0 and sedated and screen is None:
        return None
    return worst


def test_every_adult_icans_input_matches_the_astct_table(guideline: Guideline) -> None:
    """Exhaustive over ICE × consciousness × sedation × seizure × motor × imaging × ICP signs."""
    checked = 0
    for ice, level, sedated, seizure, motor, imaging, signs in itertools.product(
        [*range(11), None],
        ORACLE_CONSCIOUSNESS,
        (False, True),
        ORACLE_SEIZURE,
        ORACLE_MOTOR,
        ORACLE_IMAGING,
        ICP_SETS,
    ):
        findings = IcansFindings(
            ice_score=ice,
            consciousness=level,
            consciousness_from_sedation=sedated,
            seizure=seizure,
            motor=motor,
            imaging=imaging,
            icp_signs=signs,
        )
        unarousable = level == "unarousable"
        if (ice is None and not unarousable) or (unarousable and not sedated and ice):
            with pytest.raises(FindingsError):
                grade_icans(findings, guideline)
            continue
        result = grade_icans(findings, guideline)
        screen = ORACLE_ICE[ice] if ice is not None else None
        expected = oracle_icans(screen, level, sedated, seizure, motor, imaging, signs)
        assert result.grade == expected, (ice, level, sedated, seizure, motor, imaging, signs)
        assert result.reasons
        checked += 1
    assert checked > 30_000


def test_every_capd_total_and_consciousness_in_a_child(guideline: Guideline) -> None:
    """Exhaustive CAPD 0-32 × consciousness for a 7-year-old: CAPD ≥ 9 is grade 3."""
    for total, level in itertools.product(range(33), ORACLE_CONSCIOUSNESS):
        if level == "unarousable" and total:
            continue
        findings = IcansFindings(capd_total=total, consciousness=level)
        result = grade_icans(findings, guideline, age_years=7)
        unarousable = level == "unarousable"
        expected = 4 if unarousable else max(oracle_capd(total), ORACLE_CONSCIOUSNESS[level])
        assert result.grade == expected, (total, level)


@pytest.mark.parametrize(("total", "grade"), [(8, 1), (9, 3)])
def test_capd_boundary(guideline: Guideline, total: int, grade: int) -> None:
    """CAPD 8 is grade 1 in an alert child; CAPD 9 is grade 3."""
    findings = IcansFindings(capd_total=total, consciousness="alert")
    assert grade_icans(findings, guideline, age_years=5).grade == grade


@pytest.mark.parametrize(
    ("findings", "age", "expected"),
    [
        ({"ice_score": 8, "consciousness": "alert"}, None, 1),
        ({"ice_score": 5, "consciousness": "wakes_to_voice"}, None, 2),
        ({"ice_score": 1, "consciousness": "alert"}, None, 3),
        ({"ice_score": 9, "consciousness": "alert", "icp_signs": ["papilloedema"]}, None, 4),
        ({"ice_score": 10, "consciousness": "alert", "motor": "tremor_or_myoclonus"}, None, 0),
        ({"capd_total": 10, "consciousness": "wakes_to_voice"}, 7, 3),
    ],
)
def test_worked_examples_of_clinical_rules(
    guideline: Guideline, findings: dict[str, object], age: int | None, expected: int
) -> None:
    """The worked ICANS examples of clinical-rules.md §8 give their stated grades."""
    result = grade_icans(IcansFindings.model_validate(findings), guideline, age_years=age)
    assert result.grade == expected


@pytest.mark.parametrize(("low", "high", "grade"), [(7, 9, 1), (3, 6, 2), (0, 2, 3)])
def test_each_ice_band_edge(guideline: Guideline, low: int, high: int, grade: int) -> None:
    """Both edges of each ICE band give the band's grade, and just outside does not."""
    for score in (low, high):
        findings = IcansFindings(ice_score=score, consciousness="alert")
        assert grade_icans(findings, guideline).grade == grade
    for outside in (low - 1, high + 1):
        if 0 <= outside <= 10:
            findings = IcansFindings(ice_score=outside, consciousness="alert")
            assert grade_icans(findings, guideline).grade != grade


def test_ice_zero_awake_is_grade_3_and_unarousable_is_grade_4(guideline: Guideline) -> None:
    """ICE 0 in an awake patient (e.g. aphasia) is grade 3; unarousable is grade 4."""
    awake = IcansFindings(ice_score=0, consciousness="alert")
    asleep = IcansFindings(consciousness="unarousable")
    assert grade_icans(awake, guideline).grade == 3
    result = grade_icans(asleep, guideline)
    assert result.grade == 4
    assert any("Cannot do the ICE" in r.text for r in result.reasons)


def test_ice_items_add_up_exhaustively() -> None:
    """Every combination of the ten ICE points scores the number of points earned."""
    bools = (False, True)
    for *flags, naming in itertools.product(*[bools] * 7, range(4)):
        year, month, city, hospital, commands, writing, counting = flags
        items = IceItems(
            year=year,
            month=month,
            city=city,
            hospital=hospital,
            commands=commands,
            naming=naming,
            writing=writing,
            counting=counting,
        )
        assert items.score == sum(flags) + naming


def test_ice_items_and_score_must_agree() -> None:
    """A typed ICE score that disagrees with the items is rejected."""
    items = {
        "year": True,
        "month": True,
        "city": True,
        "hospital": True,
        "commands": True,
        "naming": 3,
        "writing": True,
        "counting": False,
    }
    with pytest.raises(ValueError, match="disagrees"):
        IcansFindings.model_validate(
            {"ice_items": items, "ice_score": 10, "consciousness": "alert"}
        )


def test_sedation_is_not_counted(guideline: Guideline) -> None:
    """Drowsiness from sedating drugs does not grade; the note says so."""
    findings = IcansFindings(
        ice_score=10,
        consciousness="wakes_to_touch",
        consciousness_from_sedation=True,
    )
    result = grade_icans(findings, guideline)
    assert result.grade == 0
    assert any("sedating" in n.text for n in result.notes)


def test_sedated_past_the_screen_is_not_assessable_never_no_icans(guideline: Guideline) -> None:
    """Unarousable under sedation with nothing else: 'not assessable', not 'No ICANS' (§9.9)."""
    findings = IcansFindings(
        consciousness="unarousable",
        consciousness_from_sedation=True,
    )
    result = grade_icans(findings, guideline)
    assert result.grade is None
    assert "not assessable" in result.headline
    assert "No ICANS" not in result.headline


def test_haemorrhage_and_concurrent_crs_do_not_change_the_grade(guideline: Guideline) -> None:
    """Intracranial haemorrhage and concurrent CRS are noted, never graded."""
    base = {"ice_score": 8, "consciousness": "alert"}
    plain = grade_icans(IcansFindings.model_validate(base), guideline)
    noted = grade_icans(
        IcansFindings.model_validate(
            {**base, "intracranial_haemorrhage": True, "concurrent_crs": True}
        ),
        guideline,
    )
    assert plain.grade == noted.grade == 1
    assert len(noted.notes) == 2


@pytest.mark.parametrize(
    ("age", "tool", "delay", "error"),
    [(11, "ice", False, "CAPD"), (12, None, False, "which tool"), (13, "capd", False, "delay")],
)
def test_tool_rules_by_age(
    guideline: Guideline, age: int, tool: str | None, delay: bool, error: str
) -> None:
    """Under 12 needs CAPD; exactly 12 must name a tool; CAPD over 12 needs developmental delay."""
    findings = IcansFindings.model_validate(
        {
            "tool": tool,
            "developmental_delay": delay,
            "ice_score": 9,
            "capd_total": 3,
            "consciousness": "alert",
        }
    )
    with pytest.raises(FindingsError, match=error):
        grade_icans(findings, guideline, age_years=age)


@pytest.mark.parametrize(("tool", "grade"), [("ice", 1), ("capd", 1)])
def test_at_twelve_the_named_tool_is_used(guideline: Guideline, tool: str, grade: int) -> None:
    """At exactly 12, the tool the caller names is the one graded."""
    findings = IcansFindings.model_validate(
        {"tool": tool, "ice_score": 8, "capd_total": 4, "consciousness": "alert"}
    )
    result = grade_icans(findings, guideline, age_years=12)
    assert result.grade == grade
    assert result.reasons[0].text.startswith(tool.upper())


def test_capd_for_an_older_patient_with_developmental_delay(guideline: Guideline) -> None:
    """An adult with developmental delay may be graded with the CAPD."""
    findings = IcansFindings.model_validate(
        {"tool": "capd", "developmental_delay": True, "capd_total": 12, "consciousness": "alert"}
    )
    assert grade_icans(findings, guideline, age_years=30).grade == 3


def test_hlh_screen_is_exhaustive_over_its_findings(guideline: Guideline) -> None:
    """Ferritin must exceed 10,000 ng/mL and two or more of the four findings be present."""
    names = ("liver", "renal", "pulmonary_oedema", "haemophagocytosis")
    for ferritin, flags in itertools.product(
        (9_999, 10_000, 10_001, 50_000), itertools.product((False, True), repeat=4)
    ):
        findings = HlhFindings(peak_ferritin_ng_ml=ferritin, **dict(zip(names, flags, strict=True)))
        result = screen_hlh(findings, guideline)
        assert result.met == (ferritin > 10_000 and sum(flags) >= 2), (ferritin, flags)
        assert all(r.citation is not None for r in result.reasons)
