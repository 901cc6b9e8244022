"""The dialog engine: `handle(session, event) -> Turn`, pure and synchronous.

A `Turn` (dialogs.chat.records) holds the new session, the replies and the records to store; it
unpacks as `(session, replies)`.

One `transitions.Machine` per dialog is built once, with no model attached. Each event fires the
machine's `next` event on a small carrier holding only the session's state, so no machine is ever
built per user and the session stays the only per-chat state.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from dialogs import texts
from dialogs.chat import context, machines, quick
from dialogs.chat.flows import Flow, Flows
from dialogs.chat.flows.answers import (
    ADVISED,
    HYPOXIA_CAUSE_MATTERS,
    findings_of,
    patient_of,
    unarousable,
)
from dialogs.chat.messages import COMMANDS, DIALOG_COMMANDS, Event, Option, Reply
from dialogs.chat.questions import Choice, Q, Question, Questions, ice_score
from dialogs.chat.records import (
    AssessmentRecord,
    GradedDomain,
    Record,
    ReminderChoice,
    ReminderOffer,
)
from dialogs.chat.registry import Go, RegisteredDialog
from dialogs.chat.session import Answer, Change, PatientContext, Session, Step
from dialogs.chat.turn import Turn
from dialogs.clinical.assessment import Assessment, advised_regimens, assess
from dialogs.clinical.careplan import first_steps
from dialogs.clinical.dosing import compute_dose
from dialogs.clinical.findings import Findings
from dialogs.clinical.grading import (
    FindingsError,
    Reason,
    band_grade,
    grade_crs,
    grade_icans,
    screen_hlh,
)
from dialogs.clinical.guideline import Guideline
from dialogs.clinical.units import UnitError, example, fmt, fold_typed, other_reading, parse_measure
from dialogs.report.handover import handover
from dialogs.report.result import render_assessment, render_doses, render_first_steps
from dialogs.training.bank import Bank
from dialogs.training.rehearsal import Rehearsal

__all__ = ["DialogEngine", "build_machine"]

CONFIRM_YES = "confirm_yes"
CONFIRM_NO = "confirm_no"
CONFIRM_OTHER = "confirm_other"
MULTI_DONE = "done"
# States outside any flow: the "same patient?" offer, and choosing which answer to change.
SAME = "same"
FIX = "fix"
NEXT = "next"  # the options under a result
DISCARD = "discard"  # the prefix of the "Discard / Keep going" options
# Typed answers to it: its words, yes/no, or the option's position (1 discards, 2 keeps).
_DISCARD_YES = ("discard", "yes", "y", "1")
_DISCARD_NO = ("keep going", "keep", "no", "n", "2")
# Results after which reminders of the next reviews are offered.
REMINDER_DIALOGS = ("assessment", "crs", "icans", "seizure", "icp")
_SPLIT = re.compile(r"\s*(?:,|;|\+|/|\band\b|&)\s*")
# Dialogs whose result ends with a handover summary to paste into the notes.
_HANDOVER_DIALOGS = ("assessment", "crs", "icans", "seizure", "icp")
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
        self.words = texts.CHAT
        # Quick entry also reads findings typed at the menu, and the diagrams draw the
        # rehearsal's machine: both are kept by name too.
        self.quick = quick.QuickEntry(questions)
        self.rehearsal = Rehearsal(bank)
        registered: list[RegisteredDialog] = [self.rehearsal, self.quick]
        self.registered = {d.name: d for d in registered}

    def with_words(self, words: texts.Words) -> DialogEngine:
        """The same engine (same machines) speaking a transport's words, e.g. the console's."""
        engine = copy.copy(self)
        engine.words = words
        engine.registered = {n: d.worded(words) for n, d in self.registered.items()}
        return engine

    def register(self, dialog: RegisteredDialog) -> None:
        """Run another dialog by name beside the flows (as training and quick entry are)."""
        self.registered[dialog.name] = dialog

    # --- entry points ---

    def new_session(self) -> Session:
        """A session at the menu."""
        return Session(guideline=self.guideline.version)

    def start(self, dialog: str, step: int = 0) -> Turn:
        """Start a dialog (or the menu) from its first question."""
        return _turn(*self._start(dialog, step))

    def _start(self, dialog: str, step: int = 0) -> tuple[Session, list[Reply]]:
        if dialog in self.registered:
            return self.registered[dialog].start(step, self.guideline.version)
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

    def unsaved(self, session: Session) -> int:
        """How many answers leaving this session now would discard (0 at a menu or result)."""
        if session.dialog not in self.flows or session.state in (Q.RESULT.value, FIX, SAME):
            # The menu; a result (its answers stay for a change until expiry); training
            # answers are recorded as they are given.
            return 0
        return len(session.history)

    def open(self, session: Session | None, dialog: str, at: str | None = None) -> Turn:
        """Start a dialog (or the menu) for a chat as a command starts it: a chat without a
        session starts at step 0; otherwise ask first if answers would go. The patient context
        is carried (offered, never used)."""
        if session is None:
            return self.begin(self.new_session(), dialog, 0, at)
        return _turn(*self._open(session, dialog, at))

    def _open(
        self, session: Session, dialog: str, at: str | None = None
    ) -> tuple[Session, list[Reply]]:
        if self.unsaved(session) == 0:
            return self._carried(session, *self._start(dialog, session.step + 1), at)
        new = session.model_copy(
            update={"discard": dialog, "step": session.step + 1, "pending": None, "selection": []}
        )
        return new, [self._discard_ask(new)]

    def handle(self, session: Session, event: Event) -> Turn:
        """Apply one event to a session: the new session, the replies and the records."""
        if session.records:
            session = session.model_copy(update={"records": ()})
        if session.discard is not None:
            return _turn(*self._discard_answer(session, event))
        dialog = _typed_dialog(event)
        if dialog is not None:
            return _turn(*self._open(session, dialog, event.at))
        if session.dialog in self.flows and session.state in (SAME, FIX, Q.RESULT.value):
            new, replies = self._between(session, event)
        else:
            new, replies = self._carried(session, *self._handle(session, event), event.at)
        finished = any(r.kind == "result" for r in replies)
        if finished and new.dialog in self.flows and new.state == Q.RESULT.value:
            new = self._finished(new, event.at)
        return _turn(new, replies)

    def begin(self, session: Session, dialog: str, step: int, at: str | None = None) -> Turn:
        """Start a dialog for a chat: its patient context is carried and offered, never used."""
        new, replies = self._start(dialog, step)
        return _turn(*self._carried(session, new, replies, at))

    def _handle(self, session: Session, event: Event) -> tuple[Session, list[Reply]]:
        if event.kind == "command":
            return self._command(session, event.value)
        typed = _typed_command(event)
        registered = self.registered.get(session.dialog)
        if registered is not None:
            if typed is not None:
                return self._command(session, typed)
            outcome = registered.handle(session, event)
            if isinstance(outcome, Go):
                return self._go(session, outcome, event.at)
            new, replies = outcome
            return (new, replies) if replies else self._start("menu", session.step + 1)
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
        registered = self.registered.get(session.dialog)
        if registered is not None and name == "help":
            return session, registered.help(session)
        if registered is not None and name == "back":
            return registered.back(session)
        if name == "help":
            return session, [Reply(text=self._help(session), kind="info"), *self._again(session)]
        if name == "start":
            return self._open(session, "menu")
        if name == "cancel":
            menu, replies = self._start("menu", session.step + 1)
            notice = (
                [Reply(text=texts.CANCELLED, kind="info")]
                if (name == "cancel" and session.dialog != "menu")
                else []
            )
            return menu, notice + replies
        if name == "restart":
            return self._start(session.dialog, session.step + 1)
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

    # --- help, and "Discard / Keep going" ---

    def _again(self, session: Session) -> list[Reply]:
        """The current question again (a registered dialog's own message, in that dialog)."""
        registered = self.registered.get(session.dialog)
        return registered.again(session) if registered is not None else [self._ask(session)]

    def _help(self, session: Session) -> str:
        """Help at the current question: what it means and how it grades, then how to answer."""
        general = f"{self.words.help_how}\n{texts.HELP_COMMANDS}"
        outside = session.state in (Q.RESULT.value, SAME, FIX)  # states no question owns
        if session.dialog not in self.flows or outside or session.discard:
            return general
        about = self.questions[Q(session.state)].help
        return f"{texts.HELP_ABOUT}\n{about}\n\n{general}" if about else general

    def _discard_ask(self, session: Session) -> Reply:
        what = texts.MENU_OPTIONS.get(session.discard or "menu", texts.DISCARD_WHAT_MENU)
        return Reply(
            text=texts.DISCARD_ASK.format(what=what, n=self.unsaved(session)),
            options=(
                Option(id=f"{DISCARD}.yes", label=texts.DISCARD_YES),
                Option(id=f"{DISCARD}.no", label=texts.DISCARD_NO),
            ),
            expects="choice",
        )

    def _discard_answer(self, session: Session, event: Event) -> tuple[Session, list[Reply]]:
        """The answer to "Discard / Keep going"; anything else asks it again."""
        if event.kind == "option" and event.step is not None and event.step != session.step:
            return session, [Reply(text=texts.STALE, kind="stale"), self._discard_ask(session)]
        said = event.value.strip().lower().lstrip("/")
        dialog = _typed_dialog(event)
        if dialog is not None or said == "start":
            # Another "start" while asking: the question stands, for the newest target.
            new = session.model_copy(update={"discard": dialog or "menu"})
            return new, [self._discard_ask(new)]
        if event.value == f"{DISCARD}.yes" or (event.kind == "text" and said in _DISCARD_YES):
            target = session.discard or "menu"
            return self._carried(session, *self._start(target, session.step + 1), event.at)
        keep = session.model_copy(update={"discard": None, "step": session.step + 1})
        if event.value == f"{DISCARD}.no" or said in (*_DISCARD_NO, "back"):
            return keep, self._again(keep)
        if said == "help":
            return session, [
                Reply(text=self._help(session), kind="info"),
                self._discard_ask(session),
            ]
        if said in COMMANDS:  # cancel, restart: as anywhere else, on the kept dialog
            return self._command(keep, said)
        return session, [Reply(text=texts.DISCARD_CHOOSE, kind="error"), self._discard_ask(session)]

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
            return self._start(str(value), session.step + 1)
        answers[question.key] = value
        history = [*session.history, Step(state=session.state, keys=(question.key,))]
        try:
            destination, graded = self._advance(session.dialog, Q(session.state), answers)
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
        if destination != Q.RESULT and self.questions[destination].key in new.reserve:
            # The next questions' answers are already known (reused, or kept through a change).
            settled, replies = self._settle(new, at)
            replies = [Reply(text=prefix.strip(), kind="info"), *replies] if prefix else replies
            return settled, _after_steps(self._first_steps_due(session, settled), replies)
        steps = self._first_steps_due(session, new)
        if steps and destination != Q.RESULT:
            # The echo of the dose basis ("154 lb = 69.9 kg") comes before the doses it gives.
            echoed = [Reply(text=prefix.strip(), kind="info")] if prefix else []
            return new, [*echoed, *_after_steps(steps, [self._ask(new)])]
        if destination == Q.RESULT:
            try:
                new, replies = self._result(new, at, graded)
            except (FindingsError, ValueError) as error:
                # Answers that cannot be graded together: undo the last one and say why.
                return session, [Reply(text=str(error), kind="error"), self._ask(session)]
            if prefix:
                replies = [Reply(text=prefix.strip(), kind="info"), *replies]
            return new, replies
        return new, [self._ask(new, prefix)]

    # --- quick entry: findings typed in one message ---

    def _menu_choice(self, event: Event) -> bool:
        """Whether text typed at the menu names one of its options (else it may be findings)."""
        menu = self.questions[Q.MENU]
        return _match(menu.choices, fold_typed(event.value).strip()) is not None

    def _quick(self, session: Session, event: Event) -> tuple[Session, list[Reply]]:
        """Findings typed at the menu: read them, and quick entry starts with its echo."""
        read = self.quick.read(session, event.value)
        if isinstance(read, str):
            return session, [Reply(text=read, kind="error"), self._ask(session)]
        return read

    def _go(self, session: Session, outcome: Go, at: str | None) -> tuple[Session, list[Reply]]:
        """A registered dialog hands over to a question flow with answers already known."""
        # The findings are answers held for their questions, as a reused context's are: the
        # dialog routes over them and asks only the rest (one mechanism for both).
        start = Session(
            dialog=outcome.dialog,
            state=self.flows[outcome.dialog].initial.value,
            reserve=quick.implied(outcome.answers, self.questions),
            guideline=session.guideline,
            step=session.step + 1,
        )
        try:
            new, replies = self._settle(start, at)
        except (FindingsError, ValueError) as error:
            new, replies = session, [Reply(text=str(error), kind="error")]
        if any(r.kind == "error" for r in replies):
            # Findings that cannot be graded together: say why; nothing is lost, retype or fix.
            again = self.registered[session.dialog].again(session)
            return session, [*(r for r in replies if r.kind == "error"), *again]
        return new, replies

    # --- asking ---

    def _ask(self, session: Session, prefix: str = "") -> Reply:
        """The current question (`prefix`: what goes above it, such as the echo of an answer)."""
        if session.state in (SAME, FIX, Q.RESULT.value):
            ask = self._between_ask(session)
            return ask.model_copy(update={"text": prefix + ask.text}) if prefix else ask
        question = self.questions[Q(session.state)]
        options = [question.option(c) for c in question.visible(session.answers)]
        text = prefix + question.text(session.answers)
        if question.kind == "multi":
            options = [
                o.model_copy(update={"label": ("✓ " + o.label)})
                if o.id.split(".", 1)[1] in session.selection
                else o
                for o in options
            ]
            options.append(Option(id=f"{question.id.value}.{MULTI_DONE}", label=texts.DONE))
            text += "\n" + self.words.multi_hint
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
                return _Parsed(error=self.words.multi)
            if choice.key == question.none_key:
                return _Parsed(value=[])
            if choice.key not in chosen:
                chosen.append(choice.key)
        if not chosen:
            return _Parsed(error=self.words.multi)
        return _Parsed(value=_in_order(question, chosen))

    def _accepted(self, question: Question, visible: Sequence[Choice]) -> str:
        if question.kind == "number":
            if question.quantity is not None:
                needed = texts.NEED_NUMBER.format(example=example(question.quantity))
                if visible:
                    needed += " " + self.words.choose.format(n=len(visible))
                return needed
            assert question.bounds is not None
            low, high = question.bounds
            unit = f" {question.unit}" if question.unit else ""
            template = texts.ACCEPTED_INTEGER if question.integer else texts.ACCEPTED_NUMBER
            accepted = template.format(low=fmt(low), high=fmt(high), unit=unit)
            if visible:
                accepted += " " + self.words.choose.format(n=len(visible))
            return accepted
        if question.kind == "multi":
            return self.words.multi
        return self.words.choose.format(n=len(visible))

    # --- results ---

    def _advance(
        self, dialog: str, state: Q, answers: Mapping[str, Answer]
    ) -> tuple[Q, _Graded | None]:
        """The next state for these answers, and the grading of them if a condition needed it
        (the result reuses it when it follows at once)."""
        routed = _Routed(answers, self.guideline)
        return machines.advance(self.machines[dialog], state, routed), routed.graded

    def _result(
        self, session: Session, at: str | None = None, graded: _Graded | None = None
    ) -> tuple[Session, list[Reply]]:
        """The result of a finished dialog, with its records: the grades, reminder offers.

        `graded`: the grading of exactly these answers, if the routing has just made it."""
        records: list[Record] = []
        if session.dialog in ("ice", "dose"):
            if session.dialog == "ice":
                record = self._ice_record(session.answers)
                records.append(record)
                above, below = self._head(session, records)
                only = self._ice_result(session.answers, record, above, below)
            else:
                above, below = self._head(session, records)
                only = self._dose_result(session.answers, above, below)
            replies = self._with_next(session, [only])
        else:
            replies = self._assessed(session, at, records, graded)
        if session.dialog in REMINDER_DIALOGS:
            records.append(self._reminder_offer(session.step))
        return session.model_copy(update={"records": (*session.records, *records)}), replies

    def _assessed(
        self, session: Session, at: str | None, records: list[Record], graded: _Graded | None
    ) -> list[Reply]:
        """Grade and plan the answers once: the result, its handover and its record."""
        answers = session.answers
        findings, result = graded or _grade(answers, self.guideline)
        records.append(_record_of(session.dialog, result))
        above, below = self._head(session, records)
        # "Weight not known: doses shown per kg" only when the plan shows a dose per kg.
        per_kg = any(
            self.guideline.regimen(d.regimen).basis == "per_kg"
            for step in result.plan.steps()
            for d in step.doses
        )
        notes = [
            Reason(text=texts.ASSUMED_UNKNOWN.format(what=what, assumption=assumption))
            for key, (what, assumption) in _UNKNOWN_LABELS.items()
            if key in answers and answers[key] is None and (key != "weight" or per_kg)
        ]
        if per_kg and answers.get("patient_size") in ("adult", "child") and "weight" not in answers:
            what, assumption = _UNKNOWN_LABELS["weight"]  # "adult/child, weight not known"
            notes.append(
                Reason(text=texts.ASSUMED_UNKNOWN.format(what=what, assumption=assumption))
            )
        replies = [render_assessment(result, notes, above, below)]
        if session.dialog in _HANDOVER_DIALOGS:
            summary = handover(findings, result, at)
            replies.append(Reply(text=f"{texts.HANDOVER_INTRO}\n\n{summary}", kind="notice"))
        return self._with_next(session, replies)

    def _first_steps_due(self, before: Session, new: Session) -> list[Reply]:
        """An emergency entry's first steps, when this answer (typed, or the context's) has just
        given what they need; else nothing."""
        after = self.flows[new.dialog].first_steps_after
        if after is None or before.change is not None:
            return []  # not an emergency entry, or a change after the result: the plan follows
        key = self.questions[after].key
        if key in before.answers or key not in new.answers:
            return []
        plan = first_steps(findings_of(new.answers), self.guideline)
        if not plan.pathways:
            # e.g. a brief seizure, now over: no protocol applies, the questions go on.
            return [Reply(text=texts.NO_FIRST_STEPS, kind="info")]
        return [render_first_steps(plan, self.guideline.version)]

    def _ice_record(self, answers: Mapping[str, Answer]) -> AssessmentRecord:
        """The ICE alone: its score and the band's grade (none when the patient cannot wake)."""
        graded = GradedDomain(toxicity="ICE", grade=None)
        if not unarousable(answers):
            score = ice_score(answers)
            assert score is not None
            band = band_grade(self.guideline.icans.ice_bands, score)
            graded = GradedDomain(toxicity="ICE", grade=band.grade, score=("ICE", score))
        return AssessmentRecord(dialog="ice", guideline=self.guideline.version, grades=(graded,))

    def _ice_result(
        self,
        answers: Mapping[str, Answer],
        record: AssessmentRecord,
        above: Sequence[str],
        below: Sequence[str],
    ) -> Reply:
        (graded,) = record.grades
        if graded.score is None or graded.grade is None:
            text = texts.ICE_RESULT_UNABLE
        else:
            grade = (
                texts.ICE_DOMAIN_NONE
                if graded.grade == 0
                else texts.ICE_DOMAIN_GRADE.format(grade=graded.grade)
            )
            text = texts.ICE_RESULT.format(score=graded.score[1], grade=grade)
        citation = self.guideline.cite(self.guideline.icans.ice_bands[0])
        lines = [
            *above,
            text,
            *below,
            "",
            texts.ICE_NEXT,
            "",
            f"{texts.RESULT_SOURCES}: [1] {citation}",
            texts.RESULT_VERSION.format(version=self.guideline.version),
            texts.DISCLAIMER,
        ]
        return Reply(text="\n".join(lines), kind="result", ended=True, citations=(str(citation),))

    def _reminder_offer(self, step: int) -> ReminderOffer:
        """The reminders of the next reviews, at the guideline's monitoring intervals."""
        hours = {r.id: r.interval_hours for r in self.guideline.routine.items if r.interval_hours}
        return ReminderOffer(
            step=step,
            choices=(
                ReminderChoice(kind="crs", hours=hours["monitor_crs"]),
                ReminderChoice(kind="neuro", hours=hours["monitor_neuro"]),
            ),
        )

    def _dose_result(
        self, answers: Mapping[str, Answer], above: Sequence[str], below: Sequence[str]
    ) -> Reply:
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
        notes = [n for n in notes if n]
        return render_doses([dose], self.guideline.version, notes, above, below)

    # --- one patient context per chat, and changing an answer after a result (issue 9) ---

    def _carried(
        self, before: Session, new: Session, replies: list[Reply], at: str | None
    ) -> tuple[Session, list[Reply]]:
        """Carry the patient context into a freshly started dialog, offering it."""
        if before.patient is not None and new.patient is None:
            # Only `start` builds a session without the context: carry it over, and offer it.
            new = new.model_copy(update={"patient": before.patient})
            flow = self.flows.get(new.dialog)
            # An emergency entry asks what is seen before anything: the context is not offered
            # there (nor used); its result still updates the context.
            if flow is not None and new.state == flow.initial.value and not flow.first_steps_after:
                return self._offer_or_go(new, replies, at, {})
        return new, replies

    def _begin(
        self, session: Session, dialog: str, at: str | None, fill: dict[str, Answer]
    ) -> tuple[Session, list[Reply]]:
        """Start a dialog from a result, with the context and any answers chosen there."""
        new, replies = self._start(dialog, session.step + 1)
        new = new.model_copy(update={"patient": session.patient})
        if new.dialog not in self.flows or self.flows[new.dialog].first_steps_after:
            return new, replies  # the menu, training, or an emergency entry (nothing offered)
        return self._offer_or_go(new, replies, at, fill)

    def _offer_or_go(
        self, new: Session, replies: list[Reply], at: str | None, fill: dict[str, Answer]
    ) -> tuple[Session, list[Reply]]:
        offered = {k for k in self._offerable(new, at) if k not in fill}
        if offered:
            new = new.model_copy(update={"state": SAME, "reserve": fill, "reused": list(fill)})
            return new, [self._between_ask(new)]
        if fill:
            return self._settle(new.model_copy(update={"reserve": fill, "reused": list(fill)}), at)
        return new, replies

    def _offerable(self, session: Session, at: str | None) -> dict[str, Answer]:
        """What the context can answer among the questions this dialog may ask."""
        if session.patient is None:
            return {}
        flow = self.flows[session.dialog]
        keys = {self.questions[s].key for s in flow.states if s != Q.RESULT}
        return {k: v for k, v in context.fillable(session.patient, at).items() if k in keys}

    def _settle(self, session: Session, at: str | None) -> tuple[Session, list[Reply]]:
        """Advance the machine over every question whose answer is already known; then ask the
        first that is not, or give the result."""
        answers, reserve = dict(session.answers), dict(session.reserve)
        history = list(session.history)
        state, graded = self._walk(session.dialog, Q(session.state), answers, reserve, history)
        new = session.model_copy(
            update={
                "state": state.value,
                "answers": answers,
                "reserve": reserve,
                "history": history,
                "pending": None,
                "selection": [],
            }
        )
        if state != Q.RESULT:
            return new, [self._ask(new)]
        try:
            return self._result(new, at, graded)
        except (FindingsError, ValueError) as error:
            # Known answers that cannot be graded together: ask the last of them again.
            last = history[-1]
            back = new.model_copy(
                update={
                    "state": last.state,
                    "answers": {k: v for k, v in answers.items() if k not in last.keys},
                    "history": history[:-1],
                }
            )
            return back, [Reply(text=str(error), kind="error"), self._ask(back)]

    def _walk(
        self,
        dialog: str,
        state: Q,
        answers: dict[str, Answer],
        reserve: dict[str, Answer],
        history: list[Step],
    ) -> tuple[Q, _Graded | None]:
        """Advance over every question whose answer `reserve` holds, moving it into `answers`
        and `history`; stop at the first question it has none for, or at the result."""
        graded = None
        while state != Q.RESULT:
            key = self.questions[state].key
            if key not in reserve:
                break
            answers[key] = reserve.pop(key)
            history.append(Step(state=state.value, keys=(key,)))
            state, graded = self._advance(dialog, state, answers)
        return state, graded

    def _finished(self, session: Session, at: str | None) -> Session:
        """After a result: the context learns this dialog's answers; nothing is left pending."""
        grades = _summary(session.records)
        patient = context.updated(session.patient, session.answers, session.reused, grades, at)
        return session.model_copy(
            update={
                "patient": None if patient == PatientContext() else patient,
                "reserve": {},
                "change": None,
            }
        )

    def _grades(self, dialog: str, answers: Mapping[str, Answer]) -> dict[str, int | None]:
        """The graded models' grades (never read from text), for the context and a change."""
        if dialog == "dose":
            return {}
        if dialog == "ice":
            score = context.score_of(answers)
            return {
                "ICE": score.value
                if score is not None and score.key == "ice_score" and isinstance(score.value, int)
                else None
            }
        # The graders alone (no care plan): this runs beside the result at every result.
        try:
            findings = findings_of(answers)
            grades: dict[str, int | None] = {}
            if findings.crs is not None:
                grades["CRS"] = grade_crs(findings.crs, self.guideline).grade
            if findings.icans is not None:
                age = findings.patient.age_years
                grades["ICANS"] = grade_icans(findings.icans, self.guideline, age).grade
            if findings.hlh is not None:
                grades["HLH"] = int(screen_hlh(findings.hlh, self.guideline).met)
        except (FindingsError, ValueError):
            return {}
        return grades

    def _head(self, session: Session, records: Sequence[Record]) -> tuple[list[str], list[str]]:
        """Lines above a result's grades (what a change changed), and after what to do now
        (the patient facts it used)."""
        below = context.patient_line(session.answers, session.reused, session.patient)
        return self._change_lines(session, _summary(records)), [below] if below else []

    def _change_lines(self, session: Session, after: Mapping[str, int | None]) -> list[str]:
        change = session.change
        if change is None:
            return []
        deltas: list[str] = []
        for name in texts.CHANGE_GRADE_NAMES:
            old, new = change.before.get(name), after.get(name)
            if old == new or (name not in change.before and name not in after):
                continue
            words = texts.CHANGE_HLH if name == "HLH" else {}
            deltas.append(
                texts.CHANGE_GRADE.format(
                    name=texts.CHANGE_GRADE_NAMES[name],
                    old=_grade_words(old, words),
                    new=_grade_words(new, words),
                )
            )
        question = self._question_of(change.key)
        changed = texts.CHANGED.format(
            what=texts.ANSWER_LABELS.get(question.id.value, question.id.value),
            old=context.answer_words(question, change.old),
            new=context.answer_words(question, session.answers.get(change.key)),
        )
        return [texts.CTX_JOIN.join(deltas) or texts.CHANGE_SAME, changed]

    def _question_of(self, key: str) -> Question:
        return next(q for q in self.questions.values() if q.key == key and q.id != Q.MENU)

    def _with_next(self, session: Session, replies: list[Reply]) -> list[Reply]:
        """The options under a result: change an answer, ICANS with this score, the menu."""
        last = replies[-1].model_copy(
            update={"options": self._next_options(session), "expects": "choice"}
        )
        return [*replies[:-1], last]

    def _next_options(self, session: Session) -> tuple[Option, ...]:
        options = [Option(id=f"{NEXT}.change", label=texts.NEXT_CHANGE)]
        score = (
            context.score_of(session.answers)
            if session.dialog not in ("icans", "assessment")
            else None
        )
        if score is not None:
            label = texts.GRADE_ICANS_WITH.format(score=context.score_words(score))
            options.append(Option(id=f"{NEXT}.icans", label=label))
        menu = self.questions[Q.MENU]
        options += [menu.option(c) for c in menu.visible({})]
        return tuple(options)

    def _between_choices(self, session: Session) -> list[tuple[str, Choice]]:
        """The options of a state outside the flows, each with its id and typed names."""
        if session.state == SAME:
            doses = "toci_24h" in self._offerable(session, None)
            choices = [
                Choice("use", texts.CTX_USE, "use", ("use", "same", "yes", "y", "same patient")),
                *(
                    [Choice("doses", texts.CTX_USE_ASK_DOSES, "doses", ("ask doses",))]
                    if doses
                    else []
                ),
                Choice("new", texts.CTX_NEW, "new", ("new", "new patient", "no", "n")),
            ]
            return [(f"{SAME}.{c.key}", c) for c in choices]
        if session.state == FIX:
            pairs = []
            for step in session.history:
                question = self.questions[Q(step.state)]
                label = texts.ANSWER_LABELS.get(step.state, step.state)
                value = context.answer_words(question, session.answers.get(question.key))
                pairs.append(
                    (
                        f"{FIX}.{step.state}",
                        Choice(step.state, f"{label}: {value}", step.state, (label.lower(),)),
                    )
                )
            keep = Choice("keep", texts.FIX_KEEP, "keep", ("keep", "none", "nothing"))
            return [*pairs, (f"{FIX}.keep", keep)]
        menu = self.questions[Q.MENU]
        names: dict[str, tuple[str, ...]] = {
            f"{NEXT}.change": ("change", "change an answer", "correct", "edit"),
            f"{NEXT}.icans": ("icans with score", "grade icans with score"),
        }
        names |= {menu.option_id(c): c.aliases for c in menu.choices}
        return [
            (o.id, Choice(o.id, o.label, o.id, names.get(o.id, ())))
            for o in self._next_options(session)
        ]

    def _between_ask(self, session: Session) -> Reply:
        """The question of a state outside the flows: the offer, the answers, what next."""
        options = tuple(
            Option(id=option_id, label=c.label) for option_id, c in self._between_choices(session)
        )
        if session.state == SAME:
            assert session.patient is not None
            offered = self._offerable(session, None).keys() - session.reserve.keys()
            facts = context.describe(session.patient, offered)
            text = texts.CTX_OFFER.format(facts=facts) + "\n" + texts.CTX_OFFER_HINT
        elif session.state == FIX:
            text = texts.FIX_WHICH
        else:
            text = texts.NEXT_WHAT
        return Reply(text=text, options=options, expects="choice")

    def _between(self, session: Session, event: Event) -> tuple[Session, list[Reply]]:
        """An event at the offer, at the list of answers, or under a result."""
        name = event.value if event.kind == "command" else _typed_command(event)
        if name == "help":
            return session, [
                Reply(text=self._help(session), kind="info"),
                self._between_ask(session),
            ]
        if name == "back" and session.state == SAME:
            return session, [
                Reply(text=texts.NOTHING_TO_UNDO, kind="info"),
                self._between_ask(session),
            ]
        if name == "back" and session.state == FIX:
            new = session.model_copy(update={"state": Q.RESULT.value, "step": session.step + 1})
            return new, [self._between_ask(new)]
        if name is not None:
            # Start, cancel, restart; `back` under a result undoes the last answer as anywhere.
            return self._carried(session, *self._command(session, name), event.at)
        if event.kind == "option" and event.step is not None and event.step != session.step:
            return session, [Reply(text=texts.STALE, kind="stale"), self._between_ask(session)]
        pairs = self._between_choices(session)
        if event.kind == "option":
            chosen = next((c for option_id, c in pairs if option_id == event.value), None)
        else:
            choice = _match([c for _, c in pairs], fold_typed(event.value).strip())
            chosen = choice
        if chosen is None:
            error = (
                texts.NOT_THIS_QUESTION
                if event.kind == "option"
                else texts.ACCEPTED_CHOICE.format(n=len(pairs))
            )
            return session, [Reply(text=error, kind="error"), self._between_ask(session)]
        if session.state == SAME:
            return self._same(session, chosen.key, event.at)
        if session.state == FIX:
            return self._fix(session, chosen.key)
        return self._next(session, chosen.key, event.at)

    def _same(self, session: Session, key: str, at: str | None) -> tuple[Session, list[Reply]]:
        """'Use' fills the offered answers, which the dialog then skips; 'New' clears them."""
        start = self.flows[session.dialog].initial.value
        if key == "new":
            new = session.model_copy(
                update={"patient": None, "state": start, "step": session.step + 1}
            )
            note = texts.CTX_CLEARED
        else:
            fill = {
                k: v for k, v in self._offerable(session, at).items() if k not in session.reserve
            }
            if key == "doses":
                fill = {k: v for k, v in fill.items() if k not in context.TOCI_KEYS}
            assert session.patient is not None
            note = texts.CTX_USED.format(facts=context.describe(session.patient, fill.keys()))
            new = session.model_copy(
                update={
                    "state": start,
                    "step": session.step + 1,
                    "reserve": {**fill, **session.reserve},
                    "reused": [*session.reused, *(k for k in fill if k not in session.reused)],
                }
            )
        new, replies = self._settle(new, at)
        return new, [Reply(text=note, kind="info"), *replies]

    def _next(self, session: Session, key: str, at: str | None) -> tuple[Session, list[Reply]]:
        """Under a result: change an answer, grade ICANS with this score, or a menu entry."""
        if key == f"{NEXT}.change":
            new = session.model_copy(update={"state": FIX, "step": session.step + 1})
            return new, [self._between_ask(new)]
        if key == f"{NEXT}.icans":
            score = context.score_of(session.answers)
            assert score is not None
            return self._begin(session, "icans", at, {score.key: score.value})
        value = self.questions[Q.MENU].visible({})
        dialog = next(str(c.value) for c in value if self.questions[Q.MENU].option_id(c) == key)
        return self._begin(session, dialog, at, {})

    def _fix(self, session: Session, key: str) -> tuple[Session, list[Reply]]:
        """Re-ask one answer: the route up to it is replayed, every other answer kept aside for
        the questions the route still asks."""
        if key == "keep":
            new = session.model_copy(update={"state": Q.RESULT.value, "step": session.step + 1})
            return new, [self._ask(new, f"{texts.FIX_KEPT}\n\n")]
        question = self.questions[Q(key)]
        # Without the changed answer, the replay stops at its question at the latest.
        pool = {k: v for k, v in session.answers.items() if k != question.key}
        answers: dict[str, Answer] = {}
        history: list[Step] = []
        initial = self.flows[session.dialog].initial
        state, _ = self._walk(session.dialog, initial, answers, pool, history)
        old = session.answers.get(question.key)
        new = session.model_copy(
            update={
                "state": state.value,
                "answers": answers,
                "reserve": pool,
                "history": history,
                "step": session.step + 1,
                "pending": None,
                "selection": [],
                "reused": [k for k in session.reused if k != question.key],
                "change": Change(
                    key=question.key,
                    old=old,
                    before=self._grades(session.dialog, session.answers),
                ),
            }
        )
        was = texts.FIX_WAS.format(
            what=texts.ANSWER_LABELS.get(key, key), old=context.answer_words(question, old)
        )
        return new, [self._ask(new, f"{was}\n\n")]


def _after_steps(steps: list[Reply], replies: list[Reply]) -> list[Reply]:
    """An emergency's first steps before the replies that follow them; the next question says
    that the questions now refine the plan."""
    if not any(r.kind == "first_steps" for r in steps):
        return [*steps, *replies]
    last = replies[-1]
    if last.kind == "question":
        last = last.model_copy(update={"text": f"{texts.FIRST_STEPS_NEXT}\n\n{last.text}"})
    return [*steps, *replies[:-1], last]


def _typed_dialog(event: Event) -> str | None:
    """A dialog command typed as text ('/crs'): the dialog it starts. Only with the slash, as
    'ice' or 'crs' alone can be an answer."""
    typed = event.value.strip().lower()
    if event.kind != "text" or not typed.startswith("/"):
        return None
    return DIALOG_COMMANDS.get(typed[1:])


_Graded = tuple[Findings, Assessment]


def _grade(answers: Mapping[str, Answer], guideline: Guideline) -> _Graded:
    """The findings the answers describe, graded and planned."""
    findings = findings_of(answers)
    return findings, assess(findings, guideline)


class _Routed(Mapping[str, Answer]):
    """The answers as the routing conditions read them, with the derived answers `ADVISED` and
    `HYPOXIA_CAUSE_MATTERS`.

    The regimens the care plan advises are graded when a condition first reads them, at most
    once per move; the grading is kept for the result. Whether the oxygen's cause matters is
    graded both ways, when first read. Conditions never grade.
    """

    def __init__(self, answers: Mapping[str, Answer], guideline: Guideline) -> None:
        self._answers = answers
        self._guideline = guideline
        self.graded: _Graded | None = None
        self._cause_matters: bool | None = None

    def __getitem__(self, key: str) -> Answer:
        if key in self._answers or key not in _DERIVED:
            return self._answers[key]
        if key == HYPOXIA_CAUSE_MATTERS:
            return self._hypoxia_cause_matters()
        if self.graded is None:
            self.graded = _grade(self._answers, self._guideline)
        return advised_regimens(self.graded[1])

    def _hypoxia_cause_matters(self) -> bool:
        """Whether counting the oxygen as CRS or not changes a grade or the plan; in doubt, yes.

        Beside grade 3 hypotension from CRS, a low-flow nasal cannula changes neither, and the
        question would cost the doctor an answer for nothing (issue 9, item 4).
        """
        if self._cause_matters is None:
            try:
                counted, not_counted = (
                    _outcome(_grade({**self._answers, "hypoxia_cause": v}, self._guideline)[1])
                    for v in ("crs", "other")
                )
                self._cause_matters = counted != not_counted
            except ValueError:  # findings that cannot be graded yet (FindingsError included)
                self._cause_matters = True
        return self._cause_matters

    def __contains__(self, key: object) -> bool:
        return key in _DERIVED or key in self._answers

    def __iter__(self) -> Iterator[str]:
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)


