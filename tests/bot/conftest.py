"""Bot tests: no bot process outlives its test, whatever happened in it; a fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bot.fake_telegram import FakeTelegram
from tests.bot.harness import STARTED, TOKEN


@pytest.fixture(autouse=True)
def _no_leftover_bots() -> Iterator[None]:
    """Kill any bot process a test started and did not stop."""
    yield
    while STARTED:
        process = STARTED.pop().process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """A fake Bot API server on 127.0.0.1; calls it holds are let go before it stops."""
    server = FakeTelegram(TOKEN).start()
    yield server
    server.release()
    server.stop()
