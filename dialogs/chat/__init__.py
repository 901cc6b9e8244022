"""The chat: messages, sessions, questions and flows as data, quick entry, the patient context,
and the engine that runs every dialog (`handle(session, event) -> Turn`).

Public names are re-exported here lazily: importing the package loads none of its modules (the
console and `assess` start without what they do not use, and no import cycle can form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogs.lazy import exports

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

__getattr__ = exports(__name__, _WHERE)
