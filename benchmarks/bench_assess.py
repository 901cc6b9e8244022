"""Benchmark the clinical core: start-up, one full assessment, and JSON Lines throughput.

Run: .venv/bin/python benchmarks/bench_assess.py
Targets (issue 2): start-up < 300 ms; one CRS + ICANS assessment with advice < 100 µs median.
"""

from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import time

from bot.assess_cli import run_assess
from dialogs.assessment import assess
from dialogs.findings import Findings
from dialogs.guideline import default_guideline

STARTUP = """
import time
t = time.perf_counter()
from dialogs.assessment import assess
from dialogs.guideline import load_guideline
load_guideline()
print((time.perf_counter() - t) * 1000)
"""

DOCUMENT = {
    "patient": {"weight": {"value": 70}},
    "tocilizumab_doses": {"last_24h": 1, "total": 1},
    "crs": {
        "max_temperature": {"value": 39.2},
        "hypotension": "vasopressors",
        "vasopressors": ["noradrenaline"],
        "oxygen": "nasal_cannula",
        "oxygen_flow_l_min": 4,
    },
    "icans": {"ice_score": 5, "consciousness": "wakes_to_voice"},
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(7)
    ]
    startup = statistics.median(runs)
    print(
        f"start-up (import + load + validate tables): median {startup:.1f} ms "
        f"over {len(runs)} fresh interpreters; target 300 ms; ratio {startup / 300:.2f}"
    )

    guideline = default_guideline()
    # Distinct findings each time (temperature and weight vary), so no memo serves a repeat.
    documents = [
        Findings.model_validate(
            {
                **DOCUMENT,
                "patient": {"weight": {"value": 40 + (i % 997) * 0.1}},
                "crs": {**DOCUMENT["crs"], "max_temperature": {"value": 38 + (i % 80) / 10}},
            }
        )
        for i in range(5200)
    ]
    for findings in documents[:200]:
        assess(findings, guideline)
    samples: list[float] = []
    for findings in documents[200:]:
        t = time.perf_counter_ns()
        assess(findings, guideline)
        samples.append((time.perf_counter_ns() - t) / 1000)
    median = statistics.median(samples)
    print(
        f"one CRS + ICANS assessment with advice: median {median:.1f} µs, "
        f"p99 {percentile(samples, 0.99):.1f} µs; target 100 µs median; "
        f"ratio {median / 100:.2f}"
    )

    lines = [
        json.dumps(
            {**DOCUMENT, "crs": {**DOCUMENT["crs"], "max_temperature": {"value": 37 + i % 30 / 10}}}
        )
        for i in range(3000)
    ]
    stream = "\n".join(lines)
    out = io.StringIO()
    t = time.perf_counter()
    run_assess(stream, out, io.StringIO(), jsonl=True, guideline=guideline)
    elapsed = time.perf_counter() - t
    assert out.getvalue().count("\n") == len(lines)
    print(
        f"JSON Lines: {len(lines)} documents in {elapsed:.2f} s = "
        f"{len(lines) / elapsed:,.0f} documents/s (validate + assess + serialise)"
    )


if __name__ == "__main__":
    main()
