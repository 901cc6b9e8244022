"""The guideline ACLIN.P.088 v2.1 as validated data."""

from dialogs.clinical.guideline.loader import (
    Citation,
    Guideline,
    GuidelineError,
    default_guideline,
    load_guideline,
)

__all__ = ["Citation", "Guideline", "GuidelineError", "default_guideline", "load_guideline"]
