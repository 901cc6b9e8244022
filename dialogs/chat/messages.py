"""Transport-neutral events in and replies out of the dialog engine."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["COMMANDS", "DIALOG_COMMANDS", "Attempt", "Command", "Event", "Fold", "Option", "Reply"]

Command = Literal["start", "back", "cancel", "restart", "help"]
COMMANDS: tuple[Command, ...] = ("start", "back", "cancel", "restart", "help")
# Commands that start a dialog: the name typed after '/' and the dialog it starts. Every
# transport reads this one table (Telegram's command handlers, the console's '/crs').
DIALOG_COMMANDS: Mapping[str, str] = MappingProxyType(
    {
        # The emergency entries first (issue 9): /seizure and /icp.
        "seizure": "seizure",
        "icp": "icp",
        "assess": "assessment",
        "crs": "crs",
        "icans": "icans",
        "ice": "ice",
        "hlh": "hlh",
        "dose": "dose",
        "train": "rehearsal",
        "quick": "quick",
    }
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Event(_Frozen):
    """What the user did: tapped an option, typed text, or gave a command.

    `step` is the session step the tapped button belonged to; a tap on an older question is
    refused without changing anything.
    """

    kind: Literal["option", "text", "command"]
    value: str = Field(max_length=4096)
    step: int | None = None
    # When it happened, as the transport wants it shown (the engine reads no clock).
    at: str | None = None

    @classmethod
    def option(cls, option_id: str, step: int | None = None) -> Event:
        """A tapped option."""
        return cls(kind="option", value=option_id, step=step)

    @classmethod
    def text(cls, text: str) -> Event:
        """Typed text (truncated to 4096 characters, Telegram's own limit)."""
        return cls(kind="text", value=text[:4096])

    @classmethod
    def command(cls, name: Command) -> Event:
        """A command: start, back, cancel, restart or help."""
        return cls(kind="command", value=name)


class Option(_Frozen):
    """A button: a stable id to route by, and a label to show."""

    id: str
    label: str


class Attempt(_Frozen):
    """One answered training question: for progress, never for the clinical audit."""

    case: str
    topic: str
    question: str
    correct: bool
    rule: str


class Fold(_Frozen):
    """A titled section shown collapsed on a phone (Telegram: an expandable blockquote)."""

    title: str
    lines: tuple[str, ...]


class Reply(_Frozen):
    """One message to send: text, options, whether the dialog has ended, and its citations.

    `text` is what shows first; `folds` hold the detail a transport may collapse.
    """

    text: str
    folds: tuple[Fold, ...] = ()
    options: tuple[Option, ...] = ()
    # "stale": a tap on a question that has moved on (the transport says so on the tap itself).
    # "first_steps": an emergency protocol's first steps, sent before the questions that refine it.
    kind: Literal["question", "error", "stale", "result", "info", "notice", "first_steps"] = (
        "question"
    )
    # What answer the question takes: a choice, several choices, or a typed number (whose
    # options, such as "unknown", are extras beside the typed value).
    expects: Literal["choice", "multi", "number", "none"] = "none"
    ended: bool = False
    citations: tuple[str, ...] = ()

    @property
    def full_text(self) -> str:
        """The text with every fold written out under its title (console, tests)."""
        parts = [self.text]
        parts += [f"\n{fold.title}:\n" + "\n".join(fold.lines) for fold in self.folds]
        return "\n".join(parts)
