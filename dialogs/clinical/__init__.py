"""The clinical core: the guideline as validated data, findings and units, ASTCT grading, doses,
the care plan and the assessment that joins them. Imports nothing from the chat or transports.

Public names are re-exported here lazily: importing the package loads none of its modules (the
console and `assess` start without what they do not use, and no import cycle can form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogs.lazy import exports

if TYPE_CHECKING:
    from dialogs.clinical.assessment import Assessment, assess
    from dialogs.clinical.careplan import CarePlan, build_plan
    from dialogs.clinical.findings import Findings
    from dialogs.clinical.guideline import Guideline, load_guideline

__all__ = [
    "Assessment",
    "CarePlan",
    "Findings",
    "Guideline",
    "assess",
    "build_plan",
    "load_guideline",
]

_WHERE = {
    "Assessment": "assessment",
    "assess": "assessment",
    "CarePlan": "careplan",
    "build_plan": "careplan",
    "Findings": "findings",
    "Guideline": "guideline",
    "load_guideline": "guideline",
}

__getattr__ = exports(__name__, _WHERE)
