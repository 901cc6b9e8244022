"""Render results as text: grades in one line, then escalation, treatment, monitoring, sources.

Each advice line ends with a reference number into the sources list, so every line is cited
without repeating long citations on a phone screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dialogs import texts
from dialogs.advice import AdviceItem
from dialogs.assessment import Assessment
from dialogs.dosing import Dose
from dialogs.grading import Reason
from dialogs.guideline import Citation
from dialogs.messages import Reply

__all__ = ["render_assessment", "render_doses"]

_SECTIONS = (
    ("escalation", texts.RESULT_ESCALATION),
    ("drug", texts.RESULT_TREATMENT),
    ("supportive", texts.RESULT_SUPPORTIVE),
    ("investigation", texts.RESULT_INVESTIGATIONS),
    ("monitoring", texts.RESULT_MONITORING),
)


class _Sources:
    """Numbers citations in order of first use."""

    def __init__(self) -> None:
        self.order: dict[str, int] = {}
        # Regimens already written out: a second mention says "as above" instead.
        self.dosed: set[str] = set()

    def ref(self, *citations: Citation | None) -> str:
        numbers = []
        for citation in citations:
            if citation is None:
                continue
            key = str(citation)
            number = self.order.setdefault(key, len(self.order) + 1)
            if number not in numbers:
                numbers.append(number)
        return " " + "".join(f"[{n}]" for n in numbers) if numbers else ""

    def lines(self) -> list[str]:
        return [f"[{n}] {key}" for key, n in self.order.items()]


def _bullets(reasons: Iterable[Reason], sources: _Sources) -> list[str]:
    return [f"• {r.text}{sources.ref(r.citation)}" for r in reasons]


def _dose_lines(doses: Sequence[Dose], sources: _Sources) -> list[str]:
    lines = []
    for dose in doses:
        if dose.regimen in sources.dosed:
            lines.append(f"   – {dose.drug}: {texts.DOSE_AS_ABOVE}")
            continue
        sources.dosed.add(dose.regimen)
        lines.append(f"   – {dose.text}{sources.ref(*dose.citations)}")
        lines += [f"   ⚠ {w}" for w in dose.warnings]
    return lines


def _items(items: Iterable[AdviceItem], sources: _Sources) -> list[str]:
    lines: list[str] = []
    for item in items:
        lines.append(f"• {item.text}{sources.ref(item.citation)}")
        lines += _dose_lines(item.doses, sources)
    return lines


def render_assessment(result: Assessment, extra_notes: Sequence[Reason] = ()) -> Reply:
    """The result message: grades, escalation first, treatment, monitoring, sources, version."""
    sources = _Sources()
    out = [result.headline]
    # The reasons are numbered first, so the findings that set the grades cite [1], [2], ...
    reasons: list[Reason] = []
    for grade in (result.crs, result.icans):
        if grade is not None:
            reasons += [*grade.reasons, *grade.notes]
    if result.hlh is not None:
        reasons += result.hlh.reasons
    why = _bullets([*reasons, *extra_notes], sources)
    for kind, title in _SECTIONS:
        items = [i for i in result.advice if i.kind == kind]
        if kind == "escalation" and not items:
            out += ["", f"{title}: {texts.NO_ESCALATION}"]
        elif items:
            out += ["", f"{title}:", *_items(items, sources)]
    if result.pathways:
        out += ["", f"{texts.RESULT_PATHWAYS}: " + "; ".join(result.pathways)]
    if result.patient:
        out += ["", *result.patient]
    out += ["", f"{texts.RESULT_WHY}:", *why]
    out += ["", f"{texts.RESULT_SOURCES}:", *sources.lines()]
    out += [texts.RESULT_VERSION.format(version=result.guideline), result.disclaimer]
    return Reply(text="\n".join(out), kind="result", ended=True, citations=tuple(sources.order))


def render_doses(doses: Sequence[Dose], version: str, notes: Sequence[str] = ()) -> Reply:
    """The dose calculator's result."""
    sources = _Sources()
    out = [*notes, *_dose_lines(doses, sources)]
    out = [line.strip().removeprefix("– ") for line in out]
    out += [
        "",
        f"{texts.RESULT_SOURCES}:",
        *sources.lines(),
        texts.RESULT_VERSION.format(version=version),
        texts.DISCLAIMER,
    ]
    return Reply(text="\n".join(out), kind="result", ended=True, citations=tuple(sources.order))
