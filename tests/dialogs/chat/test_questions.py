"""Questions as data: every button names one choice, and stays the same from asking to asking."""

from __future__ import annotations

import pytest

from dialogs.chat.questions import Choice, Q, Question
from tests.packaged import PARTS


def test_two_choices_with_one_key_are_refused() -> None:
    """A tap names its choice by key: a question whose choices share one cannot be built."""
    with pytest.raises(ValueError, match="two choices share a key"):
        Question(
            id=Q.BP,
            kind="choice",
            key="bp",
            prompt="?",
            choices=(Choice("a", "A", 1), Choice("a", "Another A", 2)),
        )


@pytest.mark.parametrize("state", list(PARTS.engine.questions), ids=str)
def test_each_button_carries_its_own_choice_id_and_label(state: Q) -> None:
    """A question's button for a choice is that choice's: its id `<question>.<key>`, its label."""
    question = PARTS.engine.questions[state]
    for choice in question.choices:
        option = question.option(choice)
        assert option.id == f"{state.value}.{choice.key}"
        assert option.label == choice.label
