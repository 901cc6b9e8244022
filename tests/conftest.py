"""Shared fixtures: the packaged guideline and the parts built from it, once."""

from __future__ import annotations

import pytest

from dialogs.chat.engine import DialogEngine
from dialogs.clinical.guideline import Guideline
from tests.packaged import PARTS


@pytest.fixture(scope="session")
def guideline() -> Guideline:
    """The packaged guideline ACLIN.P.088 v2.1."""
    return PARTS.guideline


@pytest.fixture(scope="session")
def engine() -> DialogEngine:
    """One engine over the packaged guideline, as in production: machines built once."""
    return PARTS.engine
