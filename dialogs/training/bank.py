"""The training case bank: simulated patients, validated against the grading code at load."""

from __future__ import annotations

import tomllib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dialogs.clinical.assessment import Assessment, assess
from dialogs.clinical.dosing import compute_dose
from dialogs.clinical.findings import Findings, Patient
from dialogs.clinical.guideline import Guideline

__all__ = ["Action", "Bank", "Case", "Step", "Topic", "TrainingError", "load_bank"]

Topic = Literal["crs", "icans", "ice", "doses", "pathways"]
TOPICS: tuple[Topic, ...] = ("crs", "icans", "ice", "doses", "pathways")


class TrainingError(ValueError):
    """A case file is malformed, or a case's written grade disagrees with the grading code."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DoseCheck(_Frozen):
    """A dose answer: right when this regimen's dose for the patient equals `value`."""

    regimen: str
    value: float


class Action(_Frozen):
    """A first action a trainee can choose.

    It is what the guideline advises when the plan holds every row it `requires` and none it
    `excludes` (an action that says "no treatment" is not advised where treatment is).
    """

    id: str
    label: str
    requires: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    dose: DoseCheck | None = None

    def advised(self, rows: AbstractSet[str]) -> bool:
        """Whether a plan with these advice row ids advises this action."""
        return bool(self.requires) and set(self.requires) <= rows and not set(self.excludes) & rows


class Step(_Frozen):
    """One moment of a case: findings shown line by line, expected grades, the right action."""

    day: int = Field(ge=0, le=60)
    lines: tuple[str, ...] = Field(min_length=1)
    findings: dict[str, Any] = Field(default_factory=dict)
    crs: int | None = Field(default=None, ge=0, le=5)
    icans: int | None = Field(default=None, ge=0, le=5)
    hlh: bool | None = None
    action: str
    options: tuple[str, ...] = Field(min_length=2, max_length=5)


class Case(_Frozen):
    """A simulated CAR-T patient, possibly over several days."""

    id: str
    title: str
    topics: tuple[Topic, ...] = Field(min_length=1)
    patient: dict[str, Any] = Field(default_factory=dict)
    steps: tuple[Step, ...] = Field(alias="step", min_length=1)


class _CasesFile(_Frozen):
    cases: tuple[Case, ...] = Field(alias="case", min_length=1)


class _ActionsFile(_Frozen):
    actions: tuple[Action, ...] = Field(alias="action", min_length=1)


@dataclass(frozen=True)
class Bank:
    """The validated cases and actions, with each step's computed assessment."""

    cases: tuple[Case, ...]
    actions: dict[str, Action]
    assessments: dict[tuple[str, int], Assessment]

    def case(self, case_id: str) -> Case:
        """A case by id."""
        return next(c for c in self.cases if c.id == case_id)

    def for_topic(self, topic: str) -> tuple[Case, ...]:
        """The cases of a topic ('random' for all)."""
        return (
            self.cases if topic == "random" else tuple(c for c in self.cases if topic in c.topics)
        )


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TrainingError(f"{path.name}: cannot read: {error}") from None


def _check_step(
    case: Case, number: int, step: Step, actions: dict[str, Action], guideline: Guideline
) -> Assessment | None:
    where = f"cases.toml: case {case.id} step {number}"
    unknown = [o for o in (*step.options, step.action) if o not in actions]
    if unknown:
        raise TrainingError(f"{where}: unknown action {unknown[0]!r}")
    if step.action not in step.options or len(set(step.options)) != len(step.options):
        raise TrainingError(f"{where}: the options must be distinct and include the action")
    patient = Patient.model_validate(case.patient)
    result = None
    if step.findings:
        try:
            findings = Findings.model_validate({"patient": case.patient, **step.findings})
        except ValidationError as error:
            raise TrainingError(f"{where}: findings: {error.errors()[0]['msg']}") from None
        result = assess(findings, guideline)
        for name, written, computed in (
            ("CRS", step.crs, result.crs.grade if result.crs else None),
            ("ICANS", step.icans, result.icans.grade if result.icans else None),
            ("HLH", step.hlh, result.hlh.met if result.hlh else None),
        ):
            if written != computed:
                raise TrainingError(
                    f"{where}: the author wrote {name} {written}, the grading code gives {computed}"
                )
    action = actions[step.action]
    if action.requires:
        if result is None:
            raise TrainingError(f"{where}: action {action.id!r} needs findings to check")
        rows = result.plan.row_ids()
        missing = set(action.requires) - rows
        if missing or not action.advised(rows):
            raise TrainingError(
                f"{where}: action {action.id!r} is not what the guideline "
                f"advises here (missing {sorted(missing)}, "
                f"excluded {sorted(set(action.excludes) & rows)})"
            )
        # A wrong option the advice shown next also gives would mark a right answer wrong.
        also = [o for o in step.options if o != step.action and actions[o].advised(rows)]
        if also:
            raise TrainingError(f"{where}: option {also[0]!r} is also advised here: ambiguous")
    weight = patient.weight.kg if patient.weight else None
    if action.dose is not None:
        right = compute_dose(guideline.regimen(action.dose.regimen), guideline, weight).low
        if right != action.dose.value:
            raise TrainingError(
                f"{where}: action {action.id!r} says {action.dose.value}, the "
                f"dose for this patient is {right}"
            )
        for option in step.options:
            other = actions[option].dose
            if option != step.action and other is not None and other.value == right:
                raise TrainingError(f"{where}: option {option!r} is also {right}: ambiguous")
    return result


def load_bank(guideline: Guideline, directory: Path | None = None) -> Bank:
    """Load the cases and actions (default: the packaged ones) and check them against grading."""
    if directory is None:
        with resources.as_file(resources.files("dialogs.training") / "data") as packaged:
            return load_bank(guideline, Path(packaged))
    try:
        actions_file = _ActionsFile.model_validate(_read(directory / "actions.toml"))
        cases_file = _CasesFile.model_validate(_read(directory / "cases.toml"))
    except ValidationError as error:
        first = error.errors()[0]
        raise TrainingError(
            f"training data: {'.'.join(map(str, first['loc']))}: {first['msg']}"
        ) from None
    actions = {a.id: a for a in actions_file.actions}
    ids = [c.id for c in cases_file.cases]
    if len(set(ids)) != len(ids):
        raise TrainingError("cases.toml: case ids must be unique")
    assessments: dict[tuple[str, int], Assessment] = {}
    for case in cases_file.cases:
        for number, step in enumerate(case.steps, start=1):
            result = _check_step(case, number, step, actions, guideline)
            if result is not None:
                assessments[(case.id, number)] = result
    return Bank(cases=cases_file.cases, actions=actions, assessments=assessments)
