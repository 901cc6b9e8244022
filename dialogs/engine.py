"""The dialog engine: `handle(session, event) -> (session, replies)`, pure and synchronous.

One `transitions.Machine` per dialog is built once, with no model attached. Each event fires the
machine's `next` event on a small carrier holding only the session's state, so no machine is ever
built per user and the session stays the only per-chat state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from dialogs import machines, quick, texts
from dialogs.assessment import assess
from dialogs.dosing import compute_dose
from dialogs.flows import Flow, Flows
from dialogs.flows.answers import findings_of, patient_of, unarousable
from dialogs.grading import FindingsError, Reason, band_grade
from dialogs.guideline import Guideline
from dialogs.handover import handover
from dialogs.messages import COMMANDS, Event, Option, Reply
from dialogs.questions import Choice, Q, Question, Questions, ice_score
from dialogs.render import render_assessment, render_doses
from dialogs.session import Answer, Session, Step
from dialogs.training.bank import Bank
from dialogs.training.rehearsal import Rehearsal
from dialogs.units import UnitError, example, fmt, fold_typed, other_reading, parse_measure

__all__ = ["DialogEngine", "build_machine"]

CONFIRM_YES = "confirm_yes"
CONFIRM_NO = "confirm_no"
CONFIRM_OTHER = "confirm_other"
MULTI_DONE = "done"
_SPLIT = re.compile(r"\s*(?:,|;|\+|/|\band\b|&)\s*")
_UNKNOWN_LABELS = {
    "papilloedema_stage": ("papilloedema stage", "pathway needs staging and opening pressure"),
    "csf_opening_pressure_mmhg": ("CSF opening pressure", "pathway chosen without it"),
    "concurrent_crs": ("concurrent CRS", "advice shown for both, with and without CRS"),
    "weight": ("weight", "doses shown per kg"),
    "height": ("height", "dose shown per m²"),
    "toci_24h": ("tocilizumab doses in 24 h", "cap not checked: ask before another dose"),
    "toci_total": ("tocilizumab doses in total", "cap not checked: ask before another dose"),
    "toci_hours": ("time of the last tocilizumab dose", "next dose time not worked out"),
}


def build_machine(flow: Flow) -> Machine:
    """Build a flow's machine: enum states, transitions from data, no automatic transitions."""
    return machines.build(flow.states, flow.initial, flow.transitions)


@dataclass(frozen=True)
class _Parsed:
    value: Answer = None
    error: str | None = None
    echo: str | None = None
    confirm: str | None = None  # value is unusual: ask before recording it
    # The same number in the other unit (a bare weight of 220: kg or lb?), offered beside it.
    other: Answer = None
    other_echo: str | None = None
    toggle: str | None = None  # a multi-choice option toggled


