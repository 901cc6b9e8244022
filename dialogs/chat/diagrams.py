"""Mermaid state diagrams a clinician can read, generated from the dialogs the engine runs.

Every state is named by its question in words (a short label from `texts.DIAGRAM_LABELS`, else
the question's own prompt), never by its code; every conditional arrow carries its condition in
words (a condition's `label` attribute, else its docstring's first clause); the arrow a dialog
takes when no condition holds says "otherwise". The flows are read from the engine, the menu from
its question's choices and the training rehearsal from its machine, so a dialog added to any of
them appears by re-running `python -m bot diagrams`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any

from dialogs import texts
from dialogs.chat.questions import Q, Question

if TYPE_CHECKING:
    from dialogs.chat.engine import DialogEngine

__all__ = ["all_diagrams", "condition_label", "mermaid", "state_label"]

Row = tuple[Enum, Enum, Callable[..., bool] | None]
MENU_FILE = "menu.mmd"
AROUND_FILE = "around.mmd"
TRAINING = "rehearsal"
LABEL_LIMIT = 60  # characters of a prompt used as a label when a question has no short one

# "A. And: B." is how flows name a condition that holds when two do (see dialogs.chat.flows._both).
_CONJUNCTION = " And: "


def state_label(state: Enum, questions: Mapping[Q, Question]) -> str:
    """A state in words: its short label, else its question's prompt, else its name."""
    label = texts.DIAGRAM_LABELS.get(str(state.value))
    if label is None:
        question = questions.get(state) if isinstance(state, Q) else None
        label = _prompt_label(question) if question is not None else None
    return _clean(label or state.name.replace("_", " ").capitalize())


def condition_label(condition: Callable[..., bool]) -> str:
    """A condition in words: its `label` attribute, else its docstring's first clause(s)."""
    label = getattr(condition, "label", None)
    if not isinstance(label, str):
        doc = inspect.getdoc(condition) or condition.__name__.replace("_", " ")
        clauses = [_first_clause(part) for part in doc.split(_CONJUNCTION)]
        label = " and ".join([clauses[0], *(_lower_first(c) for c in clauses[1:])])
    return _clean(label)


def mermaid(
    title: str, initial: Enum, rows: Iterable[Row], label: Callable[[Enum], str], entry: str
) -> str:
    """The mermaid source of one dialog: its states in words, its arrows with their conditions.

    `entry` labels the way in (from the menu); the result leads back to the menu.
    """
    rows = list(rows)
    states: dict[Enum, None] = {initial: None}
    for source, dest, _ in rows:
        states.setdefault(source, None)
        states.setdefault(dest, None)
    lines = ["---", f"title: {_clean(title)}", "---", "stateDiagram-v2", "  direction TB", ""]
    lines += [f'  state "{label(state)}" as {state.name}' for state in states]
    lines += ["", f"  [*] --> {initial.name}: {_clean(entry)}"]
    conditional = {source for source, _, condition in rows if condition is not None}
    for source, dest, condition in rows:
        if condition is not None:
            words = f": {condition_label(condition)}"
        elif source in conditional:
            words = f": {texts.DIAGRAM_OTHERWISE}"
        else:
            words = ""
        lines.append(f"  {source.name} --> {dest.name}{words}")
    if Q.RESULT in states:
        lines.append(f"  {Q.RESULT.name} --> [*]: {texts.DIAGRAM_TO_MENU}")
    return "\n".join(lines) + "\n"


def menu_diagram(engine: DialogEngine) -> str:
    """The menu: each entry by its button label, and where it starts."""
    questions = engine.questions
    menu = questions[Q.MENU]
    lines = ["---", f"title: {texts.DIAGRAM_MENU_TITLE}", "---", "stateDiagram-v2"]
    lines += ["  direction LR", "", f'  state "{state_label(Q.MENU, questions)}" as MENU']
    for choice in menu.choices:
        dialog = str(choice.value)
        flow = engine.flows.get(dialog)
        start: Enum | None = flow.initial if flow is not None else None
        if dialog == TRAINING:
            start = _training_initial(engine)
        words = ""
        if start is not None:
            words = texts.DIAGRAM_MENU_ENTRY.format(first=state_label(start, questions))
        lines.append(f'  state "{_clean(choice.label)}{words}" as {_identifier(dialog)}')
    lines += ["", f"  [*] --> MENU: {texts.DIAGRAM_MENU_WAY_IN}"]
    lines += [f"  MENU --> {_identifier(str(c.value))}: {_clean(c.label)}" for c in menu.choices]
    return "\n".join(lines) + "\n"


