"""The import rules of the layout: the clinical core at the bottom, transports at the top.

Read from the source with `ast` (no import runs), so a rule broken by a lazy import inside a
function is caught too.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What each part may import from the project (itself always). `dialogs.texts` holds the words;
# `dialogs.lazy` makes a package's lazy re-exports.
ALLOWED = {
    "dialogs.clinical": ("dialogs.clinical", "dialogs.texts", "dialogs.lazy"),
    "dialogs.report": (
        "dialogs.clinical",
        "dialogs.texts",
        "dialogs.lazy",
        "dialogs.chat.messages",
    ),
    "dialogs.training": (
        "dialogs.training",
        "dialogs.clinical",
        "dialogs.report",
        "dialogs.texts",
        "dialogs.lazy",
        "dialogs.chat.machines",
        "dialogs.chat.messages",
        "dialogs.chat.session",
    ),
    "dialogs.chat": (
        "dialogs.chat",
        "dialogs.clinical",
        "dialogs.report",
        "dialogs.training",
        "dialogs.texts",
        "dialogs.lazy",
    ),
    "dialogs.texts": (),
    "dialogs.lazy": (),
}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every project module a file imports, at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
            found |= {node.module, *names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m.split(".")[0] in ("dialogs", "bot")}


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


FILES = sorted((ROOT / "dialogs").rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_part_of_dialogs_imports_only_what_it_may(path: Path) -> None:
    """Clinical code imports no chat, report or training code; nothing in dialogs/ imports bot/."""
    module = _module(path)
    part = next((p for p in ALLOWED if _within(module, (p,))), None)
    if part is None:
        assert module in ("dialogs",), f"{module} is in no part of the layout"
        return
    # `from dialogs import texts` names the package and the module: the package alone is fine.
    wrong = sorted(
        m
        for m in _imports(path)
        if m != "dialogs" and not _within(m, ALLOWED[part]) and not _within(m, (part,))
    )
    assert wrong == [], f"{module} imports {wrong}"


def test_no_dialogs_module_imports_the_transports() -> None:
    """The core never imports bot/: the transports depend on it, never the reverse."""
    offenders = {_module(p): sorted(m for m in _imports(p) if m.startswith("bot")) for p in FILES}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_composition_root_and_command_line_import_telegram_transport() -> None:
    """bot.telegram is wired by bot.bootstrap (and run by bot.run); nothing else reaches it."""
    users = sorted(
        _module(p)
        for p in (ROOT / "bot").rglob("*.py")
        if not _module(p).startswith("bot.telegram")
        and any(m.startswith("bot.telegram") for m in _imports(p))
    )
    assert set(users) <= {"bot.bootstrap", "bot.run", "bot.__main__"}


PACKAGES = ("dialogs.clinical", "dialogs.chat", "dialogs.report", "bot.telegram")


@pytest.mark.parametrize("package", PACKAGES)
def test_each_part_re_exports_its_public_names(package: str) -> None:
    """Every name in a part's `__all__` is importable from the part itself, and is the object
    its module defines (not a copy)."""
    module = importlib.import_module(package)
    assert module.__all__
    for name in module.__all__:
        home = importlib.import_module(f"{package}.{module._WHERE[name]}")
        assert getattr(module, name) is getattr(home, name)


def test_importing_a_part_loads_none_of_its_modules() -> None:
    """The re-exports are lazy: `import dialogs.chat` alone loads no engine, no Telegram."""
    probe = "import sys, dialogs.chat, dialogs.clinical, dialogs.report, bot.telegram; " + (
        "print(sorted(m for m in sys.modules if m == 'telegram' or "
        "(m.startswith(('dialogs.', 'bot.')) and m.count('.') >= 2)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"
