"""The guideline tables load, every row is cited, and broken files are rejected clearly."""

from __future__ import annotations

import ast
import re
import shutil
import tomllib
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from dialogs.clinical.findings import IceItems
from dialogs.clinical.guideline import Guideline, GuidelineError, load_guideline
from dialogs.clinical.guideline.loader import FILES

DATA = Path(str(resources.files("dialogs.clinical.guideline") / "data"))
ROOT = Path(__file__).resolve().parents[3]


def _rows(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every table in a TOML document that looks like a row (has any key but is not the root)."""
    if isinstance(node, dict):
        if where and not all(isinstance(v, dict | list) for v in node.values()):
            yield where, node
        for key, value in node.items():
            yield from _rows(value, f"{where}.{key}" if where else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, dict):
                yield from _rows(value, f"{where}[{index}]")


def test_the_packaged_guideline_loads_and_names_its_version(guideline: Guideline) -> None:
    """The packaged tables validate, and results will show ACLIN.P.088 v2.1."""
    assert guideline.version == "ACLIN.P.088 v2.1"


def test_every_table_of_the_guideline_has_a_data_file() -> None:
    """One data file per guideline table, as the issue lists them."""
    assert set(FILES) == {p.name for p in DATA.glob("*.toml")}
    assert len(FILES) == 11


@pytest.mark.parametrize("name", sorted(set(FILES) - {"sources.toml"}))
def test_every_row_is_cited(name: str) -> None:
    """Every row of every data file names a known source and a table or section."""
    sources = {s["id"] for s in tomllib.loads((DATA / "sources.toml").read_text())["source"]}
    raw = tomllib.loads((DATA / name).read_text())
    rows = list(_rows(raw, ""))
    assert rows
    for where, row in rows:
        assert row.get("source") in sources, f"{name} {where} has no known source"
        assert str(row.get("section", "")).strip(), f"{name} {where} has no section"


def test_ice_tasks_match_the_ice_items_model(guideline: Guideline) -> None:
    """The ICE tasks in the data are exactly the fields of IceItems, 10 points in all."""
    tasks = {t.id: t.points for t in guideline.icans.ice_tasks}
    assert set(tasks) == set(IceItems.model_fields)
    assert sum(tasks.values()) == 10
    assert tasks["naming"] == 3


def test_every_correction_of_the_sources_is_listed_in_the_docs(guideline: Guideline) -> None:
    """docs/discrepancies.md lists all ten corrections of clinical-rules.md §7."""
    text = (ROOT / "docs" / "discrepancies.md").read_text()
    for number in range(1, 11):
        assert re.search(rf"^\| {number} \|", text, re.MULTILINE), f"correction {number} missing"


def test_dialogs_never_import_telegram_or_bot() -> None:
    """The clinical core and dialogs stay transport-free."""
    for path in (ROOT / "dialogs").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"telegram", "bot", "sqlite3", "httpx"}, path


# --- broken files ---

Edit = Callable[[str], str]


def _broken(tmp_path: Path, name: str, edit: Edit) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    path = target / name
    path.write_text(edit(path.read_text()))
    return target


@pytest.mark.parametrize(
    ("name", "edit", "expected"),
    [
        (
            "icans_grading.toml",
            lambda s: s.replace("low = 3\nhigh = 6", "low = 4\nhigh = 6"),
            r"icans_grading\.toml: .*ice_band.*no band for score\(s\) 3",
        ),
        (
            "crs_management.toml",
            lambda s: s.replace('regimens = ["anakinra"]', 'regimens = ["siltuximab"]', 1),
            r"crs_management\.toml: item\[\d+\] \(crs3_anakinra\): regimen 'siltuximab' is not",
        ),
        (
            "drugs.toml",
            lambda s: s.replace('drug = "etoposide"', 'drug = "etopside"'),
            r"drugs\.toml: .*regimen\[\d+\] \(etoposide\): drug 'etopside' is not in the drug",
        ),
        (
            "crs_management.toml",
            lambda s: s.replace('source = "aclin"\nsection = "Table 2, grade 3"\n', "", 1),
            r"crs_management\.toml: item\[\d+\] \(crs3_icu\)\.source: Field required",
        ),
        (
            "hlh.toml",
            lambda s: s.replace('source = "aclin"', 'source = "wikipedia"', 1),
            r"hlh\.toml: criteria: source 'wikipedia' is not in sources\.toml",
        ),
        (
            "crs_grading.toml",
            lambda s: s.replace('id = "dopamine"', 'id = "dobutamine"'),
            r"crs_grading\.toml: vasopressor\[2\] \(dobutamine\)\.id: Input should be 'norad",
        ),
        (
            "crs_grading.toml",
            lambda s: s.replace('level = "fluids"\ngrade = 2', 'level = "fluids"\ngrade = 3'),
            r"crs_grading\.toml: .*no row for grade\(s\) 2",
        ),
        (
            "icans_management.toml",
            lambda s: s.replace("grades = [3]\n", "grades = [6]\n", 1),
            r"icans_management\.toml: item\[1\] \(icans3_icu\): grade 6 outside 1–4",
        ),
        (
            "status_epilepticus.toml",
            lambda s: s.replace('kind = "drug"', 'kind = "magic"', 1),
            r"status_epilepticus\.toml: item\[1\] \(ncse_lorazepam\)\.kind: Input should be",
        ),
        (
            "icans_grading.toml",
            lambda s: s.replace('id = "naming"\npoints = 3', 'id = "naming"\npoints = 2'),
            r"icans_grading\.toml: .*points add up to 9, not 10",
        ),
        ("sources.toml", lambda s: s + "\n[[source\n", r"sources\.toml: not valid TOML"),
        (
            "drugs.toml",
            lambda s: s.replace("cap = 800", "cap = 800\nmax_cap = 900"),
            r"drugs\.toml: regimen\[0\] \(tocilizumab\)\.max_cap: Extra inputs",
        ),
    ],
    ids=[
        "ice-gap",
        "unknown-regimen",
        "unknown-drug",
        "missing-citation",
        "unknown-source",
        "unknown-vasopressor",
        "hypotension-grade-gap",
        "grade-out-of-range",
        "unknown-kind",
        "ice-points",
        "bad-toml",
        "unknown-field",
    ],
)
def test_broken_data_files_are_rejected_with_file_row_and_problem(
    tmp_path: Path, name: str, edit: Edit, expected: str
) -> None:
    """A malformed or inconsistent table stops loading with a message naming file, row, problem."""
    directory = _broken(tmp_path, name, edit)
    assert (directory / name).read_text() != (DATA / name).read_text(), "the edit must bite"
    with pytest.raises(GuidelineError, match=expected):
        load_guideline(directory)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    """A site protocol directory missing a table is rejected naming the file."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    (target / "raised_icp.toml").unlink()
    with pytest.raises(GuidelineError, match=r"raised_icp\.toml: file is missing"):
        load_guideline(target)


def test_a_site_can_load_its_own_copy(tmp_path: Path) -> None:
    """An unchanged copy of the tables loads from another directory with the same content."""
    target = tmp_path / "site"
    shutil.copytree(DATA, target)
    assert load_guideline(target).crs == load_guideline().crs
