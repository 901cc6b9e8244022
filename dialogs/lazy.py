"""Lazy re-exports for a package's `__init__`: a public name is imported from its module on first
use, so importing the package loads none of its modules (start-up stays small, no cycles form)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["exports"]


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """The package's module-level `__getattr__`: each name in `where` from its module."""

    def attribute(name: str) -> Any:
        if name in where:
            return getattr(import_module(f"{package}.{where[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return attribute
