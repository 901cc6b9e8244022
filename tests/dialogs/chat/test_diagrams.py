"""The diagrams read as a clinician would: questions in words, arrows with their conditions.

Expected words come from the dialog data (the flows, the questions, the conditions' docstrings,
the menu's choices), never from the generated output, so a flow added later is checked as well.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import pytest

from dialogs import texts
from dialogs.chat.diagrams import all_diagrams, condition_label, machine_rows
from dialogs.chat.flows import Flow
from dialogs.chat.questions import Q
from tests.packaged import PARTS

ENGINE = PARTS.engine
DIAGRAMS = all_diagrams(ENGINE)
STATE = re.compile(r'^  state "(?P<label>[^"]+)" as (?P<id>\w+)$', re.MULTILINE)
EDGE = re.compile(
    r"^  (?P<src>\[\*\]|\w+) --> (?P<dst>\[\*\]|\w+)(?:: (?P<label>.*))?$", re.MULTILINE
)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w≥–-]+", text)}


def _states(source: str) -> dict[str, str]:
    return {m["id"]: m["label"] for m in STATE.finditer(source)}


def _edges(source: str) -> list[tuple[str, str, str | None]]:
    return [(m["src"], m["dst"], m["label"]) for m in EDGE.finditer(source)]


def _condition_words(condition: Callable[..., bool]) -> set[str]:
    """Every word the condition's own description (docstring or label) contains."""
    label = getattr(condition, "label", None)
    return _words(label if isinstance(label, str) else inspect.getdoc(condition) or "")


@pytest.mark.parametrize("name", sorted(ENGINE.flows))
def test_every_question_of_a_flow_is_named_in_words(name: str) -> None:
    """Each state of the flow is a box labelled with its question's words, never its code."""
    flow: Flow = ENGINE.flows[name]
    states = _states(DIAGRAMS[f"{name}.mmd"])
    assert set(states) == {state.name for state in flow.states}
    for state in flow.states:
        label = states[state.name]
        assert label not in (state.name, state.value), f"{state.name} is shown by its code"
        short = texts.DIAGRAM_LABELS.get(state.value)
        if short is not None:
            assert label == short
        else:  # a question without a short label is named by its prompt's words
            prompt = ENGINE.questions[state].text({})
            assert _words(label) <= _words(prompt), (state.name, label, prompt)


@pytest.mark.parametrize("name", sorted(ENGINE.flows))
def test_every_arrow_of_a_flow_is_drawn_with_its_condition_in_words(name: str) -> None:
    """One arrow per transition, in the flow's order; a conditional one carries the words of its
    condition's description, the fallback after conditions says 'otherwise'."""
    flow: Flow = ENGINE.flows[name]
    edges = _edges(DIAGRAMS[f"{name}.mmd"])
    drawn = [(s, d, label) for s, d, label in edges if s != "[*]" and d != "[*]"]
    assert [(s, d) for s, d, _ in drawn] == [(s.name, d.name) for s, d, _ in flow.transitions]
    conditional = {source for source, _, condition in flow.transitions if condition is not None}
    for (source, _, condition), (_, _, label) in zip(flow.transitions, drawn, strict=True):
        if condition is not None:
            assert label, f"{source.name}: a condition without words"
            assert _words(label) <= _condition_words(condition) | {"and"}, label
            if "_" in condition.__name__:
                assert condition.__name__ not in label, "a function name, not words"
        elif source in conditional:
            assert label == texts.DIAGRAM_OTHERWISE
        else:
            assert label is None


def test_a_combined_condition_names_both_of_its_parts() -> None:
    """'No fever and no treatment' and 'a dose needs the weight': both halves are in words."""
    crs = ENGINE.flows["crs"]
    (combined,) = [
        c for s, d, c in crs.transitions if s == Q.PRIOR and d == Q.WEIGHT and c is not None
    ]
    label = condition_label(combined)
    assert "fever threshold" in label
    assert "weight" in label
    assert " and " in label


def test_the_menu_diagram_lists_every_entry_and_where_it_starts() -> None:
    """Every menu button is an arrow from the menu labelled with the button's words."""
    source = DIAGRAMS["menu.mmd"]
    states = _states(source)
    labels = {label for s, _, label in _edges(source) if s == "MENU"}
    for choice in ENGINE.questions[Q.MENU].choices:
        assert choice.label in labels
        flow = ENGINE.flows.get(str(choice.value))
        if flow is not None:
            first = texts.DIAGRAM_LABELS.get(flow.initial.value)
            assert any(choice.label in s and (first or "") in s for s in states.values())


def test_every_flow_and_the_training_have_a_diagram_entered_from_the_menu() -> None:
    """A diagram per flow (and the rehearsal), each entered from its menu button."""
    entries = {str(c.value): c.label for c in ENGINE.questions[Q.MENU].choices}
    for name in [*ENGINE.flows, "rehearsal"]:
        source = DIAGRAMS[f"{name}.mmd"]
        (entry,) = [label for s, _, label in _edges(source) if s == "[*]"]
        assert entry == texts.DIAGRAM_FROM_MENU.format(entry=entries.get(name, name))


def test_the_training_diagram_draws_the_rehearsal_machine() -> None:
    """The rehearsal's arrows are those of the machine the engine runs, conditions in words."""
    rows = machine_rows(ENGINE.rehearsal.machine)
    drawn = [e for e in _edges(DIAGRAMS["rehearsal.mmd"]) if "[*]" not in e[:2]]
    assert [(s, d) for s, d, _ in drawn] == [(s.name, d.name) for s, d, _ in rows]
    for (_, _, condition), (_, _, label) in zip(rows, drawn, strict=True):
        if condition is not None:
            assert label
            assert _words(label) <= _condition_words(condition) | {"and"}


def test_the_quick_entry_diagram_draws_its_machine() -> None:
    """Every row of quick entry's machine is an arrow; the way out names the dialog it starts."""
    source = DIAGRAMS["quick.mmd"]
    rows = machine_rows(ENGINE.quick.machine)
    edges = _edges(source)
    for src, dst, _ in rows:
        assert any(e[0] == src.name and e[1] == dst.name for e in edges)
    assert any(e[1] == "[*]" and e[0] != "[*]" for e in edges)
    assert all(label != state for state, label in _states(source).items())


def test_the_around_diagram_shows_every_confirmation_and_correction_button() -> None:
    """The buttons of the same-patient offer, the value check, 'Discard / Keep going' and the
    options under a result each label an arrow of around.mmd."""
    labels = " ".join(label or "" for _, _, label in _edges(DIAGRAMS["around.mmd"]))
    buttons = (
        texts.CTX_USE,
        texts.CTX_USE_ASK_DOSES,
        texts.CTX_NEW,
        texts.CONFIRM_YES,
        texts.CONFIRM_NO,
        texts.DISCARD_YES,
        texts.DISCARD_NO,
        texts.NEXT_CHANGE,
        texts.FIX_KEEP,
    )
    for button in buttons:
        assert button in labels, button
