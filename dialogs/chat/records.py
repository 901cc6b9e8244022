"""What a turn of the dialog engine leaves to store, as typed records: never rendered text.

`DialogEngine.handle` (and `start`, `begin`) return a `Turn` (dialogs.chat.turn): the new
session, the replies to send, and these records. The service stores them: the audit from an
`AssessmentRecord`, training progress from each `Attempt`, the reminder buttons from a
`ReminderOffer`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from dialogs.chat.messages import Attempt

__all__ = [
    "AssessmentRecord",
    "Attempt",
    "GradedDomain",
    "Record",
    "ReminderChoice",
    "ReminderOffer",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GradedDomain(_Frozen):
    """One graded toxicity as its grader gave it.

    `grade`: CRS/ICANS 0-5 (0 none, None where ASTCT defines none); the ICE band's grade; HLH 1
    when the screen's criteria are met, 0 when not. `domains`: the per-domain grades that set it
    (fever, hypotension, ICE, …). `score`: the encephalopathy score used, ("ICE", 7).
    """

    toxicity: Literal["CRS", "ICANS", "HLH", "ICE"]
    grade: int | None
    domains: tuple[tuple[str, int], ...] = ()
    score: tuple[Literal["ICE", "CAPD"], int] | None = None


class AssessmentRecord(_Frozen):
    """A graded result of a clinical dialog, for the audit log: no answers, no text."""

    kind: Literal["assessment"] = "assessment"
    dialog: str
    guideline: str
    grades: tuple[GradedDomain, ...]

    def grade_of(self, toxicity: str) -> int | None:
        """The grade of one toxicity, None when it was not graded."""
        return next((g.grade for g in self.grades if g.toxicity == toxicity), None)


class ReminderChoice(_Frozen):
    """One reminder a doctor may ask for: which review, and after how many hours."""

    kind: Literal["crs", "neuro"]
    hours: float


class ReminderOffer(_Frozen):
    """Reminders offered under a result: valid only at that result's step."""

    kind: Literal["reminder_offer"] = "reminder_offer"
    step: int
    choices: tuple[ReminderChoice, ...]


Record = AssessmentRecord | Attempt | ReminderOffer
