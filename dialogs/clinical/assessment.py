"""A whole assessment: findings in; grades, per-domain grades and the care plan out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from dialogs import texts
from dialogs.clinical.careplan import CarePlan, build_plan
from dialogs.clinical.dosing import bsa_arithmetic, dose_weight
from dialogs.clinical.findings import Findings
from dialogs.clinical.grading import Grade, HlhScreen, grade_crs, grade_icans, screen_hlh
from dialogs.clinical.guideline import Guideline
from dialogs.clinical.units import fmt

__all__ = ["SCHEMA_VERSION", "Assessment", "advised_regimens", "assess"]

# Bumped whenever the JSON of an assessment changes shape (2: the care plan replaced the list).
SCHEMA_VERSION = 2


class Assessment(BaseModel):
    """The result of an assessment, computed with one guideline version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["assessment"] = "assessment"
    schema_version: int = SCHEMA_VERSION
    guideline: str
    crs: Grade | None = None
    icans: Grade | None = None
    hlh: HlhScreen | None = None
    ice_score: int | None = None
    capd_total: int | None = None
    patient: tuple[str, ...] = ()
    plan: CarePlan
    disclaimer: str = texts.DISCLAIMER

    @property
    def headline(self) -> str:
        """All grades in one line, e.g. 'CRS grade 2 · ICANS grade 3'."""
        parts = [g.headline for g in (self.crs, self.icans) if g is not None]
        if self.hlh is not None:
            parts.append(self.hlh.headline)
        return " · ".join(parts)


def _patient_lines(findings: Findings) -> list[str]:
    """The patient's size as used for the doses, with any conversion shown."""
    patient = findings.patient
    echo: list[str] = []
    if patient.age_years is not None:
        echo.append(texts.PATIENT_AGE.format(age=patient.age_years))
    if patient.weight is not None:
        w = patient.weight
        converted = f" = {fmt(dose_weight(w.kg))} kg" if w.unit != "kg" else ""
        echo.append(f"Weight {fmt(w.value)} {w.unit}{converted}")
    if patient.height is not None:
        h = patient.height
        converted = f" = {fmt(h.cm)} cm" if h.unit != "cm" else ""
        echo.append(f"Height {fmt(h.value)} {h.unit}{converted}")
        if patient.weight is not None and findings.hlh is not None:
            echo.append(bsa_arithmetic(h.cm, patient.weight.kg))
    doses = findings.tocilizumab_doses
    if doses is not None:
        since = (
            texts.PATIENT_TOCI_SINCE.format(hours=fmt(doses.hours_since_last))
            if doses.hours_since_last is not None
            else ""
        )
        echo.append(texts.PATIENT_TOCI.format(day=doses.last_24h, total=doses.total, since=since))
    return echo


def assess(findings: Findings, guideline: Guideline) -> Assessment:
    """Grade whatever the findings cover and build the care plan."""
    crs = grade_crs(findings.crs, guideline) if findings.crs is not None else None
    icans = (
        grade_icans(findings.icans, guideline, findings.patient.age_years)
        if findings.icans is not None
        else None
    )
    hlh = screen_hlh(findings.hlh, guideline) if findings.hlh is not None else None
    score = icans.score if icans is not None else None
    return Assessment(
        guideline=guideline.version,
        crs=crs,
        icans=icans,
        hlh=hlh,
        ice_score=score[1] if score is not None and score[0] == "ICE" else None,
        capd_total=score[1] if score is not None and score[0] == "CAPD" else None,
        patient=tuple(_patient_lines(findings)),
        plan=build_plan(findings, crs, icans, hlh, guideline),
    )


def advised_regimens(result: Assessment) -> list[str]:
    """The regimens the plan doses or withholds (for routing: is a weight needed?)."""
    regimens = [d.regimen for step in result.plan.steps() for d in step.doses]
    regimens += [r for held in result.plan.withheld for r in held.regimens]
    return list(dict.fromkeys(regimens))
