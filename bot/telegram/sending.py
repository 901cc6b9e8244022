"""Talking to the Bot API: calls with retries, the connection pools, and the durable update
queue that writes each update to the inbox before PTB confirms it."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.error import (
    BadRequest,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.store import AsyncStore, Store, StoreGoneError

__all__ = [
    "BUSY_MINOR_CALLS",
    "MAX_ATTEMPTS",
    "MINOR_METHODS",
    "POOL_SIZE",
    "RAW_KEPT",
    "REPLY_POOLS",
    "App",
    "DurableQueue",
    "GatedRequest",
    "SafeUpdatesRequest",
    "raw_call",
    "retry_after_seconds",
    "send_with_retry",
]

log = logging.getLogger("bot")
App = Application[Any, Any, Any, Any, Any, Any]
_T = TypeVar("_T")

MAX_ATTEMPTS = 5

POOL_SIZE = 8  # connections per pool to the Bot API (the getUpdates long poll has its own)

REPLY_POOLS = 3  # pools for replies; acknowledgements have one more

RAW_KEPT = 1000  # updates' JSON kept between getUpdates and PTB's queue

BUSY_MINOR_CALLS = 100  # waiting acknowledgements beyond which ✓ ticks are skipped

MINOR_METHODS = ("/answerCallbackQuery", "/editMessageText")


async def send_with_retry(call: Callable[[], Awaitable[_T]], attempts: int = MAX_ATTEMPTS) -> _T:
    """Call Telegram; wait out 429 (retry-after), retry timeouts and network errors, bounded."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            log.warning("Telegram asked to slow down: retrying in %.1f s", seconds)
            await asyncio.sleep(seconds)
        except (TimedOut, NetworkError) as error:
            if isinstance(error, BadRequest) or attempt == attempts:
                raise
            log.warning("Telegram call failed (%s): retry %d", type(error).__name__, attempt)
            await asyncio.sleep(delay)
            delay *= 2
    return await call()


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds (PTB gives a number or a timedelta)."""
    wait = error.retry_after
    return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)


async def raw_call(application: App, method: str, params: dict[str, object]) -> Any:
    """A Bot API call without turning its answer into PTB objects: the bot needs only the
    date of a message it sent, and building a Message costs more CPU than the call itself.
    Errors are PTB's own (RetryAfter, Forbidden, BadRequest, ...)."""
    bot = application.bot
    data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
    return await bot.request.post(f"{bot.base_url}/{method}", data)


