"""Dialogs that are not flows of questions (training, quick entry), registered by name.

The engine runs the question flows itself; any other dialog implements this interface and is
started, fed events, sent `help` and `back`, and given the transport's words like the flows.
"""

from __future__ import annotations

from typing import Protocol

from dialogs import texts
from dialogs.chat.messages import Event, Reply
from dialogs.chat.quick import Go
from dialogs.chat.session import Session

__all__ = ["Go", "RegisteredDialog"]


class RegisteredDialog(Protocol):
    """A dialog the engine runs by name beside its question flows."""

    name: str

    def start(self, step: int, guideline: str) -> tuple[Session, list[Reply]]:
        """The dialog at its first message."""
        ...

    def handle(self, session: Session, event: Event) -> tuple[Session, list[Reply]] | Go:
        """An event (never a command): the new session and replies (none: back to the menu),
        or `Go`: start a question flow with these answers held for it."""
        ...

    def again(self, session: Session) -> list[Reply]:
        """The current message again."""
        ...

    def help(self, session: Session) -> list[Reply]:
        """Help where the dialog is, then the current message again."""
        ...

    def back(self, session: Session) -> tuple[Session, list[Reply]]:
        """`back` in this dialog."""
        ...

    def worded(self, words: texts.Words) -> RegisteredDialog:
        """The same dialog speaking a transport's words."""
        ...
