"""The session: the only per-chat state, JSON-serialisable, written before every reply."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from dialogs.chat.records import Record

__all__ = ["Answer", "Change", "PatientContext", "Score", "Session", "Step", "whole"]

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


class Score(BaseModel):
    """An encephalopathy score: the answer key that takes it, its value, and when it was taken."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str  # "ice_score" or "capd_total": the question it answers in ICANS
    value: int | str  # the score, or "unarousable"
    at: str | None = None


class PatientContext(BaseModel):
    """What the chat knows about the patient in front of the doctor, offered to the next dialog.

    Clinical facts only, never an identifier; it lives in the session, so it is stored, and
    erased, with it (the session's expiry).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight: dict[str, Any] | None = None
    height: dict[str, Any] | None = None
    age_years: int | str | None = None  # years, or "adult", "child", "delay"
    toci_24h: int | None = None
    toci_total: int | None = None
    toci_last: str | None = None  # when the last dose was given, "YYYY-MM-DD HH:MM"
    toci_at: str | None = None  # when the counts were given
    score: Score | None = None
    crs_grade: int | None = None
    crs_at: str | None = None
    icans_grade: int | None = None
    icans_at: str | None = None

    @model_serializer(mode="wrap")
    def _known_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only what is known: the session stays small (it is written at every answer)."""
        dumped: dict[str, Any] = handler(self)
        return {k: v for k, v in dumped.items() if v is not None}


class Change(BaseModel):
    """An answer being changed after a result: which, its old value, the grades before."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    old: Answer = None
    before: dict[str, int | None] = Field(default_factory=dict)


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
    # The patient context carried between this chat's dialogs (see dialogs.chat.context).
    patient: PatientContext | None = None
    # Answers already known (reused, or kept through a change) that a question later on the
    # route takes without asking; whatever the route never reaches is dropped at the result.
    reserve: dict[str, Answer] = Field(default_factory=dict)
    # Answer keys that came from the patient context, marked "(reused)" in the result.
    reused: list[str] = Field(default_factory=list)
    change: Change | None = None
    # The records this turn has made so far (a result's grades, training attempts, reminder
    # offers). They travel with the session through the engine's steps, so that no step can drop
    # them; `DialogEngine` moves them into `Turn.records` and never hands out a session holding
    # any. Never stored (excluded from the JSON).
    records: tuple[Record, ...] = Field(default=(), exclude=True)

    @property
    def open(self) -> bool:
        """Whether the session holds anything to erase at expiry: a dialog or a patient context."""
        return self.dialog != "menu" or self.patient is not None

    # A dialog (or "menu") asked for mid-dialog, waiting for "Discard / Keep going".
    discard: str | None = None
