"""Benchmark start-up as whole processes, import costs, one assessment, and JSON Lines throughput.

Start-up is timed from spawning a fresh interpreter to the point a user gets something:
`python -m bot assess` on one document (to exit), and the console (`python -m bot` without
TELEGRAM_TOKEN, through a pipe) to its first prompt; both against `python -c "import telegram.ext"`.
Import costs come from `python -X importtime`. Assessments use random, valid documents whose
grades vary (CRS 0-4, ICANS 0-4, HLH), so no memo serves a repeat and every branch is timed.

Run: .venv/bin/python benchmarks/bench_assess.py   (under a minute; --runs for more start-ups)
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
from dialogs.clinical.assessment import Assessment, assess  # noqa: E402
from dialogs.clinical.findings import Findings  # noqa: E402
from dialogs.clinical.grading import FindingsError  # noqa: E402
from dialogs.clinical.guideline import default_guideline  # noqa: E402

PROMPT = b"> "
# Findings by the severity they aim at (ASTCT 2019); the printed grades say what they got.
PRIOR = ["antipyretic", "tocilizumab", "steroids"]
PRESSORS = ["noradrenaline", "adrenaline", "dopamine", "phenylephrine", "vasopressin"]
OXYGEN = {
    2: ("nasal_cannula", "blow_by"),
    3: ("nasal_cannula", "high_flow_nasal_cannula", "facemask", "non_rebreather", "venturi"),
    4: ("cpap", "bipap", "mechanical_ventilation"),
}
CONSCIOUSNESS = {
    0: ("alert",),
    1: ("alert", "wakes_spontaneously"),
    2: ("alert", "wakes_spontaneously", "wakes_to_voice"),
    3: ("wakes_spontaneously", "wakes_to_voice", "wakes_to_touch"),
    4: ("wakes_to_touch", "unarousable"),
}
SEIZURES = {3: ("brief_clinical", "eeg_resolved"), 4: ("status_nonconvulsive", "status_convulsive")}
ICE = {0: (10, 10), 1: (7, 9), 2: (3, 6), 3: (0, 2), 4: (0, 2)}
CAPD = {0: (0, 0), 1: (1, 8), 2: (1, 8), 3: (9, 20), 4: (9, 32)}
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
        'python -c "import bot.telegram.app"': lambda: run_to_exit(
            ["-c", "import bot.telegram.app"]
        ),
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


def package(name: str) -> str:
    """A module's package: the top-level name (`_asyncio` counts as asyncio), or one level
    deeper for our own packages."""
    parts = name.split(".")
    if parts[0] in ("bot", "dialogs"):
        return ".".join(parts[:2])
    top = parts[0]
    return top[1:] if top.startswith("_") and not top.startswith("__") else top


def by_package(rows: list[tuple[int, int, int, str]], top: int) -> list[tuple[str, float, int]]:
    """(package, own ms, modules), largest first."""
    groups: dict[str, list[int]] = defaultdict(list)
    for own, _, _, name in rows:
        groups[package(name)].append(own)
    ranked = sorted(groups.items(), key=lambda item: -sum(item[1]))
    return [(name, sum(values) / 1000, len(values)) for name, values in ranked[:top]]


def entries(rows: list[tuple[int, int, int, str]]) -> dict[str, tuple[float, str]]:
    """Per package: the cumulative ms where it was first entered, and who imported it there.

    -X importtime lists a module after everything it imported, so a module's importer is the
    next row with a smaller depth. Cumulative time includes whatever the package pulled in first.
    """
    found: dict[str, tuple[float, str]] = {}
    for index, (_, total, depth, name) in enumerate(rows):
        parent = next((r[3] for r in rows[index + 1 :] if r[2] < depth), None)
        if parent is not None and package(parent) == package(name):
            continue
        ms, importer = found.get(package(name), (0.0, ""))
        found[package(name)] = (ms + total / 1000, importer or (parent or "-"))
    return found


CONSOLE = "console start-up (python -m bot, no token, input closed)"
ASSESS = "python -m bot assess --schema"
# What each start-up can do without before its first prompt or output. The console needs the
# engine and the guideline, not Telegram, HTTP, SQLite, logging set-up, pydantic-settings (two
# environment variables), asyncio, the PNG chart or the training case bank (only /train reads
# it); `assess` needs the guideline, findings, grading and advice, none of the dialogs.
NOT_NEEDED = {
    CONSOLE: (
        "telegram", "httpx", "httpcore", "anyio", "h11", "sqlite3", "asyncio", "logging",
        "pydantic_settings", "dotenv", "bot.telegram.app", "bot.store", "bot.telegram.progress",
        "bot.service", "bot.logs", "dialogs.training",
    ),
    ASSESS: (
        "telegram", "httpx", "sqlite3", "asyncio", "pydantic_settings", "dotenv", "transitions",
        "dialogs.chat.engine", "dialogs.chat.flows", "dialogs.chat.questions", "dialogs.training",
        "dialogs.chat.machines", "dialogs.report.handover", "dialogs.report.result", "bot.settings",
    ),
}  # fmt: skip


def import_report() -> None:
    """Import time of bot.telegram.app against telegram.ext, and what each start-up loads."""
    baseline = {row[3] for row in importtime(["-c", "pass"])}
    commands = {
        "import telegram.ext": ["-c", "import telegram.ext"],
        "import bot.telegram.app": ["-c", "import bot.telegram.app"],
        CONSOLE: ["-m", "bot"],
        ASSESS: ["-m", "bot", "assess", "--schema"],
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
    rows = measured["import bot.telegram.app"]
    extra = [row for row in rows if row[3] not in telegram_modules]
    print(
        f"\nimport bot.telegram.app: own import time by package ({total_ms(rows):.1f} ms in all; "
        f"beyond telegram.ext: {sum(r[0] for r in extra) / 1000:.1f} ms in {len(extra)} modules)"
    )
    for name, ms, count in by_package(rows, 12):
        print(f"  {name:32} {ms:7.1f} ms  {count:4d} modules")
    for label in (CONSOLE, ASSESS):
        found = entries(measured[label])
        print(f"\n{label}: packages by cumulative time where first imported, and by whom")
        for name, (ms, importer) in sorted(found.items(), key=lambda item: -item[1][0])[:12]:
            print(f"  {name:32} {ms:7.1f} ms  ← {importer}")
        unneeded = [(name, found[name]) for name in NOT_NEEDED[label] if name in found]
        listed = ", ".join(f"{name} {ms:.1f} ms (← {who})" for name, (ms, who) in unneeded)
        print(f"  loaded though not needed for this start-up: {listed or 'none'}")


# --- assessments with varied grades ---


def crs_findings(rng: random.Random, severity: int) -> dict[str, Any]:
    """CRS findings that aim at a grade (0-4); the benchmark prints the grades they got."""
    fever = severity > 0 or rng.random() < 0.1
    crs: dict[str, Any] = {
        "max_temperature": {"value": round(rng.uniform(38.0, 41.2) if fever else 37.4, 1)},
        "prior_treatment": rng.sample(PRIOR, rng.choice((0, 0, 1, 2))),
    }
    pressure, oxygen = (
        (severity, rng.randint(0, severity))
        if rng.random() < 0.5
        else (
            rng.randint(0, severity),
            severity,
        )
    )
    if pressure == 2:
        crs["hypotension"] = "fluids"
    elif pressure >= 3:
        crs["hypotension"] = "vasopressors"
        crs["vasopressors"] = rng.sample(PRESSORS, 1 if pressure == 3 else rng.randint(2, 3))
    device = rng.choice(OXYGEN[oxygen]) if oxygen >= 2 else "none"
    crs["oxygen"] = device
    if device == "nasal_cannula":
        crs["oxygen_flow_l_min"] = rng.choice((1, 2, 4, 6) if oxygen == 2 else (8, 10, 15))
    return crs


def icans_findings(rng: random.Random, severity: int, child: bool) -> dict[str, Any]:
    """ICANS findings (ICE for adults, CAPD for children) that aim at a grade (0-4)."""
    icans: dict[str, Any] = {
        "consciousness": rng.choice(CONSCIOUSNESS[severity]),
        "motor": "tremor_or_myoclonus" if rng.random() < 0.2 else "none",
        "imaging": rng.choice(("not_done", "no_oedema")),
    }
    if severity >= 3 and rng.random() < 0.4:
        icans["seizure"] = rng.choice(SEIZURES[severity])
    if severity == 3 and rng.random() < 0.3:
        icans["imaging"] = "focal_oedema"
    if severity == 4:
        extra = rng.choice(("motor", "imaging", "icp", "none"))
        if extra == "motor":
            icans["motor"] = "focal_weakness"
        elif extra == "imaging":
            icans["imaging"] = "diffuse_oedema"
        elif extra == "icp":
            icans["icp_signs"] = [rng.choice(("cranial_nerve_vi_palsy", "posturing"))]
    if child:
        icans["tool"] = "capd"
        icans["capd_total"] = rng.randint(*CAPD[severity])
    else:
        icans["ice_score"] = rng.randint(*ICE[severity])
    return icans


def random_document(rng: random.Random) -> dict[str, Any]:
    """A findings document across the whole range: CRS, ICANS, both, or an HLH screen."""
    child = rng.random() < 0.15
    given = rng.randint(0, 1)
    document: dict[str, Any] = {
        "patient": {
            "weight": {"value": round(rng.uniform(10 if child else 40, 130), 1)},
            "age_years": rng.randint(1, 11) if child else rng.randint(18, 85),
        },
        "tocilizumab_doses": {"last_24h": given, "total": given + rng.randint(0, 2)},
    }
    parts = rng.choice((("crs",), ("icans",), ("crs", "icans"), ("crs", "icans"), ("hlh",)))
    if "crs" in parts:
        document["crs"] = crs_findings(rng, rng.randint(0, 4))
    if "icans" in parts:
        document["icans"] = icans_findings(rng, rng.randint(0, 4), child)
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
