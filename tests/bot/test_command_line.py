"""The command line (`python -m bot`, `cart-bot`): subcommands, usage, and the default `run`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_TOKEN", "GUIDELINE_DIR")}


def bot(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` in a fresh interpreter, no token set."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=ROOT, env=_env(), timeout=60, check=False,
    )  # fmt: skip


def test_help_prints_usage_with_every_command_and_starts_nothing() -> None:
    """`--help` prints the usage naming run, assess and diagrams, and exits 0 (no console)."""
    for flag in ("--help", "-h"):
        result = bot(flag)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("usage: python -m bot ")
        for command in ("run", "assess", "diagrams"):
            assert f"\n    {command} " in result.stdout
        assert "Bye." not in result.stdout


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ("run", "TELEGRAM_TOKEN"),
        ("assess", "--jsonl"),
        ("diagrams", "directory"),
    ],
)
def test_each_command_has_its_own_usage(command: str, mentions: str) -> None:
    """`python -m bot COMMAND --help` prints that command's usage and exits 0."""
    result = bot(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m bot {command} ")
    assert mentions in result.stdout


def test_an_unknown_command_is_refused_with_the_choices() -> None:
    """A misspelt command exits 2 naming the commands there are, and runs nothing."""
    result = bot("asess")
    assert result.returncode == 2
    assert "invalid choice: 'asess'" in result.stderr
    assert "'run', 'assess', 'diagrams'" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [(), ("run",)])
def test_no_command_and_run_both_start_the_console_without_a_token(args: tuple[str, ...]) -> None:
    """`python -m bot` and `python -m bot run` with no token run the console dialog."""
    result = bot(*args, stdin="quit\n")
    assert result.returncode == 0, result.stderr
    assert "c. Full review: CRS + ICANS" in result.stdout
    assert result.stdout.rstrip().endswith("Bye.")


def test_diagrams_writes_one_file_per_dialog_and_an_index(tmp_path: Path) -> None:
    """`python -m bot diagrams DIR` writes the same files as docs/diagrams into DIR."""
    result = bot("diagrams", str(tmp_path))
    assert result.returncode == 0, result.stderr
    expected = sorted(p.name for p in (ROOT / "docs" / "diagrams").iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    for name in expected:
        assert (tmp_path / name).read_text() == (ROOT / "docs" / "diagrams" / name).read_text()


def test_the_installed_cart_bot_script_is_the_same_command_line() -> None:
    """The `cart-bot` entry point ([project.scripts]) prints the same usage under its name."""
    script = Path(sys.executable).with_name("cart-bot")
    if not script.exists():
        pytest.skip("cart-bot not installed: reinstall with pip install -e '.[test]'")
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, env=_env(), timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: cart-bot ")


# Runs the command in-process in a fresh interpreter, then reports which modules it loaded.
_LOADED = """
import json, sys
from bot.__main__ import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:  # --help exits through argparse
    code = stop.code
sys.stdout.flush()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str, stdin: str = "") -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _LOADED, *args], input=stdin, capture_output=True, text=True,
        cwd=ROOT, env=_env(), timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    modules: list[str] = json.loads(result.stderr.splitlines()[-1])
    return set(modules)


def _under(modules: set[str], *packages: str) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)}


def test_the_console_never_imports_telegram() -> None:
    """Start-up loads only what the command needs: the console runs without python-telegram-bot."""
    modules = _loaded(stdin="quit\n")
    assert "dialogs.chat.engine" in modules  # the console did run the dialogs
    assert _under(modules, "telegram", "httpx", "bot.telegram.app", "bot.store") == set()


def test_assess_imports_neither_telegram_nor_the_dialogs_nor_the_case_bank() -> None:
    """`assess` grades without Telegram, the chat engine, the questions or the training bank."""
    document = json.dumps({"crs": {"max_temperature": {"value": 39.0}}})
    modules = _loaded("assess", stdin=document)
    assert "dialogs.clinical.assessment" in modules  # it did grade
    unwanted = ("telegram", "dialogs.training", "dialogs.chat.engine", "dialogs.chat.questions")
    assert _under(modules, *unwanted, "dialogs.chat.flows", "transitions") == set()


def test_help_loads_no_part_of_the_bot() -> None:
    """`--help` needs only argparse: no guideline, no dialogs, no settings."""
    modules = _loaded("--help")
    assert "argparse" in modules
    assert _under(modules, "dialogs", "pydantic", "bot.settings") == set()
