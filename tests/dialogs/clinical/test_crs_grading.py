"""CRS grading against ASTCT 2019, written here as plain tables independent of the data files."""

from __future__ import annotations

import itertools

import pytest

from dialogs.clinical.findings import CrsFindings
from dialogs.clinical.grading import grade_crs
from dialogs.clinical.guideline import Guideline

# --- The ASTCT rules, restated by hand from clinical-rules.md §1 (not read from the data) ---
ORACLE_PRESSORS_COUNTED = {"noradrenaline", "adrenaline", "dopamine", "phenylephrine"}
# (device, flow) -> hypoxia grade, 1 meaning "no hypoxia"
ORACLE_OXYGEN = {
    ("none", None): 1,
    ("blow_by", None): 2,
    ("nasal_cannula", 2.0): 2,
    ("nasal_cannula", 6.0): 2,
    ("nasal_cannula", 6.5): 3,
    ("high_flow_nasal_cannula", None): 3,
    ("facemask", None): 3,
    ("non_rebreather", None): 3,
    ("venturi", None): 3,
    ("cpap", None): 4,
    ("bipap", None): 4,
    ("mechanical_ventilation", None): 4,
}
ALL_PRESSORS = ("noradrenaline", "adrenaline", "dopamine", "phenylephrine", "vasopressin")


def oracle_hypotension(level: str, pressors: tuple[str, ...]) -> int:
    """Hypotension grade by hand: vasopressin alone is one; it never counts towards multiple."""
    if level == "none":
        return 1
    if level == "fluids":
        return 2
    counted = sum(1 for p in pressors if p in ORACLE_PRESSORS_COUNTED)
    return 4 if counted >= 2 else 3


def oracle_crs(temp_c: float, prior: tuple[str, ...], hypo: int, hypox: int) -> int | None:
    """CRS grade by hand: 0 none, None undefined (afebrile after treatment, nothing else)."""
    fever = temp_c >= 38.0
    if not fever and not prior:
        return 0
    worst = max(hypo, hypox)
    if fever:
        return worst
    return worst if worst > 1 else None


def _findings(**kwargs: object) -> CrsFindings:
    return CrsFindings.model_validate(kwargs)


def _pressor_sets() -> list[tuple[str, ...]]:
    return [c for n in range(1, 6) for c in itertools.combinations(ALL_PRESSORS, n)]


def test_every_discrete_crs_input_matches_the_astct_table(guideline: Guideline) -> None:
    """Exhaustive: fever × prior treatment × blood-pressure support × oxygen × exclusions."""
    hypotension_cases = [("none", ()), ("fluids", ())] + [
        ("vasopressors", s) for s in _pressor_sets()
    ]
    checked = 0
    for temp, prior, (level, pressors), (
        device,
        flow,
    ), hyp_other, hypox_other, comfort in itertools.product(
        (37.9, 38.0),
        ((), ("antipyretic",), ("tocilizumab",), ("steroids",)),
        hypotension_cases,
        ORACLE_OXYGEN,
        (False, True),
        (False, True),
        (False, True),
    ):
        result = grade_crs(
            _findings(
                max_temperature={"value": temp},
                prior_treatment=prior,
                hypotension=level,
                vasopressors=pressors,
                hypotension_other_cause=hyp_other,
                oxygen=device,
                oxygen_flow_l_min=flow,
                hypoxia_other_cause=hypox_other,
                oxygen_for_comfort_only=comfort,
            ),
            guideline,
        )
        hypo = 1 if hyp_other else oracle_hypotension(level, pressors)
        hypox = 1 if (hypox_other or comfort) else ORACLE_OXYGEN[(device, flow)]
        expected = oracle_crs(temp, prior, hypo, hypox)
        assert result.grade == expected, (temp, prior, level, pressors, device, flow)
        assert result.reasons, "every result names the finding(s) that set it"
        assert all(r.citation is not None for r in result.reasons)
        checked += 1
    assert checked == 2 * 4 * 33 * 12 * 8


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ({"max_temperature": {"value": 38.4}}, 1),
        (
            {
                "max_temperature": {"value": 37.6},
                "hypotension": "vasopressors",
                "vasopressors": ["noradrenaline"],
            },
            0,
        ),
        (
            {
                "max_temperature": {"value": 39.0},
                "hypotension": "fluids",
                "oxygen": "nasal_cannula",
                "oxygen_flow_l_min": 2,
            },
            2,
        ),
        (
            {
                "max_temperature": {"value": 38.2},
                "hypotension": "vasopressors",
                "vasopressors": ["vasopressin"],
            },
            3,
        ),
        (
            {
                "max_temperature": {"value": 36.8},
                "prior_treatment": ["tocilizumab"],
                "oxygen": "nasal_cannula",
                "oxygen_flow_l_min": 8,
            },
            3,
        ),
        (
            {
                "max_temperature": {"value": 39.8},
                "hypotension": "vasopressors",
                "vasopressors": ["noradrenaline", "phenylephrine"],
                "oxygen": "cpap",
            },
            4,
        ),
        (
            {
                "max_temperature": {"value": 101.0, "unit": "F"},
                "organ_toxicities": [{"system": "transaminitis", "ctcae_grade": 4}],
            },
            1,
        ),
    ],
)
def test_worked_examples_of_clinical_rules(
    guideline: Guideline, findings: dict[str, object], expected: int
) -> None:
    """The worked CRS examples of clinical-rules.md §8 give their stated grades."""
    assert grade_crs(CrsFindings.model_validate(findings), guideline).grade == expected


