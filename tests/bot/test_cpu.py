"""Pinning to one CPU: one the process may use, for later threads too; one CPU is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.bot.harness import ROOT

# In a fresh process (pinning pytest itself would outlive the test): the CPUs allowed before,
# what pin_to_one_cpu returned, and the CPUs after, of this thread and of one started after.
PROBE = """
import json, os, sys, threading
from bot.cpu import pin_to_one_cpu
if len(sys.argv) > 1:
    os.sched_setaffinity(0, {int(sys.argv[1])})
before = sorted(os.sched_getaffinity(0))
cpu = pin_to_one_cpu()
seen = []
thread = threading.Thread(target=lambda: seen.append(sorted(os.sched_getaffinity(0))))
thread.start()
thread.join()
print(json.dumps([before, cpu, sorted(os.sched_getaffinity(0)), seen[0]]))
"""

linux = pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="needs Linux")


def _probe(*args: str) -> list[Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: list[Any] = json.loads(done.stdout)
    return result


@linux
def test_pinning_chooses_one_allowed_cpu_for_this_thread_and_threads_started_after() -> None:
    """The CPU returned is one the process was allowed, and it is now the only one for the
    calling thread and for a thread started afterwards (as the database's thread is)."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        pytest.skip("needs two CPUs to choose from")
    before, cpu, after, thread = _probe()
    assert before == allowed
    assert cpu in allowed
    assert after == thread == [cpu]


@linux
def test_one_allowed_cpu_is_left_as_it_is() -> None:
    """With one CPU allowed there is nothing to choose: None, and the affinity is unchanged."""
    first = min(os.sched_getaffinity(0))
    assert _probe(str(first)) == [[first], None, [first], [first]]
