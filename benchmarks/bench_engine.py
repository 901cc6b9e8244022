"""Benchmark the dialog engine: events per second, per-event median and p99, session size.

Run: .venv/bin/python benchmarks/bench_engine.py
Targets (issue 3): p99 < 200 µs per event; session < 2 KB of JSON after a full assessment.
"""

from __future__ import annotations

import statistics
import time

from bot.bootstrap import bootstrap
from bot.settings import Settings
from dialogs.chat.engine import DialogEngine
from dialogs.chat.messages import Event

# A full twice-daily review answered by typing, ending in the combined result.
FULL_REVIEW = [
    "full review",  # the menu entry, by name (its position moves when entries are added)
    "39.1",
    "none",
    "vasopressors",
    "noradrenaline, vasopressin",
    "no",
    "nasal cannula",
    "4",
    "45",
    "guide",
    "y",
    "y",
    "n",
    "y",
    "y",
    "2",
    "n",
    "y",
    "wakes to voice",
    "no",
    "none",
    "none",
    "none",
    "not done",
    "70",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_once(
    engine: DialogEngine, timings: list[float] | None = None, variant: int = 0
) -> tuple[int, str]:
    # Vary temperature and weight from run to run so no memo can serve one run from another
    # (300 temperatures: fewer would let a bounded memo of the answers before the weight hit).
    walk = list(FULL_REVIEW)
    walk[1] = f"{38.0 + (variant % 300) / 100:.2f}"
    walk[-1] = f"{45 + (variant % 97) * 0.7:.1f}"
    session, _ = engine.start("menu")
    result = ""
    for text in walk:
        event = Event.text(text)
        start = time.perf_counter_ns()
        session, replies = engine.handle(session, event)
        if timings is not None:
            timings.append((time.perf_counter_ns() - start) / 1000)
        result = next((r.text for r in replies if r.kind == "result"), result)
    return len(session.model_dump_json().encode()), result


def main() -> None:
    engine = bootstrap(Settings(guideline_dir=None)).engine
    size, result = run_once(engine)
    assert result.startswith("CRS grade 3 · ICANS grade 2"), result[:80]
    for _ in range(20):
        run_once(engine)
    timings: list[float] = []
    start = time.perf_counter()
    runs = 300
    for run in range(runs):
        run_once(engine, timings, variant=run)
    elapsed = time.perf_counter() - start
    median, p99 = statistics.median(timings), percentile(timings, 0.99)
    walk = len(FULL_REVIEW)
    questions = [t for i, t in enumerate(timings) if i % walk != walk - 1]
    results = [t for i, t in enumerate(timings) if i % walk == walk - 1]
    print(
        f"events: {len(timings)} in {elapsed:.2f} s = {len(timings) / elapsed:,.0f} events/s "
        f"(full reviews of {len(FULL_REVIEW)} events, result included)"
    )
    print(
        f"per event: median {median:.1f} µs, p99 {p99:.1f} µs, max {max(timings):.1f} µs; "
        f"target p99 200 µs; ratio {p99 / 200:.2f}"
    )
    print(
        f"  question events only: median {statistics.median(questions):.1f} µs, "
        f"p99 {percentile(questions, 0.99):.1f} µs; result event (grade, advice, doses, render): "
        f"median {statistics.median(results):.1f} µs, p99 {percentile(results, 0.99):.1f} µs"
    )
    print(
        f"session after a full assessment: {size} bytes of JSON; target 2048; "
        f"ratio {size / 2048:.2f}"
    )


if __name__ == "__main__":
    main()
