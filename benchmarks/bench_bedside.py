"""The doctor's effort: answers to the first plan, and lines of that plan before the fold.

Replays scripted on-call cases through the dialog engine. Each case answers whatever question
the dialog asks, by the question's state name, so the script measures the flow as it is (a flow
that asks less scores better). Prints, per case, the answers given until the first result and
the visible lines of that result, against the targets of issue 9. A quick-entry case types its
shorthand at the menu and taps "✓ Correct" (two messages), then answers whatever is still asked.
Run:

    .venv/bin/python benchmarks/bench_bedside.py
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.bootstrap import bootstrap
from bot.settings import Settings
from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import Event, Reply

# A typed answer for each question (by its state name) a case may be asked.
ADULT_CRS3 = {
    "temp": "39.1",
    "prior": "none",
    "bp": "vasopressors",
    "press": "noradrenaline",
    "bpcause": "no",
    "o2": "nasal cannula",
    "flow": "4",
    "o2cause": "no",
    "wt": "70",
    "t24": "0",
    "ttot": "0",
}
# No "iceentry": ICANS reached from the guided ICE's result must not ask the score again (the
# bench stops with "no scripted answer" if it does).
ICANS_AFTER_ICE = {
    "age": "45",
    "lvl": "alert",
    "sed": "no",
    "seiz": "none",
    "motor": "none",
    "icp": "none",
    "img": "not done",
    "ccrs": "no",
    "wt": "70",
    "t24": "0",
    "ttot": "0",
}
# ICANS after the CRS review of the same patient: what is left once the context is used.
ICANS_AFTER_CRS = {
    "age": "45",
    "iceentry": "7",
    "lvl": "alert",
    "sed": "no",
    "seiz": "none",
    "motor": "none",
    "icp": "none",
    "img": "not done",
}
CHILD_FULL = {
    "temp": "39.0",
    "prior": "none",
    "bp": "fluids",
    "bpcause": "no",
    "o2": "room air",
    "age": "8",
    "capd": "10",
    "lvl": "wakes to voice",
    "sed": "no",
    "seiz": "none",
    "motor": "none",
    "icp": "none",
    "img": "not done",
    "ccrs": "yes",
    "wt": "25 kg",
    "t24": "0",
    "ttot": "0",
}
STATUS = {
    "age": "45",
    "iceentry": "4",
    "lvl": "alert",
    "sed": "no",
    "seiz": "status_convulsive",
    "motor": "none",
    "icp": "none",
    "img": "not done",
    "ccrs": "no",
    "wt": "70",
    "t24": "0",
    "ttot": "0",
}
# The emergency entries: what is seen, then the weight; the ICANS questions left come after.
SEIZING = {
    "seiznow": "status_convulsive",
    "size": "70",
    "age": "45",
    "iceentry": "4",
    "lvl": "alert",
    "sed": "no",
    "motor": "none",
    "icp": "none",
    "img": "not done",
    "ccrs": "no",
}
RAISED_ICP = {
    "icpnow": "cushings",
    "size": "70",
    "age": "45",
    "iceentry": "2",
    "lvl": "wakes to touch",
    "sed": "no",
    "seiz": "none",
    "motor": "none",
    "img": "not done",
    "ccrs": "no",
}
ICE_GUIDED = {
    "year": "correct",
    "month": "correct",
    "city": "correct",
    "hospital": "wrong",
    "commands": "correct",
    "naming": "2 of 3",
    "writing": "correct",
    "counting": "correct",
}


@dataclass(frozen=True)
class Case:
    """A scripted case: the dialogs it walks, its answers, and the targets it should meet."""

    name: str
    dialogs: tuple[str, ...]
    answers: Mapping[str, str]
    target_answers: int | None
    target_lines: int = 15
    # Between dialogs: tap this option under the first result (counted as an answer) instead of
    # starting the next dialog from the menu; the real path a doctor takes.
    via: str | None = None
    # Quick entry: this message of findings typed at the menu, then "✓ Correct" tapped.
    quick: str | None = None
    # Count to the first plan shown (an emergency's first steps count), or to the full result.
    until: Literal["plan", "result"] = "plan"


CASES = (
    Case("CRS grade 3, adult", ("crs",), ADULT_CRS3, 8),
    Case(
        "Guided ICE, then ICANS, same patient",
        ("ice", "icans"),
        {**ICE_GUIDED, **ICANS_AFTER_ICE},
        None,
        via="next.icans",
    ),
    Case(
        "CRS 3, then ICANS: same patient, Use",
        ("crs", "icans"),
        {**ADULT_CRS3, **ICANS_AFTER_CRS, "same": "use"},
        None,
        via="menu.icans",
    ),
    Case(
        "CRS 3, then ICANS: New patient",
        ("crs", "icans"),
        {**ADULT_CRS3, **ICANS_AFTER_CRS, "ccrs": "yes", "same": "new"},
        None,
        via="menu.icans",
    ),
    Case("Full review, 8-year-old", ("assessment",), CHILD_FULL, None),
    Case("Convulsive status, via ICANS grade", ("icans",), STATUS, None),
    Case("Convulsive status, 🚨 Seizing now", ("seizure",), SEIZING, 2),
    Case("  … then to the full plan", ("seizure",), SEIZING, None, until="result"),
    Case("Cushing's triad, 🚨 Raised ICP", ("icp",), RAISED_ICP, 2),
    Case("  … then to the full plan", ("icp",), RAISED_ICP, None, until="result"),
    Case(
        "CRS grade 3, adult, quick entry",
        ("crs",),
        ADULT_CRS3,
        2,
        quick="39.1 norad NC 4L no prior no other cause 70kg",
    ),
    Case(
        "Quick entry, the example (full review)",
        ("assessment",),
        {**ADULT_CRS3, **ICANS_AFTER_ICE, "lvl": "wakes to voice"},
        None,
        quick="39.1 norad NC 4L ICE 7 voice 70kg",
    ),
)


def _first_plan(replies: list[Reply], until: str) -> Reply | None:
    kinds = ("result",) if until == "result" else ("result", "first_steps")
    return next((r for r in replies if r.kind in kinds), None)


def run(case: Case, engine: DialogEngine) -> tuple[int, int]:
    """Answers given until the first result of the last dialog, and its visible lines."""
    answers = 0
    result: Reply | None = None
    session = engine.new_session()
    for index, dialog in enumerate(case.dialogs):
        if index and case.via is not None:
            session, replies = engine.handle(session, Event.option(case.via, step=session.step))
            answers += 1
            if session.dialog != dialog:
                raise SystemExit(f"{case.name}: {case.via!r} did not start {dialog!r}")
        elif case.quick is not None:
            session, replies = engine.handle(engine.new_session(), Event.text(case.quick))
            confirm = replies[-1].options[0]  # "✓ Correct": the findings read back, confirmed
            session, replies = engine.handle(session, Event.option(confirm.id, session.step))
            answers += 2
            if session.dialog != dialog:
                raise SystemExit(f"{case.name}: quick entry started {session.dialog!r}")
        else:
            session, replies = engine.start(dialog)
        result = None
        for _ in range(60):
            result = _first_plan(replies, case.until)
            if result is not None:
                break
            state = str(session.state)
            if state not in case.answers:
                raise SystemExit(f"{case.name}: no scripted answer for question {state!r}")
            before = session.step
            session, replies = engine.handle(session, Event.text(case.answers[state]))
            answers += 1
            if session.step == before:
                raise SystemExit(f"{case.name}: answer refused at {state!r}: {replies[-1].text}")
        if result is None:
            raise SystemExit(f"{case.name}: no result after 60 answers")
    assert result is not None
    return answers, len(result.text.splitlines())


def main() -> None:
    """Print the table of answers and visible lines per case, with the targets."""
    engine = bootstrap(Settings(guideline_dir=None)).engine
    print(f"{'case':<48} {'answers':>8} {'target':>7} {'lines':>6} {'target':>7}")
    for case in CASES:
        answers, lines = run(case, engine)
        target = "-" if case.target_answers is None else f"≤{case.target_answers}"
        print(
            f"{case.name:<48} {answers:>8} {target:>7} {lines:>6} {'≤' + str(case.target_lines):>7}"
        )


if __name__ == "__main__":
    main()
