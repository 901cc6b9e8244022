"""The rehearsal dialog: a simulated case shown one finding at a time, graded answers, feedback.

Its states and transitions are data on a `transitions` machine built once, like the clinical
dialogs. Every reply is marked as training, and each answered question leaves an `Attempt` record
for the trainee's progress (never the clinical audit).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from enum import StrEnum

from dialogs import texts
from dialogs.chat.machines import Row, advance, build
from dialogs.chat.messages import Attempt, Event, Option, Reply
from dialogs.chat.session import Answer, Session, whole
from dialogs.clinical.assessment import Assessment
from dialogs.clinical.findings import Patient
from dialogs.clinical.units import fmt
from dialogs.report.result import render_assessment
from dialogs.training.bank import Bank, Case, Step

__all__ = ["R", "Rehearsal", "patient_line"]

Answers = Mapping[str, Answer]


class R(StrEnum):
    """Rehearsal states."""

    MODE = "rmode"
    LINE = "rline"
    CRS = "rcrs"
    ICANS = "ricans"
    HLH = "rhlh"
    ACTION = "ract"
    NEXT = "rnext"


def _int(answers: Answers, key: str) -> int:
    return whole(answers.get(key)) or 0


class Rehearsal:
    """Runs rehearsals over sessions; pure and synchronous like the engine. Registered with the
    engine as the dialog "rehearsal" (see dialogs.chat.registry)."""

    name = "rehearsal"

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.words = texts.CHAT  # how to answer, in the transport's words
        self.machine = build(list(R), R.MODE, self._transitions())

    # --- transitions as data, conditions as named predicates ---

    def _step(self, answers: Answers) -> Step:
        case = self.bank.case(str(answers["case"]))
        return case.steps[_int(answers, "stepno")]

    def more_lines(self, answers: Answers) -> bool:
        """More findings of this step to show."""
        return _int(answers, "line") + 1 < len(self._step(answers).lines)

    def asks_crs(self, answers: Answers) -> bool:
        """This step asks the CRS grade."""
        return self._step(answers).crs is not None

    def asks_icans(self, answers: Answers) -> bool:
        """This step asks the ICANS grade (and it has not just been asked)."""
        return self._step(answers).icans is not None and "icans_done" not in answers

    def asks_hlh(self, answers: Answers) -> bool:
        """This step asks whether the HLH/MAS criteria are met."""
        return self._step(answers).hlh is not None and "hlh_done" not in answers

    def _transitions(self) -> list[Row]:
        return [
            (R.MODE, R.LINE, None),
            (R.LINE, R.LINE, self.more_lines),
            (R.LINE, R.CRS, self.asks_crs),
            (R.LINE, R.ICANS, self.asks_icans),
            (R.LINE, R.HLH, self.asks_hlh),
            (R.LINE, R.ACTION, None),
            (R.CRS, R.ICANS, self.asks_icans),
            (R.CRS, R.HLH, self.asks_hlh),
            (R.CRS, R.ACTION, None),
            (R.ICANS, R.HLH, self.asks_hlh),
            (R.ICANS, R.ACTION, None),
            (R.HLH, R.ACTION, None),
            (R.ACTION, R.NEXT, None),
            (R.NEXT, R.LINE, None),
        ]

    # --- entry points ---

    def start(self, step: int, guideline: str) -> tuple[Session, list[Reply]]:
        """A rehearsal at its topic question."""
        session = Session(
            dialog="rehearsal",
            state=R.MODE.value,
            guideline=guideline,
            step=step,
            answers={"seed": step, "done": [], "right": 0, "asked": 0},
        )
        return session, [self._ask(session)]

    def handle(self, session: Session, event: Event) -> tuple[Session, list[Reply]]:
        """Apply a tap or typed answer."""
        if event.kind == "option" and event.step is not None and event.step != session.step:
            return session, [_mark(Reply(text=texts.STALE, kind="stale")), self._ask(session)]
        state = R(session.state)
        options = self._options(session)
        chosen = self._choose(options, event)
        if chosen is None:
            error = self.words.choose.format(n=len(options))
            return session, [_mark(Reply(text=error, kind="error")), self._ask(session)]
        key = chosen.id.split(".", 1)[1]
        answers = dict(session.answers)
        replies: list[Reply] = []
        attempts: list[Attempt] = []
        if state == R.MODE:
            answers["mode"] = key
            replies += self._pick_case(answers)
        elif state in (R.CRS, R.ICANS, R.HLH):
            feedback, attempt = self._grade_feedback(state, key, answers)
            replies.append(feedback)
            attempts.append(attempt)
        elif state == R.ACTION:
            more, attempt = self._action_feedback(key, answers)
            replies += more
            attempts.append(attempt)
        elif state == R.NEXT:
            if key == "stop":
                return session, []  # the engine returns to the menu
            replies += self._advance(key, answers)
        destination = advance(self.machine, state, answers)
        if state == R.LINE and destination == R.LINE:
            answers["line"] = _int(answers, "line") + 1
        new = session.model_copy(
            update={
                "state": destination.value,
                "answers": answers,
                "step": session.step + 1,
                # Each answered question is recorded for progress (see dialogs.chat.records).
                "records": (*session.records, *attempts),
            }
        )
        return new, [*replies, self._ask(new)]

    # --- moving through cases ---

    def _pick_case(self, answers: dict[str, Answer]) -> list[Reply]:
        mode = str(answers.get("mode", "random"))
        previous = answers.get("done")
        done = [str(d) for d in previous] if isinstance(previous, list) else []
        pool = [c for c in self.bank.for_topic(mode) if c.id not in done]
        notices = []
        if not pool:
            pool, done = list(self.bank.for_topic(mode)), []
            notices.append(_mark(Reply(text=texts.TRAIN_ALL_DONE, kind="info")))
        seed = answers.get("seed")
        case = min(pool, key=lambda c: hashlib.sha256(f"{seed}:{c.id}".encode()).hexdigest())
        answers.update({"case": case.id, "stepno": 0, "line": 0, "done": [*done, case.id]})
        for key in ("icans_done", "hlh_done"):
            answers.pop(key, None)
        return notices

    def _advance(self, key: str, answers: dict[str, Answer]) -> list[Reply]:
        case = self.bank.case(str(answers["case"]))
        stepno = _int(answers, "stepno")
        for done_key in ("icans_done", "hlh_done"):
            answers.pop(done_key, None)
        if key == "day" and stepno + 1 < len(case.steps):
            answers.update({"stepno": stepno + 1, "line": 0})
            return []
        return self._pick_case(answers)

    # --- feedback ---

    def _grade_feedback(
        self, state: R, key: str, answers: dict[str, Answer]
    ) -> tuple[Reply, Attempt]:
        case = self.bank.case(str(answers["case"]))
        stepno = _int(answers, "stepno")
        result = self.bank.assessments[(case.id, stepno + 1)]
        if state == R.HLH:
            answers["hlh_done"] = True
            assert result.hlh is not None
            truth = "yes" if result.hlh.met else "no"
            reasons = result.hlh.reasons
            names = {"yes": "criteria met", "no": "criteria not met"}
            given, answer, topic = names.get(key, key), names[truth], "pathways"
            question = "HLH/MAS"
        else:
            grade = result.crs if state == R.CRS else result.icans
            assert grade is not None
            truth = str(grade.grade)
            reasons = grade.reasons
            toxicity = grade.toxicity
            if state == R.ICANS:
                answers["icans_done"] = True
            given = _grade_name(toxicity, key)
            answer = _grade_name(toxicity, truth)
            topic = (
                "ice"
                if state == R.ICANS and "ice" in case.topics
                else "crs"
                if state == R.CRS
                else "icans"
            )
            question = f"{toxicity} grade"
        correct = key == truth
        self._score(answers, correct)
        lines = [
            texts.TRAIN_RIGHT.format(answer=answer)
            if correct
            else texts.TRAIN_WRONG.format(given=given, answer=answer)
        ]
        cited = [r for r in reasons if r.citation is not None]
        lines.append(texts.TRAIN_SET_BY.format(reasons="; ".join(r.text for r in reasons)))
        rule = str(cited[0].citation) if cited else ""
        if rule:
            lines.append(texts.TRAIN_RULE.format(citation=rule))
        missed = f"{reasons[0].text} ({rule})" if reasons else rule
        return _mark(Reply(text="\n".join(lines), kind="info")), Attempt(
            case=case.id, topic=topic, question=question, correct=correct, rule=missed
        )

    def _action_feedback(self, key: str, answers: dict[str, Answer]) -> tuple[list[Reply], Attempt]:
        case = self.bank.case(str(answers["case"]))
        stepno = _int(answers, "stepno")
        step = case.steps[stepno]
        right = self.bank.actions[step.action]
        chosen = self.bank.actions[key]
        correct = key == step.action
        self._score(answers, correct)
        result: Assessment | None = self.bank.assessments.get((case.id, stepno + 1))
        rule = ""
        if result is not None and right.requires:
            cited = [s for s in result.plan.steps() if right.requires[0] in s.ids]
            rule = str(cited[0].citations[0]) if cited else ""
        elif right.dose is not None:
            regimen = right.dose.regimen
            rule = f"{regimen} dose rule"
        lines = [
            texts.TRAIN_RIGHT.format(answer=right.label)
            if correct
            else texts.TRAIN_WRONG.format(given=chosen.label, answer=right.label)
        ]
        if rule:
            lines.append(texts.TRAIN_RULE.format(citation=rule))
        lines.append(texts.TRAIN_SCORE.format(right=answers["right"], asked=answers["asked"]))
        topic = (
            "doses"
            if right.dose is not None
            else "pathways"
            if "pathways" in case.topics
            else case.topics[0]
        )
        missed = f"{right.label} ({rule})" if rule else right.label
        attempt = Attempt(
            case=case.id, topic=topic, question="first action", correct=correct, rule=missed
        )
        replies = [_mark(Reply(text="\n".join(lines), kind="info"))]
        if result is not None:
            advice = render_assessment(result)
            replies.append(
                _mark(
                    Reply(
                        text=f"{texts.TRAIN_ADVICE}\n\n{advice.text}",
                        folds=advice.folds,
                        kind="info",
                        citations=advice.citations,
                    )
                )
            )
        return replies, attempt

    @staticmethod
    def _score(answers: dict[str, Answer], correct: bool) -> None:
        answers["asked"] = _int(answers, "asked") + 1
        answers["right"] = _int(answers, "right") + (1 if correct else 0)

    # --- asking ---

    def _options(self, session: Session) -> list[Option]:
        state = R(session.state)
        answers = session.answers
        prefix = state.value
        if state == R.MODE:
            pairs = list(texts.TRAIN_MODES.items())
        elif state == R.LINE:
            last = not self.more_lines(answers)
            pairs = [("next", texts.TRAIN_TO_QUESTIONS if last else texts.TRAIN_NEXT_FINDING)]
        elif state == R.CRS:
            pairs = [("0", "No CRS"), *((str(g), f"Grade {g}") for g in range(1, 5))]
        elif state == R.ICANS:
            pairs = [("0", "No ICANS"), *((str(g), f"Grade {g}") for g in range(1, 5))]
        elif state == R.HLH:
            pairs = [("yes", "Yes, criteria met"), ("no", "No, not met")]
        elif state == R.ACTION:
            step = self._step(answers)
            seed = f"{answers.get('seed')}:{answers.get('case')}:{answers.get('stepno')}"
            order = sorted(
                step.options, key=lambda o: hashlib.sha256(f"{seed}:{o}".encode()).hexdigest()
            )
            pairs = [(o, self.bank.actions[o].label) for o in order]
        else:
            case = self.bank.case(str(answers["case"]))
            more = _int(answers, "stepno") + 1 < len(case.steps)
            pairs = [
                *([("day", texts.TRAIN_NEXT_DAY)] if more else []),
                ("case", texts.TRAIN_NEXT_CASE),
                ("stop", texts.TRAIN_STOP),
            ]
        return [Option(id=f"{prefix}.{key}", label=label) for key, label in pairs]

    def worded(self, words: texts.Words) -> Rehearsal:
        """The same rehearsal (same machine, same bank) in a transport's words."""
        worded = copy.copy(self)
        worded.words = words
        return worded

    def again(self, session: Session) -> list[Reply]:
        """The current step again."""
        return self.ask(session)

    def help(self, session: Session) -> list[Reply]:
        """How to answer, the commands, then the current step again."""
        text = f"{self.words.help_how}\n{texts.HELP_COMMANDS}"
        return [Reply(text=text, kind="info"), *self.ask(session)]

    def back(self, session: Session) -> tuple[Session, list[Reply]]:
        """No `back` in training: an answer, once given, is scored."""
        return session, [Reply(text=texts.TRAIN_NO_BACK, kind="info"), *self.ask(session)]

    def ask(self, session: Session) -> list[Reply]:
        """Ask the current question again."""
        return [self._ask(session)]

    def _ask(self, session: Session) -> Reply:
        state = R(session.state)
        answers = session.answers
        if state == R.MODE:
            text = texts.TRAIN_MODE
        elif state == R.LINE:
            case: Case = self.bank.case(str(answers["case"]))
            step = self._step(answers)
            line = _int(answers, "line")
            text = step.lines[line]
            if line == 0:
                head = [texts.TRAIN_CASE.format(title=case.title), patient_line(case)]
                text = "\n".join(h for h in head if h) + "\n" + text
            if line + 1 == len(step.lines):
                text += "\n" + texts.TRAIN_FINDINGS_DONE
        else:
            text = {
                R.CRS: texts.TRAIN_Q_CRS,
                R.ICANS: texts.TRAIN_Q_ICANS,
                R.HLH: texts.TRAIN_Q_HLH,
                R.ACTION: texts.TRAIN_Q_ACTION,
                R.NEXT: texts.TRAIN_SCORE.format(
                    right=answers.get("right", 0), asked=answers.get("asked", 0)
                ),
            }[state]
        return _mark(Reply(text=text, options=tuple(self._options(session)), expects="choice"))

    @staticmethod
    def _choose(options: list[Option], event: Event) -> Option | None:
        if event.kind == "option":
            return next((o for o in options if o.id == event.value), None)
        typed = event.value.strip().lower()
        keys = [o.id.split(".", 1)[1] for o in options]
        if typed in keys:
            # Options keyed by number (grades 0-4): a typed number is the grade, not a position.
            return options[keys.index(typed)]
        numbered = any(k.isdigit() for k in keys)
        if typed.isascii() and typed.isdigit() and not numbered and 1 <= int(typed) <= len(options):
            return options[int(typed) - 1]
        return next((o for o in options if o.label.lower() == typed), None)


def patient_line(case: Case) -> str:
    """The patient facts the feedback's doses and advice use (age, weight, height), shown."""
    patient = Patient.model_validate(case.patient)
    facts = [texts.TRAIN_AGE.format(age=patient.age_years)] if patient.age_years else []
    facts += [f"{fmt(m.value)} {m.unit}" for m in (patient.weight, patient.height) if m]
    return texts.TRAIN_PATIENT.format(facts=", ".join(facts)) if facts else ""


def _grade_name(toxicity: str, key: str) -> str:
    return texts.GRADE_NONE[toxicity] if key == "0" else f"{toxicity} grade {key}"


def _mark(reply: Reply) -> Reply:
    """Mark a reply as training, unmistakably."""
    return reply.model_copy(update={"text": f"{texts.TRAINING}\n{reply.text}"})
