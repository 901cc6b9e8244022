"""Benchmark start-up as whole processes, import costs, one assessment, and JSON Lines throughput.

Start-up is timed from spawning a fresh interpreter to the point a user gets something:
`python -m bot assess` on one document (to exit), and the console (`python -m bot` without
TELEGRAM_TOKEN, through a pipe) to its first prompt; both against `python -c "import telegram.ext"`.
Import costs come from `python -X importtime`. Assessments use random, valid documents whose
grades vary (CRS 0-4, ICANS 0-4, HLH), so no memo serves a repeat and every branch is timed.

Run: .venv/bin/python benchmarks/bench_assess.py   (about 30-60 s; --runs for more start-ups)
Targets (issues 2 and 12): console first prompt ≤ 2x `import telegram.ext`; one CRS + ICANS
assessment with advice < 100 µs median.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.assess_cli import run_assess  # noqa: E402
from dialogs.assessment import Assessment, assess  # noqa: E402
from dialogs.findings import Findings  # noqa: E402
from dialogs.grading import FindingsError  # noqa: E402
from dialogs.guideline import default_guideline  # noqa: E402

PROMPT = b"> "
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


# --- whole-process start-up ---


def environment() -> dict[str, str]:
    """The user's environment without the bot's settings: the console, default guideline."""
    names = ("TELEGRAM_", "WEBHOOK_", "DATABASE_", "GUIDELINE_", "ALLOWED_", "PYTHONPROFILE")
    return {k: v for k, v in os.environ.items() if not k.upper().startswith(names)}


def run_to_exit(args: list[str]) -> float:
    """Milliseconds from spawning `python args` to its exit (output discarded)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return (time.perf_counter() - start) * 1000


