"""Units, conversions, accepted ranges and parsing of typed numbers with units.

The ranges here are input limits (what a human body can measure), not clinical thresholds: those
live in the guideline data. A value outside the hard range is refused; one outside the plausible
range is accepted only after the user confirms it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "AGE",
    "FLOW",
    "HEIGHT",
    "TEMPERATURE",
    "WEIGHT",
    "Measured",
    "Quantity",
    "UnitError",
    "c_to_f",
    "celsius_from",
    "cm_from",
    "example",
    "fmt",
    "fold_typed",
    "kg_from",
    "other_reading",
    "parse_measure",
]

TemperatureUnit = Literal["C", "F"]
WeightUnit = Literal["kg", "lb"]
HeightUnit = Literal["cm", "in"]

LB_PER_KG = 2.2046226218
CM_PER_IN = 2.54


class UnitError(ValueError):
    """A value that cannot be accepted; the message names what is accepted."""


def fmt(value: float, digits: int = 1) -> str:
    """Format a number with at most `digits` decimals and no trailing zeros."""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def celsius_from(value: float, unit: TemperatureUnit) -> float:
    """Convert to °C; °F is rounded to 0.01 °C so that 100.4 °F is exactly 38.0 °C."""
    return value if unit == "C" else round((value - 32) * 5 / 9, 2)


def c_to_f(celsius: float) -> float:
    """Convert °C to °F."""
    return celsius * 9 / 5 + 32


def kg_from(value: float, unit: WeightUnit) -> float:
    """Convert a weight to kg."""
    return value if unit == "kg" else value / LB_PER_KG


def cm_from(value: float, unit: HeightUnit) -> float:
    """Convert a height to cm."""
    return value if unit == "cm" else value * CM_PER_IN


@dataclass(frozen=True)
class Quantity:
    """A kind of measurement: its base unit, hard limits and plausible limits (in base units)."""

    name: str
    unit: str
    low: float
    high: float
    plausible_low: float
    plausible_high: float
    other_unit: str | None = None
    # A bare number outside this range (in base units) may be in either unit: ask which.
    usual: tuple[float, float] | None = None

    def to_other(self, value: float) -> float:
        """Convert a base-unit value to the other unit, for range messages."""
        if self.other_unit == "F":
            return c_to_f(value)
        if self.other_unit == "lb":
            return value * LB_PER_KG
        if self.other_unit == "in":
            return value / CM_PER_IN
        return value

    def accepted(self) -> str:
        """Describe the accepted range, in both units where there are two."""
        text = f"{fmt(self.low)}–{fmt(self.high)} {_label(self.unit)}"
        if self.other_unit:
            low, high = self.to_other(self.low), self.to_other(self.high)
            text += f" ({fmt(low)}–{fmt(high)} {_label(self.other_unit)})"
        return text

    def check(self, base_value: float) -> float:
        """Return the value if within the hard range, else raise UnitError naming the range."""
        if not math.isfinite(base_value) or not self.low <= base_value <= self.high:
            raise UnitError(f"{self.name} must be {self.accepted()}")
        return base_value

    def plausible(self, base_value: float) -> bool:
        """Whether the value is within the usual range (outside it, ask to confirm)."""
        return self.plausible_low <= base_value <= self.plausible_high


def _label(unit: str) -> str:
    return {"C": "°C", "F": "°F"}.get(unit, unit)


TEMPERATURE = Quantity("Temperature", "C", 25.0, 46.0, 35.0, 42.0, other_unit="F")
WEIGHT = Quantity("Weight", "kg", 1.0, 350.0, 2.5, 250.0, other_unit="lb", usual=(30.0, 150.0))
HEIGHT = Quantity("Height", "cm", 40.0, 250.0, 45.0, 220.0, other_unit="in")
FLOW = Quantity("Oxygen flow", "L/min", 0.1, 80.0, 0.1, 80.0)
AGE = Quantity("Age", "years", 0, 120, 0, 120)

_UNIT_WORDS: dict[str, str] = {
    "c": "C",
    "°c": "C",
    "°": "C",
    "celsius": "C",
    "degc": "C",
    "deg": "C",
    "f": "F",
    "°f": "F",
    "fahrenheit": "F",
    "degf": "F",
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kilograms": "kg",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "cm": "cm",
    "centimetres": "cm",
    "centimeters": "cm",
    "in": "in",
    "inch": "in",
    "inches": "in",
    '"': "in",
    "l/min": "L/min",
    "lpm": "L/min",
    "l": "L/min",
    "litres": "L/min",
    "liters": "L/min",
}
_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*([^\d\s].*)?$", re.ASCII)


@dataclass(frozen=True)
class Measured:
    """A typed measurement: the value as typed, its unit, and the value in the base unit."""

    value: float
    unit: str
    base: float
    # Whether the unit was typed (not assumed for a bare number).
    typed: bool = True

    def echo(self, quantity: Quantity) -> str:
        """Show the value, with its conversion when typed in the other unit."""
        base_label = _label(quantity.unit)
        if self.unit == quantity.unit:
            return f"{fmt(self.value)} {base_label}"
        return f"{fmt(self.value)} {_label(self.unit)} = {fmt(self.base)} {base_label}"


# Fullwidth forms (a phone keyboard in CJK mode) to ASCII, and the one-character degree signs.
# Deliberately not NFKC: that would read a superscript '3²' as 32.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    ord("℃"): "°C",
    ord("℉"): "°F",
}


def fold_typed(text: str) -> str:
    """Fullwidth digits and letters to ASCII, '℃'/'℉' to '°C'/'°F'; anything else as typed."""
    return text.translate(_FOLD)


def parse_measure(text: str, quantity: Quantity) -> Measured:
    """Parse "38.4", "101 F", "38,4 ℃", "154 lb"; a bare number takes the likelier unit."""
    match = _NUMBER.match(fold_typed(text).strip().lower())
    if not match:
        raise UnitError(f"I need a number, e.g. {_example(quantity)}")
    value = float(match.group(1).replace(",", "."))
    word = (match.group(2) or "").strip().rstrip(".")
    unit = _UNIT_WORDS.get(word.replace(" ", "")) if word else None
    allowed = {quantity.unit, quantity.other_unit} - {None}
    if word and unit not in allowed:
        units = " or ".join(_label(u) for u in sorted(allowed, key=str) if u)
        raise UnitError(f"Unit not recognised. Use {units}, e.g. {_example(quantity)}")
    typed = unit is not None
    if unit is None:
        unit = quantity.unit
        # A bare number that only fits the other unit (100.4 for a temperature) is taken in it.
        other = quantity.other_unit
        if other and not quantity.low <= value <= quantity.high:
            converted = _to_base(value, other)
            if quantity.low <= converted <= quantity.high and quantity.plausible(converted):
                unit = other
    base = _to_base(value, unit)
    if not typed and not (math.isfinite(base) and quantity.low <= base <= quantity.high):
        # Say which unit a bare number was taken in, so "add F" is obvious.
        raise UnitError(
            f"{fmt(value)} taken as {_label(unit)}: {quantity.name.lower()} must be "
            f"{quantity.accepted()}. Add the unit if it is another, e.g. {_example(quantity)}"
        )
    quantity.check(base)
    return Measured(value=value, unit=unit, base=base, typed=typed)


def other_reading(measured: Measured, quantity: Quantity) -> Measured | None:
    """For a bare number outside the usual range, the same number in the other unit, if valid.

    A weight of 220 may be kg or lb (a 110 lb patient typed as kg doubles the dose): the dialog
    asks which, showing both.
    """
    if measured.typed or quantity.usual is None or quantity.other_unit is None:
        return None
    low, high = quantity.usual
    if low <= measured.base <= high:
        return None
    unit = quantity.other_unit if measured.unit == quantity.unit else quantity.unit
    base = _to_base(measured.value, unit)
    if not quantity.low <= base <= quantity.high:
        return None
    return Measured(value=measured.value, unit=unit, base=base, typed=True)


def _to_base(value: float, unit: str) -> float:
    if unit == "F":
        return celsius_from(value, "F")
    if unit == "lb":
        return kg_from(value, "lb")
    if unit == "in":
        return cm_from(value, "in")
    return value


def example(quantity: Quantity) -> str:
    """A typed example of a quantity, in both units where there are two."""
    return _example(quantity)


def _example(quantity: Quantity) -> str:
    return {
        "C": "38.4 or 101.1 F",
        "kg": "70 or 154 lb",
        "cm": "170 or 67 in",
        "L/min": "4",
        "years": "45",
    }[quantity.unit]
