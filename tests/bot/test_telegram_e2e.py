"""End to end over HTTP: the real bot process and Application against a fake Bot API server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bot.fake_telegram import FakeTelegram
from tests.bot.harness import TOKEN, BotProcess, button

DOCTOR = 1001
OTHER = 2002


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """A fake Bot API server on 127.0.0.1."""
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def bot(fake: FakeTelegram, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot process, stopped after the test."""
    process = BotProcess(fake, tmp_path / "bot.sqlite3").start()
    yield process
    process.stop()
    assert TOKEN not in process.output()


class Chat:
    """One doctor's chat with the bot, seen from the fake server."""

    def __init__(self, fake: FakeTelegram, chat_id: int) -> None:
        self.fake, self.chat_id = fake, chat_id

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [c.params["_message"] for c in self.fake.sent(self.chat_id)]

    def say(self, text: str, expect: int = 1) -> dict[str, Any]:
        """Type text; wait for `expect` new messages; return the last."""
        before = len(self.messages)
        self.fake.send_text(self.chat_id, text)
        return self.fake.wait_messages(self.chat_id, before + expect)[-1]

    def tap(self, label: str, expect: int = 1) -> dict[str, Any]:
        """Tap a button of the last message; wait for `expect` new messages; return the last."""
        before = len(self.messages)
        last = self.messages[-1]
        self.fake.tap(self.chat_id, last, button(last, label))
        return self.fake.wait_messages(self.chat_id, before + expect)[-1]


def test_full_assessment_by_tapping_buttons(fake: FakeTelegram, bot: BotProcess) -> None:
    """A whole review over HTTP: commands registered, buttons tapped, result escalation first."""
    chat = Chat(fake, DOCTOR)
    menu = chat.say("/start", expect=2)
    assert "Privacy" in chat.messages[-2]["text"]
    assert fake.sent(method="setMyCommands")
    commands = {c["command"] for c in fake.sent(method="setMyCommands")[0].params["commands"]}
    assert commands >= {"start", "assess", "crs", "icans", "ice", "hlh", "dose", "back",
                        "cancel", "help"}
    assert button(menu, "Full review")
    chat.tap("Full review")
    chat.say("38.9")
    chat.tap("None yet")
    chat.tap("Vasopressor")
    chat.tap("Noradrenaline")
    chat.tap("Done")
    chat.tap("No, it is CRS")
    chat.tap("Facemask")
    chat.tap("Yes, CRS hypoxia")
    chat.tap("13 or over")
    chat.say("9")
    chat.tap("Alert")
    chat.tap("No seizure")
    chat.tap("No motor")
    chat.tap("None of these")
    chat.tap("No imaging")
    result = chat.say("82")
    assert result["text"].startswith("<b>CRS grade 3 · ICANS grade 1</b>")
    assert "Escalation:" in result["text"].split("Treatment:")[0]
    assert "Tocilizumab 656 mg" in result["text"]
    assert button(result, "⏰ Remind me: CRS review in 12 h")
    answered = fake.sent(method="answerCallbackQuery")
    assert len(answered) >= 13, "every callback query is answered"
    edits = fake.sent(method="editMessageText")
    assert any("✓ Facemask" in e.params["text"] for e in edits)
