"""Render a care plan for a phone: the grades and what to do now first, the detail folded.

The visible part is the headline, any banner, the "do now" steps with this patient's doses,
who to call and what is withheld. Pathways, the if-no-response ladder, supportive care,
investigations, monitoring, why, and sources are folds (collapsed on Telegram). Every line ends
with a reference number into the sources, so each is cited without long citations on screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dialogs import texts
from dialogs.chat.messages import Fold, Reply
from dialogs.clinical.assessment import Assessment
from dialogs.clinical.careplan import CarePlan, Step
from dialogs.clinical.dosing import Dose
from dialogs.clinical.grading import Grade, Reason
from dialogs.clinical.guideline import Citation

__all__ = ["render_assessment", "render_doses", "render_first_steps", "withheld_line"]


class _Sources:
    """Numbers citations in order of first use."""

    def __init__(self) -> None:
        self.order: dict[str, int] = {}

    def ref(self, citations: Iterable[Citation | None]) -> str:
        numbers: list[int] = []
        for citation in citations:
            if citation is None:
                continue
            number = self.order.setdefault(str(citation), len(self.order) + 1)
            if number not in numbers:
                numbers.append(number)
        return " " + "".join(f"[{n}]" for n in numbers) if numbers else ""

    def lines(self) -> list[str]:
        return [f"[{n}] {key}" for key, n in self.order.items()]


def withheld_line(drug: str, reason: str, next_allowed: str | None) -> str:
    """'⛔ Tocilizumab withheld: <why>. <when the next dose is allowed>'."""
    return texts.PLAN_WITHHELD.format(drug=drug, reason=reason, next=next_allowed or "").strip()


def _dose_lines(doses: Sequence[Dose], sources: _Sources, indent: str) -> list[str]:
    lines: list[str] = []
    for dose in doses:
        lines.append(f"{indent}{dose.text}{sources.ref(dose.citations)}")
        lines += [f"{indent}⚠ {w}" for w in dose.warnings]
    return lines


def _step_lines(step: Step, label: str, sources: _Sources, indent: str = "   ") -> list[str]:
    """A step: its instruction, then its doses; a single dose on the same line, to save lines."""
    head = step.instruction
    if len(step.doses) == 1 or (step.alternatives and step.doses):
        # One order on the step's line; alternatives below it, marked as such (never a 2nd order).
        dose = step.doses[0]
        refs = sources.ref((*step.citations, *dose.citations))
        lines = [f"{label}{_order_line(step, head, dose)}{refs}"]
        lines += [f"{indent}⚠ {w}" for w in dose.warnings]
        for other in step.doses[1:]:
            lines.append(f"{indent}{texts.OR_INSTEAD} {other.text}{sources.ref(other.citations)}")
            lines += [f"{indent}⚠ {w}" for w in other.warnings]
    else:
        lines = [f"{label}{head}{sources.ref(step.citations)}"]
        lines += _dose_lines(step.doses, sources, indent)
    if step.stock:
        where = " ".join(step.stock)
        lines.append(
            indent + texts.PLAN_STOCK.format(where=where) + sources.ref(step.stock_citations)
        )
    return lines


# Instructions that only name the drug of their one dose: the dose line carries the name once.
# ("Increase dexamethasone" is not one: "increase dexamethasone 20 mg" could read as "by 20 mg".)
_NAMING_VERBS = ("Give", "Add", "Consider")


def _order_line(step: Step, head: str, dose: Dose) -> str:
    """'Give tocilizumab.' + 'Tocilizumab 560 mg …' -> 'Give Tocilizumab 560 mg …': one name."""
    name = dose.drug
    naming = {f"{verb} {name}.".lower() for verb in _NAMING_VERBS}
    if step.text.lower() in naming and dose.text.startswith(name):
        # The dose line, drug name and all, completes the instruction's verb.
        return f"{head[: -len(name) - 1]}{dose.text}"
    return f"{head} {dose.text}"


# Lines before the fold: what a phone shows without scrolling (issue 8: at most 15).
VISIBLE_LINES = 15


def _now_lines(
    plan: CarePlan, sources: _Sources, head: int, nothing: str = texts.PLAN_NOTHING_NOW
) -> tuple[list[str], Fold | None]:
    """The 'do now' block within the visible budget; steps past it continue in the first fold.

    Who to call comes first, always in the same place (§9.1: escalation and who to call
    first); every withhold stays visible; steps keep their order and are never split.
    """
    calls = [texts.PLAN_CALL.format(leads=" · ".join(plan.calls))] if plan.calls else []

    def held() -> list[str]:
        # Numbered when printed, so sources stay in reading order.
        return [
            withheld_line(w.drug, w.reason, w.next_allowed) + sources.ref(w.citations)
            for w in plan.withheld
        ]

    if not plan.now:
        shown = [] if plan.status == "death" else [nothing]
        return [*calls, *shown, *held()], None
    budget = VISIBLE_LINES - head - 1 - len(calls) - len(plan.withheld)
    lines = [f"{texts.PLAN_NOW}:", *calls]
    # A withhold stands where its order would: after the escalations, where the first drug goes
    # (§9.1), or at the end of what is visible if the steps before it are folded.
    escalations = [n for n, s in enumerate(plan.now) if s.kind == "escalation"]
    after = escalations[-1] if escalations else -1
    placed = False
    if after < 0:
        lines += held()
        placed = True
    used = 0
    more: list[str] = []
    for number, step in enumerate(plan.now, 1):
        block = _step_lines(step, f"{number}. ", sources)
        if not more and used + len(block) <= budget:
            lines += block
            used += len(block)
            if number - 1 == after:
                lines += held()
                placed = True
        else:
            more += block
    if not placed:
        lines += held()
    return lines, Fold(title=texts.PLAN_NOW_MORE, lines=tuple(more)) if more else None


def _steps_fold(title: str, steps: Sequence[Step], sources: _Sources) -> Fold | None:
    if not steps:
        return None
    lines = [line for step in steps for line in _step_lines(step, "• ", sources)]
    return Fold(title=title, lines=tuple(lines))


def _pathway_folds(plan: CarePlan, sources: _Sources) -> list[Fold]:
    in_now = plan.now_ids()
    folds: list[Fold] = []
    for pathway in plan.pathways:
        lines = [texts.PATHWAY_BECAUSE.format(reason=pathway.reason)]
        for number, step in enumerate(pathway.steps, 1):
            if set(step.ids) & in_now:
                lines.append(f"{number}. {step.instruction} {texts.PLAN_IN_NOW}")
            else:
                lines += _step_lines(step, f"{number}. ", sources)
        folds.append(Fold(title=pathway.title, lines=tuple(lines)))
    return folds


def _why(
    grades: Sequence[Grade], result: Assessment, extra: Sequence[Reason], sources: _Sources
) -> Fold:
    lines: list[str] = []
    for grade in grades:
        if grade.domains:
            parts = [
                texts.DOMAIN_GRADE.format(name=texts.DOMAIN_NAMES[d.name], grade=d.grade)
                for d in grade.domains
            ]
            # ASTCT's words: CRS is graded by parameter, ICANS by neurotoxicity domain.
            by = texts.BY_PARAMETER if grade.toxicity == "CRS" else texts.BY_DOMAIN
            lines.append(f"{grade.toxicity} {by}: " + " · ".join(parts))
        said = dict.fromkeys((*grade.reasons, *grade.notes))  # a reason also noted: once
        lines += [f"• {r.text}{sources.ref([r.citation])}" for r in said]
    if result.plan.concurrent_crs is not None:
        # Table 5 orders ICANS drugs by concurrent CRS: say which applied.
        lines.append(texts.CONCURRENT_CRS[result.plan.concurrent_crs])
    if result.hlh is not None:
        lines += [f"• {r.text}{sources.ref([r.citation])}" for r in result.hlh.reasons]
    lines += [f"• {r.text}{sources.ref([r.citation])}" for r in extra]
    lines += list(result.patient)
    return Fold(title=texts.RESULT_WHY, lines=tuple(lines))


def render_assessment(
    result: Assessment,
    extra_notes: Sequence[Reason] = (),
    above: Sequence[str] = (),
    below: Sequence[str] = (),
) -> Reply:
    """The result message: grades, what to do now, then pathways, ladder, care, why, sources.

    `above` goes before the grades (what a change changed), `below` at the end of the visible
    part (the patient facts used); both count in the visible budget, but `below` gives way to a
    step of what to do now: when one would not fit, the facts end the first fold instead.
    """
    plan = result.plan
    sources = _Sources()
    head = [*above, result.headline, *plan.banner]
    # "Nothing now" names only what was assessed: the other syndrome may still need treatment.
    nothing = texts.PLAN_NOTHING_NOW
    if result.crs is None or result.icans is None:
        nothing = texts.NOTHING_NOW_ONE["icans" if result.crs is None else "crs"]
    now, more = _now_lines(plan, sources, len(head), nothing)
    tucked: list[str] = []
    if more is not None or len(head) + len(now) + len(below) > VISIBLE_LINES:
        tucked, below = list(below), ()
    visible = [*head, *now, *below]
    if more is not None and tucked:
        more = Fold(title=more.title, lines=(*more.lines, *tucked))
        tucked = []
    folds: list[Fold | None] = [
        more,
        *_pathway_folds(plan, sources),
        _steps_fold(texts.PLAN_THEN, plan.then, sources),
        _steps_fold(texts.PLAN_CARE, plan.care, sources),
        _steps_fold(texts.PLAN_CHECKS, plan.checks, sources),
        _steps_fold(texts.PLAN_MONITORING, plan.monitoring, sources),
    ]
    if plan.notes:
        folds.append(Fold(title=texts.PLAN_NOTES, lines=tuple(f"• {n}" for n in plan.notes)))
    grades = [g for g in (result.crs, result.icans) if g is not None]
    why = _why(grades, result, extra_notes, sources)
    folds.append(Fold(title=why.title, lines=(*tucked, *why.lines)) if tucked else why)
    folds.append(
        Fold(
            title=texts.RESULT_SOURCES,
            lines=(
                *sources.lines(),
                texts.RESULT_VERSION.format(version=result.guideline),
                result.disclaimer,
            ),
        )
    )
    return Reply(
        text="\n".join(visible),
        folds=tuple(f for f in folds if f is not None),
        kind="result",
        ended=True,
        citations=tuple(sources.order),
    )


def render_first_steps(plan: CarePlan, version: str) -> Reply:
    """An emergency's first steps: what to do now, then each protocol in full, then sources.

    Rendered as a result is (same lines, same numbered sources) but it does not end the dialog:
    the questions that refine the plan follow.
    """
    sources = _Sources()
    titles = "; ".join(p.title for p in plan.pathways)
    head = [texts.FIRST_STEPS.format(pathways=titles), *plan.banner]
    now, more = _now_lines(plan, sources, len(head))
    folds: list[Fold | None] = [more, *_pathway_folds(plan, sources)]
    folds.append(
        Fold(
            title=texts.RESULT_SOURCES,
            lines=(
                *sources.lines(),
                texts.RESULT_VERSION.format(version=version),
                texts.DISCLAIMER,
            ),
        )
    )
    return Reply(
        text="\n".join([*head, *now]),
        folds=tuple(f for f in folds if f is not None),
        kind="first_steps",
        citations=tuple(sources.order),
    )


def render_doses(
    doses: Sequence[Dose],
    version: str,
    notes: Sequence[str] = (),
    above: Sequence[str] = (),
    below: Sequence[str] = (),
) -> Reply:
    """The dose calculator's result: the dose or its withhold, its limits, then sources.

    `above` goes before the first line (what a change changed), `below` right after it.
    """
    sources = _Sources()
    out = list(notes)
    for dose in doses:
        if dose.withheld is not None:
            out.append(
                withheld_line(dose.drug, dose.withheld, dose.next_allowed)
                + sources.ref(dose.citations)
            )
        else:
            out += _dose_lines([dose], sources, "")
    out = [*above, *out[:1], *below, *out[1:]]
    return Reply(
        text="\n".join(out),
        folds=(
            Fold(
                title=texts.RESULT_SOURCES,
                lines=(
                    *sources.lines(),
                    texts.RESULT_VERSION.format(version=version),
                    texts.DISCLAIMER,
                ),
            ),
        ),
        kind="result",
        ended=True,
        citations=tuple(sources.order),
    )
