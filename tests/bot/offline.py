"""In-process Telegram, as PTB's own test suite does it: a `BaseRequest` that answers every Bot
API call from memory with the JSON Telegram would send (recording the call), and factories
of the updates Telegram sends for a private chat. The bot's real `Application` runs on top."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 1, "is_bot": True, "first_name": "CAR-T bot", "username": "cart_bot"}
WAIT_SECONDS = 10.0  # a bound for a test that would otherwise hang, never a speed check


@dataclass
class Call:
    """One Bot API call: its method, its parameters, the files it uploaded, Telegram's answer."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None


class OfflineBotApi(BaseRequest):
    """The Bot API, answered from memory: getMe, messages dated by a clock that ticks once a
    message, and `True` for the rest. A call can be made to fail first (`fail_next`)."""

    def __init__(self) -> None:
        self.now = 1_000  # Telegram's clock: message dates, in seconds
        self.calls: list[Call] = []
        self._ids = itertools.count(1)
        self._failures: dict[str, list[int]] = {}

    @property
    def read_timeout(self) -> float | None:
        """No timeout: nothing waits."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def fail_next(self, method: str, status: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with this HTTP error status."""
        self._failures.setdefault(method, []).extend([status] * times)

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kw: Any
    ) -> tuple[int, bytes]:
        """Record the call; answer it as Telegram would."""
        name = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if isinstance(params.get("reply_markup"), str):
            params["reply_markup"] = json.loads(params["reply_markup"])
        files: dict[str, bytes] = {}
        if request_data is not None and request_data.contains_files:
            for key, (_, content, *_) in request_data.multipart_data.items():
                files[key] = content if isinstance(content, bytes) else content.read()
        call = Call(name, params, files)
        self.calls.append(call)
        failures = self._failures.get(name)
        if failures:
            status = failures.pop(0)
            body = {"ok": False, "error_code": status, "description": "Bad Gateway"}
            return status, json.dumps(body).encode()
        result: Any = True
        if name == "getMe":
            result = BOT_USER
        elif name in ("sendMessage", "editMessageText", "sendPhoto"):
            self.now += 1
            result = {
                "message_id": next(self._ids),
                "date": self.now,
                "chat": {"id": int(params.get("chat_id", 0) or 0), "type": "private"},
                "from": BOT_USER,
            }
            if name == "sendPhoto":
                result["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9}]
            else:
                result["text"] = params.get("text", "")
            if params.get("reply_markup"):
                result["reply_markup"] = params["reply_markup"]
        call.result = result
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """What every successful call of `method` sent: the message as Telegram answered it
        (sendMessage, sendPhoto, editMessageText), else the call's parameters."""
        return [
            c.result if isinstance(c.result, dict) else c.params
            for c in self.calls
            if c.method == method and c.result is not None
        ]

    async def wait_for(self, done: Callable[[], bool]) -> None:
        """Until `done()` holds (background acknowledgements, jobs); fail after a bound."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while not done():
            if loop.time() > deadline:
                methods = [c.method for c in self.calls]
                raise AssertionError(f"not done in {WAIT_SECONDS} s; calls: {methods}")
            await asyncio.sleep(0.01)


class Chat:
    """Updates from one doctor in a private chat, as Telegram sends them (ids rise, dates
    follow the offline Bot API's clock)."""

    _update_ids = itertools.count(1)
    _message_ids = itertools.count(10_000)

    def __init__(self, bot: Bot, api: OfflineBotApi, user_id: int) -> None:
        self.bot = bot
        self.api = api
        self.user_id = user_id

    def _user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": "Dr"}

    def message(self, text: str) -> Update:
        """A typed message; a leading /command is marked as Telegram marks it."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": self.api.now,
            "chat": {"id": self.user_id, "type": "private"},
            "from": self._user(),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._update(message=message)

    def tap(self, sent: dict[str, Any], label: str) -> Update:
        """A tap on the button of a message the bot sent, chosen by the start of its label."""
        buttons = [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]
        chosen = [b for b in buttons if b["text"].startswith(label)]
        assert len(chosen) == 1, (label, buttons)
        return self.query(chosen[0]["callback_data"], sent)

    def query(self, data: str, sent: dict[str, Any] | None = None) -> Update:
        """A callback query with this data: under a message (the bot's), or, with none, from a
        button of an inline message."""
        query: dict[str, Any] = {
            "id": str(next(self._update_ids)),
            "from": self._user(),
            "chat_instance": "ci",
            "data": data,
        }
        if sent is None:
            query["inline_message_id"] = "inline-1"
        else:
            query["message"] = sent
        return self._update(callback_query=query)

    def _update(self, **body: Any) -> Update:
        update = Update.de_json({"update_id": next(self._update_ids), **body}, self.bot)
        assert update is not None
        return update
