"""A whole assessment: findings in; grades, pathways and ordered advice out."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from dialogs import texts
from dialogs.advice import (
    AdviceItem,
    DoseContext,
    Group,
    crs_rows,
    finish,
    hlh_rows,
    icans_rows,
    icp_pathway,
    icp_rows,
    items,
    status_pathway,
    status_rows,
)
from dialogs.dosing import bsa_arithmetic
from dialogs.findings import Findings
from dialogs.grading import Grade, HlhScreen, grade_crs, grade_icans, screen_hlh
from dialogs.guideline import Guideline
from dialogs.units import fmt

__all__ = ["Assessment", "advised_regimens", "assess"]


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


@dataclass(frozen=True)
class _Plan:
    """What applies to these findings: grades, pathways, and which advice rows (no doses yet)."""

    crs: Grade | None
    icans: Grade | None
    hlh: HlhScreen | None
    pathways: tuple[str, ...]
    groups: tuple[Group, ...]


# Routing asks which regimens apply, then the result asks again: grade each findings once.
# Findings are frozen (hashable); the guideline hashes by identity. Bounded.
@functools.lru_cache(maxsize=64)
def _plan(findings: Findings, guideline: Guideline) -> _Plan:
    groups: list[Group] = []
    pathways: list[str] = []
    crs = grade_crs(findings.crs, guideline) if findings.crs is not None else None
    if crs is not None and crs.grade is not None and 1 <= crs.grade <= 4:
        groups.append(crs_rows(crs.grade, guideline))
    icans = None
    if findings.icans is not None:
        icans = grade_icans(findings.icans, guideline, findings.patient.age_years)
        concurrent = findings.icans.concurrent_crs
        if concurrent is None and crs is not None:
            concurrent = crs.present
        if icans.grade is not None and 1 <= icans.grade <= 4:
            groups.append(icans_rows(icans.grade, concurrent, guideline))
        status = status_pathway(findings.icans.seizure)
        if status is not None:
            groups.append(status_rows(status, guideline))
            pathways.append(groups[-1][1])
        icp = icp_pathway(findings.icans, guideline)
        if icp is not None:
            groups.append(icp_rows(icp, guideline))
            pathways.append(groups[-1][1])
    hlh = screen_hlh(findings.hlh, guideline) if findings.hlh is not None else None
    if hlh is not None and hlh.met:
        groups.append(hlh_rows(guideline))
        pathways.append(groups[-1][1])
    return _Plan(crs, icans, hlh, tuple(pathways), tuple(groups))


def advised_regimens(findings: Findings, guideline: Guideline) -> list[str]:
    """The regimens the advice will dose, without working the doses out (for routing)."""
    plan = _plan(findings, guideline)
    return [r for rows, _ in plan.groups for row in rows for r in row.regimens]


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
    plan = _plan(findings, guideline)
    found = [item for group in plan.groups for item in items(group, guideline, context)]
    return Assessment(
        guideline=guideline.version,
        crs=plan.crs,
        icans=plan.icans,
        hlh=plan.hlh,
        pathways=plan.pathways,
        patient=tuple(echo),
        advice=finish(found, guideline, context),
    )
