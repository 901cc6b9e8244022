"""A whole assessment: findings in; grades, pathways and ordered advice out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from dialogs import texts
from dialogs.advice import (
    AdviceItem,
    DoseContext,
    crs_advice,
    finish,
    hlh_advice,
    icans_advice,
    icp_pathway,
    raised_icp_advice,
    status_epilepticus_advice,
    status_pathway,
)
from dialogs.dosing import bsa_arithmetic
from dialogs.findings import Findings
from dialogs.grading import Grade, HlhScreen, grade_crs, grade_icans, screen_hlh
from dialogs.guideline import Guideline
from dialogs.units import fmt

__all__ = ["Assessment", "assess"]


class Assessment(BaseModel):
    """The result of an assessment, computed with one guideline version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = "assessment"
    guideline: str
    crs: Grade | None = None
    icans: Grade | None = None
    hlh: HlhScreen | None = None
    pathways: tuple[str, ...] = ()
    patient: tuple[str, ...] = ()
    advice: tuple[AdviceItem, ...] = ()
    disclaimer: str = texts.DISCLAIMER

    @property
    def headline(self) -> str:
        """All grades in one line, e.g. 'CRS grade 2 · ICANS grade 3'."""
        parts = [g.headline for g in (self.crs, self.icans) if g is not None]
        if self.hlh is not None:
            parts.append(self.hlh.headline)
        return " · ".join(parts)


def assess(findings: Findings, guideline: Guideline) -> Assessment:
    """Grade whatever the findings cover and gather the advice, escalation first."""
    patient = findings.patient
    weight = patient.weight.kg if patient.weight is not None else None
    height = patient.height.cm if patient.height is not None else None
    context = DoseContext(
        weight_kg=weight, height_cm=height, tocilizumab_doses=findings.tocilizumab_doses
    )
    echo: list[str] = []
    if patient.weight is not None:
        w = patient.weight
        converted = f" = {fmt(w.kg)} kg" if w.unit != "kg" else ""
        echo.append(f"Weight {fmt(w.value)} {w.unit}{converted}")
    if patient.height is not None:
        h = patient.height
        converted = f" = {fmt(h.cm)} cm" if h.unit != "cm" else ""
        echo.append(f"Height {fmt(h.value)} {h.unit}{converted}")
    if weight is not None and height is not None and findings.hlh is not None:
        echo.append(bsa_arithmetic(height, weight))

    items: list[AdviceItem] = []
    pathways: list[str] = []
    crs = grade_crs(findings.crs, guideline) if findings.crs is not None else None
    if crs is not None and crs.grade is not None and 1 <= crs.grade <= 4:
        items += crs_advice(crs.grade, guideline, context)

    icans = None
    if findings.icans is not None:
        icans = grade_icans(findings.icans, guideline, patient.age_years)
        concurrent = findings.icans.concurrent_crs
        if concurrent is None and crs is not None:
            concurrent = crs.present
        if icans.grade is not None and 1 <= icans.grade <= 4:
            items += icans_advice(icans.grade, concurrent, guideline, context)
        status = status_pathway(findings.icans.seizure)
        if status is not None:
            found = status_epilepticus_advice(status, guideline, context)
            pathways.append(found[0].topic)
            items += found
        icp = icp_pathway(findings.icans, guideline)
        if icp is not None:
            found = raised_icp_advice(icp, guideline, context)
            pathways.append(found[0].topic)
            items += found

    hlh = screen_hlh(findings.hlh, guideline) if findings.hlh is not None else None
    if hlh is not None and hlh.met:
        found = hlh_advice(guideline, context)
        pathways.append(found[0].topic)
        items += found

    return Assessment(
        guideline=guideline.version,
        crs=crs,
        icans=icans,
        hlh=hlh,
        pathways=tuple(pathways),
        patient=tuple(echo),
        advice=finish(items, guideline, context),
    )
