"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

It speaks the real HTTP protocol python-telegram-bot uses (form-encoded POSTs to
/bot<TOKEN>/<method>), queues updates for long polling, records every call, and can be told to
fail the next calls of a method as Telegram does: 429 (retry-after), 500, 400 (e.g. "query is
too old"), 403 (blocked by the user), a timeout, a timeout after delivering, or a call held
unanswered until released (to kill the bot while it waits).
"""

from __future__ import annotations

import email.policy
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "CAR-T tox",
    "username": "cart_tox_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_FIELDS = ("reply_markup", "commands", "allowed_updates")


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    """The server's state; thread-safe."""

    def __init__(self, token: str, port: int = 0, keep_alive: bool = False) -> None:
        self.token = token
        self.lock = threading.Condition()
        self.updates: list[dict[str, Any]] = []
        self.calls: list[Call] = []
        self.failures: dict[str, list[tuple[str, float]]] = {}
        self.keep_alive = keep_alive
        self.held = threading.Event()
        self.holding = 0  # calls currently held
        self._returned: set[int] = set()  # update ids getUpdates has returned
        self.messages_by_chat: dict[int, list[Call]] = {}  # sendMessage calls, per chat
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self.server = _QuietServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ---

    @property
    def base_url(self) -> str:
        """The base URL to give the bot (it appends the token)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def start(self) -> FakeTelegram:
        """Start serving in a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any long poll."""
        with self.lock:
            self.lock.notify_all()
        self.server.shutdown()
        self.server.server_close()

    # --- what the test does ---

    def fail_next(self, method: str, kind: str, value: float = 1.0) -> None:
        """Make the next call of `method` fail: '429' (retry after value s), '500', '400',
        '403', 'timeout' (answer after value s), 'late' (deliver, then answer after value s),
        'hold' (no answer until release()); 'ok' lets one call through (to fail a later one)."""
        with self.lock:
            self.failures.setdefault(method, []).append((kind, value))

    def release(self) -> None:
        """Let held calls go (their callers may be gone)."""
        self.held.set()

    def restart_ids(self, first: int) -> None:
        """Number the next updates from `first`, as Telegram does after a week of silence."""
        with self.lock:
            self._update_ids = itertools.count(first)
            self._returned.clear()

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot's next getUpdates; return its id."""
        with self.lock:
            update_id = next(self._update_ids)
            self.updates.append({"update_id": update_id, **update})
            self.lock.notify_all()
            return update_id

    def message(
        self,
        chat_id: int,
        text: str | None,
        user_id: int | None = None,
        date: int | None = None,
        chat_type: str = "private",
        **extra: Any,
    ) -> dict[str, Any]:
        """A message as Telegram would send it (a command when the text starts with '/')."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()) if date is None else date,
            "chat": {"id": chat_id, "type": chat_type},
            **extra,
        }
        if chat_type != "channel":
            message["from"] = {"id": user_id or chat_id, "is_bot": False, "first_name": "Dr"}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}
                ]
        return message

    def send_text(
        self, chat_id: int, text: str, user_id: int | None = None, date: int | None = None
    ) -> int:
        """The doctor types a message (a command when it starts with '/')."""
        return self.push({"message": self.message(chat_id, text, user_id, date)})

    def tap(
        self, chat_id: int, message: dict[str, Any] | None, data: str, user_id: int | None = None
    ) -> int:
        """The doctor taps a button of a message the bot sent (None: an inline message's)."""
        query: dict[str, Any] = {
            "id": str(next(self._query_ids)),
            "from": {"id": user_id or chat_id, "is_bot": False, "first_name": "Dr"},
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        if message is None:
            query["inline_message_id"] = "inline-1"
        else:
            query["message"] = message
        return self.push({"callback_query": query})

    def answers(self) -> list[str | None]:
        """The texts of every answerCallbackQuery (None: answered without text)."""
        return [c.params.get("text") for c in self.sent(method="answerCallbackQuery")]

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Call]:
        """Calls of a method, optionally for one chat."""
        with self.lock:
            return [
                c
                for c in self.calls
                if c.method == method
                and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
            ]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 20) -> None:
        """Wait until the predicate holds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(
                    "timed out waiting; last calls: "
                    + repr([(c.method, c.params.get("text", "")[:60]) for c in self.calls[-5:]])
                )
            time.sleep(0.02)

    def wait_messages(self, chat_id: int, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        """Wait until the bot has sent `count` messages to a chat; return them as Telegram would."""
        self.wait_for(lambda: len(self.sent(chat_id)) >= count, timeout)
        return [c.params["_message"] for c in self.sent(chat_id)]

    # --- the HTTP side ---

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1 keeps connections open between calls, as Telegram does.
            protocol_version = "HTTP/1.1" if fake.keep_alive else "HTTP/1.0"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                prefix, _, method = self.path.rpartition("/")
                if prefix != f"/bot{fake.token}":
                    self._reply(
                        401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                    )
                    return
                kind = self.headers.get("Content-Type", "")
                if kind.startswith("multipart/form-data"):
                    params = _multipart(kind, raw)
                else:
                    params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                for key in JSON_FIELDS:
                    if key in params:
                        params[key] = json.loads(params[key])
                status, payload = fake._call(method, params)
                self._reply(status, payload)

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return

        return Handler

    def _call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            pending = self.failures.get(method)
            failure = pending.pop(0) if pending else None
        if failure is not None and failure[0] != "ok":
            kind, value = failure
            if kind == "429":
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {int(value)}",
                    "parameters": {"retry_after": int(value)},
                }
            if kind == "500":
                return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            if kind == "400":
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: query is too old and response timeout expired",
                }
            if kind == "403":
                return 403, {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                }
            if kind == "hold":
                with self.lock:
                    self.holding += 1
                self.held.wait(60)
                return 500, {"ok": False, "error_code": 500, "description": "Released"}
            if kind == "late":
                result = self._result(method, params)
                with self.lock:
                    self.calls.append(Call(method, params))
                time.sleep(value)
                return 200, {"ok": True, "result": result}
            time.sleep(value)  # 'timeout': answer later than the client waits
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        result = self._result(method, params)
        with self.lock:
            call = Call(method, params)
            self.calls.append(call)
            if method == "sendMessage":
                self.messages_by_chat.setdefault(int(params["chat_id"]), []).append(call)
        return 200, {"ok": True, "result": result}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                # Updates returned before and below the offset are confirmed: Telegram forgets
                # them. (Not yet returned ones stay, so ids that restart low are delivered.)
                self.updates = [
                    u
                    for u in self.updates
                    if u["update_id"] >= offset or u["update_id"] not in self._returned
                ]
                if self.updates or time.monotonic() >= deadline:
                    batch = list(self.updates[:100])
                    self._returned.update(u["update_id"] for u in batch)
                    return batch
                self.lock.wait(max(0.0, deadline - time.monotonic()))

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendPhoto":
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 480, "height": 240}],
            }
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"]) if "chat_id" in params else 0
            message = {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            params["_message"] = message
            return message
        return True


class _QuietServer(ThreadingHTTPServer):
    """The standard threading server, without a traceback when a client drops a connection."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore connections the bot closed or reset (it was killed or stopped)."""
        return


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Parse a multipart/form-data body: text fields as str, files as bytes."""
    message = BytesParser(policy=email.policy.default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    params: dict[str, Any] = {}
    assert isinstance(message, EmailMessage)
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        params[str(name)] = payload if part.get_filename() else payload.decode()
    return params
