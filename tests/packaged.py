"""The packaged guideline's parts, built once through the composition root, shared by tests."""

from __future__ import annotations

from bot.bootstrap import Parts, bootstrap
from bot.settings import Settings

# The same path as production (bootstrap), with the packaged tables whatever the environment says.
PARTS: Parts = bootstrap(Settings(guideline_dir=None))
