"""`python -m bot assess`: grade findings documents (JSON or JSON Lines) headlessly."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from dialogs.clinical.assessment import Assessment, assess
from dialogs.clinical.findings import Findings
from dialogs.clinical.grading import FindingsError
from dialogs.clinical.guideline import Guideline

__all__ = ["main", "print_schema", "run_assess", "schema"]

EXIT_BAD_INPUT = 2


def _field_error(error: ValidationError) -> str:
    """One line naming the first bad field and what is accepted."""
    first = error.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "document"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "required"
    elif first["type"] == "extra_forbidden":
        message = "not a known field (see --schema)"
    return f"{loc}: {message}"


def _grade_one(text: str, guideline: Guideline) -> Assessment:
    """Validate one JSON document and assess it; raise ValueError with a one-line message."""
    try:
        findings = Findings.model_validate_json(text)
    except ValidationError as error:
        if error.errors()[0]["type"] == "json_invalid":
            raise ValueError(f"input: not valid JSON: {error.errors()[0]['msg']}") from None
        raise ValueError(_field_error(error)) from None
    try:
        return assess(findings, guideline)
    except FindingsError as error:
        raise ValueError(str(error)) from None


def schema() -> dict[str, object]:
    """The JSON Schemas of the input and the output, generated from the pydantic models."""
    return {
        "input": Findings.model_json_schema(),
        "output": Assessment.model_json_schema(),
    }


def run_assess(
    text: str,
    out: IO[str],
    err: IO[str],
    guideline: Guideline,
    jsonl: bool | None = None,
) -> int:
    """Assess one JSON document or a JSON Lines stream; return the exit code."""
    if jsonl is None:
        try:
            json.loads(text)
            jsonl = False
        except json.JSONDecodeError as error:
            jsonl = error.msg == "Extra data"
    if not jsonl:
        try:
            result = _grade_one(text, guideline)
        except ValueError as error:
            err.write(f"error: {error}\n")
            return EXIT_BAD_INPUT
        out.write(result.model_dump_json(indent=2) + "\n")
        return 0
    failures = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.write(_grade_one(line, guideline).model_dump_json() + "\n")
        except ValueError as error:
            failures += 1
            out.write(json.dumps({"kind": "error", "line": number, "error": str(error)}) + "\n")
    if failures:
        err.write(f"error: {failures} line(s) could not be graded; see their error lines\n")
        return EXIT_BAD_INPUT
    return 0


def print_schema(out: IO[str]) -> int:
    """Print the input and output JSON Schemas; return the exit code."""
    out.write(json.dumps(schema(), indent=2) + "\n")
    return 0


def main(guideline: Guideline, file: Path | None = None, jsonl: bool = False) -> int:
    """Grade the findings in a file (or standard input) and print the assessment."""
    try:
        text = file.read_text(encoding="utf-8") if file is not None else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as error:
        sys.stderr.write(f"error: cannot read input: {error}\n")
        return EXIT_BAD_INPUT
    if not text.strip():
        sys.stderr.write("error: input: empty; give a findings document (see --schema)\n")
        return EXIT_BAD_INPUT
    return run_assess(text, sys.stdout, sys.stderr, guideline, jsonl=True if jsonl else None)
