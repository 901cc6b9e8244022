"""One patient context per chat: what earlier dialogs learnt, offered (never reused silently).

The context holds clinical facts only (weight, height, age, tocilizumab doses, the latest ICE or
CAPD score, the grades), each as the answer a question takes, so that "Use" fills answers and the
dialog routes over them as if they had been typed. Times come from the events (`Event.at`,
"YYYY-MM-DD HH:MM ..."); nothing here reads a clock.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from dialogs import texts
from dialogs.chat.flows.answers import patient_of, unarousable
from dialogs.chat.questions import ICE_STATES, Question, ice_score
from dialogs.chat.session import Answer, PatientContext, Score
from dialogs.clinical.units import fmt

__all__ = [
    "TOCI_KEYS",
    "answer_words",
    "clock",
    "describe",
    "fillable",
    "patient_line",
    "score_of",
    "updated",
]

Answers = Mapping[str, Answer]
TOCI_KEYS = ("toci_24h", "toci_total", "toci_hours")
_AT = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})")
_STAMP = "%Y-%m-%d %H:%M"
_UNIT_LABELS = {"C": "°C", "F": "°F"}
# Hours since the last dose that the question accepts (Q.TOCI_LAST's bounds).
_MAX_HOURS = 240.0


def _parsed(at: str | None) -> datetime | None:
    """The time an event carries, if it carries one in the usual form."""
    match = _AT.search(at or "")
    if match is None:
        return None
    try:
        year, month, day, hour, minute = (int(part) for part in match.groups())
        # Naive on purpose: the transport's local time, as shown to the doctor.
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def clock(at: str | None) -> str | None:
    """'03:10' from an event's time, or None when it has none."""
    when = _parsed(at)
    return when.strftime("%H:%M") if when is not None else None


def _measure(answer: Answer) -> str:
    if isinstance(answer, dict):
        unit = str(answer.get("unit", ""))
        return f"{fmt(float(answer['value']))} {_UNIT_LABELS.get(unit, unit)}".strip()
    return str(answer)


def score_of(answers: Answers) -> Score | None:
    """The ICE or CAPD score these answers gave (typed or guided), keyed by the answer it fills."""
    capd = answers.get("capd_total")
    if isinstance(capd, int | str) and not isinstance(capd, bool):
        return Score(key="capd_total", value=capd)
    score = ice_score(answers)
    if score is not None:
        return Score(key="ice_score", value=score)
    ice_keys = ("ice_score", *(f"ice.{s.value}" for s in ICE_STATES))
    if unarousable({k: answers[k] for k in ice_keys if k in answers}):
        return Score(key="ice_score", value="unarousable")
    return None


def score_words(score: Score) -> str:
    """'ICE 7', 'CAPD 10', 'ICE: cannot be woken'."""
    tool = texts.CTX_TOOL[score.key]
    if score.value == "unarousable":
        return texts.CTX_SCORE_UNAROUSABLE.format(tool=tool)
    return texts.CTX_SCORE.format(tool=tool, score=score.value)


def fillable(context: PatientContext, at: str | None) -> dict[str, Answer]:
    """Every answer the context can give, as the questions take them, at the time `at`."""
    fill: dict[str, Answer] = {}
    for key in ("weight", "height", "age_years", "toci_24h", "toci_total"):
        value = getattr(context, key)
        if value is not None:
            fill[key] = value
    last, now = _parsed(context.toci_last), _parsed(at)
    if last is not None and now is not None and "toci_24h" in fill:
        hours = round((now - last).total_seconds() / 3600, 1)
        if 0 <= hours <= _MAX_HOURS:
            fill["toci_hours"] = hours
    if context.score is not None:
        fill[context.score.key] = context.score.value
    if context.crs_grade is not None:
        fill["concurrent_crs"] = context.crs_grade >= 1
    return fill


def describe(context: PatientContext, keys: Collection[str]) -> str:
    """The facts behind these answer keys, in words: '70 kg · ICE 7 at 03:10'."""
    parts: list[str] = []
    if "weight" in keys and context.weight is not None:
        parts.append(_measure(context.weight))
    if "height" in keys and context.height is not None:
        parts.append(_measure(context.height))
    if "age_years" in keys and context.age_years is not None:
        parts.append(_age(context.age_years))
    if "toci_24h" in keys:
        parts.append(_toci(context))
    if context.score is not None and context.score.key in keys:
        parts.append(_at(score_words(context.score), context.score.at))
    if "concurrent_crs" in keys and context.crs_grade is not None:
        words = texts.CTX_GRADE.format(toxicity="CRS", grade=context.crs_grade)
        parts.append(_at(words, context.crs_at))
    return texts.CTX_JOIN.join(parts)


