"""A turn of the dialog engine: the new session, the replies to send, the records to store."""

from __future__ import annotations

from typing import Any, TypeVar

from dialogs.chat.messages import Attempt, Reply
from dialogs.chat.records import AssessmentRecord, Record, ReminderOffer
from dialogs.chat.session import Session

__all__ = ["Turn"]

_R = TypeVar("_R", AssessmentRecord, Attempt, ReminderOffer)


class Turn(tuple[Session, list[Reply]]):
    """The outcome of one event: a pair `(session, replies)`, with `records` beside it.

    A pair because `handle` returned one before records existed: callers that only converse
    (tests, the console, benchmarks, code written in parallel) unpack it and type-check
    unchanged. Whoever stores anything reads `.records`. Immutable, like a tuple.
    """

    _records: tuple[Record, ...]

    def __new__(
        cls, session: Session, replies: list[Reply], records: tuple[Record, ...] = ()
    ) -> Turn:
        """A turn of a session, its replies and its records."""
        turn = super().__new__(cls, (session, replies))
        object.__setattr__(turn, "_records", records)
        return turn

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Turn is immutable: {name}")

    @property
    def session(self) -> Session:
        """The session after the event."""
        return self[0]

    @property
    def replies(self) -> list[Reply]:
        """The replies to send, in order."""
        return self[1]

    @property
    def records(self) -> tuple[Record, ...]:
        """What to store: a result's grades, training attempts, reminder offers."""
        return self._records

    def of(self, kind: type[_R]) -> tuple[_R, ...]:
        """The records of one type."""
        return tuple(r for r in self._records if isinstance(r, kind))
