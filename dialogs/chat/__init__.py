"""The chat: messages, sessions, questions and flows as data, quick entry, the patient context,
and the engine that runs every dialog (`handle(session, event) -> Turn`).

Public names are re-exported here lazily: importing the package loads none of its modules (the
console and `assess` start without what they do not use, and no import cycle can form).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dialogs.chat.engine import DialogEngine
    from dialogs.chat.flows import build_flows
    from dialogs.chat.messages import Event, Option, Reply
    from dialogs.chat.questions import build_questions
    from dialogs.chat.session import Session
    from dialogs.chat.turn import Turn

__all__ = [
    "DialogEngine",
    "Event",
    "Option",
    "Reply",
    "Session",
    "Turn",
    "build_flows",
    "build_questions",
]

_WHERE = {
    "DialogEngine": "engine",
    "Event": "messages",
    "Option": "messages",
    "Reply": "messages",
    "Session": "session",
    "Turn": "turn",
    "build_questions": "questions",
    "build_flows": "flows",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