def all_diagrams(engine: DialogEngine) -> dict[str, str]:
    """File name -> mermaid source: the menu, every flow, the training rehearsal, quick entry,
    and what surrounds every dialog (confirmations and corrections)."""
    questions = engine.questions
    entries = {str(c.value): c.label for c in questions[Q.MENU].choices}

    def label(state: Enum) -> str:
        return state_label(state, questions)

    def entry(name: str) -> str:
        return texts.DIAGRAM_FROM_MENU.format(entry=entries.get(name, name))

    diagrams = {MENU_FILE: menu_diagram(engine)}
    for name, flow in engine.flows.items():
        title = f"{entries.get(name, name)} ({name})"
        source = mermaid(title, flow.initial, flow.transitions, label, entry(name))
        if flow.first_steps_after is not None:
            # An emergency entry: where the protocol's first steps are sent, before the rest.
            note = texts.DIAGRAM_FIRST_STEPS
            source += f"  note right of {flow.first_steps_after.name} : {note}\n"
        diagrams[f"{name}.mmd"] = source
    machine = engine.rehearsal.machine
    diagrams[f"{TRAINING}.mmd"] = mermaid(
        f"{entries.get(TRAINING, TRAINING)} ({TRAINING})",
        _training_initial(engine),
        machine_rows(machine),
        label,
        entry(TRAINING),
    )
    diagrams[AROUND_FILE] = around_diagram()
    quick = engine.quick
    quick_rows = machine_rows(quick.machine)
    source = mermaid(texts.DIAGRAM_QUICK_TITLE, quick_rows[0][0], quick_rows, label, entry("quick"))
    last = quick_rows[-1][1]
    diagrams["quick.mmd"] = source + f"  {last.name} --> [*]: {_clean(texts.DIAGRAM_QUICK_EXIT)}\n"
    return diagrams


def around_diagram() -> str:
    """What surrounds every dialog: the same-patient offer, the confirmation of an unusual
    value, 'Discard / Keep going', and the options under a result (change an answer, the menu),
    each arrow labelled with the buttons the doctor sees."""
    names, arrows = texts.DIAGRAM_AROUND, texts.DIAGRAM_AROUND_ARROWS
    rows = [
        ("[*]", "SAME", arrows["start_known"]),
        ("[*]", "QUESTION", arrows["start"]),
        ("SAME", "QUESTION", " / ".join((texts.CTX_USE, texts.CTX_USE_ASK_DOSES, texts.CTX_NEW))),
        ("QUESTION", "VALUE", arrows["unusual"]),
        ("VALUE", "QUESTION", f"{texts.CONFIRM_YES} / {texts.CONFIRM_NO}"),
        ("QUESTION", "DISCARD", arrows["command"]),
        ("DISCARD", "QUESTION", texts.DISCARD_NO),
        ("DISCARD", "[*]", f"{texts.DISCARD_YES}: {arrows['elsewhere']}"),
        ("QUESTION", "RESULT", arrows["last"]),
        ("RESULT", "FIX", texts.NEXT_CHANGE),
        ("FIX", "QUESTION", arrows["chosen"]),
        ("FIX", "RESULT", texts.FIX_KEEP),
        ("RESULT", "[*]", f"{texts.GRADE_ICANS_WITH.format(score='ICE 7')}, or {arrows['other']}"),
    ]
    lines = ["---", f"title: {texts.DIAGRAM_AROUND_TITLE}", "---", "stateDiagram-v2"]
    lines += ["  direction TB", ""]
    lines += [f'  state "{_clean(words)}" as {name}' for name, words in names.items()]
    lines.append("")
    lines += [f"  {a} --> {b}: {_clean(words)}" for a, b, words in rows]
    return "\n".join(lines) + "\n"


def machine_rows(machine: Any) -> list[Row]:
    """The rows (source, destination, condition) of a built `transitions` machine's `next`."""
    states = {name: state.value for name, state in machine.states.items()}
    rows: list[Row] = []
    for source, transitions in machine.events["next"].transitions.items():
        for transition in transitions:
            conditions = [c.func for c in transition.conditions]
            rows.append(
                (states[source], states[transition.dest], conditions[0] if conditions else None)
            )
    return rows


def _training_initial(engine: DialogEngine) -> Enum:
    machine: Any = engine.rehearsal.machine  # transitions is untyped
    initial: Enum = machine.states[machine.initial].value
    return initial


def _prompt_label(question: Question) -> str | None:
    """The first sentence of a question's prompt (for a question without a short label)."""
    try:
        prompt = question.text({})
    except (KeyError, TypeError, ValueError):
        return None
    lines = [line for line in prompt.splitlines() if line.strip()]
    if not lines:
        return None
    first = lines[-1] if len(lines) > 1 else lines[0]  # a header line, then the question
    for stop in ("? ", ". "):
        if stop in first:
            first = first[: first.index(stop) + 1]
    return first[:LABEL_LIMIT]


def _first_clause(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return first.split(":")[0].strip().rstrip(".")


def _lower_first(text: str) -> str:
    """Lower-case the first letter, unless the first word is an abbreviation (CRS, ICE)."""
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word.isupper():
        return text
    return text[:1].lower() + text[1:]


def _clean(text: str) -> str:
    """Words safe inside a mermaid label: no quotes, semicolons or line breaks."""
    return " ".join(text.replace('"', "'").replace(";", ",").replace("#", "no.").split())


def _identifier(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).upper() + "_ENTRY"
