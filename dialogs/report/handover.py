"""A copyable plain-text handover summary of a real assessment, for the clinical notes."""

from __future__ import annotations

from enum import StrEnum

from dialogs import texts
from dialogs.clinical.assessment import Assessment
from dialogs.clinical.careplan import Step
from dialogs.clinical.findings import Findings
from dialogs.clinical.units import fmt
from dialogs.report.result import withheld_line

__all__ = ["handover"]


def _words(value: StrEnum) -> str:
    """An answer's id as words: 'wakes_to_voice' -> 'wakes to voice' ('eeg_resolved' named)."""
    return texts.FINDING_WORDS.get(value.value, value.value.replace("_", " "))


def _crs_line(findings: Findings) -> str | None:
    crs = findings.crs
    if crs is None:
        return None
    parts = [f"Tmax {fmt(crs.max_temperature.celsius)} °C"]
    if crs.prior_treatment:
        parts.append("already had " + ", ".join(t.value for t in crs.prior_treatment))
    pressure = {"none": "no hypotension", "fluids": "hypotension on fluids only"}.get(
        crs.hypotension.value, "vasopressors: " + ", ".join(v.value for v in crs.vasopressors)
    )
    parts.append(pressure + (" (other cause)" if crs.hypotension_other_cause else ""))
    oxygen = "room air" if crs.oxygen.value == "none" else _words(crs.oxygen)
    if crs.oxygen_flow_l_min is not None:
        oxygen += f" {fmt(crs.oxygen_flow_l_min)} L/min"
    if crs.oxygen_for_comfort_only:
        oxygen += " (comfort only)"
    if crs.hypoxia_other_cause:
        oxygen += " (other cause)"
    parts.append(oxygen)
    return "CRS findings: " + "; ".join(parts)


def _icans_line(findings: Findings) -> str | None:
    icans = findings.icans
    if icans is None:
        return None
    parts = []
    if icans.capd_total is not None:
        parts.append(f"CAPD {icans.capd_total}")
    elif icans.ice is not None:
        parts.append(f"ICE {icans.ice}/10")
    parts.append(
        _words(icans.consciousness) + (" (sedation)" if icans.consciousness_from_sedation else "")
    )
    parts.append(f"seizures: {_words(icans.seizure)}")
    parts.append(f"motor: {_words(icans.motor)}")
    signs = ", ".join(_words(s) for s in icans.icp_signs) or "none"
    if icans.papilloedema_stage is not None:
        signs += f" (papilloedema stage {icans.papilloedema_stage})"
    parts.append(f"raised-ICP signs: {signs}")
    parts.append(f"imaging: {_words(icans.imaging)}")
    if icans.csf_opening_pressure_mmhg is not None:
        parts.append(f"CSF opening pressure {fmt(icans.csf_opening_pressure_mmhg)} mmHg")
    return "ICANS findings: " + "; ".join(parts)


def _step_lines(step: Step, prefix: str) -> list[str]:
    """A step whole: trigger, instruction, every dose line with its arithmetic and limits."""
    lines = [f"{prefix}{step.instruction}"]
    for n, dose in enumerate(step.doses):
        marker = f"{texts.OR_INSTEAD} " if step.alternatives and n else ""
        lines.append(f"    {marker}{dose.text}")
        lines += [f"    ! {w}" for w in dose.warnings]
    return lines


def handover(findings: Findings, result: Assessment, at: str | None = None) -> str:
    """Findings, grades, the plan advised (doses whole, limits, withholds), time and version."""
    plan = result.plan
    lines = [texts.HANDOVER_TITLE + (f" · {at}" if at else "")]
    lines += list(plan.banner)
    lines += list(result.patient)
    if plan.status != "death":
        # After a death the handover records the grade, not a list of findings to act on.
        lines += [line for line in (_crs_line(findings), _icans_line(findings)) if line]
        if plan.concurrent_crs is not None:
            lines.append(texts.CONCURRENT_CRS[plan.concurrent_crs])
        if findings.hlh is not None:
            lines.append(f"Peak ferritin {findings.hlh.peak_ferritin_ng_ml:,.0f} ng/mL")
    lines.append(f"Grades: {result.headline}")
    if plan.calls:
        lines.append(texts.PLAN_CALL.format(leads=" · ".join(plan.calls)))
    if plan.now:
        lines.append(texts.HANDOVER_NOW)
        for step in plan.now:
            lines += _step_lines(step, "- ")
    lines += [withheld_line(w.drug, w.reason, w.next_allowed) for w in plan.withheld]
    in_now = plan.now_ids()
    for pathway in plan.pathways:
        lines.append(f"{pathway.title}:")
        for number, step in enumerate(pathway.steps, 1):
            if set(step.ids) & in_now:
                lines.append(f"{number}. {step.instruction} {texts.PLAN_IN_NOW}")
            else:
                lines += _step_lines(step, f"{number}. ")
    if plan.then:
        lines.append(f"{texts.PLAN_THEN}:")
        for step in plan.then:
            lines += _step_lines(step, "- ")
    lines += [f"Note: {note}" for note in plan.notes]
    lines.append(texts.HANDOVER_SOURCE.format(version=result.guideline))
    return "\n".join(lines)
