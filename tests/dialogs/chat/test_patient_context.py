"""One patient context per chat: offered once at a dialog's start, never reused silently."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.chat import context
from dialogs.chat.engine import SAME
from dialogs.chat.messages import COMMANDS, Event, Reply
from dialogs.chat.session import PatientContext, Score, Session
from tests.dialogs.client import DialogClient
from tests.packaged import PARTS

ENGINE = PARTS.engine
AT = "2026-11-21 03:10 UTC"
LATER = "2026-11-21 04:40 UTC"
# A CRS review with fluids and low-flow oxygen, 70 kg: asks no tocilizumab history.
CRS = ("39.1", "none", "fluids", "no", "nasal cannula", "4", "no", "70")
ICE_7 = ("correct", "correct", "correct", "wrong", "correct", "2", "correct", "wrong")


class Chat(DialogClient):
    """The test client, with every event stamped with a time (as the transports do)."""

    def __init__(self, dialog: str = "menu", at: str = AT) -> None:
        super().__init__(ENGINE, dialog)
        self.at = at
        self.asked: list[str] = []

    def _apply(self, event: Event) -> list[Reply]:
        replies = super()._apply(event.model_copy(update={"at": self.at}))
        self.asked.append(self.session.state)
        return replies

    def tap(self, option_id: str) -> list[Reply]:
        """Tap an option of the last reply by its id."""
        assert option_id in [o.id for o in self.last.options], [o.id for o in self.last.options]
        return self._apply(Event.option(option_id, step=self.session.step))


def after_crs() -> Chat:
    """A chat whose CRS result (70 kg, CRS grade 2) has just been shown."""
    chat = Chat("crs")
    chat.answer(*CRS)
    assert chat.session.state == "result"
    chat.asked.clear()
    return chat


def test_no_offer_when_the_chat_knows_nothing() -> None:
    """A first dialog starts at its first question: there is nothing to offer."""
    chat = Chat()
    chat.send("icans")
    assert chat.session.state == "age"
    assert chat.session.patient is None


def test_a_result_fills_the_context_from_its_answers_and_grades() -> None:
    """The CRS result leaves the weight, the doses known (none given) and the grade, timed."""
    patient = after_crs().session.patient
    assert patient is not None
    assert patient.weight == {"value": 70.0, "unit": "kg"}
    assert (patient.toci_24h, patient.toci_total) == (0, 0)
    assert (patient.crs_grade, patient.crs_at) == (2, AT)
    assert patient.score is None


def test_the_next_dialog_offers_the_context_once_in_one_message() -> None:
    """ICANS after a CRS result: one message names what is known, with Use and New patient."""
    chat = after_crs()
    chat.tap("menu.icans")
    assert chat.session.state == SAME
    assert chat.session.answers == {}
    assert len(chat.replies) == 1
    offer = chat.last
    assert offer.text.startswith("Same patient: 70 kg")
    assert "CRS grade 2 at 03:10" in offer.text
    assert [o.id for o in offer.options] == ["same.use", "same.doses", "same.new"]


def test_no_offer_when_the_dialog_asks_nothing_the_context_knows() -> None:
    """The guided ICE asks no weight, age or doses: it starts at once."""
    chat = after_crs()
    chat.tap("menu.ice")
    assert chat.session.state == "year"


def test_use_fills_the_answers_and_their_questions_are_not_asked() -> None:
    """'Use': weight, doses and 'CRS now?' come from the context; only the rest is asked, and
    the result says which facts were reused."""
    chat = after_crs()
    chat.tap("menu.icans")
    chat.tap("same.use")
    assert chat.replies[0].text.startswith("Using: 70 kg")
    chat.answer("45", "7", "alert", "none", "none", "none", "not done")
    assert chat.session.state == "result"
    assert not {"wt", "t24", "ttot", "ccrs"} & set(chat.asked)
    assert chat.session.answers["weight"] == {"value": 70.0, "unit": "kg"}
    assert chat.session.answers["concurrent_crs"] is True
    assert "Patient: 70 kg (reused)" in chat.visible


def test_typed_use_and_new_are_accepted_and_anything_else_keeps_the_offer() -> None:
    """'use' and 'new patient' typed work as the buttons; other text gets a clear message."""
    chat = after_crs()
    chat.send("icans")
    chat.send("banana")
    assert chat.replies[0].kind == "error"
    assert chat.session.state == SAME
    assert chat.last.options[0].id == "same.use"
    chat.send("use")
    assert chat.session.state == "age"
    assert "weight" in chat.session.reserve
    chat = after_crs()
    chat.send("icans")
    chat.send("new patient")
    assert chat.session.state == "age"
    assert chat.session.reserve == {}


def test_new_patient_clears_the_context_and_asks_everything() -> None:
    """'New patient': nothing is reused, the weight is asked again, and the new answers
    become the context."""
    chat = after_crs()
    chat.tap("menu.crs")
    chat.tap("same.new")
    assert chat.session.patient is None
    chat.answer(*CRS[:-1])
    assert chat.session.state == "wt"
    chat.send("80")
    assert chat.session.patient is not None
    assert chat.session.patient.weight == {"value": 80.0, "unit": "kg"}
    assert "(reused)" not in chat.visible


def test_use_but_ask_the_doses_again_reuses_the_rest() -> None:
    """A dose may have been given since: the doses can be asked again while the weight is
    reused."""
    chat = Chat("crs")
    chat.answer("39.1", "toci", "fluids", "no", "nasal cannula", "4", "yes", "70", "1", "1")
    chat.tap("menu.crs")
    assert "tocilizumab 1 in 24 h, 1 in total" in chat.last.text
    chat.tap("same.doses")
    chat.answer("39.1", "toci", "fluids", "no", "nasal cannula", "4", "yes")
    assert chat.session.state == "t24"
    assert chat.session.answers["weight"] == {"value": 70.0, "unit": "kg"}


@pytest.mark.parametrize("dialog", sorted(PARTS.flows))
def test_no_dialog_ever_starts_with_answers_it_was_not_told_to_use(dialog: str) -> None:
    """Never silent reuse: with a full context, any dialog starts either at the offer or at a
    question, with no answer filled and nothing waiting to be filled."""
    full = PatientContext(
        weight={"value": 70.0, "unit": "kg"},
        height={"value": 170.0, "unit": "cm"},
        age_years=45,
        toci_24h=1,
        toci_total=1,
        score=Score(key="ice_score", value=7, at=AT),
        crs_grade=2,
        crs_at=AT,
    )
    session = Session(guideline=ENGINE.guideline.version, patient=full)
    for new, replies in (
        ENGINE.begin(session, dialog, 1, at=AT),
        ENGINE.handle(session, Event.text(dialog)),
    ):
        assert new.answers == {}
        assert new.reserve == {}
        assert new.patient == full
        if new.state == SAME:
            assert [o.id for o in replies[-1].options][-1] == "same.new"


def test_a_guided_ice_feeds_icans_and_icans_asks_no_ice_score() -> None:
    """The ICE result's button starts ICANS with the score filled: the ICE is not asked again,
    and the result shows the score with the time it was taken."""
    chat = Chat("ice")
    chat.answer(*ICE_7)
    labels = [o.label for o in chat.last.options]
    assert "Grade ICANS with ICE 7" in labels
    chat.at = LATER
    chat.click("Grade ICANS with ICE 7")
    assert chat.session.state == "age"
    chat.answer("45", "alert", "none", "none", "none", "not done", "no")
    assert chat.session.state == "result"
    assert "iceentry" not in chat.asked
    assert chat.session.answers["ice_score"] == 7
    assert "ICE 7 at 03:10 (reused)" in chat.visible
    assert chat.visible.startswith("ICANS grade 1")


def test_a_child_after_an_ice_is_asked_the_capd_and_the_ice_is_dropped() -> None:
    """The score waits for its question: a child's route asks the CAPD, so the ICE score is
    never used and is not kept in the answers."""
    chat = Chat("ice")
    chat.answer(*ICE_7)
    chat.click("Grade ICANS with ICE 7")
    chat.send("8")
    assert chat.session.state == "capd"
    chat.answer("10", "alert", "none", "none", "none", "not done", "no", "25 kg")
    assert chat.session.state == "result"
    assert "ice_score" not in chat.session.answers
    assert chat.session.answers["capd_total"] == 10


def test_the_last_dose_time_is_worked_out_from_the_event_times() -> None:
    """A dose given 6 h before 03:10 is 7.5 h ago at 04:40; no time, no hours filled."""
    patient = context.updated(
        None,
        {"toci_24h": 3, "toci_total": 3, "toci_hours": 6.0},
        (),
        {},
        AT,
    )
    assert patient.toci_last == "2026-11-20 21:10"
    assert context.fillable(patient, LATER)["toci_hours"] == 7.5
    assert "toci_hours" not in context.fillable(patient, None)


def test_the_context_holds_clinical_facts_only() -> None:
    """No field of the context can hold a name, a number that identifies, or free text."""
    assert set(PatientContext.model_fields) == {
        "weight",
        "height",
        "age_years",
        "toci_24h",
        "toci_total",
        "toci_last",
        "toci_at",
        "score",
        "crs_grade",
        "crs_at",
        "icans_grade",
        "icans_at",
    }
    with pytest.raises(ValueError, match="extra"):
        PatientContext.model_validate({"name": "J Smith"})


_AFTER = st.one_of(
    st.sampled_from(
        ["use", "new", "change", "keep", "1", "2", "icans", "crs", "", "🙂", "back", "help"]
    ).map(Event.text),
    st.text(max_size=20).map(Event.text),
    st.sampled_from(
        [
            "same.use",
            "same.doses",
            "same.new",
            "next.change",
            "next.icans",
            "fix.bp",
            "fix.wt",
            "fix.keep",
            "menu.icans",
            "menu.ice",
            "menu.dose",
            "bp.vasopressors",
            "bp.none",
        ]
    ).map(Event.option),
    st.sampled_from(COMMANDS).map(Event.command),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(_AFTER, max_size=25), current=st.lists(st.booleans(), max_size=25))
def test_any_events_after_a_result_never_raise_and_every_reply_has_a_kind(
    events: list[Event], current: list[bool]
) -> None:
    """Taps (on the current step or a stale one), text and commands after a result: no
    exception, a reply of a known kind every time, a valid session."""
    chat = after_crs()
    session = chat.session
    for raw, fresh in zip(events, [*current, *[False] * len(events)], strict=False):
        stale = not fresh and raw.kind == "option"
        event = raw.model_copy(update={"step": session.step - 1 if stale else session.step})
        session, replies = ENGINE.handle(session, event)
        assert replies
        assert all(
            r.kind in ("question", "error", "stale", "result", "info", "notice") for r in replies
        )
        assert Session.model_validate_json(session.model_dump_json()) == session
