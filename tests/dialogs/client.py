"""A conversation-level test client over the engine: send text, click options by label."""

from __future__ import annotations

from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import Command, Event, Reply
from dialogs.chat.records import Record
from dialogs.chat.session import Session


class DialogClient:
    """Drives one chat through the engine and checks the session round-trips through JSON."""

    def __init__(self, engine: DialogEngine, dialog: str = "menu") -> None:
        self.engine = engine
        turn = self.turn = engine.start(dialog)
        self.session, self.replies = turn
        # Every record the engine handed out, in order (what the service would store).
        self.records: list[Record] = list(turn.records)

    @property
    def last(self) -> Reply:
        """The last reply sent."""
        return self.replies[-1]

    def _apply(self, event: Event) -> list[Reply]:
        turn = self.turn = self.engine.handle(self.session, event)
        self.session, self.replies = turn
        self.records += turn.records
        restored = Session.model_validate_json(self.session.model_dump_json())
        assert restored == self.session, "the session must round-trip through JSON"
        return self.replies

    def send(self, text: str) -> list[Reply]:
        """Type text."""
        return self._apply(Event.text(text))

    def click(self, label: str) -> list[Reply]:
        """Tap the option of the last reply whose label starts with `label`."""
        matches = [o for o in self.last.options if o.label.startswith(label)]
        assert len(matches) == 1, (label, [o.label for o in self.last.options])
        return self._apply(Event.option(matches[0].id, step=self.session.step))

    def command(self, name: Command) -> list[Reply]:
        """Give a command."""
        return self._apply(Event.command(name))

    def answer(self, *inputs: str) -> list[Reply]:
        """Type several answers in a row."""
        for text in inputs:
            self.send(text)
        return self.replies

    @property
    def result_reply(self) -> Reply:
        """The result message (the dialog must have ended)."""
        results = [r for r in self.replies if r.kind == "result"]
        assert results, [r.text for r in self.replies]
        assert results[-1].ended
        return results[-1]

    @property
    def result(self) -> str:
        """The whole text of the result, folds written out (as the console prints it)."""
        return self.result_reply.full_text

    @property
    def visible(self) -> str:
        """The part of the result shown before the folds (the first screen on a phone)."""
        return self.result_reply.text
