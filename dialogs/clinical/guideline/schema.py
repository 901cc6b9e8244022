"""Pydantic models of the guideline data files: one model per file, checked row by row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dialogs.clinical.vocab import (
    Consciousness,
    IcpSign,
    Imaging,
    Motor,
    OxygenDevice,
    PriorTreatment,
    Seizure,
    Vasopressor,
)

__all__ = [
    "AdviceRow",
    "Band",
    "CrsGrading",
    "DrugsFile",
    "HlhFile",
    "IcansGrading",
    "Kind",
    "Lead",
    "ManagementFile",
    "Need",
    "PathwayFile",
    "RaisedIcpFile",
    "Regimen",
    "Role",
    "RoutineFile",
    "Row",
    "SourcesFile",
    "SupplyFile",
]

Kind = Literal["escalation", "drug", "supportive", "investigation", "monitoring"]
When = Literal["always", "concurrent_crs", "no_concurrent_crs"]
# Facts about the patient that decide whether a row applies (`needs`) or must be done now
# (`now_if`). The care plan works each out once from the findings.
Need = Literal[
    "fever",
    "hypotension",
    "hypoxia",
    "no_hypoxia",
    "adult",
    "child",
    "graded_by_ice",
    "graded_by_capd",
    "herniation_signs",
    "imaging_not_done",
    "pressure_unknown",
    "stage_unknown",
    "high_dose_steroid",
    "no_high_dose_steroid",
    # Agitation needs a patient who can be roused; seizure drugs are those of Table 6.
    "arousable",
    "unarousable",
    "seizure_drugs",
    "no_seizure_drugs",
]
# Who an escalation calls; the leads are named in routine_care.toml ("Responsibilities").
Role = Literal["car_t", "icu", "neurology", "neurosurgery"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Row(_Frozen):
    """A row of a guideline table: every row names its source and its table or section."""

    source: str = Field(min_length=1)
    section: str = Field(min_length=1)
    # Number of the clinical-rules.md §7 correction this row applies, if any.
    correction: int | None = Field(default=None, ge=1, le=10)


def _unique(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"duplicate {what} {i!r}")
        seen.add(i)


def _exactly(found: Sequence[str], expected: Iterable[str], what: str) -> None:
    _unique(found, what)
    missing = [e for e in expected if e not in found]
    if missing:
        raise ValueError(f"{what} missing for {', '.join(missing)}")


def _contiguous(bands: Sequence[Band], low: int, high: int, what: str) -> None:
    """Check that the bands cover low..high once each, with no gap and no overlap."""
    covered: dict[int, int] = {}
    for index, band in enumerate(bands):
        if band.high < band.low:
            raise ValueError(f"{what}[{index}]: high {band.high} is below low {band.low}")
        for score in range(band.low, band.high + 1):
            if score in covered:
                raise ValueError(f"{what}: score {score} is in two bands")
            covered[score] = band.grade
    gaps = [s for s in range(low, high + 1) if s not in covered]
    if gaps:
        raise ValueError(f"{what}: no band for score(s) {', '.join(map(str, gaps))}")
    extra = [s for s in covered if not low <= s <= high]
    if extra:
        raise ValueError(f"{what}: score(s) {', '.join(map(str, extra))} outside {low}–{high}")


def _grades_cover(grades: Iterable[int], expected: range, what: str) -> None:
    present = set(grades)
    gaps = [g for g in expected if g not in present]
    if gaps:
        raise ValueError(f"{what}: no row for grade(s) {', '.join(map(str, gaps))}")


# --- sources.toml ---


class Source(_Frozen):
    """A source document that rows cite."""

    id: str
    short: str
    version: str
    cite_as: str
    title: str


class SourcesFile(_Frozen):
    """The cited documents; `guideline` names the primary one."""

    guideline: str
    sources: tuple[Source, ...] = Field(alias="source", min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _unique([s.id for s in self.sources], "source id")
        if self.guideline not in {s.id for s in self.sources}:
            raise ValueError(f"guideline {self.guideline!r} is not a listed source")
        return self


# --- advice tables (management, status epilepticus, raised ICP, HLH, routine care) ---


class AdviceRow(Row):
    """One step of a table, in the table's order: what to do, when, for which grades or pathway.

    A row with a `trigger` is conditional (the if-no-response ladder, "if seizures persist");
    one without is done now when it is an escalation or a drug, or when `now` says so.
    """

    id: str = Field(min_length=1)
    kind: Kind
    text: str = Field(min_length=1)
    trigger: str | None = Field(default=None, min_length=1)
    now: bool | None = None
    now_if: Need | None = None
    needs: tuple[Need, ...] = ()
    contact: Role | None = None
    # Among escalations that call the same team, the most urgent one is kept (3: now, 1: consider).
    urgency: int = Field(default=1, ge=1, le=3)
    # Pathways (status epilepticus, …) whose own steps replace this row while they apply.
    superseded_by: tuple[str, ...] = ()
    regimens: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()
    pathway: str | None = None
    when: When = "always"
    # The regimens are alternatives, one of which is given ("dexamethasone ... or
    # methylprednisolone"; "mannitol or hypertonic saline"): one order, the others "or instead".
    alternatives: bool = False

    @model_validator(mode="after")
    def _check_advice(self) -> Self:
        if self.contact is not None and self.kind != "escalation":
            raise ValueError("contact: only an escalation calls a team")
        if self.alternatives and len(self.regimens) < 2:
            raise ValueError("alternatives: needs two or more regimens")
        return self


def _check_items(items: Sequence[AdviceRow]) -> None:
    _unique([i.id for i in items], "item id")


class ManagementFile(_Frozen):
    """Advice by grade (Tables 2 and 5): grades 1 to 4 each have advice."""

    items: tuple[AdviceRow, ...] = Field(alias="item", min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_items(self.items)
        for index, item in enumerate(self.items):
            if not item.grades:
                raise ValueError(f"item[{index}] ({item.id}): no grades")
            bad = [g for g in item.grades if not 1 <= g <= 4]
            if bad:
                raise ValueError(f"item[{index}] ({item.id}): grade {bad[0]} outside 1–4")
        _grades_cover((g for i in self.items for g in i.grades), range(1, 5), "item")
        return self


class PathwayFile(_Frozen):
    """Advice by pathway (status epilepticus)."""

    items: tuple[AdviceRow, ...] = Field(alias="item", min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_items(self.items)
        for index, item in enumerate(self.items):
            if item.pathway is None:
                raise ValueError(f"item[{index}] ({item.id}): no pathway")
        return self

    def pathway(self, name: str) -> tuple[AdviceRow, ...]:
        """Return the items of one pathway, in file order."""
        return tuple(i for i in self.items if i.pathway == name)


class IcpThresholds(Row):
    """Where Table 7 splits its two pathways."""

    opening_pressure_mmhg: float = Field(gt=0)
    severe_papilloedema_stage: int = Field(ge=1, le=5)


class RaisedIcpFile(PathwayFile):
    """Table 7: raised intracranial pressure."""

    thresholds: IcpThresholds

    @model_validator(mode="after")
    def _pathways(self) -> Self:
        for name in ("acetazolamide", "high_dose", "undetermined", "pressure_review"):
            if not self.pathway(name):
                raise ValueError(f"item: no row for pathway {name!r}")
        return self


class HlhCriteria(Row):
    """The ferritin threshold and how many further findings are needed."""

    ferritin_above_ng_ml: float = Field(gt=0)
    minimum_of_findings: int = Field(ge=1)


class HlhFinding(Row):
    """One of the organ or histology findings of the HLH/MAS criteria."""

    id: str
    label: str


class HlhFile(PathwayFile):
    """The second Table 6: HLH/MAS criteria and management."""

    criteria: HlhCriteria
    findings: tuple[HlhFinding, ...] = Field(alias="finding", min_length=1)

    @model_validator(mode="after")
    def _findings(self) -> Self:
        _unique([f.id for f in self.findings], "finding id")
        if self.criteria.minimum_of_findings > len(self.findings):
            raise ValueError("criteria: needs more findings than the table lists")
        return self


class RoutineRow(AdviceRow):
    """A routine-care item and where it is shown."""

    show: Literal["results", "steroids", "reference"]
    interval_hours: float | None = Field(default=None, gt=0)


class Lead(Row):
    """A named lead of the adult or the paediatric CAR-T team ("Responsibilities")."""

    team: Literal["adult", "paediatric"]
    role: Role
    title: str = Field(min_length=1)
    name: str = Field(min_length=1)


class RoutineFile(_Frozen):
    """Routine monitoring and prophylaxis ("Clinical Approach") and the team's leads."""

    items: tuple[RoutineRow, ...] = Field(alias="item", min_length=1)
    leads: tuple[Lead, ...] = Field(alias="lead", min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_items(self.items)
        for team in ("adult", "paediatric"):
            if not any(lead.team == team and lead.role == "car_t" for lead in self.leads):
                raise ValueError(f"lead: no CAR-T lead for the {team} team")
        return self

    def lead(self, team: Literal["adult", "paediatric"], role: Role) -> Lead | None:
        """The lead of a team for a role, if the guideline names one."""
        return next((x for x in self.leads if x.team == team and x.role == role), None)


class SupplyRow(AdviceRow):
    """Where a rescue drug is kept."""

    drug: str


class SupplyFile(_Frozen):
    """Local drug supply."""

    items: tuple[SupplyRow, ...] = Field(alias="item", min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_items(self.items)
        return self


# --- drugs.toml ---


class Drug(Row):
    """A drug the advice can name."""

    id: str
    name: str
    steroid: bool


class WeightBand(Row):
    """A different per-kg dose below a weight (tocilizumab under 30 kg)."""

    below_kg: float = Field(gt=0)
    low: float = Field(gt=0)
    high: float | None = Field(default=None, gt=0)


class CourseLimit(Row):
    """The most doses in 24 hours and in total."""

    per_24h: int = Field(ge=1)
    total: int = Field(ge=1)


class Regimen(Row):
    """How one drug is given for one indication: amount, basis, route, schedule, cap."""

    id: str
    drug: str
    basis: Literal["fixed", "per_kg", "per_m2"]
    low: float = Field(gt=0)
    high: float | None = Field(default=None, gt=0)
    unit: Literal["mg", "g", "mL", "mL/h"]
    cap: float | None = Field(default=None, gt=0)
    route: str
    schedule: str
    # Said only while another dose is allowed ("repeat if no response in 6–12 h").
    repeat: str | None = None
    # When to withhold or stop: shown with the dose everywhere it appears.
    stop: str | None = None
    note: str | None = None
    bands: tuple[WeightBand, ...] = Field(default=(), alias="band")
    limit: CourseLimit | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"high {self.high} is below low {self.low}")
        if self.bands and self.basis != "per_kg":
            raise ValueError("weight bands need a per_kg basis")
        return self


class DrugsFile(_Frozen):
    """Table 3 and the doses of Tables 5-7 and the HLH section."""

    drugs: tuple[Drug, ...] = Field(alias="drug", min_length=1)
    regimens: tuple[Regimen, ...] = Field(alias="regimen", min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _unique([d.id for d in self.drugs], "drug id")
        _unique([r.id for r in self.regimens], "regimen id")
        known = {d.id for d in self.drugs}
        for index, regimen in enumerate(self.regimens):
            if regimen.drug not in known:
                where = f"regimen[{index}] ({regimen.id})"
                raise ValueError(f"{where}: drug {regimen.drug!r} is not in the drug table")
        return self


# --- crs_grading.toml ---


class Fever(Row):
    """The fever threshold."""

    threshold_c: float = Field(ge=37, le=40)


class FeverWaiver(Row):
    """Treatments after which fever is no longer required."""

    treatments: tuple[PriorTreatment, ...] = Field(min_length=1)


class HypotensionRow(Row):
    """A level of blood-pressure support and its grade."""

    level: Literal["none", "fluids", "one_vasopressor", "multiple_vasopressors"]
    grade: int = Field(ge=1, le=4)
    label: str


class VasopressorRow(Row):
    """A vasopressor, its other names, and whether it counts towards 'multiple'."""

    id: Vasopressor
    name: str
    aliases: tuple[str, ...] = ()
    counted: bool


class OxygenRow(Row):
    """An oxygen device and its grade; a flow limit where the flow decides."""

    device: OxygenDevice
    grade: int = Field(ge=1, le=4)
    label: str
    low_flow_max_l_min: float | None = Field(default=None, gt=0)
    grade_above: int | None = Field(default=None, ge=1, le=4)
    label_above: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        flow_fields = (self.low_flow_max_l_min, self.grade_above, self.label_above)
        if any(f is not None for f in flow_fields) and None in flow_fields:
            raise ValueError("low_flow_max_l_min, grade_above and label_above go together")
        return self


class GradeRow(Row):
    """A grade and the one-line summary of what makes it."""

    grade: int = Field(ge=1, le=5)
    summary: str


class CrsGrading(_Frozen):
    """Table 1 (CRS grading), corrected to ASTCT 2019."""

    fever: Fever
    fever_waiver: FeverWaiver
    hypotension: tuple[HypotensionRow, ...]
    vasopressors: tuple[VasopressorRow, ...] = Field(alias="vasopressor")
    oxygen: tuple[OxygenRow, ...]
    grades: tuple[GradeRow, ...] = Field(alias="grade")

    @model_validator(mode="after")
    def _check(self) -> Self:
        _exactly(
            [h.level for h in self.hypotension],
            ("none", "fluids", "one_vasopressor", "multiple_vasopressors"),
            "hypotension level",
        )
        _grades_cover((h.grade for h in self.hypotension), range(1, 5), "hypotension")
        _exactly(
            [v.id.value for v in self.vasopressors], [v.value for v in Vasopressor], "vasopressor"
        )
        _exactly(
            [o.device.value for o in self.oxygen], [d.value for d in OxygenDevice], "oxygen device"
        )
        _grades_cover((o.grade for o in self.oxygen), range(1, 5), "oxygen")
        _exactly([str(g.grade) for g in self.grades], ["1", "2", "3", "4", "5"], "grade")
        aliases = [a.lower() for v in self.vasopressors for a in (v.id.value, *v.aliases)]
        _unique(aliases, "vasopressor name")
        return self


# --- icans_grading.toml ---


class Paediatrics(Row):
    """Below this age the CAPD replaces the ICE; the CAPD's items and each item's top score."""

    age_below_years: int = Field(ge=1, le=18)
    capd_items: int = Field(ge=1, le=16)
    capd_item_max: int = Field(ge=1, le=8)


class IceTask(Row):
    """One ICE task and what to say to the patient."""

    id: str
    points: int = Field(ge=1, le=4)
    prompt: str = Field(min_length=1)


class Band(Row):
    """A band of scores and its grade."""

    low: int = Field(ge=0)
    high: int = Field(ge=0)
    grade: int = Field(ge=0, le=4)


class _LevelRow(Row):
    grade: int = Field(ge=0, le=4)
    label: str


class ConsciousnessRow(_LevelRow):
    """A level of consciousness and its grade."""

    level: Consciousness


class SeizureRow(_LevelRow):
    """A kind of seizure and its grade."""

    kind: Seizure


class MotorRow(_LevelRow):
    """A motor finding and its grade."""

    kind: Motor


class ImagingRow(_LevelRow):
    """An imaging finding and its grade."""

    kind: Imaging


class IcpSignRow(_LevelRow):
    """A clinical sign of raised intracranial pressure and its grade."""

    sign: IcpSign


ICE_MAX = 10
CAPD_MAX = 32


class IcansGrading(_Frozen):
    """ICE score and Table 4 (ICANS grading), corrected to ASTCT 2019, with the CAPD."""

    paediatrics: Paediatrics
    ice_tasks: tuple[IceTask, ...] = Field(alias="ice_task", min_length=1)
    ice_bands: tuple[Band, ...] = Field(alias="ice_band", min_length=1)
    capd_bands: tuple[Band, ...] = Field(alias="capd_band", min_length=1)
    consciousness: tuple[ConsciousnessRow, ...]
    seizure: tuple[SeizureRow, ...]
    motor: tuple[MotorRow, ...]
    imaging: tuple[ImagingRow, ...]
    icp_signs: tuple[IcpSignRow, ...] = Field(alias="icp_sign")
    grades: tuple[GradeRow, ...] = Field(alias="grade")

    @model_validator(mode="after")
    def _check(self) -> Self:
        _unique([t.id for t in self.ice_tasks], "ice_task id")
        total = sum(t.points for t in self.ice_tasks)
        if total != ICE_MAX:
            raise ValueError(f"ice_task: points add up to {total}, not {ICE_MAX}")
        _contiguous(self.ice_bands, 0, ICE_MAX, "ice_band")
        _contiguous(self.capd_bands, 0, CAPD_MAX, "capd_band")
        capd = self.paediatrics
        if capd.capd_items * capd.capd_item_max != CAPD_MAX:
            raise ValueError(
                f"paediatrics: {capd.capd_items} CAPD items of 0-{capd.capd_item_max} "
                f"do not add up to {CAPD_MAX}"
            )
        _exactly(
            [r.level.value for r in self.consciousness],
            [c.value for c in Consciousness],
            "consciousness level",
        )
        _exactly([r.kind.value for r in self.seizure], [s.value for s in Seizure], "seizure")
        _exactly([r.kind.value for r in self.motor], [m.value for m in Motor], "motor")
        _exactly([r.kind.value for r in self.imaging], [i.value for i in Imaging], "imaging")
        _exactly([r.sign.value for r in self.icp_signs], [s.value for s in IcpSign], "icp_sign")
        _exactly([str(g.grade) for g in self.grades], ["1", "2", "3", "4", "5"], "grade")
        return self
