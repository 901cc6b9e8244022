"""A site's own guideline copy (GUIDELINE_DIR) is what the dialogs, the console and assess use.

The copy moves the ICE/CAPD age cut-off from 12 to 10 and rewords the first ICE task. Every
part is built from it by the composition root, so the routing, the age choices, the prompts and
the grading agree: an 11-year-old is routed to the ICE and the dialog finishes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from bot.bootstrap import Parts, bootstrap
from bot.settings import Settings
from dialogs.chat.messages import Event
from dialogs.chat.questions import Q
from tests.dialogs.client import DialogClient
from tests.packaged import PARTS

ROOT = Path(__file__).resolve().parents[2]
SITE_PROMPT = "Site wording: ask which year it is."
PACKAGED_PROMPT = "Ask: “What year is it?”"
CUTOFF = 10
# After the ICE: alert, then no seizure, no motor findings, no ICP signs, no imaging; no CRS.
ICANS_TAIL = ("alert", "none", "none", "none", "not done", "no")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packaged tables with the cut-off at 10 and the year question reworded."""
    folder = tmp_path_factory.mktemp("site") / "guideline"
    with resources.as_file(resources.files("dialogs.clinical.guideline") / "data") as packaged:
        shutil.copytree(packaged, folder)
    table = folder / "icans_grading.toml"
    text = table.read_text(encoding="utf-8")
    assert "age_below_years = 12" in text
    assert PACKAGED_PROMPT in text
    table.write_text(
        text.replace("age_below_years = 12", f"age_below_years = {CUTOFF}").replace(
            PACKAGED_PROMPT, SITE_PROMPT
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def parts(site: Path) -> Parts:
    """Every part built by the composition root from the site copy."""
    return bootstrap(Settings(guideline_dir=site))


def test_bootstrap_loads_the_site_copy(parts: Parts) -> None:
    """The guideline every part shares is the site's, not the packaged one."""
    assert parts.guideline.icans.paediatrics.age_below_years == CUTOFF
    assert parts.engine.guideline is parts.guideline
    assert PARTS.guideline.icans.paediatrics.age_below_years == 12


def test_an_eleven_year_old_is_routed_to_the_ice_and_the_dialog_finishes(parts: Parts) -> None:
    """Cut-off 10: age 11 asks the ICE (not the CAPD), with the site's prompt, and grades."""
    client = DialogClient(parts.engine, "icans")
    client.send("11")
    assert client.session.state == Q.ICE_ENTRY.value
    client.click("Guide me")
    assert client.session.state == Q.ICE_YEAR.value
    assert SITE_PROMPT in client.last.text
    assert PACKAGED_PROMPT not in client.last.text
    for label in ("Correct",) * 5 + ("3 of 3", "Correct", "Wrong"):
        client.click(label)
    client.answer(*ICANS_TAIL)
    assert client.session.state == Q.RESULT.value, [r.text for r in client.replies]
    assert "ICE 9/10" in client.result  # the result reply, marked as ending the dialog


def test_the_packaged_guideline_still_sends_an_eleven_year_old_to_the_capd() -> None:
    """The contrast: with the packaged cut-off (12) the same answer asks the CAPD."""
    client = DialogClient(PARTS.engine, "icans")
    client.send("11")
    assert client.session.state == Q.CAPD.value


def test_the_age_choices_name_the_site_cut_off(parts: Parts) -> None:
    """The age question's buttons are built from the site's cut-off."""
    session, replies = parts.engine.start("icans")
    labels = [o.label for o in replies[-1].options]
    assert f"Exactly {CUTOFF}" in labels
    assert f"Under {CUTOFF}" in labels
    session, _ = parts.engine.handle(session, Event.text("9"))
    assert session.state == Q.CAPD.value


def _env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_TOKEN"}
    return {**env, "GUIDELINE_DIR": str(site)}


def test_assess_grades_with_the_site_copy(site: Path) -> None:
    """`python -m bot assess` reads GUIDELINE_DIR: an 11-year-old's ICE is graded, not refused."""
    document = json.dumps(
        {"patient": {"age_years": 11}, "icans": {"ice_score": 8, "consciousness": "alert"}}
    )
    command = [sys.executable, "-m", "bot", "assess"]
    site_run = subprocess.run(
        command, input=document, capture_output=True, text=True, cwd=ROOT, env=_env(site),
        timeout=60, check=False,
    )  # fmt: skip
    assert site_run.returncode == 0, site_run.stderr
    assert json.loads(site_run.stdout)["icans"]["grade"] == 1
    packaged_env = {k: v for k, v in _env(site).items() if k != "GUIDELINE_DIR"}
    packaged_run = subprocess.run(
        command, input=document, capture_output=True, text=True, cwd=ROOT, env=packaged_env,
        timeout=60, check=False,
    )  # fmt: skip
    assert packaged_run.returncode == 2
    assert "capd_total" in packaged_run.stderr


def test_the_console_asks_the_site_prompt(site: Path) -> None:
    """`python -m bot` (console) with GUIDELINE_DIR: age 11 → guided ICE in the site's words."""
    typed = "\n".join(["5", "11", "guide"]) + "\n"
    run = subprocess.run(
        [sys.executable, "-m", "bot"], input=typed, capture_output=True, text=True, cwd=ROOT,
        env=_env(site), timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert SITE_PROMPT in run.stdout
    assert "CAPD" not in run.stdout.split("Age?")[-1]


def test_a_broken_site_copy_is_refused_in_one_line(site: Path, tmp_path: Path) -> None:
    """A site copy missing a table stops assess with a one-line guideline error, exit 2."""
    broken = tmp_path / "broken"
    shutil.copytree(site, broken)
    (broken / "hlh.toml").unlink()
    run = subprocess.run(
        [sys.executable, "-m", "bot", "assess"], input="{}", capture_output=True, text=True,
        cwd=ROOT, env=_env(broken), timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr == "error: guideline: hlh.toml: file is missing\n"


# Imports every module of the bot in a fresh interpreter, then counts the guidelines in memory.
_IMPORT_ALL = """
import gc, importlib, pkgutil
import bot, dialogs
from dialogs.clinical.guideline import Guideline
for package in (bot, dialogs):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
print(sum(isinstance(o, Guideline) for o in gc.get_objects()), *__import__("sys").modules)
"""


def test_no_module_loads_a_guideline_at_import() -> None:
    """Importing every module builds no Guideline: only bootstrap loads one, from the settings."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, cwd=ROOT,
        env=_env(ROOT), timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    guidelines, *modules = result.stdout.split()
    expected = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in ("bot", "dialogs")
        for path in (ROOT / package).rglob("*.py")
        if path.stem not in ("__init__", "__main__")
    }
    assert expected - set(modules) == set()  # the walk imported every module
    assert int(guidelines) == 0


def test_a_site_copy_without_an_ice_task_the_dialog_asks_is_refused(
    site: Path, tmp_path: Path
) -> None:
    """A copy whose ICE tasks lack one the dialog asks (id 'year') stops the bot in one line."""
    renamed = tmp_path / "renamed"
    shutil.copytree(site, renamed)
    table = renamed / "icans_grading.toml"
    table.write_text(
        table.read_text(encoding="utf-8").replace('id = "year"', 'id = "yr"'), encoding="utf-8"
    )
    run = subprocess.run(
        [sys.executable, "-m", "bot"], input="quit\n", capture_output=True, text=True,
        cwd=ROOT, env=_env(renamed), timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr == "error: guideline: icans_grading.toml: ice_task: no task with id 'year'\n"
    assert run.stdout == ""
