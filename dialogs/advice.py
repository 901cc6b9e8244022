"""Advice: a grade or pathway to ordered items, escalation first, with doses and citations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from dialogs.dosing import Dose, compute_dose, patient_independent
from dialogs.findings import IcansFindings, TocilizumabDoses
from dialogs.guideline import Citation, Guideline
from dialogs.guideline.schema import KIND_ORDER, AdviceRow, Kind
from dialogs.vocab import IcpSign, Imaging, Seizure

__all__ = [
    "AdviceItem",
    "DoseContext",
    "Group",
    "IcpPathway",
    "crs_rows",
    "finish",
    "hlh_rows",
    "icans_advice",
    "icans_rows",
    "icp_pathway",
    "icp_rows",
    "items",
    "status_pathway",
    "status_rows",
]

IcpPathway = Literal["acetazolamide", "high_dose", "undetermined"]


@dataclass(frozen=True, slots=True)
class AdviceItem:
    """One thing to do: its kind, what it is for, the text, doses for this patient, the source."""

    id: str
    kind: Kind
    topic: str
    text: str
    citation: Citation
    doses: tuple[Dose, ...] = ()


@dataclass(frozen=True)
class DoseContext:
    """What dosing needs to know about the patient."""

    weight_kg: float | None = None
    height_cm: float | None = None
    tocilizumab_doses: TocilizumabDoses | None = None


def _patient_independent(row: AdviceRow, guideline: Guideline) -> bool:
    return all(patient_independent(guideline.regimen(r)) for r in row.regimens)


def _item(row: AdviceRow, topic: str, guideline: Guideline, context: DoseContext) -> AdviceItem:
    doses = tuple(
        compute_dose(
            guideline.regimen(r),
            guideline,
            context.weight_kg,
            context.height_cm,
            context.tocilizumab_doses,
        )
        for r in row.regimens
    )
    return AdviceItem(
        id=row.id,
        kind=row.kind,
        topic=topic,
        text=row.text,
        doses=doses,
        citation=guideline.cite(row),
    )


def _items(
    rows: Iterable[AdviceRow], topic: str, guideline: Guideline, context: DoseContext
) -> list[AdviceItem]:
    out: list[AdviceItem] = []
    for row in rows:
        # An item whose doses do not depend on the patient is the same every time: build it once.
        key = ("advice-item", row.id, topic)
        item = guideline.memo.get(key)
        if item is None:
            item = _item(row, topic, guideline, context)
            if _patient_independent(row, guideline):
                guideline.memo[key] = item
        out.append(item)
    return out


Group = tuple[tuple[AdviceRow, ...], str]


def crs_rows(grade: int, guideline: Guideline) -> Group:
    """The Table 2 rows for a CRS grade, with their topic."""
    rows = tuple(r for r in guideline.crs_management.items if grade in r.grades)
    return rows, f"CRS grade {grade}"


def icans_rows(grade: int, concurrent_crs: bool | None, guideline: Guideline) -> Group:
    """The Table 5 rows for an ICANS grade; concurrent CRS decides the anti-IL-6 rows."""

    def applies(row: AdviceRow) -> bool:
        if grade not in row.grades:
            return False
        if concurrent_crs is None or row.when == "always":
            return True
        return (row.when == "concurrent_crs") == concurrent_crs

    rows = tuple(r for r in guideline.icans_management.items if applies(r))
    return rows, f"ICANS grade {grade}"


def icans_advice(
    grade: int, concurrent_crs: bool | None, guideline: Guideline, context: DoseContext
) -> list[AdviceItem]:
    """Management of ICANS of a grade (Table 5); concurrent CRS decides anti-IL-6 items."""
    return items(icans_rows(grade, concurrent_crs, guideline), guideline, context)


def status_pathway(seizure: Seizure) -> Literal["nonconvulsive", "convulsive"] | None:
    """The status epilepticus pathway the seizure finding calls for, if any."""
    if seizure == Seizure.STATUS_CONVULSIVE:
        return "convulsive"
    if seizure == Seizure.STATUS_NONCONVULSIVE:
        return "nonconvulsive"
    return None


def status_rows(pathway: Literal["nonconvulsive", "convulsive"], guideline: Guideline) -> Group:
    """The Table 6 rows of a status epilepticus pathway."""
    topic = f"Status epilepticus ({'convulsive' if pathway == 'convulsive' else 'non-convulsive'})"
    return guideline.status_epilepticus.pathway(pathway), topic


def icp_pathway(findings: IcansFindings, guideline: Guideline) -> IcpPathway | None:
    """The Table 7 pathway; None without papilloedema, oedema or a high opening pressure."""
    limits = guideline.raised_icp.thresholds
    pressure = findings.csf_opening_pressure_mmhg
    oedema = findings.imaging in (Imaging.FOCAL_OEDEMA, Imaging.DIFFUSE_OEDEMA)
    papilloedema = IcpSign.PAPILLOEDEMA in findings.icp_signs
    stage = findings.papilloedema_stage
    high_pressure = pressure is not None and pressure >= limits.opening_pressure_mmhg
    severe_stage = stage is not None and stage >= limits.severe_papilloedema_stage
    if oedema or high_pressure or severe_stage:
        return "high_dose"
    if papilloedema:
        if stage is not None and pressure is not None:
            return "acetazolamide"
        return "undetermined"
    return None


def icp_rows(pathway: IcpPathway, guideline: Guideline) -> Group:
    """The Table 7 rows of a raised-ICP pathway."""
    topic = {
        "acetazolamide": "Raised ICP (papilloedema stage 1–2, pressure < 20 mmHg)",
        "high_dose": "Raised ICP (stage 3–5, oedema, or pressure ≥ 20 mmHg)",
        "undetermined": "Raised ICP (pathway not yet known)",
    }[pathway]
    return guideline.raised_icp.pathway(pathway), topic


def hlh_rows(guideline: Guideline) -> Group:
    """The HLH/MAS management rows."""
    return guideline.hlh.pathway("hlh"), "HLH/MAS"


def items(group: Group, guideline: Guideline, context: DoseContext) -> list[AdviceItem]:
    """Advice items for a group of rows, with doses for the patient."""
    rows, topic = group
    return _items(rows, topic, guideline, context)


def finish(
    items: Sequence[AdviceItem], guideline: Guideline, context: DoseContext, routine: bool = True
) -> tuple[AdviceItem, ...]:
    """Add drug supply and routine items, drop repeats, and order escalation first."""
    seen: set[str] = set()
    unique: list[AdviceItem] = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            unique.append(item)
    drug_ids = {guideline.regimen(d.regimen).drug for item in unique for d in item.doses}
    supply = [r for r in guideline.supply.items if r.drug in drug_ids]
    unique += _items(supply, "Drug supply", guideline, context)
    if routine:
        steroids = any(guideline.drug(d).steroid for d in drug_ids)
        rows = [
            r
            for r in guideline.routine.items
            if r.show == "results" or (r.show == "steroids" and steroids)
        ]
        unique += _items(rows, "Routine care", guideline, context)
    order = {kind: index for index, kind in enumerate(KIND_ORDER)}
    return tuple(sorted(unique, key=lambda item: order[item.kind]))
