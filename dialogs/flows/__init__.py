"""The dialogs as data: for each, its states and the transitions between them, with conditions.

Each transition is (source, destination, condition). For one source they are tried in order and
the first whose condition holds (or that has none) is taken. Conditions are pure functions of the
answers so far; they are what lets a dialog skip a question that does not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from dialogs.flows.answers import (
    needs_height,
    needs_toci_history,
    needs_weight,
    unarousable,
)
from dialogs.guideline import default_guideline
from dialogs.questions import ICE_STATES, Q
from dialogs.session import Answer, whole

__all__ = ["DOSING", "FLOWS", "Flow", "Transition"]

Answers = Mapping[str, Answer]
Condition = Callable[[Answers], bool]
Transition = tuple[Q, Q, Condition | None]


@dataclass(frozen=True)
class Flow:
    """A dialog: its name, first question, and transitions."""

    name: str
    initial: Q
    transitions: tuple[Transition, ...]

    @property
    def states(self) -> tuple[Q, ...]:
        """Every state the dialog can be in, first question first."""
        seen: dict[Q, None] = {self.initial: None}
        for source, dest, _ in self.transitions:
            seen.setdefault(source, None)
            seen.setdefault(dest, None)
        return tuple(seen)


# --- conditions (named: they label the diagrams) ---


def on_vasopressors(a: Answers) -> bool:
    """Blood pressure needs vasopressors."""
    return a.get("hypotension") == "vasopressors"


def on_fluids(a: Answers) -> bool:
    """Blood pressure needs fluids only."""
    return a.get("hypotension") == "fluids"


def on_nasal_cannula(a: Answers) -> bool:
    """Oxygen by nasal cannula: the flow decides the grade."""
    return a.get("oxygen") == "nasal_cannula"


def on_oxygen(a: Answers) -> bool:
    """Any oxygen is given."""
    return a.get("oxygen", "none") != "none"


def _cutoff() -> int:
    """The age below which the CAPD replaces the ICE (12 in ASTCT), from the guideline data."""
    return default_guideline().icans.paediatrics.age_below_years


def tool_to_choose(a: Answers) -> bool:
    """Exactly at the cut-off age, or developmental delay: the caller chooses ICE or CAPD."""
    age = a.get("age_years")
    return age == "delay" or whole(age) == _cutoff()


def child(a: Answers) -> bool:
    """Under the cut-off age: CAPD."""
    age = a.get("age_years")
    years = whole(age)
    return age == "child" or (years is not None and years < _cutoff())


def capd_chosen(a: Answers) -> bool:
    """The CAPD was chosen."""
    return a.get("tool") == "capd"


def guided(a: Answers) -> bool:
    """The doctor wants to be guided through the ICE."""
    return a.get("ice_score") == "guide"


def cannot_wake(a: Answers) -> bool:
    """The patient cannot be woken: no ICE, no consciousness question."""
    return unarousable(a)


def drowsy(a: Answers) -> bool:
    """Consciousness is depressed: ask whether sedation explains it."""
    return a.get("consciousness", "alert") != "alert"


def papilloedema(a: Answers) -> bool:
    """Papilloedema is present: its stage and the opening pressure choose the ICP pathway."""
    signs = a.get("icp_signs")
    return isinstance(signs, list) and "papilloedema" in signs


def etoposide(a: Answers) -> bool:
    """The chosen regimen is dosed by body surface area."""
    return needs_height(a)


Exits = Callable[[Q], tuple[Transition, ...]]


def _to(dest: Q) -> Exits:
    """Leave a segment for one fixed next question."""
    return lambda source: ((source, dest, None),)


def _dose_entry(source: Q) -> tuple[Transition, ...]:
    """From `source`, ask weight and tocilizumab history only where a dose needs them."""
    return (
        (source, Q.WEIGHT, needs_weight),
        (source, Q.TOCI_24H, needs_toci_history),
        (source, Q.RESULT, None),
    )


DOSING: tuple[Transition, ...] = (
    (Q.WEIGHT, Q.HEIGHT, etoposide),
    (Q.WEIGHT, Q.TOCI_24H, needs_toci_history),
    (Q.WEIGHT, Q.RESULT, None),
    (Q.HEIGHT, Q.TOCI_24H, needs_toci_history),
    (Q.HEIGHT, Q.RESULT, None),
    (Q.TOCI_24H, Q.TOCI_TOTAL, None),
    (Q.TOCI_TOTAL, Q.RESULT, None),
)


def _crs(exits: Exits) -> tuple[Transition, ...]:
    return (
        (Q.TEMPERATURE, Q.PRIOR, None),
        (Q.PRIOR, Q.BP, None),
        (Q.BP, Q.PRESSORS, on_vasopressors),
        (Q.BP, Q.BP_CAUSE, on_fluids),
        (Q.BP, Q.OXYGEN, None),
        (Q.PRESSORS, Q.BP_CAUSE, None),
        (Q.BP_CAUSE, Q.OXYGEN, None),
        (Q.OXYGEN, Q.FLOW, on_nasal_cannula),
        (Q.OXYGEN, Q.O2_CAUSE, on_oxygen),
        *exits(Q.OXYGEN),
        (Q.FLOW, Q.O2_CAUSE, None),
        *exits(Q.O2_CAUSE),
    )


def _ice(exits: Exits) -> tuple[Transition, ...]:
    steps: list[Transition] = [(Q.ICE_YEAR, Q.RESULT, cannot_wake)]
    steps += [(a, b, None) for a, b in pairwise(ICE_STATES)]
    steps += exits(ICE_STATES[-1])
    return tuple(steps)


def _icans(exits: Exits) -> tuple[Transition, ...]:
    return (
        (Q.AGE, Q.TOOL, tool_to_choose),
        (Q.AGE, Q.CAPD, child),
        (Q.AGE, Q.ICE_ENTRY, None),
        (Q.TOOL, Q.CAPD, capd_chosen),
        (Q.TOOL, Q.ICE_ENTRY, None),
        (Q.ICE_ENTRY, Q.ICE_YEAR, guided),
        (Q.ICE_ENTRY, Q.SEIZURE, cannot_wake),
        (Q.ICE_ENTRY, Q.CONSCIOUSNESS, None),
        (Q.ICE_YEAR, Q.SEIZURE, cannot_wake),
        *[(a, b, None) for a, b in pairwise(ICE_STATES)],
        (ICE_STATES[-1], Q.CONSCIOUSNESS, None),
        (Q.CAPD, Q.SEIZURE, cannot_wake),
        (Q.CAPD, Q.CONSCIOUSNESS, None),
        (Q.CONSCIOUSNESS, Q.SEDATION, drowsy),
        (Q.CONSCIOUSNESS, Q.SEIZURE, None),
        (Q.SEDATION, Q.SEIZURE, None),
        (Q.SEIZURE, Q.MOTOR, None),
        (Q.MOTOR, Q.ICP, None),
        (Q.ICP, Q.STAGE, papilloedema),
        (Q.ICP, Q.IMAGING, None),
        (Q.STAGE, Q.IMAGING, None),
        (Q.IMAGING, Q.CSF, papilloedema),
        *exits(Q.IMAGING),
        *exits(Q.CSF),
    )


FLOWS: Mapping[str, Flow] = {
    flow.name: flow
    for flow in (
        Flow("assessment", Q.TEMPERATURE, _crs(_to(Q.AGE)) + _icans(_dose_entry) + DOSING),
        Flow("crs", Q.TEMPERATURE, _crs(_dose_entry) + DOSING),
        Flow(
            "icans", Q.AGE, _icans(_to(Q.CONCURRENT_CRS)) + _dose_entry(Q.CONCURRENT_CRS) + DOSING
        ),
        Flow("ice", Q.ICE_YEAR, _ice(_to(Q.RESULT))),
        Flow(
            "hlh",
            Q.FERRITIN,
            (
                (Q.FERRITIN, Q.HLH_LIVER, None),
                (Q.HLH_LIVER, Q.HLH_RENAL, None),
                (Q.HLH_RENAL, Q.HLH_LUNG, None),
                (Q.HLH_LUNG, Q.HLH_HAEM, None),
                *_dose_entry(Q.HLH_HAEM),
                *DOSING,
            ),
        ),
        Flow("dose", Q.DRUG, ((Q.DRUG, Q.WEIGHT, None), *DOSING)),
    )
}
