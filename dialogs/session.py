"""The session: the only per-chat state, JSON-serialisable, written before every reply."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Answer", "Session", "Step", "whole"]

# Answers are plain JSON values so that a session round-trips through JSON unchanged.
Answer = str | int | float | bool | list[str] | dict[str, Any] | None


def whole(answer: Answer) -> int | None:
    """An answer that is a whole number (True and False are not numbers here), else None."""
    return answer if isinstance(answer, int) and not isinstance(answer, bool) else None


class Step(BaseModel):
    """One answered question, for `back`: the state it was asked in and the keys it set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: str
    keys: tuple[str, ...] = ()


class Session(BaseModel):
    """Where one chat is: dialog, state, answers, history, guideline version, step counter."""

    model_config = ConfigDict(extra="forbid")

    dialog: str = "menu"
    state: str = "menu"
    answers: dict[str, Answer] = Field(default_factory=dict)
    history: list[Step] = Field(default_factory=list)
    guideline: str = ""
    step: int = 0
    # A value outside the usual range, waiting for the user to confirm it.
    pending: dict[str, Answer] | None = None
    # Options toggled so far on a multiple-choice question.
    selection: list[str] = Field(default_factory=list)
    # A dialog (or "menu") asked for mid-dialog, waiting for "Discard / Keep going".
    discard: str | None = None
