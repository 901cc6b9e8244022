"""Mermaid state diagrams of every dialog, generated from the same transitions the engine runs."""

from __future__ import annotations

from transitions.extensions import GraphMachine

from dialogs.flows import Flow, Flows
from dialogs.machines import as_transitions

__all__ = ["all_diagrams", "mermaid"]

FIRST_STEPS_NOTE = "answered: the Table 6/7 first steps are sent, then the questions below"


def mermaid(flow: Flow) -> str:
    """The mermaid source of one dialog's state machine, conditions shown on the arrows."""
    transitions = as_transitions(flow.transitions)

    class _Model:
        pass

    model = _Model()
    GraphMachine(
        model=model,
        states=list(flow.states),
        transitions=transitions,
        initial=flow.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=True,
        title=f"Dialog: {flow.name}",
    )
    source: str = model.get_graph().draw(None)  # type: ignore[attr-defined]
    # Drop the styling of the "current" state: a diagram of the dialog has none.
    lines = [
        line.rstrip()
        for line in source.splitlines()
        if not line.strip().startswith(("Class ", "classDef "))
    ]
    if flow.first_steps_after is not None:
        # An emergency entry: where the protocol's first steps are sent, before the rest.
        state = flow.first_steps_after.name
        lines.append(f"  note right of {state} : {FIRST_STEPS_NOTE}")
    return "\n".join(lines).strip() + "\n"


def all_diagrams(flows: Flows) -> dict[str, str]:
    """File name -> mermaid source, for every dialog."""
    return {f"{name}.mmd": mermaid(flow) for name, flow in flows.items()}