def console_first_prompt() -> float:
    """Milliseconds from spawning `python -m bot` (no token) to its first prompt on the pipe."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    seen = b""
    while not seen.endswith(PROMPT):
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            raise RuntimeError(f"the console ended before its prompt: {seen[-200:]!r}")
        seen += chunk
    elapsed = (time.perf_counter() - start) * 1000
    process.stdin.close()  # end of input: the console says goodbye and exits
    process.stdout.read()
    process.wait(timeout=30)
    return elapsed


def startup(runs: int, document: Path) -> dict[str, list[float]]:
    """Each start-up `runs` times, interleaved so that machine noise hits them all alike."""
    cases = {
        "python -c pass": lambda: run_to_exit(["-c", "pass"]),
        'python -c "import telegram.ext"': lambda: run_to_exit(["-c", "import telegram.ext"]),
        'python -c "import bot.app"': lambda: run_to_exit(["-c", "import bot.app"]),
        "python -m bot assess doc.json": lambda: run_to_exit(
            ["-m", "bot", "assess", str(document)]
        ),
        "python -m bot → console first prompt": console_first_prompt,
    }
    times: dict[str, list[float]] = defaultdict(list)
    for case in cases.values():
        case()  # warm the file cache and bytecode cache once, untimed
    for _ in range(runs):
        for name, case in cases.items():
            times[name].append(case())
    return times


# --- import costs ---


def importtime(args: list[str]) -> list[tuple[int, int, int, str]]:
    """(self µs, cumulative µs, depth, module) for each module `python -X importtime` loads."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=ROOT,
        env=environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            own, total, indent, name = match.groups()
            rows.append((int(own), int(total), len(indent) // 2, name))
    return rows


def beyond_interpreter(
    rows: list[tuple[int, int, int, str]], baseline: set[str]
) -> list[tuple[int, int, int, str]]:
    """The modules a command loads that a bare interpreter (`-c pass`) does not."""
    return [row for row in rows if row[3] not in baseline]


def total_ms(rows: list[tuple[int, int, int, str]]) -> float:
    """Import time of everything in rows: the sum of the top-level cumulative times."""
    return sum(total for _, total, depth, _ in rows if depth == 0) / 1000


def by_package(rows: list[tuple[int, int, int, str]], top: int) -> list[tuple[str, float, int]]:
    """(package, self ms, modules), largest first; our own packages split one level deeper."""
    groups: dict[str, list[int]] = defaultdict(list)
    for own, _, _, name in rows:
        parts = name.split(".")
        key = ".".join(parts[:2]) if parts[0] in ("bot", "dialogs") else parts[0]
        groups[key].append(own)
    ranked = sorted(groups.items(), key=lambda item: -sum(item[1]))
    return [(name, sum(values) / 1000, len(values)) for name, values in ranked[:top]]


def import_report() -> None:
    """Import time of bot.app against telegram.ext, and what each start-up loads."""
    baseline = {row[3] for row in importtime(["-c", "pass"])}
    commands = {
        "import telegram.ext": ["-c", "import telegram.ext"],
        "import bot.app": ["-c", "import bot.app"],
        "console start-up (python -m bot, no token, input closed)": ["-m", "bot"],
        "python -m bot assess --schema": ["-m", "bot", "assess", "--schema"],
    }
    # Median of three runs of each, as -X importtime is noisy on a shared machine.
    measured: dict[str, list[tuple[int, int, int, str]]] = {}
    totals: dict[str, float] = {}
    for label, args in commands.items():
        runs = [beyond_interpreter(importtime(args), baseline) for _ in range(3)]
        figures = [total_ms(rows) for rows in runs]
        totals[label] = statistics.median(figures)
        measured[label] = runs[figures.index(totals[label])]
    reference = totals["import telegram.ext"]
    print("\nimport time (python -X importtime, beyond a bare interpreter; median of 3):")
    for label, rows in measured.items():
        print(
            f"  {label:58} {totals[label]:7.1f} ms, {len(rows):4d} modules, "
            f"{totals[label] / reference:.2f}x telegram.ext"
        )
    telegram_modules = {row[3] for row in measured["import telegram.ext"]}
    for label in ("import bot.app", "console start-up (python -m bot, no token, input closed)"):
        rows = measured[label]
        extra = [row for row in rows if row[3] not in telegram_modules]
        print(
            f"\n{label}: heaviest packages by own import time "
            f"({total_ms(rows):.1f} ms in all; beyond telegram.ext: "
            f"{sum(r[0] for r in extra) / 1000:.1f} ms in {len(extra)} modules)"
        )
        for name, ms, count in by_package(rows, 14):
            print(f"  {name:32} {ms:7.1f} ms  {count:4d} modules")
    console = {
        row[3] for row in measured["console start-up (python -m bot, no token, input closed)"]
    }
    assess_only = {row[3] for row in measured["python -m bot assess --schema"]}
    suspects = sorted(
        name
        for name in console | assess_only
        if name.split(".")[0] in ("telegram", "httpx", "httpcore", "anyio", "sqlite3", "zlib")
        or name in ("bot.app", "bot.store", "bot.chart", "dialogs.training.bank", "tomllib")
    )
    print(
        "\nloaded by the console or `assess` start-up though neither needs them before the first "
        "answer (Telegram, HTTP, SQLite, PNG, the training case bank): "
        + (", ".join(suspects) or "none")
    )


# --- assessments with varied grades ---


def random_document(rng: random.Random) -> dict[str, Any]:
    """A findings document across the whole range: any grade of CRS, ICANS, HLH, or a mix."""
    enums = {
        name: definition["enum"]
        for name, definition in Findings.model_json_schema()["$defs"].items()
        if "enum" in definition
    }
    child = rng.random() < 0.15
    age = rng.randint(1, 11) if child else rng.randint(18, 85)
    document: dict[str, Any] = {
        "patient": {"weight": {"value": round(rng.uniform(10 if child else 40, 130), 1)}},
        "tocilizumab_doses": {"last_24h": rng.randint(0, 1), "total": 0},
    }
    document["patient"]["age_years"] = age
    document["tocilizumab_doses"]["total"] = document["tocilizumab_doses"]["last_24h"] + (
        rng.randint(0, 2)
    )
    parts = rng.choice((("crs",), ("icans",), ("crs", "icans"), ("crs", "icans"), ("hlh",)))
    if "crs" in parts:
        hypotension = rng.choice(enums["Hypotension"])
        oxygen = rng.choice(enums["OxygenDevice"])
        crs: dict[str, Any] = {
            "max_temperature": {"value": round(rng.uniform(37.0, 41.5), 1)},
            "hypotension": hypotension,
            "oxygen": oxygen,
            "prior_treatment": rng.sample(enums["PriorTreatment"], rng.randint(0, 2)),
        }
        if hypotension == "vasopressors":
            crs["vasopressors"] = rng.sample(enums["Vasopressor"], rng.randint(1, 3))
        if oxygen == "nasal_cannula":
            crs["oxygen_flow_l_min"] = rng.choice((1, 2, 4, 6, 8, 10))
        document["crs"] = crs
    if "icans" in parts:
        icans: dict[str, Any] = {
            "consciousness": rng.choice(enums["Consciousness"]),
            "seizure": rng.choice(enums["Seizure"]),
            "motor": rng.choice(enums["Motor"]),
            "imaging": rng.choice(enums["Imaging"]),
            "icp_signs": rng.sample(enums["IcpSign"][1:], rng.choice((0, 0, 0, 1))),
        }
        if child:
            icans["tool"] = "capd"
            icans["capd_total"] = rng.randint(0, 32)
        else:
            icans["ice_score"] = rng.randint(0, 10)
        document["icans"] = icans
    if "hlh" in parts:
        document["hlh"] = {
            "peak_ferritin_ng_ml": rng.choice((800, 5_000, 12_000, 60_000)),
            "liver": rng.random() < 0.5,
            "renal": rng.random() < 0.3,
        }
    return document


def varied_documents(count: int, seed: int = 1) -> list[tuple[Findings, Assessment]]:
    """Valid documents (and their assessments), invalid draws skipped."""
    rng = random.Random(seed)
    guideline = default_guideline()
    out: list[tuple[Findings, Assessment]] = []
    while len(out) < count:
        try:
            findings = Findings.model_validate(random_document(rng))
            out.append((findings, assess(findings, guideline)))
        except (ValidationError, FindingsError):
            continue
    return out


def grade_of(assessment: Assessment) -> str:
    """'CRS 2 + ICANS 3', 'HLH' and so on: the mix a document graded as."""
    parts = [
        f"{g.toxicity} {g.grade if g.grade is not None else '-'}"
        for g in (assessment.crs, assessment.icans)
        if g is not None
    ]
    if assessment.hlh is not None:
        parts.append("HLH")
    return " + ".join(parts)


def assessments(documents: list[tuple[Findings, Assessment]]) -> None:
    """Time one assessment per distinct document; show the grades covered."""
    guideline = default_guideline()
    warm, timed = documents[:300], documents[300:]
    for findings, _ in warm:
        assess(findings, guideline)
    samples: list[float] = []
    per_grade: dict[int, list[float]] = defaultdict(list)
    for findings, known in timed:
        start = time.perf_counter_ns()
        assess(findings, guideline)
        elapsed = (time.perf_counter_ns() - start) / 1000
        samples.append(elapsed)
        top = (
            max((g.grade or 0) for g in (known.crs, known.icans) if g is not None)
            if (known.crs or known.icans)
            else -1
        )
        per_grade[top].append(elapsed)
    crs = Counter(a.crs.grade for _, a in timed if a.crs is not None)
    icans = Counter(a.icans.grade for _, a in timed if a.icans is not None)
    median = statistics.median(samples)
    print(
        f"\none assessment with advice, {len(timed)} distinct documents: median {median:.1f} µs, "
        f"p99 {percentile(samples, 0.99):.1f} µs; target 100 µs median; ratio {median / 100:.2f}"
    )
    print(
        f"  grades covered: CRS {dict(sorted(crs.items(), key=str))}, "
        f"ICANS {dict(sorted(icans.items(), key=str))}, "
        f"HLH screens {sum(1 for _, a in timed if a.hlh is not None)}; "
        f"{len(Counter(grade_of(a) for _, a in timed))} distinct grade mixes"
    )
    print(
        "  median by highest CRS/ICANS grade: "
        + ", ".join(
            f"{'HLH only' if grade < 0 else f'grade {grade}'} {statistics.median(v):.0f} µs"
            for grade, v in sorted(per_grade.items())
        )
    )


def percentile(values: list[float], q: float) -> float:
    """The q-quantile by rank (q=0.99 for p99)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per start-up")
    args = parser.parse_args()
    documents = varied_documents(5300)
    with tempfile.TemporaryDirectory() as tmp:
        # A grade-3 CRS with ICANS: a long assessment with doses, as on a bad night.
        busy = next(
            f for f, a in documents if a.crs and a.crs.grade == 3 and a.icans and a.icans.grade
        )
        document = Path(tmp) / "doc.json"
        document.write_text(busy.model_dump_json(exclude_defaults=True))
        times = startup(args.runs, document)
    reference = statistics.median(times['python -c "import telegram.ext"'])
    print(
        f"start-up, whole process (spawn to exit, or to the first prompt), {args.runs} fresh "
        "interpreters each, interleaved; 2 shared cores with other jobs running, so noisy:"
    )
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:40} median {median:6.1f} ms, min {min(values):6.1f} ms, "
            f"{median / reference:5.2f}x import telegram.ext"
        )
    console = statistics.median(times["python -m bot → console first prompt"])
    print(f"  console first prompt / import telegram.ext: {console / reference:.2f} (target ≤ 2)")
    import_report()
    assessments(documents)
    lines = [findings.model_dump_json(exclude_defaults=True) for findings, _ in documents[:3000]]
    out = io.StringIO()
    start = time.perf_counter()
    run_assess("\n".join(lines), out, io.StringIO(), jsonl=True, guideline=default_guideline())
    elapsed = time.perf_counter() - start
    graded = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(graded) == len(lines)
    assert all(g["kind"] == "assessment" for g in graded), "a varied document failed to grade"
    print(
        f"\nJSON Lines: {len(lines)} varied documents in {elapsed:.2f} s = "
        f"{len(lines) / elapsed:,.0f} documents/s (validate + assess + serialise)"
    )


if __name__ == "__main__":
    main()
