"""The questions each dialog asks, checked against an oracle written here from the routing rules.

The oracle restates the routes in plain code: the CRS, ICANS and HLH questions and when each is
skipped, and the dose questions, asked only when what the care plan advises for the answers so far
needs them (a weight for a dose by weight or body surface area, a height for one by body surface
area, the tocilizumab doses given when tocilizumab is advised and they are not known). For what
the plan advises it asks the clinical core (`assess`) at each of those points with the answers so
far, as the routing did before it stopped grading inside its conditions; nothing else here comes
from the flows or the engine. Small dialogs are walked exhaustively, the others by hypothesis.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dialogs.chat.engine import DialogEngine
from dialogs.chat.flows.answers import findings_of
from dialogs.chat.messages import Event, Reply
from dialogs.chat.questions import Q
from dialogs.chat.session import Session
from dialogs.clinical.assessment import assess
from tests.packaged import PARTS

ENGINE: DialogEngine = PARTS.engine
GUIDELINE = ENGINE.guideline
CUTOFF = 12  # ASTCT: the CAPD below 12 years (the packaged guideline)
FEVER_C = 38.0
TOCI_PER_24H = 3

# What the walks type at a question (beside tapping any option it shows).
TYPED: dict[Q, tuple[str, ...]] = {
    Q.TEMPERATURE: ("37.2", "38.6", "40.1"),
    Q.PRESSORS: ("noradrenaline", "noradrenaline, vasopressin"),
    Q.FLOW: ("2", "8"),
    Q.AGE: ("8", "12", "45"),
    Q.ICE_ENTRY: ("10", "7", "2", "0"),
    Q.CAPD: ("4", "12"),
    Q.ICP: ("none", "papilloedema", "cushings_triad"),
    Q.CSF: ("18", "30"),
    Q.FERRITIN: ("900", "25000"),
    Q.WEIGHT: ("70 kg", "25 kg"),
    Q.HEIGHT: ("170 cm",),
    Q.TOCI_LAST: ("5",),
}
KEYS = {
    Q.TEMPERATURE: "temperature",
    Q.PRIOR: "prior_treatment",
    Q.BP: "hypotension",
    Q.PRESSORS: "vasopressors",
    Q.BP_CAUSE: "hypotension_other_cause",
    Q.OXYGEN: "oxygen",
    Q.FLOW: "oxygen_flow_l_min",
    Q.O2_CAUSE: "hypoxia_cause",
    Q.AGE: "age_years",
    Q.TOOL: "tool",
    Q.ICE_ENTRY: "ice_score",
    Q.CAPD: "capd_total",
    Q.CONSCIOUSNESS: "consciousness",
    Q.SEDATION: "consciousness_from_sedation",
    Q.SEIZURE: "seizure",
    Q.MOTOR: "motor",
    Q.ICP: "icp_signs",
    Q.STAGE: "papilloedema_stage",
    Q.IMAGING: "imaging",
    Q.CSF: "csf_opening_pressure_mmhg",
    Q.CONCURRENT_CRS: "concurrent_crs",
    Q.FERRITIN: "peak_ferritin_ng_ml",
    Q.HLH_LIVER: "liver",
    Q.HLH_RENAL: "renal",
    Q.HLH_LUNG: "pulmonary_oedema",
    Q.HLH_HAEM: "haemophagocytosis",
    Q.DRUG: "regimen",
    Q.WEIGHT: "weight",
    Q.HEIGHT: "height",
    Q.TOCI_24H: "toci_24h",
    Q.TOCI_TOTAL: "toci_total",
    Q.TOCI_LAST: "toci_hours",
}
ICE_ITEMS = (
    Q.ICE_YEAR,
    Q.ICE_MONTH,
    Q.ICE_CITY,
    Q.ICE_HOSPITAL,
    Q.ICE_COMMANDS,
    Q.ICE_NAMING,
    Q.ICE_WRITING,
    Q.ICE_COUNTING,
)
CAPD_ITEMS = (
    Q.CAPD_1,
    Q.CAPD_2,
    Q.CAPD_3,
    Q.CAPD_4,
    Q.CAPD_5,
    Q.CAPD_6,
    Q.CAPD_7,
    Q.CAPD_8,
)


# --- the oracle ---


class _Route:
    """The oracle's walk: the questions asked, and the answers given so far."""

    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.final = answers
        self.asked: list[str] = []
        self.so_far: dict[str, Any] = {}

    def ask(self, state: Q) -> Any:
        self.asked.append(state.value)
        key = KEYS.get(state) or f"{'capd' if state in CAPD_ITEMS else 'ice'}.{state.value}"
        self.so_far[key] = self.final[key]
        return self.final[key]

    def advised(self) -> list[str]:
        """The regimens the care plan doses or withholds for the answers so far."""
        if "regimen" in self.so_far:
            return [self.so_far["regimen"]]
        plan = assess(findings_of(self.so_far), GUIDELINE).plan
        regimens = [d.regimen for step in plan.steps() for d in step.doses]
        return regimens + [r for held in plan.withheld for r in held.regimens]

    def toci_history_needed(self) -> bool:
        prior = self.so_far.get("prior_treatment")
        known = isinstance(prior, list) and "tocilizumab" not in prior
        return "tocilizumab" in self.advised() and not known

    def basis(self, basis: str) -> bool:
        return any(GUIDELINE.regimen(r).basis == basis for r in self.advised())

    def doses(self) -> None:
        """The dose questions after the clinical ones."""
        if self.basis("per_kg") or self.basis("per_m2"):
            self.weighed()
        elif self.toci_history_needed():
            self.toci()

    def weighed(self) -> None:
        weight = self.ask(Q.WEIGHT)
        if isinstance(weight, dict) and self.basis("per_m2"):
            self.ask(Q.HEIGHT)
        # Weight not known: the dose is per kg with the limits to check; no doses-given history.
        if isinstance(weight, dict) and self.toci_history_needed():
            self.toci()

    def toci(self) -> None:
        given = self.ask(Q.TOCI_24H)
        self.ask(Q.TOCI_TOTAL)
        if isinstance(given, int) and given >= TOCI_PER_24H:
            self.ask(Q.TOCI_LAST)

    def crs(self) -> bool:
        """The CRS questions; False when no fever and no treatment end them at once."""
        temperature = self.ask(Q.TEMPERATURE)
        prior = self.ask(Q.PRIOR)
        if prior == [] and temperature["value"] < FEVER_C:
            return False
        pressure = self.ask(Q.BP)
        if pressure == "vasopressors":
            self.ask(Q.PRESSORS)
        if pressure in ("vasopressors", "fluids"):
            self.ask(Q.BP_CAUSE)
        oxygen = self.ask(Q.OXYGEN)
        if oxygen == "nasal_cannula":
            self.ask(Q.FLOW)
        if oxygen != "none" and self.cause_matters():
            self.ask(Q.O2_CAUSE)
        return True

    def cause_matters(self) -> bool:
        """Whether the oxygen counted as CRS or not gives other grades or another plan."""

        def outcome(cause: str) -> tuple[object, ...]:
            result = assess(findings_of({**self.so_far, "hypoxia_cause": cause}), GUIDELINE)
            plan = result.plan
            grades = [g.headline for g in (result.crs, result.icans) if g is not None]
            return grades, plan.row_ids(), [w.drug for w in plan.withheld]

        return outcome("crs") != outcome("other")

    def icans(self) -> None:
        age = self.ask(Q.AGE)
        capd = age == "child" or (isinstance(age, int) and age < CUTOFF)
        if age in ("delay", CUTOFF):
            capd = self.ask(Q.TOOL) == "capd"
        if capd:
            total = self.ask(Q.CAPD)
            if total == "guide":  # the CAPD scored item by item
                for item in CAPD_ITEMS:
                    self.ask(item)
            woken = total != "unarousable"
        else:
            score = self.ask(Q.ICE_ENTRY)
            woken = score != "unarousable"
            if score == "guide":
                woken = self.ask(Q.ICE_YEAR) != "unarousable"
                for item in ICE_ITEMS[1:] if woken else ():
                    self.ask(item)
        if woken and self.ask(Q.CONSCIOUSNESS) != "alert":
            self.ask(Q.SEDATION)
        self.ask(Q.SEIZURE)
        self.ask(Q.MOTOR)
        papilloedema = "papilloedema" in self.ask(Q.ICP)
        if papilloedema:
            self.ask(Q.STAGE)
        self.ask(Q.IMAGING)
        if papilloedema:
            self.ask(Q.CSF)


