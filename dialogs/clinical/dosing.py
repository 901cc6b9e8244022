"""Doses for this patient from the regimens of the drug table, with the arithmetic shown.

Dose limits are worked out here, once, for every place a dose is shown: a regimen whose course
limit is reached comes back `withheld` (with the reason and, where the time of the last dose is
known, when the next is allowed), and its last permitted dose says so and drops "repeat".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dialogs import texts
from dialogs.clinical.findings import TocilizumabDoses
from dialogs.clinical.guideline import Citation, Guideline
from dialogs.clinical.guideline.schema import Regimen
from dialogs.clinical.units import HEIGHT, WEIGHT, fmt

__all__ = [
    "Dose",
    "body_surface_area",
    "bsa_arithmetic",
    "compute_dose",
    "dose_weight",
]

_HOURS_PER_DAY = 24
_WHOLE_MG_FROM = 10


# Output values are plain frozen dataclasses: built from validated data, many per assessment,
# and pydantic still serialises them and writes their JSON Schema (measured: 4x faster to build).
@dataclass(frozen=True, slots=True)
class Dose:
    """One regimen worked out for the patient: the line to show, the numbers, and its limits.

    `warnings` are limits that travel with the dose wherever it is shown (caps, withhold rules,
    the last permitted dose). `withheld` is set when a limit forbids giving it now: the dose is
    then never shown as an order, only as a withhold with this reason.
    """

    regimen: str
    drug: str
    text: str
    low: float | None
    high: float | None
    unit: str
    arithmetic: str | None = None
    capped: bool = False
    paediatric_ask: bool = False
    withheld: str | None = None
    next_allowed: str | None = None
    warnings: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()


def body_surface_area(height_cm: float, weight_kg: float) -> float:
    """Body surface area in m² by the Mosteller formula, √(height cm × weight kg / 3600)."""
    HEIGHT.check(height_cm)
    WEIGHT.check(weight_kg)
    return math.sqrt(height_cm * weight_kg / 3600)


def bsa_arithmetic(height_cm: float, weight_kg: float) -> str:
    """Show how the body surface area was worked out."""
    return texts.BSA.format(
        cm=fmt(height_cm), kg=fmt(weight_kg), bsa=f"{_bsa_used(height_cm, weight_kg):.3f}"
    )


def _bsa_used(height_cm: float, weight_kg: float) -> float:
    """The body surface area doses are worked from: to 0.001 m², the figure the arithmetic shows."""
    return round(body_surface_area(height_cm, weight_kg), 3)


def dose_weight(weight_kg: float) -> float:
    """The weight doses are worked from: to 0.1 kg, the figure the arithmetic shows."""
    return round(weight_kg, 1)


def _num(value: float) -> str:
    """A dose amount: exact to 0.01, thousands separated (1,095 mg)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _whole(value: float) -> float:
    """Round half up to a whole number (136.5 -> 137), never to even."""
    return float(math.floor(value + 0.5))


def _needs_rounding(low: float, high: float | None) -> bool:
    """Doses of 10 mg or more are given in whole milligrams."""
    values = [v for v in (low, high) if v is not None]
    return any(v >= _WHOLE_MG_FROM and v != _whole(v) for v in values)


def _amount(low: float, high: float | None, unit: str) -> str:
    if high is None or high == low:
        return f"{_num(low)} {unit}"
    return f"{_num(low)}–{_num(high)} {unit}"


def _tail(regimen: Regimen, repeat: bool) -> str:
    parts = [p for p in (regimen.route, regimen.schedule) if p]
    if repeat and regimen.repeat:
        parts.append(regimen.repeat)
    return (" " + ", ".join(parts)) if parts else ""


@dataclass(frozen=True, slots=True)
class _Limit:
    """What a course limit says about giving one more dose now."""

    warnings: tuple[str, ...] = ()
    withheld: str | None = None
    next_allowed: str | None = None
    last: bool = False


def _left(template: str, left: int, total: int) -> str:
    """'1 dose left of 4 in total' / '2 doses left of 4 in total'."""
    word = texts.TOCI_DOSES_WORD[0 if left == 1 else 1]
    return template.format(left=left, doses=word, total=total)


def _course_limit(regimen: Regimen, given: TocilizumabDoses | None) -> _Limit:
    limit = regimen.limit
    if limit is None:
        return _Limit()
    if given is None:
        return _Limit(
            warnings=(texts.TOCI_ASK_HISTORY.format(day=limit.per_24h, total=limit.total),)
        )
    if given.total >= limit.total:
        return _Limit(
            withheld=texts.TOCI_TOTAL_CAP.format(given=given.total, total=limit.total),
            next_allowed=texts.TOCI_NO_MORE,
            last=True,
        )
    if given.last_24h >= limit.per_24h:
        hours = given.hours_since_last
        wait = None if hours is None else max(0.0, _HOURS_PER_DAY - hours)
        when = (
            texts.TOCI_NEXT_UNKNOWN.format(day=limit.per_24h)
            if wait is None
            else texts.TOCI_NEXT_WITHIN.format(day=limit.per_24h, hours=fmt(wait))
        )
        return _Limit(
            withheld=texts.TOCI_DAY_CAP.format(given=given.last_24h, day=limit.per_24h),
            next_allowed=when + _left(texts.TOCI_LEFT, limit.total - given.total, limit.total),
            last=True,
        )
    last_of_day = given.last_24h + 1 == limit.per_24h
    last_of_total = given.total + 1 == limit.total
    parts = [
        texts.TOCI_DOSE_OF.format(
            day_next=given.last_24h + 1, day=limit.per_24h, next=given.total + 1, total=limit.total
        )
    ]
    if last_of_day:
        parts.append(texts.TOCI_LAST_OF_DAY.format(day=limit.per_24h))
    if last_of_total:
        parts.append(texts.TOCI_LAST_OF_TOTAL)
    elif last_of_day:
        # How many remain once the 24-hour limit lifts (review: it was not said).
        parts.append(_left(texts.TOCI_AFTER_LEFT, limit.total - given.total - 1, limit.total))
    return _Limit(warnings=("; ".join(parts),), last=last_of_day or last_of_total)


