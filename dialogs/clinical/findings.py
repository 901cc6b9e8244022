"""Findings: what the doctor observed, as validated pydantic models (the input of grading)."""

from __future__ import annotations

from typing import Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogs.clinical.units import (
    AGE,
    FLOW,
    HEIGHT,
    TEMPERATURE,
    WEIGHT,
    HeightUnit,
    TemperatureUnit,
    WeightUnit,
    celsius_from,
    cm_from,
    kg_from,
)
from dialogs.clinical.vocab import (
    Consciousness,
    Hypotension,
    IcansTool,
    IcpSign,
    Imaging,
    Motor,
    OrganSystem,
    OxygenDevice,
    PriorTreatment,
    Seizure,
    Vasopressor,
)

__all__ = [
    "CrsFindings",
    "Findings",
    "Height",
    "HlhFindings",
    "IcansFindings",
    "IceItems",
    "OrganToxicity",
    "Patient",
    "Temperature",
    "TocilizumabDoses",
    "Weight",
]


_T = TypeVar("_T")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Temperature(_Model):
    """Highest temperature in the period assessed."""

    value: float
    unit: TemperatureUnit = "C"

    @property
    def celsius(self) -> float:
        """The temperature in °C."""
        return celsius_from(self.value, self.unit)

    @model_validator(mode="after")
    def _in_range(self) -> Self:
        TEMPERATURE.check(self.celsius)
        return self


class Weight(_Model):
    """Body weight."""

    value: float
    unit: WeightUnit = "kg"

    @property
    def kg(self) -> float:
        """The weight in kg."""
        return kg_from(self.value, self.unit)

    @model_validator(mode="after")
    def _in_range(self) -> Self:
        WEIGHT.check(self.kg)
        return self


class Height(_Model):
    """Height, for body surface area."""

    value: float
    unit: HeightUnit = "cm"

    @property
    def cm(self) -> float:
        """The height in cm."""
        return cm_from(self.value, self.unit)

    @model_validator(mode="after")
    def _in_range(self) -> Self:
        HEIGHT.check(self.cm)
        return self


class Patient(_Model):
    """What dosing needs about the patient. No identifiers, ever."""

    weight: Weight | None = None
    height: Height | None = None
    age_years: int | None = Field(default=None, ge=AGE.low, le=AGE.high)
    # When the exact age is not known: whether the patient is an adult (18 or over) or a child.
    # The emergency entries ask this with the weight, before any other question.
    age_group: Literal["adult", "child"] | None = None


class TocilizumabDoses(_Model):
    """Tocilizumab doses already given for this episode."""

    last_24h: int = Field(default=0, ge=0, le=20)
    total: int = Field(default=0, ge=0, le=20)
    hours_since_last: float | None = Field(
        default=None, ge=0, le=24 * 365, description="Hours since the last dose, if known."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.total < self.last_24h:
            raise ValueError("total must be at least last_24h")
        return self


class OrganToxicity(_Model):
    """An organ toxicity graded by CTCAE; recorded, never used for the CRS grade."""

    system: OrganSystem
    ctcae_grade: int = Field(ge=1, le=5)


class CrsFindings(_Model):
    """Findings for the CRS grade (ASTCT 2019)."""

    max_temperature: Temperature
    fever_other_cause: bool = False
    prior_treatment: tuple[PriorTreatment, ...] = Field(
        default=(), description="Antipyretic or anti-cytokine treatment already given for CRS."
    )
    hypotension: Hypotension = Hypotension.NONE
    vasopressors: tuple[Vasopressor, ...] = ()
    hypotension_other_cause: bool = False
    oxygen: OxygenDevice = OxygenDevice.NONE
    oxygen_flow_l_min: float | None = Field(default=None, ge=FLOW.low, le=FLOW.high)
    oxygen_for_comfort_only: bool = False
    hypoxia_other_cause: bool = False
    organ_toxicities: tuple[OrganToxicity, ...] = ()
    death_from_crs: bool = False

    @field_validator("prior_treatment", "vasopressors")
    @classmethod
    def _no_repeats(cls, value: tuple[_T, ...]) -> tuple[_T, ...]:
        if len(set(value)) != len(value):
            raise ValueError("list each one once")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.hypotension == Hypotension.VASOPRESSORS and not self.vasopressors:
            raise ValueError("vasopressors: name at least one when hypotension is 'vasopressors'")
        if self.vasopressors and self.hypotension != Hypotension.VASOPRESSORS:
            raise ValueError("hypotension: must be 'vasopressors' when vasopressors are listed")
        if self.oxygen == OxygenDevice.NASAL_CANNULA and self.oxygen_flow_l_min is None:
            raise ValueError("oxygen_flow_l_min: needed for a nasal cannula (≤ 6 or > 6 L/min)")
        return self


class IceItems(_Model):
    """The ten ICE points, task by task."""

    year: bool
    month: bool
    city: bool
    hospital: bool
    commands: bool
    naming: int = Field(ge=0, le=3)
    writing: bool
    counting: bool

    @property
    def score(self) -> int:
        """The ICE score, 0-10."""
        return sum(int(v) for v in self.model_dump().values())


class IcansFindings(_Model):
    """Findings for the ICANS grade (ASTCT 2019) and its pathways."""

    tool: IcansTool | None = Field(
        default=None, description="ice or capd; required at exactly 12 years."
    )
    developmental_delay: bool = False
    ice_score: int | None = Field(default=None, ge=0, le=10)
    ice_items: IceItems | None = None
    capd_total: int | None = Field(default=None, ge=0, le=32)
    consciousness: Consciousness
    consciousness_from_sedation: bool = False
    seizure: Seizure = Seizure.NONE
    motor: Motor = Motor.NONE
    imaging: Imaging = Imaging.NOT_DONE
    icp_signs: tuple[IcpSign, ...] = ()
    papilloedema_stage: int | None = Field(default=None, ge=1, le=5)
    csf_opening_pressure_mmhg: float | None = Field(default=None, ge=0, le=100)
    intracranial_haemorrhage: bool = False
    concurrent_crs: bool | None = None
    death_from_icans: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        items, score = self.ice_items, self.ice_score
        if items is not None and score is not None and items.score != score:
            raise ValueError(f"ice_score: {score} disagrees with ice_items ({items.score})")
        if self.papilloedema_stage is not None and IcpSign.PAPILLOEDEMA not in self.icp_signs:
            raise ValueError("icp_signs: add 'papilloedema' when papilloedema_stage is given")
        if len(set(self.icp_signs)) != len(self.icp_signs):
            raise ValueError("icp_signs: list each one once")
        return self

    @property
    def ice(self) -> int | None:
        """The ICE score from the items or as typed."""
        return self.ice_items.score if self.ice_items is not None else self.ice_score


class HlhFindings(_Model):
    """Findings for the CAR-T-related HLH/MAS screen."""

    peak_ferritin_ng_ml: float = Field(ge=0, le=1_000_000)
    liver: bool = False
    renal: bool = False
    pulmonary_oedema: bool = False
    haemophagocytosis: bool = False


class Findings(_Model):
    """A findings document: any of CRS, ICANS and HLH, with what dosing needs."""

    kind: Literal["findings"] = "findings"
    patient: Patient = Patient()
    crs: CrsFindings | None = None
    icans: IcansFindings | None = None
    hlh: HlhFindings | None = None
    tocilizumab_doses: TocilizumabDoses | None = Field(
        default=None, description="Doses already given; without it the cap cannot be checked."
    )

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.crs is None and self.icans is None and self.hlh is None:
            raise ValueError("give at least one of crs, icans, hlh")
        return self
