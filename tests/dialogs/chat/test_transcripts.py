"""Whole-dialog transcripts: every dialog walked to each grade it can give."""

from __future__ import annotations

import pytest

from dialogs.chat.engine import DialogEngine
from tests.dialogs.client import DialogClient


def crs(engine: DialogEngine, *answers: str) -> DialogClient:
    client = DialogClient(engine, "crs")
    client.answer(*answers)
    return client


@pytest.mark.parametrize(
    ("answers", "headline"),
    [
        (("37.6", "none"), "No CRS"),
        (("38.4", "none", "none", "room air", "70"), "CRS grade 1"),
        (("39.0", "none", "fluids", "no", "nasal cannula", "2", "no", "70"), "CRS grade 2"),
        (("38.2", "none", "vasopressors", "vasopressin", "no", "room air", "70"), "CRS grade 3"),
        (
            ("37.0", "tocilizumab", "none", "nasal cannula", "8", "no", "70", "1", "1"),
            "CRS grade 3",
        ),
        (
            (
                "39.8",
                "none",
                "vasopressors",
                "norepinephrine, phenylephrine",
                "no",
                "cpap",
                "110",
            ),
            "CRS grade 4",
        ),
        (("37.0", "tocilizumab", "none", "room air"), "CRS not gradable"),
        (("38.5", "none", "fluids", "yes", "facemask", "other", "70"), "CRS grade 1"),
    ],
    ids=[
        "none",
        "g1",
        "g2",
        "g3-vasopressin",
        "g3-after-toci",
        "g4",
        "undefined",
        "other-causes-excluded",
    ],
)
def test_crs_dialog_reaches_each_grade(
    engine: DialogEngine, answers: tuple[str, ...], headline: str
) -> None:
    """The CRS dialog, answered by typing, ends with the expected grade on its first line."""
    client = crs(engine, *answers)
    assert client.result.splitlines()[0].startswith(headline)


def test_crs_result_gives_escalation_first_then_doses(engine: DialogEngine) -> None:
    """CRS 4 at 110 kg: ICU first, tocilizumab capped at 800 mg with the arithmetic."""
    client = crs(
        engine,
        "39.8",
        "none",
        "vasopressors",
        "noradrenaline, adrenaline",
        "no",
        "bipap",
        "110",
    )
    lines = client.visible.splitlines()
    assert lines[0] == "CRS grade 4"
    assert lines[1] == "Do now:"
    assert lines[2].startswith("Call: ICU lead")
    assert lines[3].startswith("1. ICU care.")
    assert "8 mg/kg × 110 kg = 880 mg, capped at 800 mg" in client.visible
    assert "Guideline: ACLIN.P.088 v2.1" in client.result
    assert client.result.splitlines()[-1].startswith("Decision support only")


def test_crs_asks_tocilizumab_doses_when_toci_was_given(engine: DialogEngine) -> None:
    """After prior tocilizumab, the doses given are asked; 3 in 24 h gives the cap warning."""
    client = crs(engine, "38.9", "tocilizumab", "fluids", "no", "room air", "70")
    assert client.last.text.startswith("Tocilizumab doses given in the last 24 hours")
    client.answer("3", "3")
    assert client.last.text.startswith("How many hours ago was the last tocilizumab dose?")
    client.send("6")
    assert "Tocilizumab withheld: 3 doses in the last 24 h, the most allowed is 3" in client.visible
    assert "by 18 h from now at the latest" in client.visible
    assert "Tocilizumab 560 mg" not in client.result


def test_a_bare_weight_outside_the_usual_range_asks_kg_or_lb(engine: DialogEngine) -> None:
    """'220' may be kg or lb: both readings are offered; the one tapped is recorded."""
    client = DialogClient(engine, "dose")
    client.send("tocilizumab")
    client.send("220")
    assert client.last.text == "Which is it: 220 kg, or 220 lb = 99.8 kg?"
    client.click("220 lb")
    client.answer("0", "0")
    assert "8 mg/kg × 99.8 kg = 798.4 mg, rounded to 798 mg" in client.result


def test_no_fever_and_no_treatment_ends_the_crs_dialog_at_once(engine: DialogEngine) -> None:
    """37.9 °C with no treatment yet: 'No CRS' after two answers, no BP or oxygen questions."""
    client = crs(engine, "37.9", "none")
    assert client.result.splitlines()[0] == "No CRS"
    febrile = crs(engine, "38.0", "none")
    assert febrile.last.text.startswith("Blood pressure support?")
    treated = crs(engine, "37.2", "tocilizumab")
    assert treated.last.text.startswith("Blood pressure support?")