class DialogEngine:
    """Runs every dialog over sessions. Build once; `handle` is safe to call from anywhere."""

    def __init__(
        self, guideline: Guideline, questions: Questions, flows: Flows, bank: Bank
    ) -> None:
        # All four come from one guideline (see bot.bootstrap): the questions' prompts and the
        # flows' cut-offs must agree with the grading, or a dialog could never finish.
        self.guideline = guideline
        self.questions = questions
        self.flows = flows
        self.machines = {name: build_machine(flow) for name, flow in flows.items()}
        self.rehearsal = Rehearsal(bank)
        self.quick = quick.QuickEntry(questions)

    # --- entry points ---

    def new_session(self) -> Session:
        """A session at the menu."""
        return Session(guideline=self.guideline.version)

    def start(self, dialog: str, step: int = 0) -> tuple[Session, list[Reply]]:
        """Start a dialog (or the menu) from its first question."""
        if dialog == "rehearsal":
            return self.rehearsal.start(step, self.guideline.version)
        if dialog == quick.QUICK:
            return self.quick.start(step, self.guideline.version)
        if dialog not in self.flows:
            session = Session(guideline=self.guideline.version, step=step)
            return session, [self._ask(session)]
        session = Session(
            dialog=dialog,
            state=self.flows[dialog].initial.value,
            guideline=self.guideline.version,
            step=step,
        )
        return session, [self._ask(session)]

    def handle(self, session: Session, event: Event) -> tuple[Session, list[Reply]]:
        """Apply one event to a session; return the new session and the replies to send."""
        if event.kind == "command":
            return self._command(session, event.value)
        typed = _typed_command(event)
        if session.dialog == "rehearsal":
            if typed is not None:
                return self._command(session, typed)
            new, replies = self.rehearsal.handle(session, event)
            return (new, replies) if replies else self.start("menu", session.step + 1)
        if session.dialog == quick.QUICK:
            return self._command(session, typed) if typed else self._quick(session, event)
        if session.state == Q.RESULT.value:
            menu, replies = self.start("menu", session.step + 1)
            return menu, [Reply(text=texts.DIALOG_ENDED, kind="info"), *replies]
        if event.kind == "option" and event.step is not None and event.step != session.step:
            return session, [Reply(text=texts.STALE, kind="stale"), self._ask(session)]
        if typed is not None:
            return self._command(session, typed)
        if session.state == Q.MENU.value and event.kind == "text" and not self._menu_choice(event):
            return self._quick(session, event)  # findings typed at the menu: quick entry
        question = self.questions[Q(session.state)]
        prefix = f"{question.id.value}."
        if session.pending is not None and event.value not in (
            prefix + CONFIRM_YES,
            prefix + CONFIRM_OTHER,
        ):
            # Anything but "yes" drops the unusual value: "no" re-asks, new input is parsed.
            session = session.model_copy(update={"pending": None, "step": session.step + 1})
            if event.value == prefix + CONFIRM_NO:
                return session, [self._ask(session)]
        parsed = self._parse(question, session, event)
        if parsed.error is not None:
            return session, [Reply(text=parsed.error, kind="error"), self._ask(session)]
        if parsed.toggle is not None:
            new = session.model_copy(
                update={"selection": _toggled(session.selection, parsed.toggle)}
            )
            return new, [self._ask(new)]
        if parsed.confirm is not None:
            pending: dict[str, Answer] = {"value": parsed.value, "echo": parsed.echo}
            if parsed.other is not None:
                pending |= {"other": parsed.other, "other_echo": parsed.other_echo}
            new = session.model_copy(update={"pending": pending, "step": session.step + 1})
            return new, [self._confirm(new, question, parsed.confirm)]
        return self._record(session, question, parsed.value, parsed.echo, event.at)

    # --- commands ---

    def _command(self, session: Session, name: str) -> tuple[Session, list[Reply]]:
        if session.dialog == quick.QUICK and name in ("help", "back"):
            return (
                (session, self.quick.help(session)) if name == "help" else self.quick.back(session)
            )
        if name == "help":
            again = (
                self.rehearsal.ask(session)
                if session.dialog == "rehearsal"
                else [self._ask(session)]
            )
            return session, [Reply(text=texts.HELP, kind="info"), *again]
        if name in ("start", "cancel"):
            menu, replies = self.start("menu", session.step + 1)
            notice = (
                [Reply(text=texts.CANCELLED, kind="info")]
                if (name == "cancel" and session.dialog != "menu")
                else []
            )
            return menu, notice + replies
        if name == "restart":
            return self.start(session.dialog, session.step + 1)
        if session.dialog == "rehearsal":
            return session, [
                Reply(text=texts.TRAIN_NO_BACK, kind="info"),
                *self.rehearsal.ask(session),
            ]
        # back
        if session.pending is not None or session.selection:
            new = session.model_copy(
                update={"pending": None, "selection": [], "step": session.step + 1}
            )
            return new, [self._ask(new)]
        if not session.history:
            return session, [Reply(text=texts.NOTHING_TO_UNDO, kind="info"), self._ask(session)]
        last = session.history[-1]
        answers = {k: v for k, v in session.answers.items() if k not in last.keys}
        new = session.model_copy(
            update={
                "state": last.state,
                "answers": answers,
                "history": session.history[:-1],
                "step": session.step + 1,
                "pending": None,
                "selection": [],
            }
        )
        return new, [self._ask(new)]

    # --- recording an answer and moving on ---

    def _record(
        self,
        session: Session,
        question: Question,
        value: Answer,
        echo: str | None,
        at: str | None = None,
    ) -> tuple[Session, list[Reply]]:
        answers = dict(session.answers)
        if question.id == Q.MENU:
            return self.start(str(value), session.step + 1)
        answers[question.key] = value
        history = [*session.history, Step(state=session.state, keys=(question.key,))]
        try:
            destination = machines.advance(self.machines[session.dialog], Q(session.state), answers)
            destination = self._skip_known(session.dialog, destination, answers, history)
        except (FindingsError, ValueError) as error:
            # The routing grades what is known (e.g. CAPD typed in quick entry, then an adult
            # age): answers that cannot be graded together are refused like at the result.
            return session, [Reply(text=str(error), kind="error"), self._ask(session)]
        new = session.model_copy(
            update={
                "state": destination.value,
                "answers": answers,
                "history": history,
                "step": session.step + 1,
                "pending": None,
                "selection": [],
            }
        )
        prefix = texts.RECORDED.format(value=echo) + "\n\n" if echo else ""
        if destination == Q.RESULT:
            try:
                replies = self._result(new, at)
            except (FindingsError, ValueError) as error:
                # Answers that cannot be graded together: undo the last one and say why.
                return session, [Reply(text=str(error), kind="error"), self._ask(session)]
            if prefix:
                replies = [Reply(text=prefix.strip(), kind="info"), *replies]
            return new, replies
        ask = self._ask(new)
        return new, [ask.model_copy(update={"text": prefix + ask.text})]

    # --- quick entry: findings typed in one message ---

    def _menu_choice(self, event: Event) -> bool:
        """Whether text typed at the menu names one of its options (else it may be findings)."""
        menu = self.questions[Q.MENU]
        return _match(menu.choices, fold_typed(event.value).strip()) is not None

    def _quick(self, session: Session, event: Event) -> tuple[Session, list[Reply]]:
        if session.dialog != quick.QUICK:
            read = self.quick.read(session, event.value)
            if isinstance(read, str):
                return session, [Reply(text=read, kind="error"), self._ask(session)]
            return read
        outcome = self.quick.handle(session, event)
        if not isinstance(outcome, quick.Go):
            return outcome
        answers = dict(outcome.answers)
        history: list[Step] = []
        initial = self.flows[outcome.dialog].initial
        try:
            state = self._skip_known(outcome.dialog, initial, answers, history)
            new = Session(
                dialog=outcome.dialog,
                state=state.value,
                answers=answers,
                history=history,
                guideline=session.guideline,
                step=session.step + 1,
            )
            replies = self._result(new, event.at) if state == Q.RESULT else [self._ask(new)]
        except (FindingsError, ValueError) as error:
            # Findings that cannot be graded together: say why; nothing is lost, retype or fix.
            return session, [Reply(text=str(error), kind="error"), self.quick.ask(session)]
        return new, replies

    def _skip_known(
        self, dialog: str, state: Q, answers: dict[str, Answer], history: list[Step]
    ) -> Q:
        """Advance over questions whose answers are already known (filled by quick entry)."""
        while state != Q.RESULT:
            question = self.questions[state]
            filled, value = quick.known(question, answers)
            if not filled:
                break
            answers[question.key] = value
            history.append(Step(state=state.value, keys=(question.key,)))
            state = machines.advance(self.machines[dialog], state, answers)
        return state

    # --- asking ---

    def _ask(self, session: Session) -> Reply:
        if session.state == Q.RESULT.value:
            return Reply(text=texts.DIALOG_ENDED, kind="info", ended=True)
        question = self.questions[Q(session.state)]
        options = [
            Option(id=question.option_id(c), label=c.label)
            for c in question.visible(session.answers)
        ]
        text = question.text(session.answers)
        if question.kind == "multi":
            options = [
                o.model_copy(update={"label": ("✓ " + o.label)})
                if o.id.split(".", 1)[1] in session.selection
                else o
                for o in options
            ]
            options.append(Option(id=f"{question.id.value}.{MULTI_DONE}", label=texts.DONE))
            if session.selection:
                text += "\n" + texts.SELECTED.format(items=", ".join(session.selection))
        return Reply(text=text, options=tuple(options), expects=question.kind)

    def _confirm(self, session: Session, question: Question, shown: str) -> Reply:
        prefix = question.id.value
        pending = session.pending or {}
        other = pending.get("other_echo")
        if isinstance(other, str):
            # Two readings of one bare number: ask which, each with its conversion.
            return Reply(
                text=texts.CONFIRM_WHICH_UNIT.format(value=shown, other=other),
                options=(
                    Option(id=f"{prefix}.{CONFIRM_YES}", label=shown),
                    Option(id=f"{prefix}.{CONFIRM_OTHER}", label=other),
                    Option(id=f"{prefix}.{CONFIRM_NO}", label=texts.CONFIRM_NO),
                ),
                expects="choice",
            )
        return Reply(
            text=texts.CONFIRM_UNUSUAL.format(value=shown),
            options=(
                Option(id=f"{prefix}.{CONFIRM_YES}", label=texts.CONFIRM_YES),
                Option(id=f"{prefix}.{CONFIRM_NO}", label=texts.CONFIRM_NO),
            ),
            expects="choice",
        )

    # --- parsing input ---

    def _parse(self, question: Question, session: Session, event: Event) -> _Parsed:
        visible = question.visible(session.answers)
        prefix = f"{question.id.value}."
        if session.pending is not None:
            chosen = "other" if event.value == prefix + CONFIRM_OTHER else "value"
            echo = session.pending.get("other_echo" if chosen == "other" else "echo")
            return _Parsed(
                value=session.pending.get(chosen), echo=echo if isinstance(echo, str) else None
            )
        if event.kind == "option":
            if not event.value.startswith(prefix):
                return _Parsed(error=texts.NOT_THIS_QUESTION)
            key = event.value[len(prefix) :]
            if question.kind == "multi":
                return self._multi_key(question, session, key)
            choice = next((c for c in visible if c.key == key), None)
            if choice is None:
                return _Parsed(error=texts.NOT_THIS_QUESTION)
            return _Parsed(value=choice.value)
        text = fold_typed(event.value).strip()
        if question.kind == "multi":
            return self._multi_text(question, visible, text)
        if question.kind == "number":
            number = self._number(question, text)
            if number is not None:
                return number
        choice = _match(visible, text)
        if choice is not None:
            return _Parsed(value=choice.value)
        return _Parsed(error=self._accepted(question, visible))

    def _number(self, question: Question, text: str) -> _Parsed | None:
        """Parse a typed number; None when the text is not a number (it may name an option)."""
        if not re.match(r"^\s*[-+]?\d", text, re.ASCII):
            return None
        if question.quantity is not None:
            quantity = question.quantity
            try:
                measured = parse_measure(text, quantity)
            except UnitError as error:
                return _Parsed(error=str(error))
            value: dict[str, Any] = {"value": measured.value, "unit": measured.unit}
            echo = measured.echo(quantity)
            other = other_reading(measured, quantity)
            if other is not None:
                return _Parsed(
                    value=value,
                    echo=echo,
                    confirm=echo,
                    other={"value": other.value, "unit": other.unit},
                    other_echo=other.echo(quantity),
                )
            if not quantity.plausible(measured.base):
                return _Parsed(value=value, echo=echo, confirm=echo)
            return _Parsed(value=value, echo=echo if measured.unit != quantity.unit else None)
        assert question.bounds is not None
        low, high = question.bounds
        try:
            number = float(text.replace(",", ".").split()[0])
        except ValueError:
            return _Parsed(error=self._accepted(question, ()))
        if not low <= number <= high or (question.integer and not number.is_integer()):
            return _Parsed(error=self._accepted(question, ()))
        return _Parsed(value=int(number) if question.integer else number)

    def _multi_key(self, question: Question, session: Session, key: str) -> _Parsed:
        if key == MULTI_DONE:
            if not session.selection:
                return _Parsed(error=texts.MULTI_EMPTY)
            return _Parsed(value=_in_order(question, session.selection))
        if key == question.none_key:
            return _Parsed(value=[])
        if not any(c.key == key for c in question.choices):
            return _Parsed(error=texts.NOT_THIS_QUESTION)
        return _Parsed(toggle=key)

    def _multi_text(self, question: Question, visible: Sequence[Choice], text: str) -> _Parsed:
        parts = [p for p in _SPLIT.split(text.lower()) if p]
        chosen: list[str] = []
        for part in parts:
            choice = _match(visible, part)
            if choice is None:
                return _Parsed(error=texts.ACCEPTED_MULTI)
            if choice.key == question.none_key:
                return _Parsed(value=[])
            if choice.key not in chosen:
                chosen.append(choice.key)
        if not chosen:
            return _Parsed(error=texts.ACCEPTED_MULTI)
        return _Parsed(value=_in_order(question, chosen))

    def _accepted(self, question: Question, visible: Sequence[Choice]) -> str:
        if question.kind == "number":
            if question.quantity is not None:
                needed = texts.NEED_NUMBER.format(example=example(question.quantity))
                if visible:
                    needed += " " + texts.ACCEPTED_CHOICE.format(n=len(visible))
                return needed
            assert question.bounds is not None
            low, high = question.bounds
            unit = f" {question.unit}" if question.unit else ""
            template = texts.ACCEPTED_INTEGER if question.integer else texts.ACCEPTED_NUMBER
            accepted = template.format(low=fmt(low), high=fmt(high), unit=unit)
            if visible:
                accepted += " " + texts.ACCEPTED_CHOICE.format(n=len(visible))
            return accepted
        if question.kind == "multi":
            return texts.ACCEPTED_MULTI
        return texts.ACCEPTED_CHOICE.format(n=len(visible))

    # --- results ---

    def _result(self, session: Session, at: str | None = None) -> list[Reply]:
        answers = session.answers
        if session.dialog == "ice":
            return [self._ice_result(answers)]
        if session.dialog == "dose":
            return [self._dose_result(answers)]
        findings = findings_of(answers)
        result = assess(findings, self.guideline)
        notes = [
            Reason(text=texts.ASSUMED_UNKNOWN.format(what=what, assumption=assumption))
            for key, (what, assumption) in _UNKNOWN_LABELS.items()
            if key in answers and answers[key] is None
        ]
        replies = [render_assessment(result, notes)]
        if session.dialog in ("assessment", "crs", "icans"):
            summary = handover(findings, result, at)
            replies.append(Reply(text=f"{texts.HANDOVER_INTRO}\n\n{summary}", kind="notice"))
        return replies

    def _ice_result(self, answers: Mapping[str, Answer]) -> Reply:
        if unarousable(answers):
            text = texts.ICE_RESULT_UNABLE
        else:
            score = ice_score(answers)
            assert score is not None
            band = band_grade(self.guideline.icans.ice_bands, score)
            grade = (
                texts.ICE_DOMAIN_NONE
                if band.grade == 0
                else texts.ICE_DOMAIN_GRADE.format(grade=band.grade)
            )
            text = texts.ICE_RESULT.format(score=score, grade=grade)
        citation = self.guideline.cite(self.guideline.icans.ice_bands[0])
        lines = [
            text,
            "",
            texts.ICE_NEXT,
            "",
            f"{texts.RESULT_SOURCES}: [1] {citation}",
            texts.RESULT_VERSION.format(version=self.guideline.version),
            texts.DISCLAIMER,
        ]
        return Reply(text="\n".join(lines), kind="result", ended=True, citations=(str(citation),))

    def _dose_result(self, answers: Mapping[str, Answer]) -> Reply:
        patient, doses = patient_of(answers)
        weight, height = patient.weight, patient.height
        regimen = self.guideline.regimen(str(answers["regimen"]))
        dose = compute_dose(
            regimen,
            self.guideline,
            weight.kg if weight else None,
            height.cm if height else None,
            doses,
        )
        notes = [f"Weight {fmt(weight.value)} {weight.unit}" if weight else ""]
        return render_doses([dose], self.guideline.version, [n for n in notes if n])


