"""Shared fixtures: the packaged guideline, loaded once."""

from __future__ import annotations

import pytest

from dialogs.guideline import Guideline, default_guideline


@pytest.fixture(scope="session")
def guideline() -> Guideline:
    """The packaged guideline ACLIN.P.088 v2.1."""
    return default_guideline()
