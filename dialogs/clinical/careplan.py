"""The care plan a doctor reads: what to do now, protocols in their own order, limits as gates.

`build_plan` turns grades and findings into a `CarePlan`. Every result (the chat, `assess` and
the handover) renders this one model, so nothing is ever parsed back out of text. The safety
rules of clinical-rules.md §9 are each applied once, here, in this order:

1. rows are chosen by grade, pathway and the patient's facts (`needs`), in each table's order;
2. doses are worked out for this patient (children: no adult fixed dose, `dosing.compute_dose`);
3. limits gate orders: a withheld dose is never an order, only a withhold with its reason;
4. one order per drug: a later table's order of a drug already ordered merges into the first,
   and high-dose methylprednisolone replaces the other steroid regimens;
5. the steps are placed: escalation and who to call first, then the first things to do, then
   pathways in their own order, the if-no-response ladder, care, checks and monitoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dialogs import texts
from dialogs.clinical.dosing import Dose, compute_dose
from dialogs.clinical.findings import Findings, TocilizumabDoses
from dialogs.clinical.grading import Grade, HlhScreen
from dialogs.clinical.guideline import Citation, Guideline
from dialogs.clinical.guideline.schema import AdviceRow, Lead, Need, Role
from dialogs.clinical.units import fmt
from dialogs.clinical.vocab import (
    Consciousness,
    Hypotension,
    IcansTool,
    IcpSign,
    Imaging,
    OxygenDevice,
    Seizure,
)

__all__ = [
    "CarePlan",
    "Pathway",
    "PlanStatus",
    "Step",
    "Withheld",
    "build_plan",
    "first_steps",
    "is_child",
]

PlanStatus = Literal["plan", "no_toxicity", "death"]
IcpArm = Literal["high_dose", "acetazolamide", "undetermined", "pressure_review"]

# A child by age, or by weight when the age is not known (clinical-rules §9.8).
ADULT_AGE = 18
ADULT_WEIGHT_KG = 40
# Regimens whose presence makes a plan "high-dose steroid" (Table 5 example taper applies).
HIGH_DOSE_STEROID = "methylprednisolone_1g"


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do: the instruction, its trigger if conditional, doses, and sources.

    `ids` are the guideline rows this step stands for (more than one when orders of the same
    drug from several tables were merged into it).
    """

    ids: tuple[str, ...]
    group: str
    kind: str
    text: str
    trigger: str | None = None
    doses: tuple[Dose, ...] = ()
    citations: tuple[Citation, ...] = ()
    calls: tuple[str, ...] = ()
    stock: tuple[str, ...] = ()
    stock_citations: tuple[Citation, ...] = ()
    # The doses are alternatives: the first is the order, the others "or instead".
    alternatives: bool = False
    # A known fact the step rests on ("No concurrent CRS"): said, but not a condition.
    basis: str | None = None

    @property
    def instruction(self) -> str:
        """The step as read: its basis and trigger, if any, then what to do."""
        if self.basis and self.trigger:
            return f"{self.basis}, {_lower_first(self.trigger)}: {self.text}"
        lead = self.basis or self.trigger
        return f"{lead}: {self.text}" if lead else self.text

    @property
    def warnings(self) -> tuple[str, ...]:
        """The limits that travel with this step's doses."""
        return tuple(w for d in self.doses for w in d.warnings)


@dataclass(frozen=True, slots=True)
class Withheld:
    """A drug the plan would order but a limit forbids now: why, and when it is allowed again."""

    drug: str
    regimens: tuple[str, ...]
    reason: str
    next_allowed: str | None
    ids: tuple[str, ...]
    groups: tuple[str, ...]
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Pathway:
    """A protocol (status epilepticus, raised ICP, HLH/MAS) as steps in the guideline's order."""

    id: str
    title: str
    reason: str
    steps: tuple[Step, ...]


