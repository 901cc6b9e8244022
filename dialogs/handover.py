"""A copyable plain-text handover summary of a real assessment, for the clinical notes."""

from __future__ import annotations

from enum import StrEnum

from dialogs import texts
from dialogs.assessment import Assessment
from dialogs.findings import Findings
from dialogs.units import fmt

__all__ = ["handover"]


def _words(value: StrEnum) -> str:
    """An answer's id as words: 'wakes_to_voice' -> 'wakes to voice'."""
    return value.value.replace("_", " ")


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
    parts.append(f"raised-ICP signs: {signs}")
    parts.append(f"imaging: {_words(icans.imaging)}")
    return "ICANS findings: " + "; ".join(parts)


def handover(findings: Findings, result: Assessment, at: str | None = None) -> str:
    """Findings, grades, actions advised, time and guideline version, as plain text."""
    lines = [texts.HANDOVER_TITLE + (f" · {at}" if at else "")]
    lines += [line for line in (_crs_line(findings), _icans_line(findings)) if line]
    if findings.hlh is not None:
        lines.append(f"Peak ferritin {findings.hlh.peak_ferritin_ng_ml:,.0f} ng/mL")
    lines.append(f"Grades: {result.headline}")
    actions = [
        item
        for item in result.advice
        if item.kind in ("escalation", "drug") and item.topic != "Drug supply"
    ]
    if actions:
        lines.append("Actions advised:")
        for item in actions:
            doses = "; ".join(d.text.split(" (")[0] for d in item.doses)
            lines.append(f"- {item.text}" + (f" {doses}" if doses else ""))
    lines.append(texts.HANDOVER_SOURCE.format(version=result.guideline))
    return "\n".join(lines)