@pytest.mark.parametrize(
    ("value", "unit", "fever"),
    [
        (37.9, "C", False),
        (38.0, "C", True),
        (100.3, "F", False),
        (100.4, "F", True),
        (37.99, "C", False),
    ],
)
def test_fever_boundary(guideline: Guideline, value: float, unit: str, fever: bool) -> None:
    """Fever starts at exactly 38.0 °C = 100.4 °F; 37.9 °C and 100.3 °F are not fever."""
    result = grade_crs(_findings(max_temperature={"value": value, "unit": unit}), guideline)
    assert result.grade == (1 if fever else 0)


@pytest.mark.parametrize(("flow", "grade"), [(0.5, 2), (6.0, 2), (6.01, 3), (6.5, 3), (15, 3)])
def test_nasal_cannula_flow_boundary(guideline: Guideline, flow: float, grade: int) -> None:
    """Nasal cannula is low-flow up to and including 6 L/min, high-flow above."""
    result = grade_crs(
        _findings(max_temperature={"value": 38.5}, oxygen="nasal_cannula", oxygen_flow_l_min=flow),
        guideline,
    )
    assert result.grade == grade


def test_fahrenheit_is_echoed_in_celsius(guideline: Guideline) -> None:
    """A °F temperature is shown converted to °C."""
    result = grade_crs(_findings(max_temperature={"value": 101.0, "unit": "F"}), guideline)
    assert any("101 °F = 38.33 °C" in n.text for n in result.notes)


def test_organ_toxicity_is_noted_but_never_grades(guideline: Guideline) -> None:
    """A grade 4 transaminitis is recorded as a note and leaves CRS at grade 1."""
    result = grade_crs(
        _findings(
            max_temperature={"value": 38.6},
            organ_toxicities=[
                {"system": "transaminitis", "ctcae_grade": 4},
                {"system": "aki", "ctcae_grade": 3},
            ],
        ),
        guideline,
    )
    assert result.grade == 1
    assert sum("does not change the CRS grade" in n.text for n in result.notes) == 2


def test_afebrile_after_treatment_is_reported_undefined(guideline: Guideline) -> None:
    """Afebrile after tocilizumab with no hypotension or hypoxia gets no invented grade."""
    result = grade_crs(
        _findings(max_temperature={"value": 37.0}, prior_treatment=["tocilizumab"]), guideline
    )
    assert result.grade is None
    assert "re-assess" in result.headline


def test_fever_with_another_cause_does_not_count(guideline: Guideline) -> None:
    """Fever attributed to another cause is not CRS fever."""
    result = grade_crs(
        _findings(max_temperature={"value": 39.0}, fever_other_cause=True), guideline
    )
    assert result.grade == 0


def test_death_from_crs_is_grade_5(guideline: Guideline) -> None:
    """Grade 5 is death from CRS."""
    result = grade_crs(_findings(max_temperature={"value": 37.0}, death_from_crs=True), guideline)
    assert result.grade == 5


def test_reasons_name_the_deciding_findings(guideline: Guideline) -> None:
    """When hypotension and hypoxia tie, both are named as reasons."""
    result = grade_crs(
        _findings(max_temperature={"value": 38.5}, hypotension="fluids", oxygen="blow_by"),
        guideline,
    )
    assert result.grade == 2
    assert len(result.reasons) == 2