def _at(words: str, at: str | None) -> str:
    time = clock(at)
    return texts.CTX_AT.format(what=words, time=time) if time else words


def _age(age: int | str) -> str:
    if isinstance(age, int):
        return texts.CTX_AGE.format(age=age)
    return texts.CTX_AGE_WORDS.get(age, str(age))


def _toci(context: PatientContext) -> str:
    words = texts.CTX_TOCI.format(day=context.toci_24h, total=context.toci_total)
    last = clock(context.toci_last)
    if last is not None:
        words += texts.CTX_TOCI_LAST.format(time=last)
    elif context.toci_at is not None:
        words = _at(words, context.toci_at)
    return words


def updated(
    context: PatientContext | None,
    answers: Answers,
    reused: Collection[str],
    grades: Mapping[str, int | None],
    at: str | None,
) -> PatientContext:
    """The context after a result: what this dialog was told replaces what was known.

    Reused answers keep their original time (an ICE taken at 03:10 stays 'at 03:10').
    """
    fields: dict[str, Any] = context.model_dump() if context is not None else {}
    for key in ("weight", "height", "age_years"):
        if answers.get(key) is not None and key not in reused:
            fields[key] = answers[key]
    size = answers.get("patient_size")  # an emergency entry's weight
    if isinstance(size, dict) and answers.get("weight") is None:
        fields["weight"] = size
    _, doses = patient_of(answers)
    if doses is not None and "toci_24h" not in reused:
        fields["toci_24h"], fields["toci_total"] = doses.last_24h, doses.total
        fields["toci_at"] = at
        now = _parsed(at)
        last = None
        if doses.hours_since_last is not None and now is not None:
            last = (now - timedelta(hours=doses.hours_since_last)).strftime(_STAMP)
        fields["toci_last"] = last
    score = score_of(answers)
    if score is not None and score.key not in reused:
        fields["score"] = score.model_copy(update={"at": at})
    for name, field in (("CRS", "crs"), ("ICANS", "icans")):
        if grades.get(name) is not None:
            fields[f"{field}_grade"], fields[f"{field}_at"] = grades[name], at
    return PatientContext.model_validate(fields)


def patient_line(
    answers: Answers, reused: Collection[str], context: PatientContext | None = None
) -> str | None:
    """'Patient: 70 kg (reused) · ICE 7 at 03:10 (reused)': the facts this result used."""
    parts: list[str] = []

    def add(key: str, words: str) -> None:
        parts.append(texts.CTX_REUSED.format(what=words) if key in reused else words)

    for key in ("weight", "height"):
        if isinstance(answers.get(key), dict):
            add(key, _measure(answers[key]))
    size = answers.get("patient_size")  # an emergency entry's dose basis: weight, or adult/child
    if isinstance(size, dict) and not isinstance(answers.get("weight"), dict):
        add("patient_size", _measure(size))
    elif isinstance(size, str) and size in texts.AGE_GROUP_WORDS:
        add("patient_size", texts.AGE_GROUP_WORDS[size])
    age = answers.get("age_years")
    if isinstance(age, int | str) and not isinstance(age, bool):
        add("age_years", _age(age))
    t24, total = answers.get("toci_24h"), answers.get("toci_total")
    if isinstance(t24, int) and isinstance(total, int):
        add("toci_24h", texts.CTX_TOCI.format(day=t24, total=total))
    for key in ("ice_score", "capd_total"):
        if key in reused and answers.get(key) is not None:
            value = answers[key]
            score = Score(key=key, value=value if isinstance(value, int | str) else str(value))
            known = context.score if context is not None else None
            at = known.at if known is not None and known.key == key else None
            add(key, _at(score_words(score), at))
    if not parts:
        return None
    return texts.CTX_PATIENT.format(facts=texts.CTX_JOIN.join(parts))


def answer_words(question: Question, value: Answer) -> str:
    """An answer in words, as the question offered it: 'Fluids only', '39.1 °C', 'Unknown'."""
    if value is None:
        return texts.UNKNOWN
    if question.kind == "multi" and isinstance(value, list):
        labels = {c.key: c.label for c in question.choices}
        if not value:
            return labels.get(question.none_key or "", texts.CTX_NONE)
        return ", ".join(labels.get(v, v) for v in value)
    if isinstance(value, dict):
        return _measure(value)
    for choice in question.choices:
        if choice.value == value and type(choice.value) is type(value):
            return choice.label
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{fmt(float(value))} {question.unit}".strip()
    return str(value)