def expected(dialog: str, answers: Mapping[str, Any]) -> list[str]:
    """The questions the dialog should ask, in order, for these answers."""
    route = _Route(answers)
    if dialog == "crs":
        route.crs()
        route.doses()
    elif dialog == "icans":
        route.icans()
        route.ask(Q.CONCURRENT_CRS)
        route.doses()
    elif dialog == "assessment":
        route.crs()
        route.icans()
        route.doses()
    elif dialog == "hlh":
        for state in (Q.FERRITIN, Q.HLH_LIVER, Q.HLH_RENAL, Q.HLH_LUNG, Q.HLH_HAEM):
            route.ask(state)
        route.doses()
    else:
        route.ask(Q.DRUG)
        route.weighed()
    return route.asked


# --- walking the engine ---


def _choices(session: Session, reply: Reply) -> list[Event]:
    """Every input a walk may give at the current question."""
    if session.pending is not None:
        return [Event.option(o.id, session.step) for o in reply.options[:1]]  # yes, record it
    state = Q(session.state)
    events = [Event.text(t) for t in TYPED.get(state, ())]
    if state not in (Q.PRESSORS, Q.ICP):  # multiple choice: typed above
        events += [Event.option(o.id, session.step) for o in reply.options]
    return events


def _step(session: Session, event: Event) -> tuple[Session, Reply] | None:
    """One event; None when it was refused (an error) and the walk should not go on."""
    new, replies = ENGINE.handle(session, event)
    if any(r.kind == "error" for r in replies):
        return None
    return new, replies[-1]