def compute_dose(
    regimen: Regimen,
    guideline: Guideline,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    tocilizumab_doses: TocilizumabDoses | None = None,
    *,
    child: bool = False,
) -> Dose:
    """Work out one regimen for a patient; without the weight or height, show the rule.

    For a child, a fixed (adult) dose is never shown as the child's dose: the line says to ask
    the paediatric team or pharmacy. Doses per kg and per m² are worked out with the child's size.
    """
    drug = guideline.drug(regimen.drug)
    citations = [guideline.cite(regimen)]
    limit = _course_limit(regimen, tocilizumab_doses)
    if regimen.limit is not None:
        citations.append(guideline.cite(regimen.limit))
    warnings = list(limit.warnings)
    if regimen.stop:
        warnings.append(regimen.stop)
    unit = regimen.unit
    cap = f", {texts.DOSE_MAX.format(cap=_num(regimen.cap), unit=unit)}" if regimen.cap else ""
    note = f". {regimen.note}" if regimen.note else ""
    tail = _tail(regimen, repeat=not limit.last)

    def done(
        text: str,
        low: float | None,
        high: float | None,
        arithmetic: str | None = None,
        *,
        capped: bool = False,
        paediatric_ask: bool = False,
    ) -> Dose:
        return Dose(
            regimen=regimen.id,
            drug=drug.name,
            text=text,
            low=low,
            high=high,
            unit=unit,
            arithmetic=arithmetic,
            capped=capped,
            paediatric_ask=paediatric_ask,
            withheld=limit.withheld,
            next_allowed=limit.next_allowed,
            warnings=tuple(warnings),
            citations=tuple(citations),
        )

    if regimen.basis == "fixed":
        if child:
            return done(
                texts.DOSE_PAEDIATRIC_ASK.format(drug=drug.name), None, None, paediatric_ask=True
            )
        text = f"{drug.name} {_amount(regimen.low, regimen.high, unit)}{tail}{note}"
        return done(text, regimen.low, regimen.high)

    rate_low, rate_high, band_text = regimen.low, regimen.high, ""
    if regimen.basis == "per_kg":
        if weight_kg is None:
            rule = f"{_amount(regimen.low, regimen.high, unit)}/kg"
            bands = "".join(
                f" ({_amount(b.low, b.high, unit)}/kg under {_num(b.below_kg)} kg)"
                for b in regimen.bands
            )
            text = f"{drug.name} {rule}{bands}{tail}{cap}{note} ({texts.DOSE_NEEDS_WEIGHT})"
            return done(text, None, None)
        WEIGHT.check(weight_kg)
        size = dose_weight(weight_kg)
        for band in regimen.bands:
            if size < band.below_kg:
                rate_low, rate_high = band.low, band.high
                band_text = texts.DOSE_BAND.format(kg=_num(band.below_kg))
                citations.append(guideline.cite(band))
                break
        size_text = fmt(size)
        template = texts.DOSE_PER_KG
    else:
        if weight_kg is None or height_cm is None:
            rule = f"{_amount(regimen.low, regimen.high, unit)}/m²"
            text = f"{drug.name} {rule}{tail}{note} ({texts.DOSE_NEEDS_BSA})"
            return done(text, None, None)
        size = _bsa_used(height_cm, weight_kg)
        size_text = f"{size:.3f}"
        template = texts.DOSE_PER_M2

    # The exact product first; then the cap, or else whole milligrams for doses of 10 mg or
    # more, each step shown (clinical-rules §9.10).
    low = round(rate_low * size, 2)
    high = round(rate_high * size, 2) if rate_high is not None else None
    rate = _amount(rate_low, rate_high, "").strip()
    arithmetic = template.format(
        rate=rate,
        unit=unit,
        size=size_text,
        amount=_amount(low, high, unit).removesuffix(f" {unit}"),
    )
    arithmetic += band_text
    if regimen.basis == "per_m2":
        assert height_cm is not None
        assert weight_kg is not None
        arithmetic = f"{bsa_arithmetic(height_cm, weight_kg)}; {arithmetic}"
    capped = False
    if regimen.cap is not None and (low > regimen.cap or (high or 0) > regimen.cap):
        capped = True
        low = min(low, regimen.cap)
        high = min(high, regimen.cap) if high is not None else None
        arithmetic += texts.DOSE_CAPPED.format(cap=_num(regimen.cap), unit=unit)
    elif unit == "mg" and _needs_rounding(low, high):
        low, high = _whole(low), (_whole(high) if high is not None else None)
        arithmetic += texts.DOSE_ROUNDED.format(amount=_amount(low, high, unit))
    text = f"{drug.name} {_amount(low, high, unit)}{tail} ({arithmetic}){note}"
    return done(text, low, high, arithmetic, capped=capped)