_DERIVED = (ADVISED, HYPOXIA_CAUSE_MATTERS)


def _outcome(result: Assessment) -> tuple[object, ...]:
    """What a finding's cause could change: the grades, the plan's rows, what it withholds."""
    grades = tuple(g.headline for g in (result.crs, result.icans) if g is not None)
    return grades, result.plan.row_ids(), tuple(w.drug for w in result.plan.withheld)


def _turn(session: Session, replies: list[Reply]) -> Turn:
    """The turn: the records move out of the session, which never leaves holding any."""
    if not session.records:
        return Turn(session, replies)
    return Turn(session.model_copy(update={"records": ()}), replies, session.records)


def _record_of(dialog: str, result: Assessment) -> AssessmentRecord:
    """The grades of an assessment as its graders gave them."""
    grades = [
        GradedDomain(
            toxicity=grade.toxicity,
            grade=grade.grade,
            domains=tuple((d.name, d.grade) for d in grade.domains),
            score=grade.score,
        )
        for grade in (result.crs, result.icans)
        if grade is not None
    ]
    if result.hlh is not None:
        grades.append(GradedDomain(toxicity="HLH", grade=int(result.hlh.met)))
    return AssessmentRecord(dialog=dialog, guideline=result.guideline, grades=tuple(grades))


def _summary(records: Sequence[Record]) -> dict[str, int | None]:
    """A result's grades by name, as the context and a change compare them (ICE: its score)."""
    found = next((r for r in records if isinstance(r, AssessmentRecord)), None)
    if found is None:
        return {}
    return {
        g.toxicity: (g.score[1] if g.score is not None else None)
        if g.toxicity == "ICE"
        else g.grade
        for g in found.grades
    }


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


def _grade_words(grade: int | None, words: Mapping[int, str]) -> str:
    if grade is None:
        return texts.CHANGE_NOT_GRADED
    return words.get(grade, str(grade))