def _walks(session: Session, reply: Reply, route: list[str]) -> Iterator[tuple[list[str], Session]]:
    """Every route from here to a result, with the session at the result."""
    if session.state == "result":
        yield route, session
        return
    asked = [] if session.pending is not None else [session.state]
    for event in _choices(session, reply):
        stepped = _step(session, event)
        if stepped is not None:
            yield from _walks(*stepped, [*route, *asked])


def _start(dialog: str) -> tuple[Session, Reply]:
    session, replies = ENGINE.start(dialog)
    return session, replies[-1]


def test_the_oracle_knows_every_question_it_names() -> None:
    """The oracle's answer keys are the engine's (a renamed key would blind the comparison)."""
    for state, key in KEYS.items():
        assert ENGINE.questions[state].key == key
    for state in ICE_ITEMS:
        assert ENGINE.questions[state].key == f"ice.{state.value}"
    for state in CAPD_ITEMS:
        assert ENGINE.questions[state].key == f"capd.{state.value}"


def test_every_hlh_and_dose_route_is_the_oracles() -> None:
    """Every answer sequence of the HLH screen and the dose calculator (from the inputs above)
    asks exactly the questions the oracle names, dose questions included."""
    routes: set[tuple[str, ...]] = set()
    for dialog in ("hlh", "dose"):
        count = 0
        for route, session in _walks(*_start(dialog), []):
            assert route == expected(dialog, session.answers), (dialog, session.answers)
            routes.add(tuple(route))
            count += 1
        assert count > 50, (dialog, count)
    # The walks reach the weight, height and tocilizumab questions and skip them.
    asked = {state for route in routes for state in route}
    assert {"wt", "ht", "t24", "ttot", "tlast"} <= asked
    assert any("wt" not in route for route in routes)


def _random_walk(dialog: str, data: st.DataObject) -> tuple[list[str], Session]:
    session, reply = _start(dialog)
    route: list[str] = []
    while session.state != "result":
        choices = _choices(session, reply)
        asked = [] if session.pending is not None else [session.state]
        stepped = _step(session, data.draw(st.sampled_from(choices)))
        assume(stepped is not None)
        assert stepped is not None
        session, reply = stepped
        route += asked
    return route, session


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dialog=st.sampled_from(["crs", "icans", "assessment"]), data=st.data())
def test_crs_icans_and_full_review_routes_are_the_oracles(dialog: str, data: st.DataObject) -> None:
    """Any answers to the CRS, ICANS or full review ask exactly the oracle's questions."""
    route, session = _random_walk(dialog, data)
    assert route == expected(dialog, session.answers)