class DurableQueue(asyncio.Queue):  # type: ignore[type-arg]
    """PTB's update queue, writing each update to the store's inbox before taking it.

    PTB confirms updates to Telegram (polling) or answers the webhook as soon as they are in
    this queue, so a crash before their turn was saved would lose them. Written here first,
    they survive: the next start replays what no turn consumed. A failed write raises, and PTB
    then fetches the update again (polling) or Telegram retries it (webhook).
    """

    def __init__(
        self, store: AsyncStore, on_fatal: Callable[[BaseException], None], wait_each: bool
    ) -> None:
        super().__init__()
        self.store = store
        self.on_fatal = on_fatal
        # Webhook: each update's 200 waits for its write. Polling: the next getUpdates (which
        # confirms the last batch) waits for every write instead (see `durable`), so a batch's
        # updates are processed while they are being written, in one transaction.
        self.wait_each = wait_each
        self.raw: dict[int, str] = {}  # update JSON as received (SafeUpdatesRequest fills it)
        self._batch: list[tuple[int, str]] = []
        self._batch_done: asyncio.Future[None] | None = None
        self._writes: set[asyncio.Future[None]] = set()

    async def put(self, item: Any) -> None:
        """Keep the update durably (or start to, when polling), then queue it."""
        if isinstance(item, Update):
            raw = self.raw.pop(item.update_id, None) or item.to_json()
            if not self._batch:
                # Written on the store thread in the next loop turn, before any turn of these
                # updates can reach it (the store's thread takes calls in order).
                loop = asyncio.get_running_loop()
                loop.call_soon(self._flush)
                self._batch_done = loop.create_future()
                self._writes.add(self._batch_done)
                self._batch_done.add_done_callback(self._writes.discard)
            self._batch.append((item.update_id, raw))
            done = self._batch_done
            if self.wait_each and done is not None:
                await done
        await super().put(item)

    async def durable(self) -> None:
        """Wait until every update taken so far is written."""
        while self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        done, self._batch_done = self._batch_done, None
        written = self.store.submit(Store.inbox_add, self.store.store, batch)
        task = asyncio.ensure_future(self._settle(written, batch))
        if done is not None:
            task.add_done_callback(lambda _: _resolve(done))

    async def _settle(self, written: asyncio.Future[None], batch: list[tuple[int, str]]) -> None:
        """Wait for the write; while it fails, wait and retry (nothing is confirmed to
        Telegram meanwhile, so Telegram keeps the updates too)."""
        delay = 0.5
        while True:
            try:
                await written
                return
            except StoreGoneError as error:
                self.on_fatal(error)
                return
            except Exception as error:
                kind = type(error).__name__
                log.error("cannot keep updates (%s): retrying in %.0f s", kind, delay)
                await asyncio.sleep(delay)
                delay = min(30.0, delay * 2)
                written = self.store.submit(Store.inbox_add, self.store.store, batch)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class GatedRequest(BaseRequest):
    """Bot API calls over several small pools of kept-alive connections, each call waiting for
    a free connection here (an asyncio semaphore per pool, first come first served).

    httpcore scans every queued request against every pooled connection, and every idle
    connection, each time one is assigned: hundreds of calls queued in one large pool cost more
    CPU than the calls themselves. Small pools with empty queues keep that scan short, while
    enough connections are open to keep many replies in flight (Telegram is tens of ms away).
    Acknowledgements have a pool of their own, so they never queue ahead of a reply.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._pools = [
            (HTTPXRequest(connection_pool_size=POOL_SIZE, **kwargs), asyncio.Semaphore(POOL_SIZE))
            for _ in range(REPLY_POOLS)
        ]
        self._minor = (
            HTTPXRequest(connection_pool_size=POOL_SIZE, **kwargs),
            asyncio.Semaphore(POOL_SIZE),
        )
        self._next = 0

    @property
    def read_timeout(self) -> float | None:
        """The pools' read timeout."""
        return self._minor[0].read_timeout

    async def initialize(self) -> None:
        """Open every pool."""
        for pool, _ in (*self._pools, self._minor):
            await pool.initialize()

    async def shutdown(self) -> None:
        """Close every pool."""
        for pool, _ in (*self._pools, self._minor):
            await pool.shutdown()

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """The call, on a pool with a free connection (the least busy, else the next in turn)."""
        if url.endswith(MINOR_METHODS):
            pool, gate = self._minor
        else:
            free = [p for p in self._pools if not p[1].locked()]
            if free:
                pool, gate = free[0]
            else:
                pool, gate = self._pools[self._next]
                self._next = (self._next + 1) % len(self._pools)
        async with gate:
            return await pool.do_request(url, *args, **kwargs)


class SafeUpdatesRequest(HTTPXRequest):
    """getUpdates that skips an update PTB cannot parse (one log line, no content) instead of
    fetching it again forever while every other chat waits."""

    def __init__(self, queue: DurableQueue | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._skipped: set[int] = set()
        self._queue = queue

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        """The Bot API call; malformed updates of a getUpdates answer replaced by empty ones.

        A getUpdates confirms the updates before its offset: it waits until they are kept.
        """
        polling = url.endswith("/getUpdates")
        if polling and self._queue is not None:
            await self._queue.durable()
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if code == 200 and polling:
            payload = self._sanitise(payload)
        return code, payload

    def _sanitise(self, payload: bytes) -> bytes:
        try:
            body = json.loads(payload)
            updates = body["result"]
        except (ValueError, KeyError, TypeError):
            return payload
        if not isinstance(updates, list):
            return payload
        changed = False
        for index, item in enumerate(updates):
            try:
                update = Update.de_json(item, None)
                if self._queue is not None and update is not None:
                    if len(self._queue.raw) > RAW_KEPT:
                        self._queue.raw.clear()  # never taken (PTB stopped): fall back to to_json
                    self._queue.raw[update.update_id] = json.dumps(item)
            except Exception as error:
                update_id = item.get("update_id") if isinstance(item, dict) else None
                if not isinstance(update_id, int):
                    continue  # nothing to confirm it by; Telegram never sends this
                # An empty update keeps its id, so that PTB confirms it and moves on.
                updates[index] = {"update_id": update_id}
                changed = True
                if update_id not in self._skipped:
                    self._skipped.add(update_id)
                    log.warning("skipped malformed update %d (%s)", update_id, type(error).__name__)
        return json.dumps(body).encode() if changed else payload