class CarePlan(BaseModel):
    """What to do, in the order to do it, for one assessment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: PlanStatus
    child: bool = False
    # Whether CRS is concurrent, when an ICANS table applies (Table 5 orders by it).
    concurrent_crs: Literal["yes", "no", "unknown"] | None = None
    banner: tuple[str, ...] = ()
    now: tuple[Step, ...] = ()
    calls: tuple[str, ...] = ()
    withheld: tuple[Withheld, ...] = ()
    pathways: tuple[Pathway, ...] = ()
    then: tuple[Step, ...] = ()
    care: tuple[Step, ...] = ()
    checks: tuple[Step, ...] = ()
    monitoring: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()

    def steps(self) -> tuple[Step, ...]:
        """Every step of the plan once, in reading order (pathway steps after the ladder)."""
        seen: set[tuple[str, ...]] = set()
        out: list[Step] = []
        parts = (self.now, self.then, *(p.steps for p in self.pathways))
        for step in (*[s for part in parts for s in part], *self.care, *self.checks):
            if step.ids not in seen:
                seen.add(step.ids)
                out.append(step)
        return (*out, *self.monitoring)

    def row_ids(self) -> frozenset[str]:
        """The guideline rows this plan advises (withheld drugs excluded)."""
        return frozenset(i for step in self.steps() for i in step.ids)

    def warnings(self) -> tuple[str, ...]:
        """Every dose limit and withhold of the plan, each once."""
        found = [w for step in self.steps() for w in step.warnings]
        found += [w.reason for w in self.withheld]
        return tuple(dict.fromkeys(found))

    def now_ids(self) -> frozenset[str]:
        """Rows already in the 'do now' block (pathway listings point there)."""
        return frozenset(i for step in self.now for i in step.ids)


def is_child(findings: Findings) -> bool:
    """Under 18; else a child as stated; else under 40 kg: the guideline is for adults."""
    patient = findings.patient
    if patient.age_years is not None:
        return patient.age_years < ADULT_AGE
    if patient.age_group is not None:
        return patient.age_group == "child"
    return patient.weight is not None and patient.weight.kg < ADULT_WEIGHT_KG


# --- what applies ---


@dataclass(frozen=True)
class _Facts:
    """Facts about the patient, worked out once, that rows depend on."""

    needs: frozenset[Need]
    child: bool
    weight_kg: float | None
    height_cm: float | None


@dataclass(frozen=True)
class _Group:
    """The rows of one table or pathway that apply, with how to present them."""

    id: str
    rows: tuple[AdviceRow, ...]
    pathway: bool = False
    title: str = ""
    reason: str = ""
    # Whether CRS is concurrent (ICANS table): None when unknown, and then the rows that
    # depend on it become conditional steps.
    concurrent: bool | None = None
    # An emergency protocol's own first steps lead 'do now', in the protocol's order;
    # 'next' steps (the tests that choose an arm) come straight after the calls.
    lead: Literal["emergency", "next", "table"] = "table"


def _facts(findings: Findings, guideline: Guideline) -> _Facts:
    needs: set[Need] = set()
    child = is_child(findings)
    needs.add("child" if child else "adult")
    crs = findings.crs
    if crs is not None:
        fever = crs.max_temperature.celsius >= guideline.crs.fever.threshold_c
        if fever and not crs.fever_other_cause:
            needs.add("fever")
        if crs.hypotension != Hypotension.NONE and not crs.hypotension_other_cause:
            needs.add("hypotension")
        hypoxic = crs.oxygen != OxygenDevice.NONE and not (
            crs.oxygen_for_comfort_only or crs.hypoxia_other_cause
        )
        needs.add("hypoxia" if hypoxic else "no_hypoxia")
    else:
        needs.add("no_hypoxia")
    age = findings.patient.age_years
    cutoff = guideline.icans.paediatrics.age_below_years
    capd = age is not None and age < cutoff
    found = findings.icans
    if found is not None:
        capd = (
            found.tool == IcansTool.CAPD
            or capd
            or (found.tool is None and found.capd_total is not None and found.ice is None)
        )
        unarousable = found.consciousness == Consciousness.UNAROUSABLE
        needs.add("unarousable" if unarousable else "arousable")
        signs = set(found.icp_signs)
        if signs & {IcpSign.CUSHINGS_TRIAD, IcpSign.POSTURING}:
            needs.add("herniation_signs")
        if found.imaging == Imaging.NOT_DONE:
            needs.add("imaging_not_done")
        if found.csf_opening_pressure_mmhg is None:
            needs.add("pressure_unknown")
        if IcpSign.PAPILLOEDEMA in signs and found.papilloedema_stage is None:
            needs.add("stage_unknown")
    needs.add("graded_by_capd" if capd else "graded_by_ice")
    weight = findings.patient.weight
    height = findings.patient.height
    return _Facts(
        needs=frozenset(needs),
        child=child,
        weight_kg=weight.kg if weight is not None else None,
        height_cm=height.cm if height is not None else None,
    )


def icp_arm(findings: Findings, icans: Grade | None, guideline: Guideline) -> IcpArm | None:
    """The Table 7 arm, routed with Table 5 by grade (clinical-rules §9.6); None if none applies."""
    found = findings.icans
    if found is None:
        return None
    limits = guideline.raised_icp.thresholds
    grade = icans.grade if icans is not None and icans.grade is not None else 0
    pressure = found.csf_opening_pressure_mmhg
    high_pressure = pressure is not None and pressure >= limits.opening_pressure_mmhg
    stage = found.papilloedema_stage
    oedema = found.imaging in (Imaging.FOCAL_OEDEMA, Imaging.DIFFUSE_OEDEMA)
    other_signs = set(found.icp_signs) - {IcpSign.PAPILLOEDEMA}
    severe_stage = stage is not None and stage >= limits.severe_papilloedema_stage
    if oedema or severe_stage or other_signs or (high_pressure and grade >= 3):
        return "high_dose"
    if IcpSign.PAPILLOEDEMA in found.icp_signs:
        if stage is None or pressure is None or found.imaging == Imaging.NOT_DONE:
            return "undetermined"
        return "acetazolamide"
    if high_pressure:
        return "pressure_review"
    return None


def _managed_icans_grade(icans: Grade, findings: Findings, arm: IcpArm | None) -> int:
    """The Table 5 grade to manage at: 3 when only stage 1–2 papilloedema makes it grade 4.

    ASTCT grades any papilloedema 4, but Table 5 manages stage 1–2 papilloedema with a low
    opening pressure and no oedema at grade 3, by Table 7's acetazolamide arm (§9.6); while
    imaging, the opening pressure or the stage is awaited, it stays managed so until they say
    otherwise (each of those steps says what means the high-dose arm), so an unstaged
    papilloedema is managed as a staged one awaiting imaging is (no 1 g order before the arm).
    """
    assert icans.grade is not None
    if icans.grade == 4 and arm in ("acetazolamide", "undetermined"):
        others = max((d.grade for d in icans.domains if d.name != "icp"), default=0)
        return max(others, 3) if others < 4 else 4
    return icans.grade


def _icp_reason(findings: Findings) -> str:
    """What started the raised-ICP arm, from the findings themselves."""
    found = findings.icans
    assert found is not None
    parts: list[str] = []
    for sign in found.icp_signs:
        if sign == IcpSign.PAPILLOEDEMA:
            stage = found.papilloedema_stage
            parts.append(
                texts.ICP_PAPILLOEDEMA.format(stage=stage) if stage else texts.ICP_UNSTAGED
            )
        else:
            parts.append(texts.ICP_SIGN_NAMES[sign.value])
    if found.imaging in (Imaging.FOCAL_OEDEMA, Imaging.DIFFUSE_OEDEMA):
        parts.append(texts.ICP_SIGN_NAMES[found.imaging.value])
    elif found.imaging == Imaging.NOT_DONE:
        parts.append(texts.ICP_NO_IMAGING)
    pressure = found.csf_opening_pressure_mmhg
    parts.append(
        texts.ICP_PRESSURE.format(mmhg=fmt(pressure)) if pressure is not None else texts.ICP_NO_LP
    )
    return "; ".join(parts)


def _concurrent_crs(findings: Findings, crs: Grade | None) -> bool | None:
    if findings.icans is not None and findings.icans.concurrent_crs is not None:
        return findings.icans.concurrent_crs
    return crs.present if crs is not None else None


def _icans_rows(grade: int, concurrent: bool | None, guideline: Guideline) -> tuple[AdviceRow, ...]:
    def applies(row: AdviceRow) -> bool:
        if grade not in row.grades:
            return False
        if concurrent is None or row.when == "always":
            return True
        return (row.when == "concurrent_crs") == concurrent

    return tuple(r for r in guideline.icans_management.items if applies(r))


def _groups(
    findings: Findings,
    crs: Grade | None,
    icans: Grade | None,
    hlh: HlhScreen | None,
    guideline: Guideline,
) -> list[_Group]:
    """The tables and pathways that apply, most urgent first."""
    emergencies: list[_Group] = []
    tables: list[_Group] = []
    later: list[_Group] = []
    found = findings.icans
    if found is not None:
        status = {
            Seizure.STATUS_CONVULSIVE: "convulsive",
            Seizure.STATUS_NONCONVULSIVE: "nonconvulsive",
            Seizure.EEG_RESOLVED: "eeg_resolved",
        }.get(found.seizure)
        if status is not None:
            urgent = status != "eeg_resolved"
            group = _Group(
                id=status,
                rows=guideline.status_epilepticus.pathway(status),
                pathway=True,
                title=texts.PATHWAY_TITLES[status],
                reason=texts.PATHWAY_REASONS[status],
                lead="emergency" if urgent else "table",
            )
            (emergencies if urgent else later).append(group)
        arm = icp_arm(findings, icans, guideline)
        if arm is not None:
            # The arm still to be chosen: its urgent imaging and LP come straight after the calls.
            urgent = arm in ("high_dose", "undetermined")
            lead: Literal["emergency", "next", "table"] = (
                "emergency" if arm == "high_dose" else "next" if urgent else "table"
            )
            group = _Group(
                id=arm,
                rows=guideline.raised_icp.pathway(arm),
                pathway=True,
                title=texts.PATHWAY_TITLES[arm],
                reason=_icp_reason(findings),
                lead=lead,
            )
            (emergencies if urgent else later).append(group)
    if crs is not None and crs.grade is not None and 1 <= crs.grade <= 4:
        grade = crs.grade
        rows = tuple(r for r in guideline.crs_management.items if grade in r.grades)
        tables.append(_Group(id="crs", rows=rows))
    if icans is not None and icans.grade is not None and 1 <= icans.grade <= 4:
        concurrent = _concurrent_crs(findings, crs)
        grade = _managed_icans_grade(icans, findings, icp_arm(findings, icans, guideline))
        rows = _icans_rows(grade, concurrent, guideline)
        tables.append(_Group(id="icans", rows=rows, concurrent=concurrent))
    if hlh is not None and hlh.met:
        later.append(
            _Group(
                id="hlh",
                rows=guideline.hlh.pathway("hlh"),
                pathway=True,
                title=texts.PATHWAY_TITLES["hlh"],
                reason=texts.PATHWAY_REASONS["hlh"],
            )
        )
    return [*emergencies, *tables, *later]


def _filter(groups: list[_Group], facts: _Facts) -> tuple[list[_Group], frozenset[Need]]:
    """Drop rows whose needs are not met or whose pathway supersedes them."""
    active = {g.id for g in groups if g.pathway}
    regimens = {r for g in groups for row in g.rows for r in row.regimens}
    needs = set(facts.needs)
    needs.add("high_dose_steroid" if HIGH_DOSE_STEROID in regimens else "no_high_dose_steroid")
    seizure_drugs = active & {*SEIZURE_PATHWAYS, "eeg_resolved"}
    needs.add("seizure_drugs" if seizure_drugs else "no_seizure_drugs")

    def keep(row: AdviceRow) -> bool:
        return set(row.needs) <= needs and not (set(row.superseded_by) & active)

    kept = [replace(g, rows=tuple(r for r in g.rows if keep(r))) for g in groups]
    return kept, frozenset(needs)


# --- steps ---


def _is_now(row: AdviceRow, needs: frozenset[Need], *, triggered: bool) -> bool:
    """Done now: untriggered escalations and drugs, or as the row says (`now`, `now_if`).

    A 'do now' step may keep its trigger, shown with it ("if hypotension remains after the
    bolus: give tocilizumab early").
    """
    if row.now_if is not None and row.now_if in needs:
        return True
    if row.now is not None:
        return row.now
    return not triggered and row.kind in ("escalation", "drug")


@dataclass
class _Draft:
    """A step being built, with where it goes."""

    step: Step
    row: AdviceRow
    now: bool
    drugs: frozenset[str]


def _lead_text(lead: Lead) -> str:
    return f"{lead.title} {lead.name}"


def _draft(
    row: AdviceRow, group: _Group, facts: _Facts, needs: frozenset[Need], plan: _Ctx
) -> _Draft:
    guideline = plan.guideline
    worked = [
        compute_dose(
            guideline.regimen(r),
            guideline,
            facts.weight_kg,
            facts.height_cm,
            plan.tocilizumab,
            child=facts.child,
        )
        for r in row.regimens
    ]
    # A child's load and maintenance of one drug both read "ask": say it once.
    doses = tuple(
        d
        for n, d in enumerate(worked)
        if not d.paediatric_ask or d.text not in {e.text for e in worked[:n]}
    )
    trigger = row.trigger
    basis = None
    if row.when != "always" and group.concurrent is None:
        # Not known: both Table 5 orders are shown, each under its condition.
        condition = texts.WHEN_TRIGGERS[row.when]
        trigger = f"{condition}, {_lower_first(trigger)}" if trigger else condition
    elif row.when != "always":
        # Known: the plan says which applied ("No concurrent CRS"), a reason, not a condition.
        basis = texts.WHEN_KNOWN[row.when]
    # Only the row's own trigger makes it a maybe: the first-line ICANS drug with or without
    # concurrent CRS is done now, under its condition (Table 5, grades 2-4).
    now = _is_now(row, needs, triggered=row.trigger is not None)
    if row.now_if is not None and row.now_if in needs and row.trigger is not None:
        # The finding that triggers it is recorded: say it applies now, not "if …".
        trigger = texts.NOW_IF_TRIGGERS[row.now_if]
    step = Step(
        ids=(row.id,),
        group=group.id,
        kind=row.kind,
        text=row.text,
        trigger=trigger,
        doses=doses,
        citations=(guideline.cite(row),),
        alternatives=row.alternatives and len(doses) > 1,
        basis=basis,
    )
    drugs = frozenset(guideline.regimen(r).drug for r in row.regimens)
    return _Draft(step=step, row=row, now=now, drugs=drugs)


@dataclass
class _Ctx:
    """What building one plan accumulates: withheld drugs and notes."""

    guideline: Guideline
    tocilizumab: TocilizumabDoses | None = None
    withheld: dict[str, Withheld] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _gate(draft: _Draft, ctx: _Ctx) -> _Draft | None:
    """Limits gate orders: withheld doses leave the step; a step left with nothing goes."""
    blocked = [d for d in draft.step.doses if d.withheld is not None]
    if not blocked:
        return draft
    for dose in blocked:
        known = ctx.withheld.get(dose.drug)
        cites = (*draft.step.citations, *dose.citations)
        if known is None:
            ctx.withheld[dose.drug] = Withheld(
                drug=dose.drug,
                regimens=(dose.regimen,),
                reason=dose.withheld or "",
                next_allowed=dose.next_allowed,
                ids=draft.step.ids,
                groups=(draft.step.group,),
                citations=tuple(dict.fromkeys(cites)),
            )
        else:
            ctx.withheld[dose.drug] = replace(
                known,
                regimens=tuple(dict.fromkeys((*known.regimens, dose.regimen))),
                ids=(*known.ids, *draft.step.ids),
                groups=tuple(dict.fromkeys((*known.groups, draft.step.group))),
                citations=tuple(dict.fromkeys((*known.citations, *cites))),
            )
    left = tuple(d for d in draft.step.doses if d.withheld is None)
    if not left:
        return None
    return replace(draft, step=replace(draft.step, doses=left))


def _replace_steroids(drafts: list[_Draft], guideline: Guideline) -> list[_Draft]:
    """High-dose methylprednisolone replaces the other steroid regimens (§9.4), and says so."""
    ordered = {d.regimen for draft in drafts for d in draft.step.doses}
    if HIGH_DOSE_STEROID not in ordered:
        return drafts
    out: list[_Draft] = []
    replaced = False
    for draft in drafts:
        regimens = [d.regimen for d in draft.step.doses]
        steroid = [guideline.drug(guideline.regimen(r).drug).steroid for r in regimens]
        lower = [
            r != HIGH_DOSE_STEROID and s and r != "methylprednisolone_taper"
            for r, s in zip(regimens, steroid, strict=True)
        ]
        if regimens and all(lower):
            replaced = True
            continue
        out.append(draft)
    if replaced:
        # Said beside the 1 g order itself, where the doctor reads the steroid (review A11).
        high = next(d for d in out if HIGH_DOSE_STEROID in {x.regimen for x in d.step.doses})
        text = f"{high.step.text.rstrip('.')} ({texts.STEROID_REPLACES})."
        high.step = replace(high.step, text=text)
    return out


def _merge_same_drug(drafts: list[_Draft]) -> list[_Draft]:
    """One order per drug: a later table's step ordering a drug already ordered merges into it."""
    out: list[_Draft] = []
    for draft in drafts:
        target = next(
            (
                kept
                for kept in out
                if kept.drugs & draft.drugs
                and kept.step.group != draft.step.group
                and kept.now == draft.now
            ),
            None,
        )
        if target is None:
            out.append(draft)
            continue
        first, second = target.step, draft.step
        text, trigger, basis = first.text, first.trigger, first.basis
        if first.trigger and not second.trigger:
            # An unconditional order of the same drug makes the merged order unconditional.
            text, trigger, basis = second.text, None, second.basis
        elif first.trigger and second.trigger and second.trigger != first.trigger:
            trigger = f"{first.trigger}; or {_lower_first(second.trigger)}"
        target.step = replace(
            first,
            ids=(*first.ids, *second.ids),
            text=text,
            trigger=trigger,
            basis=basis,
            citations=tuple(dict.fromkeys((*first.citations, *second.citations))),
        )
    return out


def _lower_first(text: str) -> str:
    """'Refractory to anti-IL-6' -> 'refractory to anti-IL-6' (acronyms left alone)."""
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def _stock(drafts: list[_Draft], guideline: Guideline) -> None:
    """Stock lines follow the first order of the drug they stock, and only an order."""
    placed: set[str] = set()
    for draft in drafts:
        drugs = {guideline.regimen(d.regimen).drug for d in draft.step.doses}
        rows = [r for r in guideline.supply.items if r.drug in drugs and r.drug not in placed]
        if rows:
            placed |= {r.drug for r in rows}
            draft.step = replace(
                draft.step,
                stock=tuple(r.text for r in rows),
                stock_citations=tuple(guideline.cite(r) for r in rows),
            )


def _calls(
    now: Sequence[Step],
    later: Sequence[Step],
    rows: dict[str, AdviceRow],
    facts: _Facts,
    guideline: Guideline,
) -> tuple[str, ...]:
    """The guideline's named leads ("Responsibilities"): who to call now, then for later steps.

    The teams 'do now' escalates to come first, then the CAR-T lead, named for every plan with
    something to do (the CAR-T therapy lead is responsible for these patients); a team that
    only a conditional step escalates to (ICU after two boluses, ICU if seizures persist) is
    named too, marked as for that step, so no ICU step is without its lead. A child's plan
    names the GNCH team's leads.
    """
    team: Literal["adult", "paediatric"] = "paediatric" if facts.child else "adult"

    def contacts(steps: Sequence[Step]) -> list[Role]:
        found: list[Role] = []
        for step in steps:
            for i in step.ids:
                contact = rows[i].contact if i in rows else None
                if contact is not None and contact not in found:
                    found.append(contact)
        return found

    first = contacts(now)
    if now or later or facts.child:
        first.append("car_t")
    out = [guideline.routine.lead(team, role) for role in dict.fromkeys(first)]
    calls = [_lead_text(lead) for lead in out if lead is not None]
    for role in contacts(later):
        lead = guideline.routine.lead(team, role)
        if role not in first and lead is not None:
            calls.append(texts.CALL_IF_REACHED.format(lead=_lead_text(lead)))
    return tuple(calls)


def _order_now(drafts: list[_Draft], emergency: set[str], after: set[str]) -> list[_Draft]:
    """'Do now' in urgency order: an emergency protocol's own first steps in its order, then
    escalations (one per team called), then the tests that choose an arm, then the rest.

    Escalations to the same team fold into one: the most urgent, and on a tie the grade table's
    wording (it says more: "ICU care; consider mechanical ventilation"), placed where that team
    was first called; its rows and sources are all kept.
    """
    by_role: dict[str, list[_Draft]] = {}
    for draft in drafts:
        if draft.row.kind == "escalation" and draft.row.contact is not None:
            by_role.setdefault(draft.row.contact, []).append(draft)
    placed: dict[int, _Draft] = {}
    for team in by_role.values():
        top = max(d.row.urgency for d in team)
        best = [d for d in team if d.row.urgency == top]
        wording = next((d for d in best if d.step.group in ("crs", "icans")), best[0])
        merged = replace(
            wording,
            step=replace(
                wording.step,
                group=team[0].step.group,
                ids=tuple(i for d in team for i in d.step.ids),
                citations=tuple(dict.fromkeys(c for d in team for c in d.step.citations)),
            ),
        )
        placed[id(team[0])] = merged
    kept = [
        placed.get(id(d), d)
        for d in drafts
        if id(d) in placed or not (d.row.kind == "escalation" and d.row.contact is not None)
    ]
    first = [d for d in kept if d.step.group in emergency]
    calls = [d for d in kept if d.step.group not in emergency and d.row.kind == "escalation"]
    rest = [d for d in kept if d.step.group not in emergency and d.row.kind != "escalation"]
    tests = [d for d in rest if d.step.group in after]
    return [*first, *calls, *tests, *[d for d in rest if d.step.group not in after]]


def _next_rung(then: list[Step], withheld: Sequence[Withheld]) -> list[Step]:
    """Where a limit withholds an order, the next step of its ladder, to show with the withhold."""
    out: list[Step] = []
    for held in withheld:
        rung = next(
            (s for s in then if s.kind == "drug" and s.doses and s.group in held.groups),
            None,
        )
        if rung is not None and rung not in out:
            out.append(rung)
    return out


# Status epilepticus pathways (Table 6): their "if seizures persist" step is needed within
# minutes, so it stays in 'do now' in every plan, not only in the first steps.
SEIZURE_PATHWAYS = ("convulsive", "nonconvulsive")


def _seizure_rungs(now: list[Step], drafts: Sequence[_Draft]) -> list[Step]:
    """Each status epilepticus pathway's next step, with its trigger, after its own 'do now' steps.

    The next step is the pathway's first row not done now ("seizures persist: phenobarbital");
    it goes right after the pathway's last step in 'do now', so Table 6's order is kept.
    """
    out = list(now)
    for pathway in SEIZURE_PATHWAYS:
        rung = next((d.step for d in drafts if d.step.group == pathway and not d.now), None)
        if rung is None or rung in out:
            continue
        last = max((n for n, s in enumerate(out) if s.group == pathway), default=len(out) - 1)
        out.insert(last + 1, rung)
    return out


def _routine(
    facts: _Facts, needs: frozenset[Need], steroids: bool, guideline: Guideline
) -> tuple[list[Step], list[Step]]:
    care: list[Step] = []
    monitoring: list[Step] = []
    for row in guideline.routine.items:
        shown = row.show == "results" or (row.show == "steroids" and steroids)
        if not shown or not set(row.needs) <= needs:
            continue
        step = Step(
            ids=(row.id,),
            group="routine",
            kind=row.kind,
            text=row.text,
            citations=(guideline.cite(row),),
        )
        (monitoring if row.kind == "monitoring" else care).append(step)
    return care, monitoring


def build_plan(
    findings: Findings,
    crs: Grade | None,
    icans: Grade | None,
    hlh: HlhScreen | None,
    guideline: Guideline,
) -> CarePlan:
    """The care plan for graded findings (clinical-rules §9)."""
    facts = _facts(findings, guideline)
    child = facts.child
    banner = _banner(facts, guideline)
    if any(g is not None and g.grade == 5 for g in (crs, icans)):
        return CarePlan(status="death", child=child, banner=(texts.PLAN_DEATH,))
    groups, needs = _filter(_groups(findings, crs, icans, hlh, guideline), facts)
    ctx = _Ctx(guideline=guideline, tocilizumab=findings.tocilizumab_doses)
    arm = icp_arm(findings, icans, guideline)
    if (
        icans is not None
        and icans.grade
        and _managed_icans_grade(icans, findings, arm) != icans.grade
    ):
        staged = findings.icans is not None and findings.icans.papilloedema_stage is not None
        banner = (
            *banner,
            texts.MANAGED_AS_GRADE_3 if staged else texts.MANAGED_AS_GRADE_3_UNSTAGED,
        )
    if arm == "pressure_review":
        # Where Table 7 and the plan part ways, the plan says so (§9.6, review A11).
        ctx.notes.append(texts.PRESSURE_REVIEW_DIVERGES)
    drafts: list[_Draft] = []
    for group in groups:
        for row in group.rows:
            gated = _gate(_draft(row, group, facts, needs, ctx), ctx)
            if gated is not None:
                drafts.append(gated)
    drafts = _replace_steroids(drafts, guideline)
    drafts = _merge_same_drug(drafts)
    _stock([d for d in drafts if d.now] + [d for d in drafts if not d.now], guideline)

    rows = {row.id: row for g in groups for row in g.rows}
    by_group = {g.id: g for g in groups}
    emergency = {g.id for g in groups if g.lead == "emergency"}
    after = {g.id for g in groups if g.lead == "next"}
    now = [d.step for d in _order_now([d for d in drafts if d.now], emergency, after)]
    now = _seizure_rungs(now, drafts)
    then = [
        d.step
        for d in drafts
        if not d.now and not by_group[d.step.group].pathway and d.row.kind in ("escalation", "drug")
    ]
    # A withheld order's next rung is shown with the withhold, on the first screen (§9.3).
    rungs = _next_rung(then, list(ctx.withheld.values()))
    now += rungs
    then = [s for s in then if s not in rungs]
    table_rest = [d for d in drafts if not d.now and not by_group[d.step.group].pathway]
    care = [d.step for d in table_rest if d.row.kind == "supportive"]
    checks = [d.step for d in table_rest if d.row.kind == "investigation"]
    watch = [d.step for d in table_rest if d.row.kind == "monitoring"]
    pathways = tuple(
        Pathway(
            id=g.id,
            title=g.title,
            reason=g.reason,
            steps=tuple(d.step for d in drafts if d.step.group == g.id),
        )
        for g in groups
        if g.pathway
    )
    steroids = any(
        guideline.drug(guideline.regimen(d.regimen).drug).steroid
        for draft in drafts
        for d in draft.step.doses
    )
    routine_care, monitoring = _routine(facts, needs, steroids, guideline)
    toxic = bool(drafts) or bool(ctx.withheld)
    icans_group = by_group.get("icans")
    concurrent: Literal["yes", "no", "unknown"] | None = None
    if icans_group is not None:
        c = icans_group.concurrent
        concurrent = "unknown" if c is None else "yes" if c else "no"
    return CarePlan(
        status="plan" if toxic else "no_toxicity",
        child=child,
        concurrent_crs=concurrent,
        banner=banner,
        now=tuple(now),
        calls=_calls(now, [*then, *(s for p in pathways for s in p.steps)], rows, facts, guideline),
        withheld=tuple(ctx.withheld.values()),
        pathways=pathways,
        then=tuple(then),
        care=(*care, *routine_care),
        checks=tuple(checks),
        monitoring=(*watch, *monitoring),
        notes=tuple(ctx.notes),
    )


def first_steps(findings: Findings, guideline: Guideline) -> CarePlan:
    """The emergency protocols' own steps (Table 6, Table 7), before anything is graded.

    The emergency entries send this after two answers. It is `build_plan` with no grade: the same
    rows, doses (children: no adult fixed dose), limits and order, the protocol first; the grade
    tables, routine care and monitoring come with the full plan once the rest is asked.
    """
    plan = build_plan(findings, None, None, None, guideline)
    # Each protocol's next step after those done now follows them, with its trigger: it is the
    # next thing the doctor at the bedside will need. A protocol whose 'do now' already holds a
    # conditional step (status epilepticus: "seizures persist"; herniation signs: 23.4% saline)
    # has its next step there already.
    in_now = plan.now_ids()
    rungs: list[Step] = []
    for pathway in plan.pathways:
        if any(s.trigger and set(s.ids) & in_now for s in pathway.steps):
            continue
        rung = next((s for s in pathway.steps if not set(s.ids) & in_now), None)
        if rung is not None and rung not in rungs:
            rungs.append(rung)
    return plan.model_copy(
        update={
            "now": (*plan.now, *rungs),
            "then": (),
            "care": (),
            "checks": (),
            "monitoring": (),
        }
    )


def _banner(facts: _Facts, guideline: Guideline) -> tuple[str, ...]:
    if not facts.child:
        return ()
    lead = guideline.routine.lead("paediatric", "car_t")
    name = f" ({_lead_text(lead)})" if lead is not None else ""
    return (texts.PAEDIATRIC_BANNER.format(lead=name),)
