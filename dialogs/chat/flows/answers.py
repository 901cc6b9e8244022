"""Turn a dialog's answers into validated findings, and the facts the routing needs from them.

The routing conditions read answers only. What a dose question depends on, the regimens the care
plan advises, is an answer derived by grading: `ADVISED`, which the engine supplies beside the
answers (graded when a condition first reads it, once per move), never stored in the session.
So is `HYPOXIA_CAUSE_MATTERS`: whether counting the oxygen as CRS or not changes a grade or the
plan (graded both ways), which decides whether the oxygen's cause is asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.chat.questions import capd_total, ice_score
from dialogs.chat.session import Answer, whole
from dialogs.clinical.findings import Findings, Patient, TocilizumabDoses
from dialogs.clinical.guideline import Guideline
from dialogs.clinical.vocab import IcpSign, Imaging

__all__ = [
    "ADVISED",
    "HYPOXIA_CAUSE_MATTERS",
    "findings_of",
    "ice_score",
    "needs_height",
    "needs_toci_history",
    "needs_weight",
    "weight_asked",
    "weight_unknown",
]

Answers = Mapping[str, Answer]
# The derived answer: the regimens the care plan doses or withholds for the answers so far.
ADVISED = "advised_regimens"
# The derived answer: whether the oxygen's cause would change a grade or the plan.
HYPOXIA_CAUSE_MATTERS = "hypoxia_cause_matters"
_SIGNS = frozenset(sign.value for sign in IcpSign)
_OEDEMA = (Imaging.FOCAL_OEDEMA.value, Imaging.DIFFUSE_OEDEMA.value)


def unarousable(answers: Answers) -> bool:
    """Whether the patient was recorded as impossible to wake for the ICE or CAPD."""
    return "unarousable" in (
        answers.get("ice_score"),
        answers.get("ice.year"),
        answers.get("capd_total"),
        answers.get("consciousness"),
    )


def _measure(answer: Answer) -> dict[str, Any] | None:
    return answer if isinstance(answer, dict) else None


def _crs(answers: Answers) -> dict[str, Any] | None:
    temperature = _measure(answers.get("temperature"))
    if temperature is None:
        return None
    hypoxia_cause = answers.get("hypoxia_cause")
    oxygen = answers.get("oxygen", "none")
    return {
        "max_temperature": temperature,
        "prior_treatment": answers.get("prior_treatment") or [],
        "hypotension": answers.get("hypotension", "none"),
        "vasopressors": answers.get("vasopressors") or [],
        "hypotension_other_cause": bool(answers.get("hypotension_other_cause")),
        "oxygen": oxygen,
        "oxygen_flow_l_min": answers.get("oxygen_flow_l_min"),
        "oxygen_for_comfort_only": hypoxia_cause == "comfort",
        "hypoxia_other_cause": hypoxia_cause == "other",
    }


# The answers that start the ICANS findings: the age (the ICANS questions), or what an emergency
# entry asks first (the seizure, the signs of raised ICP).
_ICANS_START = ("age_years", "seizure", "icp_now")


def _icp(answers: Answers) -> tuple[list[str], str]:
    """The raised-ICP signs and the imaging, from their own questions or the emergency's first.

    The raised-ICP entry asks the signs and any oedema on imaging in one question (`icp_now`);
    an answer to the ICANS question itself, where asked, wins.
    """
    now = answers.get("icp_now")
    chosen = now if isinstance(now, list) else []
    signs = answers.get("icp_signs")
    if not isinstance(signs, list):
        signs = [c for c in chosen if c in _SIGNS]
    imaging = answers.get("imaging")
    if not isinstance(imaging, str):
        # The more severe oedema when both were ticked; no oedema ticked says nothing of imaging.
        seen = [kind for kind in _OEDEMA if kind in chosen]
        imaging = seen[-1] if seen else "not_done"
    return signs, imaging


def weight_asked(answers: Answers) -> bool:
    """Whether the weight was asked already (given, or said not known)."""
    return "weight" in answers or "patient_size" in answers


def weight_unknown(answers: Answers) -> bool:
    """Whether the weight was asked and is not known."""
    return weight_asked(answers) and patient_of(answers)[0].weight is None


def _icans(answers: Answers) -> dict[str, Any] | None:
    if not any(key in answers for key in _ICANS_START):
        return None
    age = answers.get("age_years")  # the age itself goes to the patient (patient_of)
    document: dict[str, Any] = {}
    if age == "child":
        document["tool"] = "capd"
    elif age == "delay":
        document["developmental_delay"] = True
    if answers.get("tool") is not None:
        document["tool"] = answers["tool"]
    # A guided CAPD's items add up to the same total a typed one gives.
    capd = capd_total(answers)
    if capd is not None:
        document["tool"] = "capd"
        document["capd_total"] = capd
    elif answers.get("capd_total") == "unarousable":
        document["tool"] = "capd"
    score = ice_score(answers)
    if score is not None and document.get("tool") != "capd":
        document["ice_score"] = score
    level = "unarousable" if unarousable(answers) else answers.get("consciousness", "alert")
    document["consciousness"] = level
    document["consciousness_from_sedation"] = bool(answers.get("consciousness_from_sedation"))
    for key, default in (("seizure", "none"), ("motor", "none")):
        document[key] = answers.get(key, default)
    document["icp_signs"], document["imaging"] = _icp(answers)
    for key in ("papilloedema_stage", "csf_opening_pressure_mmhg", "concurrent_crs"):
        if answers.get(key) is not None:
            document[key] = answers[key]
    return document


def patient_of(answers: Answers) -> tuple[Patient, TocilizumabDoses | None]:
    """The patient facts for dosing, and the tocilizumab doses already given if known."""
    patient: dict[str, Any] = {}
    for key in ("weight", "height"):
        if _measure(answers.get(key)) is not None:
            patient[key] = answers[key]
    size = answers.get("patient_size")  # an emergency entry: the weight, or adult/child
    if "weight" not in patient and _measure(size) is not None:
        patient["weight"] = size
    age = whole(answers.get("age_years"))
    if age is not None:
        patient["age_years"] = age
    if size in ("adult", "child"):
        patient["age_group"] = size
    elif answers.get("age_years") == "child":
        # "Under 12" at the ICANS age question: a child, whose fixed adult doses are never shown.
        patient["age_group"] = "child"
    prior = answers.get("prior_treatment")
    t24, total = whole(answers.get("toci_24h")), whole(answers.get("toci_total"))
    doses = None
    hours = answers.get("toci_hours")
    since = float(hours) if isinstance(hours, int | float) else None
    if t24 is not None and total is not None:
        doses = TocilizumabDoses(last_24h=t24, total=max(total, t24), hours_since_last=since)
    elif isinstance(prior, list) and "tocilizumab" not in prior:
        # The doctor said no tocilizumab has been given: the count is known to be zero.
        doses = TocilizumabDoses(last_24h=0, total=0)
    return Patient.model_validate(patient), doses


def findings_of(answers: Answers) -> Findings:
    """Build the findings document the answers so far describe."""
    patient, doses = patient_of(answers)
    document: dict[str, Any] = {"patient": patient, "tocilizumab_doses": doses}
    crs = _crs(answers)
    if crs is not None:
        document["crs"] = crs
    icans = _icans(answers)
    if icans is not None:
        document["icans"] = icans
    if answers.get("peak_ferritin_ng_ml") is not None:
        document["hlh"] = {
            "peak_ferritin_ng_ml": answers["peak_ferritin_ng_ml"],
            **{
                k: bool(answers.get(k))
                for k in ("liver", "renal", "pulmonary_oedema", "haemophagocytosis")
            },
        }
    return Findings.model_validate(document)


def _chosen_regimens(answers: Answers) -> list[str]:
    """The regimen chosen in the dose calculator, else those the care plan advises."""
    regimen = answers.get("regimen")
    if isinstance(regimen, str):
        return [regimen]
    advised = answers[ADVISED]  # a KeyError here: the engine must supply the derived answer
    assert isinstance(advised, list)
    return advised


def needs_weight(answers: Answers, guideline: Guideline) -> bool:
    """Whether a dose to be shown depends on weight (or body surface area)."""
    return any(guideline.regimen(r).basis != "fixed" for r in _chosen_regimens(answers))


def needs_height(answers: Answers, guideline: Guideline) -> bool:
    """Whether a dose to be shown needs body surface area, and the weight is known."""
    if not isinstance(answers.get("weight"), dict):
        return False
    return any(guideline.regimen(r).basis == "per_m2" for r in _chosen_regimens(answers))


def needs_toci_history(answers: Answers, guideline: Guideline) -> bool:
    """Whether tocilizumab will be advised and the doses already given are not yet known."""
    if "tocilizumab" not in _chosen_regimens(answers):
        return False
    return patient_of(answers)[1] is None
