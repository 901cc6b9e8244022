"""A turn: a pair (session, replies) that callers unpack, with the records to store beside it."""

from __future__ import annotations

import pytest

from dialogs.chat.messages import Attempt, Reply
from dialogs.chat.records import AssessmentRecord, GradedDomain, ReminderChoice, ReminderOffer
from dialogs.chat.session import Session
from dialogs.chat.turn import Turn

GRADED = AssessmentRecord(
    dialog="crs", guideline="v1", grades=(GradedDomain(toxicity="CRS", grade=1),)
)
OFFER = ReminderOffer(step=4, choices=(ReminderChoice(kind="crs", hours=12),))


def test_a_turn_unpacks_as_its_session_and_replies() -> None:
    """Code written for the old (session, replies) pair keeps working: unpacking, indexing."""
    session, replies = Session(step=4), [Reply(text="Q?")]
    turn = Turn(session, replies, (GRADED, OFFER))
    got_session, got_replies = turn
    assert (got_session, got_replies) == (session, replies)
    assert turn[0] is session
    assert (turn.session, turn.replies, turn.records) == (session, replies, (GRADED, OFFER))


def test_records_are_picked_by_type_in_order() -> None:
    """`of` gives the records of one type, in the order they were made."""
    attempt = Attempt(case="c1", topic="crs", question="CRS grade", correct=True, rule="r")
    turn = Turn(Session(), [], (GRADED, attempt, OFFER, attempt))
    assert turn.of(Attempt) == (attempt, attempt)
    assert turn.of(AssessmentRecord) == (GRADED,)
    assert turn.of(ReminderOffer) == (OFFER,)
    assert Turn(Session(), []).records == ()


def test_a_turn_cannot_be_changed() -> None:
    """Like the tuple it is, a turn is immutable: its records cannot be swapped afterwards."""
    turn = Turn(Session(), [], (GRADED,))
    with pytest.raises(AttributeError):
        turn._records = ()
    assert turn.records == (GRADED,)


def test_a_session_never_writes_its_records_to_json() -> None:
    """Records travel with a session inside the engine but are never stored with it."""
    session = Session(step=2, records=(GRADED,))
    restored = Session.model_validate_json(session.model_dump_json())
    assert "records" not in session.model_dump_json()
    assert restored == session.model_copy(update={"records": ()})