def _typed_command(event: Event) -> str | None:
    """A command typed as text ('back', '/help'), if the text is one."""
    typed = event.value.strip().lower().lstrip("/")
    return typed if event.kind == "text" and typed in COMMANDS else None


def _in_order(question: Question, keys: Sequence[str]) -> list[str]:
    """Chosen option keys in the order the question lists its options."""
    order = [c.key for c in question.choices]
    return sorted(keys, key=order.index)


def _toggled(selection: Sequence[str], key: str) -> list[str]:
    return [k for k in selection if k != key] if key in selection else [*selection, key]


def _match(choices: Sequence[Choice], text: str) -> Choice | None:
    """Match typed text to a choice: its number, key, label or a synonym, ignoring case."""
    wanted = text.strip().lower().rstrip(".")
    if not wanted:
        return None
    by_key = next((c for c in choices if c.key.lower() == wanted), None)
    if by_key is not None:
        return by_key
    # Where the keys are numbers themselves (stage 1-5, 0-3 named), a number is never a position.
    if wanted.isascii() and wanted.isdigit() and not any(c.key.isdigit() for c in choices):
        index = int(wanted) - 1
        return choices[index] if 0 <= index < len(choices) else None
    for choice in choices:
        names = {choice.key.lower(), choice.label.lower(), *(a.lower() for a in choice.aliases)}
        if wanted in names:
            return choice
    starts = [c for c in choices if c.label.lower().startswith(wanted) and len(wanted) >= 3]
    return starts[0] if len(starts) == 1 else None
