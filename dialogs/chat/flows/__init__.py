"""The dialogs as data: for each, its states and the transitions between them, with conditions.

Each transition is (source, destination, condition). For one source they are tried in order and
the first whose condition holds (or that has none) is taken. Conditions are pure functions of the
answers so far; they are what lets a dialog skip a question that does not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from dialogs.chat.flows import answers as facts
from dialogs.chat.flows.answers import unarousable
from dialogs.chat.questions import CAPD_STATES, ICE_STATES, Q
from dialogs.chat.session import Answer, whole
from dialogs.clinical.guideline import Guideline
from dialogs.clinical.units import celsius_from

__all__ = ["Flow", "Flows", "Routing", "Transition", "build_flows"]

Answers = Mapping[str, Answer]
Condition = Callable[[Answers], bool]
Transition = tuple[Q, Q, Condition | None]


@dataclass(frozen=True)
class Flow:
    """A dialog: its name, first question, and transitions."""

    name: str
    initial: Q
    transitions: tuple[Transition, ...]
    # An emergency entry: once this question is answered, the protocol's first steps are sent
    # (before the questions that refine the plan).
    first_steps_after: Q | None = None

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


def capd_chosen(a: Answers) -> bool:
    """The CAPD was chosen."""
    return a.get("tool") == "capd"


def guided(a: Answers) -> bool:
    """The doctor wants to be guided through the ICE."""
    return a.get("ice_score") == "guide"


def capd_guided(a: Answers) -> bool:
    """The doctor wants to score the CAPD item by item."""
    return a.get("capd_total") == "guide"


def cannot_wake(a: Answers) -> bool:
    """The patient cannot be woken: no ICE, no consciousness question."""
    return unarousable(a)


def drowsy(a: Answers) -> bool:
    """Consciousness is depressed: ask whether sedation explains it."""
    return a.get("consciousness", "alert") != "alert"


def papilloedema(a: Answers) -> bool:
    """Papilloedema is present: its stage and the opening pressure choose the ICP pathway."""
    signs = a.get("icp_signs", a.get("icp_now"))
    return isinstance(signs, list) and "papilloedema" in signs


def hypoxia_cause_matters(a: Answers) -> bool:
    """Its cause would change the grade or the plan."""
    # A derived answer (the engine grades both ways); a condition never grades.
    return bool(a[facts.HYPOXIA_CAUSE_MATTERS])


def adult_stated(a: Answers) -> bool:
    """Adult stated, weight not known: the ICE applies, the age is not asked."""
    return a.get("patient_size") == "adult"


def oedema_seen(a: Answers) -> bool:
    """Oedema on imaging was among the signs of raised ICP: imaging need not be asked."""
    chosen = a.get("icp_now")
    return isinstance(chosen, list) and bool({"focal_oedema", "diffuse_oedema"} & set(chosen))


@dataclass(frozen=True)
class Routing:
    """The conditions that read the guideline: the ICE/CAPD age cut-off, what a dose needs."""

    guideline: Guideline

    @property
    def cutoff(self) -> int:
        """The age below which the CAPD replaces the ICE (12 in ASTCT), from the guideline."""
        return self.guideline.icans.paediatrics.age_below_years

    def tool_to_choose(self, a: Answers) -> bool:
        """Exactly at the cut-off age, or developmental delay: the caller chooses ICE or CAPD."""
        age = a.get("age_years")
        return age == "delay" or whole(age) == self.cutoff

    def child(self, a: Answers) -> bool:
        """Under the cut-off age: CAPD."""
        age = a.get("age_years")
        years = whole(age)
        return age == "child" or (years is not None and years < self.cutoff)

    def needs_weight(self, a: Answers) -> bool:
        """A dose to be shown depends on weight (or body surface area), not asked yet."""
        return not facts.weight_asked(a) and facts.needs_weight(a, self.guideline)

    def needs_toci_history(self, a: Answers) -> bool:
        """Tocilizumab will be advised, its dose worked out, and the doses given are not known.

        Weight not known: the dose is shown per kg with the limits to check, so the doses
        already given are not asked (issue 9, item 4).
        """
        if facts.weight_unknown(a):
            return False
        return facts.needs_toci_history(a, self.guideline)

    def no_fever_untreated(self, a: Answers) -> bool:
        """Below the fever threshold and no CRS treatment yet: no CRS, whatever else is found."""
        temperature = a.get("temperature")
        if not isinstance(temperature, dict) or a.get("prior_treatment") != []:
            return False
        celsius = celsius_from(float(temperature["value"]), temperature.get("unit", "C"))
        return celsius < self.guideline.crs.fever.threshold_c

    def at_day_limit(self, a: Answers) -> bool:
        """The 24-hour tocilizumab limit is reached: when the last dose was decides the next."""
        limit = self.guideline.regimen("tocilizumab").limit
        given = whole(a.get("toci_24h"))
        return limit is not None and given is not None and given >= limit.per_24h

    def etoposide(self, a: Answers) -> bool:
        """The chosen regimen is dosed by body surface area."""
        return facts.needs_height(a, self.guideline)


Exits = Callable[[Q], tuple[Transition, ...]]


def _to(dest: Q) -> Exits:
    """Leave a segment for one fixed next question."""
    return lambda source: ((source, dest, None),)


def _dose_entry(routing: Routing) -> Exits:
    """From a source, ask weight and tocilizumab history only where a dose needs them."""
    return lambda source: (
        (source, Q.WEIGHT, routing.needs_weight),
        (source, Q.TOCI_24H, routing.needs_toci_history),
        (source, Q.RESULT, None),
    )


def _dosing(routing: Routing) -> tuple[Transition, ...]:
    return (
        (Q.WEIGHT, Q.HEIGHT, routing.etoposide),
        (Q.WEIGHT, Q.TOCI_24H, routing.needs_toci_history),
        (Q.WEIGHT, Q.RESULT, None),
        (Q.HEIGHT, Q.TOCI_24H, routing.needs_toci_history),
        (Q.HEIGHT, Q.RESULT, None),
        (Q.TOCI_24H, Q.TOCI_TOTAL, None),
        (Q.TOCI_TOTAL, Q.TOCI_LAST, routing.at_day_limit),
        (Q.TOCI_TOTAL, Q.RESULT, None),
        (Q.TOCI_LAST, Q.RESULT, None),
    )


def _both(first: Condition, second: Condition | None) -> Condition:
    """A condition that holds when both do, named for the diagrams."""
    if second is None:
        return first

    def both(a: Answers) -> bool:
        return first(a) and second(a)

    both.__name__ = f"{first.__name__}_and_{second.__name__}"
    both.__doc__ = f"{first.__doc__} And: {second.__doc__}"
    return both


def _crs(exits: Exits, routing: Routing) -> tuple[Transition, ...]:
    # No fever and no treatment yet ends the CRS questions at once: nothing else can make CRS.
    done = tuple(
        (source, dest, _both(routing.no_fever_untreated, condition))
        for source, dest, condition in exits(Q.PRIOR)
    )
    return (
        (Q.TEMPERATURE, Q.PRIOR, None),
        *done,
        (Q.PRIOR, Q.BP, None),
        (Q.BP, Q.PRESSORS, on_vasopressors),
        (Q.BP, Q.BP_CAUSE, on_fluids),
        (Q.BP, Q.OXYGEN, None),
        (Q.PRESSORS, Q.BP_CAUSE, None),
        (Q.BP_CAUSE, Q.OXYGEN, None),
        (Q.OXYGEN, Q.FLOW, on_nasal_cannula),
        (Q.OXYGEN, Q.O2_CAUSE, _both(on_oxygen, hypoxia_cause_matters)),
        *exits(Q.OXYGEN),
        (Q.FLOW, Q.O2_CAUSE, hypoxia_cause_matters),
        *exits(Q.FLOW),
        *exits(Q.O2_CAUSE),
    )


def _ice(exits: Exits) -> tuple[Transition, ...]:
    steps: list[Transition] = [(Q.ICE_YEAR, Q.RESULT, cannot_wake)]
    steps += [(a, b, None) for a, b in pairwise(ICE_STATES)]
    steps += exits(ICE_STATES[-1])
    return tuple(steps)


def _icans(routing: Routing, exits: Exits) -> tuple[Transition, ...]:
    return (
        (Q.AGE, Q.TOOL, routing.tool_to_choose),
        (Q.AGE, Q.CAPD, routing.child),
        (Q.AGE, Q.ICE_ENTRY, None),
        (Q.TOOL, Q.CAPD, capd_chosen),
        (Q.TOOL, Q.ICE_ENTRY, None),
        (Q.ICE_ENTRY, Q.ICE_YEAR, guided),
        (Q.ICE_ENTRY, Q.SEIZURE, cannot_wake),
        (Q.ICE_ENTRY, Q.CONSCIOUSNESS, None),
        (Q.ICE_YEAR, Q.SEIZURE, cannot_wake),
        *[(a, b, None) for a, b in pairwise(ICE_STATES)],
        (ICE_STATES[-1], Q.CONSCIOUSNESS, None),
        (Q.CAPD, CAPD_STATES[0], capd_guided),
        (Q.CAPD, Q.SEIZURE, cannot_wake),
        (Q.CAPD, Q.CONSCIOUSNESS, None),
        *[(a, b, None) for a, b in pairwise(CAPD_STATES)],
        (CAPD_STATES[-1], Q.CONSCIOUSNESS, None),
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


def _skip(
    rows: tuple[Transition, ...], question: Q, when: Condition | None = None
) -> tuple[Transition, ...]:
    """Go round a question already answered (always, or when a condition holds).

    Every way into the question leads instead where the question would have led, with both
    conditions (named for the diagrams); without `when`, the question's own rows go.
    """
    onward = [(dest, cond) for source, dest, cond in rows if source == question]
    out: list[Transition] = []
    for source, dest, cond in rows:
        if source == question and when is None:
            continue
        if dest != question:
            out.append((source, dest, cond))
            continue
        for after, then in onward:
            gate = _both(when, then) if when is not None else then
            out.append((source, after, _both(cond, gate) if cond and gate else cond or gate))
        if when is not None:
            out.append((source, dest, cond))
    return tuple(out)


def _emergency(first: Q, routing: Routing, exits: Exits, answered: Q) -> tuple[Transition, ...]:
    """An emergency entry: what is seen, then the dose basis; then the ICANS questions left.

    After the two answers the protocol's first steps are sent (Flow.first_steps_after); an
    adult need not give an age (the ICE applies), and the question the entry asked first is
    not asked again.
    """
    icans = _skip(_icans(routing, exits), answered)
    return (
        (first, Q.PATIENT_SIZE, None),
        (Q.PATIENT_SIZE, Q.ICE_ENTRY, adult_stated),
        (Q.PATIENT_SIZE, Q.AGE, None),
        *icans,
    )


Flows = Mapping[str, Flow]


def build_flows(guideline: Guideline) -> Flows:
    """Every dialog by name, its routing reading this guideline's cut-offs and doses."""
    routing = Routing(guideline)
    dose_entry, dosing = _dose_entry(routing), _dosing(routing)
    flows = (
        Flow(
            "assessment",
            Q.TEMPERATURE,
            _crs(_to(Q.AGE), routing) + _icans(routing, dose_entry) + dosing,
        ),
        Flow("crs", Q.TEMPERATURE, _crs(dose_entry, routing) + dosing),
        Flow(
            "icans",
            Q.AGE,
            _icans(routing, _to(Q.CONCURRENT_CRS)) + dose_entry(Q.CONCURRENT_CRS) + dosing,
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
                *dose_entry(Q.HLH_HAEM),
                *dosing,
            ),
        ),
        Flow("dose", Q.DRUG, ((Q.DRUG, Q.WEIGHT, None), *dosing)),
        Flow(
            "seizure",
            Q.SEIZING,
            _emergency(Q.SEIZING, routing, _to(Q.CONCURRENT_CRS), Q.SEIZURE)
            + dose_entry(Q.CONCURRENT_CRS)
            + dosing,
            first_steps_after=Q.PATIENT_SIZE,
        ),
        Flow(
            "icp",
            Q.ICP_NOW,
            _skip(
                _emergency(Q.ICP_NOW, routing, _to(Q.CONCURRENT_CRS), Q.ICP),
                Q.IMAGING,
                oedema_seen,
            )
            + dose_entry(Q.CONCURRENT_CRS)
            + dosing,
            first_steps_after=Q.PATIENT_SIZE,
        ),
    )
    return {flow.name: flow for flow in flows}
