"""Bot tests: no bot process outlives its test, whatever happened in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bot.harness import STARTED


@pytest.fixture(autouse=True)
def _no_leftover_bots() -> Iterator[None]:
    """Kill any bot process a test started and did not stop."""
    yield
    while STARTED:
        process = STARTED.pop().process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)