def test_crs_without_prior_toci_does_not_ask_doses_given(engine: DialogEngine) -> None:
    """With no tocilizumab given yet, the count is known to be zero and not asked."""
    client = crs(engine, "38.9", "none", "fluids", "no", "room air", "70")
    assert any(r.kind == "result" for r in client.replies)


def test_weight_unknown_shows_per_kg_rule_and_says_so(engine: DialogEngine) -> None:
    """'Unknown' weight is accepted; the result shows mg/kg and what was assumed."""
    client = crs(engine, "38.4", "none", "none", "room air")
    client.click("Unknown")
    assert "8 mg/kg (12 mg/kg under 30 kg)" in client.result
    assert "Not known: weight; doses shown per kg" in client.result


ICANS_TAIL = ("none", "none", "none", "not done")


@pytest.mark.parametrize(
    ("answers", "headline"),
    [
        (("45", "10", "alert", *ICANS_TAIL, "no"), "No ICANS"),
        (("45", "8", "alert", *ICANS_TAIL, "no"), "ICANS grade 1"),
        (("45", "5", "wakes to voice", "no", *ICANS_TAIL, "no", "70"), "ICANS grade 2"),
        (("45", "1", "alert", *ICANS_TAIL, "no", "70"), "ICANS grade 3"),
        (
            (
                "45",
                "9",
                "alert",
                "none",
                "none",
                "papilloedema",
                "stage 2",
                "no oedema",
                "15",
                "no",
                "70",
            ),
            "ICANS grade 4",
        ),
        (("45", "cannot be woken", *ICANS_TAIL, "yes", "70", "0", "0"), "ICANS grade 4"),
        (("7", "10", "wakes to voice", "no", *ICANS_TAIL, "no", "25 kg"), "ICANS grade 3"),
        (("child", "4", "alert", *ICANS_TAIL, "no"), "ICANS grade 1"),
        (("12", "capd", "9", "alert", *ICANS_TAIL, "no", "40"), "ICANS grade 3"),
        (("12", "ice", "9", "alert", *ICANS_TAIL, "no"), "ICANS grade 1"),
        (("45", "10", "wakes to touch", "yes", *ICANS_TAIL, "no"), "No ICANS"),
        (("45", "10", "alert", "brief", "none", "none", "not done", "no", "70"), "ICANS grade 3"),
        (("45", "10", "alert", "none", "tremor", "none", "not done", "no"), "No ICANS"),
    ],
    ids=[
        "none",
        "g1",
        "g2",
        "g3",
        "g4-papilloedema",
        "g4-unarousable",
        "child-capd-g3",
        "child-capd-g1",
        "twelve-capd",
        "twelve-ice",
        "sedation-excluded",
        "seizure-g3",
        "tremor-only",
    ],
)
def test_icans_dialog_reaches_each_grade(
    engine: DialogEngine, answers: tuple[str, ...], headline: str
) -> None:
    """The ICANS dialog, typed, ends with the expected grade."""
    client = DialogClient(engine, "icans")
    client.answer(*answers)
    assert client.result.splitlines()[0] == headline


def test_guided_ice_inside_icans_counts_the_points(engine: DialogEngine) -> None:
    """Guided ICE: 4 + 1 + 2 + 0 + 1 = 8 points → ICANS grade 1 from the ICE."""
    client = DialogClient(engine, "icans")
    client.send("45")
    client.click("Guide me")
    for label in (
        "Correct",
        "Correct",
        "Correct",
        "Correct",
        "Correct",
        "2 of 3",
        "Wrong",
        "Correct",
    ):
        client.click(label)
    assert client.last.text == "Level of consciousness?"
    client.answer("alert", *ICANS_TAIL, "no")
    assert client.result.splitlines()[0] == "ICANS grade 1"
    assert "ICE 8/10 (7–9)" in client.result


def test_ice_zero_asks_whether_the_patient_can_be_woken(engine: DialogEngine) -> None:
    """After ICE 0 the consciousness question asks whether the patient can be woken."""
    client = DialogClient(engine, "icans")
    client.answer("45", "0")
    assert client.last.text.startswith("ICE is 0. Can the patient be woken?")
    assert any(o.label.startswith("Unarousable") for o in client.last.options)
    client.answer("alert", *ICANS_TAIL, "no", "70")
    assert client.result.splitlines()[0] == "ICANS grade 3"


