"""`python -m bot assess` run as a real subprocess: JSON, JSON Lines, --schema, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m bot assess ARGS` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "assess", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


DOCUMENT = {
    "patient": {"weight": {"value": 242.5, "unit": "lb"}},
    "tocilizumab_doses": {"last_24h": 0, "total": 1},
    "crs": {
        "max_temperature": {"value": 39.8},
        "hypotension": "vasopressors",
        "vasopressors": ["noradrenaline", "phenylephrine"],
        "oxygen": "cpap",
    },
    "icans": {"ice_score": 9, "consciousness": "alert", "icp_signs": ["papilloedema"]},
}


def test_a_single_document_prints_the_whole_assessment() -> None:
    """One JSON document in: grades by domain, the ICE score, and the care plan with doses."""
    done = run(stdin=json.dumps(DOCUMENT))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["schema_version"] == 2
    assert result["guideline"] == "ACLIN.P.088 v2.1"
    assert result["crs"]["grade"] == 4
    assert result["icans"]["grade"] == 4
    assert result["ice_score"] == 9
    assert result["capd_total"] is None
    domains = {d["name"]: d["grade"] for d in result["crs"]["domains"]}
    assert domains == {"fever": 1, "hypotension": 4, "hypoxia": 4}
    plan = result["plan"]
    assert plan["now"][0]["kind"] == "escalation"
    toci = [d for s in plan["now"] for d in s["doses"] if d["regimen"] == "tocilizumab"]
    assert len(toci) == 1, "one tocilizumab order"
    assert toci[0]["low"] == 800
    assert toci[0]["capped"] is True
    assert "Weight 242.5 lb = 110 kg" in result["patient"]
    steps = [*plan["now"], *plan["then"], *plan["care"], *plan["checks"], *plan["monitoring"]]
    assert all(c["section"] for s in steps for c in s["citations"])


def test_a_file_argument_is_read(tmp_path: Path) -> None:
    """The findings can come from a file instead of standard input."""
    path = tmp_path / "findings.json"
    path.write_text(json.dumps({"crs": {"max_temperature": {"value": 38.4}}}))
    done = run(str(path))
    assert done.returncode == 0
    assert json.loads(done.stdout)["crs"]["headline"] == "CRS grade 1"


def test_json_lines_give_one_result_per_line() -> None:
    """A JSON Lines stream is graded line by line, one result line each."""
    temps = [37.9, 38.0, 38.4, 36.5]
    stream = "\n".join(json.dumps({"crs": {"max_temperature": {"value": t}}}) for t in temps)
    done = run(stdin=stream + "\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [json.loads(line)["crs"]["grade"] for line in lines] == [0, 1, 1, 0]


def test_a_bad_line_in_json_lines_is_reported_and_the_rest_graded() -> None:
    """One bad line gives an error line and exit 2; the good lines are still graded."""
    stream = "\n".join(
        [
            json.dumps({"crs": {"max_temperature": {"value": 38.4}}}),
            json.dumps({"crs": {"max_temperature": {"value": 60}}}),
            json.dumps({"crs": {"max_temperature": {"value": 39}}}),
        ]
    )
    done = run("--jsonl", stdin=stream)
    assert done.returncode == 2
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["kind"] for r in results] == ["assessment", "error", "assessment"]
    assert results[1]["line"] == 2
    assert "25–46 °C" in results[1]["error"]


def test_schema_describes_input_and_output() -> None:
    """--schema prints the JSON Schemas generated from the pydantic models."""
    done = run("--schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["input"]["title"] == "Findings"
    assert schema["output"]["title"] == "Assessment"
    devices = schema["input"]["$defs"]["OxygenDevice"]["enum"]
    assert "high_flow_nasal_cannula" in devices


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (
            '{"crs": {"max_temperature": {"value": 60}}}',
            "crs.max_temperature: Temperature must be 25–46 °C (77–114.8 °F)",
        ),
        (
            '{"crs": {"max_temperature": {"value": 38}, "oxygen": "tent"}}',
            "crs.oxygen: Input should be 'none', 'blow_by'",
        ),
        ('{"crs": {}}', "crs.max_temperature: required"),
        (
            '{"crs": {"max_temperature": {"value": 38}, "name": "J Smith"}}',
            "crs.name: not a known field",
        ),
        (
            '{"icans": {"ice_score": 8, "consciousness": "alert", "tool": "ice"}, '
            '"patient": {"age_years": 11}}',
            "icans.tool: children under 12 are graded with the CAPD",
        ),
        (
            '{"icans": {"ice_score": 4, "consciousness": "alert"}, "patient": {"age_years": 12}}',
            "at exactly 12 years say which tool",
        ),
        ("{}", "give at least one of crs, icans, hlh"),
        ("[1, 2]", "document"),
        ("{not json", "input: not valid JSON"),
        ("", "input: empty"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(stdin: str, message: str) -> None:
    """Bad input: exit code 2, one line on stderr naming the field and what is accepted."""
    done = run(stdin=stdin)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert message in done.stderr
