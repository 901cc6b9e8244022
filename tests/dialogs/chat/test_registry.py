"""A dialog registered with the engine is started, fed events, helped and undone like any other,
and can hand over to a question flow with answers already known."""

from __future__ import annotations

import copy

from dialogs import texts
from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import Event, Reply
from dialogs.chat.registry import Go
from dialogs.chat.session import Session
from tests.packaged import PARTS


class Relay:
    """A two-message dialog: 'fever' hands over to CRS with 39.2 °C known; anything else ends."""

    name = "relay"

    def __init__(self) -> None:
        self.words = texts.CHAT

    def start(self, step: int, guideline: str) -> tuple[Session, list[Reply]]:
        session = Session(dialog=self.name, state="ask", guideline=guideline, step=step)
        return session, self.again(session)

    def handle(self, session: Session, event: Event) -> tuple[Session, list[Reply]] | Go:
        if event.value == "fever":
            return Go("crs", {"temperature": {"value": 39.2, "unit": "C"}})
        return session, []

    def again(self, session: Session) -> list[Reply]:
        return [Reply(text="Say 'fever'.")]

    def help(self, session: Session) -> list[Reply]:
        return [Reply(text="Relay help.", kind="info"), *self.again(session)]

    def back(self, session: Session) -> tuple[Session, list[Reply]]:
        return session, [Reply(text="No back here.", kind="info"), *self.again(session)]

    def worded(self, words: texts.Words) -> Relay:
        worded = copy.copy(self)
        worded.words = words
        return worded


def _engine() -> DialogEngine:
    engine = DialogEngine(PARTS.guideline, PARTS.questions, PARTS.flows, PARTS.bank)
    engine.register(Relay())
    return engine


def test_a_registered_dialog_starts_by_name_and_takes_help_and_back() -> None:
    """start('relay') shows its message; help and back are the dialog's own."""
    engine = _engine()
    session, replies = engine.start("relay")
    assert (session.dialog, replies[-1].text) == ("relay", "Say 'fever'.")
    assert engine.handle(session, Event.command("help")).replies[0].text == "Relay help."
    assert engine.handle(session, Event.command("back")).replies[0].text == "No back here."


def test_a_registered_dialog_that_ends_returns_to_the_menu() -> None:
    """No replies from the dialog: the menu follows."""
    engine = _engine()
    session, _ = engine.start("relay")
    after, _ = engine.handle(session, Event.text("anything"))
    assert (after.dialog, after.state) == ("menu", "menu")


def test_a_registered_dialog_hands_over_to_a_flow_with_what_it_knows() -> None:
    """Go('crs', temperature): CRS starts past the temperature, which it then holds."""
    engine = _engine()
    session, _ = engine.start("relay")
    after, replies = engine.handle(session, Event.text("fever"))
    assert after.dialog == "crs"
    assert after.state == "prior"
    assert after.answers["temperature"] == {"value": 39.2, "unit": "C"}
    assert replies[-1].kind == "question"


def test_the_console_words_reach_registered_dialogs() -> None:
    """with_words gives every registered dialog the transport's words."""
    worded = _engine().with_words(texts.CONSOLE)
    relay = worded.registered["relay"]
    assert isinstance(relay, Relay)
    assert relay.words is texts.CONSOLE
    assert worded.registered["rehearsal"].worded(texts.CONSOLE) is not None
