"""Shared `transitions` plumbing: transition tables as data, machines built once, a carrier.

Every dialog (the clinical flows and the rehearsal) declares its transitions as rows
(source, destination, condition). A machine is built once per dialog with no model attached;
each event fires `next` on a `Carrier` holding only the session's state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

from transitions import Machine

__all__ = ["Carrier", "advance", "as_transitions", "build"]

_E = TypeVar("_E", bound=Enum)
Row = tuple[Enum, Enum, Callable[[Mapping[str, Any]], bool] | None]


class Carrier:
    """Holds a state for the length of one trigger; the machine sets `state` on it."""

    __slots__ = ("state",)

    def __init__(self, state: Enum) -> None:
        self.state = state


def as_transitions(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Transition rows as the dictionaries `transitions` takes, all on the trigger `next`."""
    return [
        {
            "trigger": "next",
            "source": source,
            "dest": dest,
            "conditions": [condition] if condition else [],
        }
        for source, dest, condition in rows
    ]


def build(states: Sequence[Enum], initial: Enum, rows: Iterable[Row]) -> Machine:
    """A machine with enum states, transitions from data, and no automatic transitions."""
    return Machine(
        model=None,
        states=list(states),
        transitions=as_transitions(rows),
        initial=initial,
        auto_transitions=False,
        send_event=False,
    )


def advance(machine: Machine, state: _E, answers: Mapping[str, Any]) -> _E:
    """Fire `next` from a state with the answers so far; return the state it leads to."""
    carrier = Carrier(state)
    machine.events["next"].trigger(carrier, answers)
    result: _E = carrier.state  # type: ignore[assignment]
    return result