def test_convulsive_status_opens_its_pathway_with_doses(engine: DialogEngine) -> None:
    """Convulsive status: ICANS 4 with the status epilepticus pathway and weight-based doses."""
    client = DialogClient(engine, "icans")
    client.answer(
        "45", "6", "alert", "status_convulsive", "none", "none", "not done", "yes", "70", "0", "0"
    )
    assert client.result.splitlines()[0] == "ICANS grade 4"
    assert "Status epilepticus, convulsive (Table 6)" in client.result
    assert "Phenobarbital 1,050 mg IV, loading dose (15 mg/kg × 70 kg = 1,050 mg)" in client.result


@pytest.mark.parametrize(
    ("clicks", "line"),
    [
        (
            ("Correct",) * 5 + ("3 of 3",) + ("Correct",) * 2,
            "ICE 10/10 → ICE domain of ICANS: normal (no ICANS from the ICE)",
        ),
        (
            ("Correct",) * 5 + ("1 of 3",) + ("Correct",) * 2,
            "ICE 8/10 → ICE domain of ICANS: grade 1",
        ),
        (
            ("Wrong",) * 3 + ("Correct",) * 2 + ("1 of 3",) + ("Wrong", "Correct"),
            "ICE 4/10 → ICE domain of ICANS: grade 2",
        ),
        (
            ("Wrong",) * 5 + ("0 of 3",) + ("Wrong", "Correct"),
            "ICE 1/10 → ICE domain of ICANS: grade 3",
        ),
        (("Cannot be woken",), "ICE not possible: patient cannot be woken → ICANS grade 4"),
    ],
    ids=["10", "8", "4", "1", "unarousable"],
)
def test_guided_ice_dialog(engine: DialogEngine, clicks: tuple[str, ...], line: str) -> None:
    """The bedside ICE: one point per message, running total, result with the ICE-domain grade."""
    client = DialogClient(engine, "ice")
    assert client.last.text.startswith("Task 1 of 8 · 0/10 so far")
    for label in clicks:
        client.click(label)
    assert client.result.splitlines()[0] == line


def test_full_assessment_combines_crs_and_icans(engine: DialogEngine) -> None:
    """The twice-daily review: CRS then ICANS in one walk, one result, escalation first."""
    client = DialogClient(engine, "assessment")
    client.answer(
        "39.1",
        "none",
        "vasopressors",
        "noradrenaline",
        "no",
        "facemask",
        "60",
        "4",
        "alert",
        *ICANS_TAIL,
        "64",
    )
    lines = client.visible.splitlines()
    assert lines[0] == "CRS grade 3 · ICANS grade 2"
    assert lines[1] == "Do now:"
    assert lines[2].startswith("Call: ICU lead")
    assert lines[3].startswith("1. Consider ICU care.")
    assert "Tocilizumab 512 mg" in client.visible
    assert client.result.count("Tocilizumab 512 mg") == 1, "one tocilizumab order"
    assert "Without concurrent CRS" not in client.result


@pytest.mark.parametrize(
    ("answers", "headline", "fragment"),
    [
        (
            ("25000", "yes", "no", "yes", "no", "170", "70"),
            "Possible CAR-T-related HLH/MAS",
            "Etoposide 136–182 mg",
        ),
        (("10000", "yes", "yes", "yes", "yes"), "HLH/MAS criteria not met", "not > 10,000"),
        (("15000", "yes", "no", "no", "no"), "HLH/MAS criteria not met", "1 of the organ"),
    ],
)
def test_hlh_dialog(
    engine: DialogEngine, answers: tuple[str, ...], headline: str, fragment: str
) -> None:
    """HLH/MAS screen: ferritin > 10,000 plus two findings; etoposide dosed by BSA."""
    client = DialogClient(engine, "hlh")
    client.send(answers[0])
    client.answer(*answers[1:5])
    if len(answers) > 5:
        assert client.last.text.startswith("Weight")
        client.send(answers[6])
        assert client.last.text.startswith("Height")
        client.send(answers[5])
    assert client.result.splitlines()[0] == headline
    assert fragment in client.result


def test_dose_calculator_tocilizumab_and_etoposide(engine: DialogEngine) -> None:
    """The dose calculator works out tocilizumab (with its count check) and etoposide by BSA."""
    client = DialogClient(engine, "dose")
    client.click("Tocilizumab")
    client.answer("20 kg", "1", "2")
    assert "Tocilizumab 240 mg" in client.result
    assert "12 mg/kg × 20 kg = 240 mg, the under-30-kg dose" in client.result
    client = DialogClient(engine, "dose")
    client.click("Etoposide")
    client.answer("70", "170")
    assert "√(170 cm × 70 kg / 3600) = 1.818 m²" in client.result
