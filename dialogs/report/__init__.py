"""What a doctor reads of an assessment: the result message and the handover.

Public names are re-exported here lazily: importing the package loads none of its modules (the
console and `assess` start without what they do not use, and no import cycle can form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogs.lazy import exports

if TYPE_CHECKING:
    from dialogs.report.result import render_assessment

# `handover` is not re-exported: the name is its module's, which Python sets on the package.
__all__ = ["render_assessment"]

_WHERE = {
    "render_assessment": "result",
}

__getattr__ = exports(__name__, _WHERE)
