"""Quick entry: one message of findings in clinical shorthand, read into the questions' answers.

`39.1 norad NC 4L ICE 7 voice 70kg` becomes the answers the questions themselves record
(temperature with its unit, vasopressor names, oxygen device and flow, ICE score, level of
consciousness, weight with its unit), echoed item by item for one confirmation; the dialog then
starts with them filled and asks only what is missing (`DialogEngine` advances its machine over
them).

Every value is taken from a question's own choice, and every number is checked against that
question's bounds or the same `Quantity` (units.py) the question parses with: there is no second
set of thresholds here. Nothing is guessed: a bare number that could be more than one finding is
asked (unless the findings typed with it leave it one reading), words not understood are named
back, and two different answers for one finding are refused. The parser is pure and reads only
what the user typed, never a rendered reply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from dialogs import texts
from dialogs.chat.machines import Row, advance, build
from dialogs.chat.messages import Event, Option, Reply
from dialogs.chat.questions import Q, Question, Questions
from dialogs.chat.session import Answer, Session, whole
from dialogs.clinical.units import (
    HEIGHT,
    TEMPERATURE,
    WEIGHT,
    Measured,
    Quantity,
    UnitError,
    celsius_from,
    fmt,
    fold_typed,
    kg_from,
    other_reading,
    parse_measure,
)

__all__ = [
    "QUICK",
    "Go",
    "QuickEntry",
    "Read",
    "Reading",
    "S",
    "dialog_for",
    "echo_items",
    "read_message",
    "readings",
    "settle",
]

QUICK = "quick"
# Bookkeeping kept in the session's answers while the quick entry is open, dropped on confirm.
_OPEN = "quick.open"  # bare numbers still to place: "39.1", or "weight:220" (kg or lb?)
_UNKNOWN = "quick.unknown"  # some words were not understood (they are not stored)
_NOTES = "quick.notes"  # topics named without their detail, asked in the dialog
_META = (_OPEN, _UNKNOWN, _NOTES)
_MAX_NAMED = 6  # words named back at most (the rest are counted)
_MAX_WORD = 24  # characters of a word named back
_MAX_OPEN = 4  # bare numbers asked one by one at most; more is not shorthand but a list

Answers = Mapping[str, Answer]


class S(StrEnum):
    """Quick-entry states."""

    ENTRY = "qentry"
    WHICH = "qwhich"
    CONFIRM = "qok"


@dataclass(frozen=True)
class Go:
    """Confirmed: start this dialog with these answers filled."""

    dialog: str
    answers: dict[str, Answer]


@dataclass(frozen=True)
class Reading:
    """One meaning of a bare number: the answer it sets and how it is shown."""

    key: str
    value: Answer
    label: str


@dataclass
class Read:
    """What one message said: answers, numbers to place, and what could not be used."""

    answers: dict[str, Answer] = field(default_factory=dict)
    soft: dict[str, Answer] = field(default_factory=dict)
    open: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    not_used: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    nones: set[str] = field(default_factory=set)

    def set(self, key: str, value: Answer) -> None:
        """Record one answer; a different one for the same finding is a conflict."""
        old = self.answers.get(key, value)
        if key == "hypotension" and {old, value} == {"fluids", "vasopressors"}:
            value = "vasopressors"  # fluids, then pressors: the pressors decide
        elif old != value:
            self.conflict(key, [old, value])
            return
        self.answers[key] = value
        if value == []:
            self.nones.add(key)

    def add(self, key: str, item: str) -> None:
        """Add an item to a list answer (vasopressors, signs, treatment given)."""
        if key in self.nones:
            self.conflict(key, [[], [item]])
            return
        current = self.answers.get(key)
        items = list(current) if isinstance(current, list) else []
        if item not in items:
            items.append(item)
        self.answers[key] = items

    def conflict(self, key: str, values: Sequence[Answer]) -> None:
        """Two answers for one finding: refuse the message, naming both."""
        shown = ", ".join(_shown(key, v) for v in values)
        what = texts.QUICK_WHAT.get(key, key)
        self.problems.append(texts.QUICK_CONFLICT.format(what=what, values=shown))

    @property
    def found(self) -> bool:
        """Whether anything usable was read."""
        return bool(self.answers or self.soft or self.open or self.notes)


@dataclass(frozen=True)
class _Entry:
    """A word or phrase: the answers it sets, or the number it introduces, or a topic noted."""

    fills: tuple[tuple[str, Answer, str], ...] = ()  # (key, value, "set" | "add" | "soft")
    number: str | None = None  # the kind of number that may follow (t 39.1, ICE 7, NC 4)
    note: str | None = None  # named without its detail: asked in the dialog
    unused: bool = False  # a finding grading does not use (sats 92, HR 110): named back
    stop: bool = False  # a joining word with no meaning (on, and, with)


# --- the vocabulary, as data: phrase -> a question's choice (the value comes from the choice) ---

_CHOICE_WORDS: Mapping[Q, Mapping[str, tuple[str, ...]]] = {
    Q.BP: {
        "none": ("normotensive", "no pressors", "no vasopressors", "no hypotension", "bp ok"),
        "fluids": ("fluids", "fluid", "bolus", "fluid bolus", "fluids only", "post fluids"),
        "vasopressors": ("pressors", "vasopressors", "on pressors", "inotropes"),
    },
    Q.OXYGEN: {
        "none": ("ra", "room air", "air", "no o2", "no oxygen", "off o2"),
        "nasal_cannula": ("nc", "nasal cannula", "nasal cannulae", "nasal specs", "nasal prongs"),
        "high_flow_nasal_cannula": ("hfnc", "hfno", "high flow", "high-flow", "optiflow", "airvo"),
        "facemask": ("fm", "face mask", "facemask", "mask", "hudson"),
        "non_rebreather": ("nrb", "nrbm", "non-rebreather", "nonrebreather", "reservoir mask"),
        "venturi": ("venturi", "venturi mask"),
        "blow_by": ("blow-by", "blowby"),
        "cpap": ("cpap",),
        "bipap": ("bipap", "bi-pap", "niv"),
        "mechanical_ventilation": ("intubated", "ventilated", "ett", "ventilator", "mech vent"),
    },
    Q.O2_CAUSE: {"comfort": ("comfort", "o2 for comfort", "comfort o2", "comfort only")},
    Q.CONSCIOUSNESS: {
        "alert": ("alert", "awake"),
        "wakes_spontaneously": ("drowsy", "wakes spontaneously", "sleepy"),
        "wakes_to_voice": ("voice", "wakes to voice", "rousable to voice", "responds to voice"),
        "wakes_to_touch": ("touch", "wakes to touch", "wakes only to touch", "rousable to touch"),
        "unarousable": ("unarousable", "unrousable", "cannot be woken", "can't be woken", "coma"),
    },
    Q.SEDATION: {
        "yes": ("sedated", "on sedation", "sedation"),
        "no": ("no sedation", "not sedated", "off sedation", "unsedated"),
    },
    Q.SEIZURE: {
        "none": ("no seizures", "no seizure", "no sz", "no fits", "seizure free"),
        "brief_clinical": ("brief seizure", "brief sz", "seizure resolved", "resolved seizure"),
        "eeg_resolved": ("eeg seizures", "eeg seizure", "eeg sz"),
        "status_nonconvulsive": ("ncse", "non-convulsive status", "nonconvulsive status"),
        "status_convulsive": ("cse", "convulsive status", "status epilepticus", "status"),
    },
    Q.MOTOR: {
        "none": ("no weakness", "no focal weakness", "no motor", "motor normal", "no tremor"),
        "tremor_or_myoclonus": ("tremor", "myoclonus", "myoclonic jerks"),
        "focal_weakness": (
            "hemiparesis",
            "paraparesis",
            "hemiplegia",
            "paraplegia",
            "focal weakness",
        ),
    },
    Q.ICP: {
        "none": ("no icp signs", "no raised icp", "no signs of raised icp"),
        "papilloedema": ("papilloedema", "papilledema", "papilloedema present"),
        "cranial_nerve_vi_palsy": (
            "cn vi palsy",
            "cn vi",
            "cn 6",
            "cn 6 palsy",
            "vi palsy",
            "6 th nerve palsy",
            "sixth nerve palsy",
        ),
        "posturing": ("posturing", "decerebrate", "decorticate"),
        "cushings_triad": ("cushing", "cushings", "cushing's", "cushings triad", "cushing's triad"),
    },
    Q.IMAGING: {
        "not_done": ("no imaging", "imaging not done", "not imaged"),
        "no_oedema": (
            "ct normal",
            "mri normal",
            "normal ct",
            "normal mri",
            "imaging normal",
            "no oedema",
            "no edema",
        ),
        "focal_oedema": ("focal oedema", "focal edema", "local oedema"),
        "diffuse_oedema": ("diffuse oedema", "diffuse edema", "diffuse cerebral oedema"),
    },
    Q.AGE: {"adult": ("adult",), "delay": ("developmental delay", "dev delay")},
    Q.TOCI_24H: {"0": ("no toci", "no tocilizumab", "toci naive")},
    Q.TOCI_TOTAL: {"0": ("no toci", "no tocilizumab", "toci naive")},
}
# Short forms of the vasopressors, beside the names and aliases the guideline data gives them.
_PRESSOR_WORDS: Mapping[str, tuple[str, ...]] = {
    "noradrenaline": ("nor", "norepi", "nora", "noradrenaline infusion"),
    "adrenaline": ("adr", "adren", "epi"),
    "dopamine": ("dopa",),
    "phenylephrine": ("phenyl", "neo", "phenylephrin"),
    "vasopressin": ("vaso", "vasopressin infusion"),
}
# Treatment already given for CRS, by the PRIOR question's choice keys.
_PRIOR_WORDS: Mapping[str, tuple[str, ...]] = {
    "none": ("no prior", "no treatment", "untreated", "no tx", "nil given", "treatment naive"),
    "antipyretic": ("paracetamol", "pcm", "acetaminophen", "antipyretic", "antipyretics"),
    "toci": ("toci", "tocilizumab", "tcz", "actemra"),
    "steroids": ("dex", "dexa", "dexamethasone", "steroid", "steroids", "methylpred", "mp"),
}
_GIVEN_PREFIXES = ("post", "after", "had")
# "No other cause": the hypotension and the hypoxia are taken as CRS (both attribution questions).
_NO_OTHER_CAUSE = ("no other cause", "all crs", "due to crs", "crs only", "from crs")
_NUMBER_WORDS: Mapping[str, tuple[str, ...]] = {
    "temperature": ("t", "temp", "tmax", "t max", "max temp", "temperature"),
    "weight": ("wt", "weight", "weighs"),
    "height": ("ht", "height"),
    "age": ("age", "aged"),
    "ice": ("ice", "ice score"),
    "capd": ("capd", "capd score"),
    "csf": ("op", "opening pressure", "csf op", "csf opening pressure"),
    "stage": ("stage", "frisen", "papilloedema stage", "papilledema stage"),
    "flow": ("o2", "oxygen"),
}
_FEVER_WORDS = ("fever", "febrile", "pyrexia", "pyrexial", "afebrile", "apyrexial")
_NOTE_WORDS: Mapping[str, tuple[str, ...]] = {
    "seizure": ("seizure", "seizures", "fit", "fits", "sz", "seizing"),
    "motor": ("weakness", "weak"),
    "imaging": ("oedema", "edema", "cerebral oedema"),
}
_UNUSED_WORDS = ("sats", "sat", "spo2", "sao2", "hr", "rr", "bp", "sbp", "map", "gcs", "news")
_STOP_WORDS = ("on", "and", "with", "at", "via", "of", "the", "a", "is", "now", "plus", "but")
# A unit right after a number says what it measures.
_UNITS: Mapping[str, str] = {
    **dict.fromkeys(("c", "°c", "°", "degc", "celsius", "f", "°f", "degf", "fahrenheit"), "temp"),
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilograms", "lb", "lbs", "pounds"), "weight"),
    "cm": "height",
    **dict.fromkeys(("l", "lpm", "litre", "litres", "liter", "liters"), "flow"),
    **dict.fromkeys(("y", "yo", "yr", "yrs", "year", "years"), "age"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
}
_NUMBER_ITEM = re.compile(r"^\d+(?:\.\d+)?$", re.ASCII)
_SCORE = re.compile(r"^(\d+)/(\d+)$", re.ASCII)
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d.,])", re.ASCII)
_SEPARATORS = re.compile(r"[\s;,|·•+&]+")
_CHUNK = re.compile(r"\d+(?:\.\d+)?(?:/\d+)?|[^\d]+", re.ASCII)
_TRIM = ".:=()[]{}!*\"'-_~"
_CRS_KEYS = frozenset(
    {"temperature", "hypotension", "vasopressors", "oxygen", "oxygen_flow_l_min"},
)
_ICANS_KEYS = frozenset(
    {
        "ice_score",
        "capd_total",
        "consciousness",
        "consciousness_from_sedation",
        "seizure",
        "motor",
        "icp_signs",
        "papilloedema_stage",
        "imaging",
        "csf_opening_pressure_mmhg",
        "age_years",  # the age chooses the ICE or the CAPD: it starts the ICANS questions
    }
)


@dataclass(frozen=True)
class _Token:
    text: str  # lower case, for matching
    raw: str  # as typed (folded), for naming back
    word: int  # which typed word it came from ("70kg" is two tokens of one word)


def _tokens(text: str) -> list[_Token]:
    """Split typed shorthand into tokens: '70kg' -> 70, kg; 'ICE7/10' -> ice, 7/10."""
    folded = fold_typed(text).replace("×", "x")
    folded = _DECIMAL_COMMA.sub(r"\1.\2", folded)
    folded = re.sub(r"l/min", "lpm", folded, flags=re.IGNORECASE)
    folded = re.sub(r"y/o", "yo", folded, flags=re.IGNORECASE)
    folded = re.sub(r"(?<=[a-z])x(?=\d)", " x", folded, flags=re.IGNORECASE)  # toci×2
    tokens: list[_Token] = []
    for index, word in enumerate(w for w in _SEPARATORS.split(folded) if w):
        for chunk in _CHUNK.findall(word):
            parts = [chunk] if chunk[0].isdigit() else chunk.split("/")
            for part in filter(None, parts):
                trimmed = part if part[0].isdigit() else part.strip(_TRIM)
                if trimmed:
                    tokens.append(_Token(trimmed.lower(), trimmed, index))
    return tokens


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in _tokens(text))


class _Vocabulary:
    """Phrases (as token tuples) to entries, built from the questions' own choices."""

    def __init__(self, questions: Questions) -> None:
        self.entries: dict[tuple[str, ...], _Entry] = {}
        for q, words in _CHOICE_WORDS.items():
            question = questions[q]
            for key, phrases in words.items():
                fill = _fill_for(question, key)
                for phrase in phrases:
                    self._add(phrase, _Entry(fills=(fill,)))
        vaso = _choice_value(questions[Q.BP], "vasopressors")
        pressors = questions[Q.PRESSORS]
        for choice in pressors.choices:
            fills = (
                (pressors.key, _first(choice.value), "add"),
                (questions[Q.BP].key, vaso, "set"),
            )
            names = (choice.key, choice.label, *choice.aliases, *_PRESSOR_WORDS[choice.key])
            for name in names:
                self._add(name, _Entry(fills=fills))
        prior = questions[Q.PRIOR]
        toci = _first(_choice_value(prior, "toci"))
        for key, spellings in _PRIOR_WORDS.items():
            value = _choice_value(prior, key)
            fill = (prior.key, value, "set") if key == "none" else (prior.key, _first(value), "add")
            given = [
                phrase
                for word in spellings
                for phrase in (word, *(f"{p} {word}" for p in _GIVEN_PREFIXES), f"{word} given")
            ]
            for phrase in given if key != "none" else spellings:
                number = "toci" if _first(value) == toci else None
                self._add(phrase, _Entry(fills=(fill,), number=number))
        no_cause = (
            (questions[Q.BP_CAUSE].key, _choice_value(questions[Q.BP_CAUSE], "crs"), "soft"),
            (questions[Q.O2_CAUSE].key, _choice_value(questions[Q.O2_CAUSE], "crs"), "soft"),
        )
        for phrase in _NO_OTHER_CAUSE:
            self._add(phrase, _Entry(fills=no_cause))
        for kind, keywords in _NUMBER_WORDS.items():
            # "o2" alone says oxygen is given (device asked); "t" alone says nothing.
            note = "oxygen" if kind == "flow" else None
            for phrase in keywords:
                self._add(phrase, _Entry(number=kind, note=note), replace=True)
        # A nasal cannula may carry its flow: "NC 4".
        for phrase in _CHOICE_WORDS[Q.OXYGEN]["nasal_cannula"]:
            entry = self.entries[_phrase(phrase)]
            self.entries[_phrase(phrase)] = _Entry(fills=entry.fills, number="flow")
        for phrase in _FEVER_WORDS:
            self._add(phrase, _Entry(number="temperature", note="temperature"))
        for topic, topic_words in _NOTE_WORDS.items():
            for phrase in topic_words:
                self._add(phrase, _Entry(note=topic))
        for phrase in _UNUSED_WORDS:
            self._add(phrase, _Entry(unused=True))
        for phrase in _STOP_WORDS:
            self._add(phrase, _Entry(stop=True))
        self.longest = max(len(p) for p in self.entries)

    def _add(self, phrase: str, entry: _Entry, *, replace: bool = False) -> None:
        variants = {phrase, phrase.replace("-", " "), phrase.replace("-", "")}
        if phrase.startswith("no "):
            variants.add("nil " + phrase[3:])
        for variant in variants:
            key = _phrase(variant)
            old = self.entries.get(key)
            if not key:
                continue
            if old is None or replace:
                self.entries[key] = entry
            elif old.fills and entry.fills and old.number is None and entry.number is None:
                # One phrase answering two questions: "no toci" is none in 24 h and in total.
                fills = (*old.fills, *(f for f in entry.fills if f not in old.fills))
                self.entries[key] = _Entry(fills=fills)

    def match(self, tokens: Sequence[_Token], start: int) -> tuple[_Entry, int] | None:
        """The longest phrase at `start`, and its length in tokens."""
        for length in range(min(self.longest, len(tokens) - start), 0, -1):
            words = tuple(t.text for t in tokens[start : start + length])
            entry = self.entries.get(words)
            if entry is not None:
                return entry, length
        return None


def _choice_value(question: Question, key: str) -> Answer:
    """The value a question records for one of its choices (KeyError if it has no such choice)."""
    for choice in question.choices:
        if choice.key == key:
            return choice.value
    raise KeyError(f"{question.id.value} has no choice {key!r}")


def _first(value: Answer) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


def _fill_for(question: Question, key: str) -> tuple[str, Answer, str]:
    value = _choice_value(question, key)
    if question.kind == "multi":
        if key == question.none_key:
            return (question.key, [], "set")
        return (question.key, _first(value), "add")
    return (question.key, value, "set")


# --- reading a message ---


def read_message(text: str, questions: Questions, vocabulary: _Vocabulary | None = None) -> Read:
    """Read one typed message of findings (pure; never raises on any text)."""
    vocab = vocabulary or _Vocabulary(questions)
    tokens = _tokens(text)
    read = Read()
    toci_named = any(vocab.entries.get((t.text,), _Entry()).number == "toci" for t in tokens)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        phrase = vocab.match(tokens, index)
        if token.text[0].isdigit() and (phrase is None or phrase[1] < 2):
            index = _number(tokens, index, read, questions, toci_named=toci_named, vocab=vocab)
            continue
        found = phrase
        if found is None:
            read.unknown.append(token.raw)
            index += 1
            continue
        entry, length = found
        index += length
        if entry.stop:
            continue
        if entry.unused:
            read.not_used.append(token.raw)
            # Its value goes with it: "sats 92", "BP 90/60", "HR 110".
            while index < len(tokens) and tokens[index].text[0].isdigit():
                number = tokens[index]
                index += 1
                if index < len(tokens) and tokens[index].word == number.word:
                    index += 1  # its unit: "92%"
            continue
        for key, value, mode in entry.fills:
            if mode == "add":
                read.add(key, str(value))
            elif mode == "soft":
                read.soft.setdefault(key, value)
            else:
                read.set(key, value)
        if entry.number is not None:
            taken = _keyword_number(entry.number, tokens, index, read, questions)
            if taken:
                index += taken
                continue
        if entry.note is not None:
            read.notes.append(entry.note)
        elif entry.number is not None and not entry.fills:
            example = texts.QUICK_EXAMPLES.get(entry.number, "")
            read.problems.append(texts.QUICK_NEEDS_NUMBER.format(word=token.raw, example=example))
    _finish(read, questions)
    return read


def _number(
    tokens: Sequence[_Token],
    index: int,
    read: Read,
    questions: Questions,
    *,
    toci_named: bool,
    vocab: _Vocabulary,
) -> int:
    """Read a number and what follows it; return the index after what was used."""
    token = tokens[index]
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    attached = after is not None and after.word == token.word
    unit = _UNITS.get(after.text) if after is not None else None
    if unit is not None and not _NUMBER_ITEM.match(token.text):
        unit = None
    if unit == "hours" and not toci_named:
        unit = None  # "6h" means nothing without tocilizumab
    if unit is not None and after is not None:
        used = 2
        if unit == "age" and _word(tokens, index + 2) == "old":
            used = 3
        if unit == "hours" and _word(tokens, index + 2) == "ago":
            used = 3
        if unit == "temp":
            _measure(read, "temperature", TEMPERATURE, f"{token.text} {after.text}", typed=True)
        elif unit in ("weight", "height"):
            quantity = WEIGHT if unit == "weight" else HEIGHT
            _measure(read, unit, quantity, f"{token.text} {after.text}", typed=True)
        else:
            kind = {"flow": "flow", "age": "age", "hours": "toci_hours"}[unit]
            _bounded(read, kind, token.text, questions)
        return index + used
    if after is not None and after.text == "x" and index + 2 < len(tokens):
        entry = vocab.entries.get((tokens[index + 2].text,))
        if entry is not None and entry.number == "toci":
            for key, value, _ in entry.fills:
                read.add(key, str(value))
            _bounded(read, "toci_total", token.text, questions)
            return index + 3
    if attached and after is not None and not after.text[0].isdigit():
        # "92%", "5mg": a number with a unit this entry does not read.
        read.unknown.append(token.raw + after.raw)
        return index + 2
    if _NUMBER_ITEM.match(token.text):
        read.open.append(token.text)
    else:
        read.unknown.append(token.raw)
    return index + 1


def _word(tokens: Sequence[_Token], index: int) -> str | None:
    return tokens[index].text if index < len(tokens) else None


def _keyword_number(
    kind: str, tokens: Sequence[_Token], index: int, read: Read, questions: Questions
) -> int:
    """Read the number after a keyword (t 39.1, ICE 7/10, NC 4L, toci x2); tokens used, or 0."""
    start = index
    if kind == "toci" and _word(tokens, index) == "x":
        index += 1
    text = _word(tokens, index)
    if text is None or not text[0].isdigit():
        return 0
    unit = _word(tokens, index + 1)
    if unit is not None and tokens[index + 1].word == tokens[index].word and unit not in _UNITS:
        return 0  # "toci 8mg": not a count; the number is read (and named back) on its own
    allowed = {"temperature": "temp", "weight": "weight", "height": "height"}.get(kind, kind)
    if unit is not None and _UNITS.get(unit, allowed) != allowed:
        return 0  # "o2 39.1c": the unit says what the number is; it is read on its own
    used = index - start + 1
    if kind in ("temperature", "weight", "height"):
        quantity = {"temperature": TEMPERATURE, "weight": WEIGHT, "height": HEIGHT}[kind]
        if unit is not None and _UNITS.get(unit) == allowed:
            _measure(read, kind, quantity, f"{text} {unit}", typed=True)
            return used + 1
        if not _NUMBER_ITEM.match(text):
            read.unknown.append(tokens[index].raw)
            return used
        _measure(read, kind, quantity, text, typed=False)
        return used
    if kind == "ice":
        score = _SCORE.match(text)
        if score is not None and score.group(2) == "10":
            text = score.group(1)
    if kind == "flow" and unit is not None and _UNITS.get(unit) == "flow":
        used += 1
    elif (
        kind == "flow"
        and _NUMBER_ITEM.match(text)
        and _measured_readings("temperature", TEMPERATURE, text, plausible_only=True)
    ):
        read.open.append(f"flow:{text}")  # "NC 39.1": a flow, or the temperature?
        return used
    if kind == "age" and unit is not None and _UNITS.get(unit) == "age":
        used += 1
    target = {"toci": "toci_total"}.get(kind, kind)
    _bounded(read, target, text, questions)
    return used


# Numbers read against a question's bounds: kind -> (question, answer key).
_BOUNDED: Mapping[str, Q] = {
    "flow": Q.FLOW,
    "age": Q.AGE,
    "ice": Q.ICE_ENTRY,
    "capd": Q.CAPD,
    "csf": Q.CSF,
    "toci_total": Q.TOCI_TOTAL,
    "toci_hours": Q.TOCI_LAST,
}


def _bounded(read: Read, kind: str, text: str, questions: Questions) -> None:
    """A number for a question with bounds: recorded if within them, else a problem."""
    if kind == "stage":
        stage = questions[Q.STAGE]
        choice = next((c for c in stage.choices if c.key == text), None)
        if choice is None:
            keys = [c.key for c in stage.choices if c.key.isdigit()]
            read.problems.append(
                texts.QUICK_OUT_OF_RANGE.format(
                    what=texts.QUICK_WHAT[stage.key].capitalize(),
                    low=keys[0],
                    high=keys[-1],
                    unit="",
                )
            )
            return
        read.set(stage.key, choice.value)
        read.add(questions[Q.ICP].key, "papilloedema")  # a stage is a stage of papilloedema
        return
    question = questions[_BOUNDED[kind]]
    number = _in_bounds(question, text)
    if number is None:
        assert question.bounds is not None
        low, high = question.bounds
        unit = f" {question.unit}" if question.unit else ""
        what = texts.QUICK_WHAT.get(question.key, question.key)
        read.problems.append(
            texts.QUICK_OUT_OF_RANGE.format(
                what=what[:1].upper() + what[1:], low=fmt(low), high=fmt(high), unit=unit
            )
        )
        return
    read.set(question.key, number)


def _in_bounds(question: Question, text: str) -> int | float | None:
    """The number if the question accepts it (its bounds, whole where it must be), else None."""
    if question.bounds is None or not _NUMBER_ITEM.match(text):
        return None
    number = float(text)
    low, high = question.bounds
    if not low <= number <= high or (question.integer and not number.is_integer()):
        return None
    return int(number) if question.integer else number


def _measure(read: Read, key: str, quantity: Quantity, text: str, *, typed: bool) -> None:
    """A measurement parsed as the question parses it; a bare weight of 220 stays open (kg/lb?)."""
    try:
        measured = parse_measure(text, quantity)
    except UnitError as error:
        read.problems.append(str(error))
        return
    if not typed and other_reading(measured, quantity) is not None:
        read.open.append(f"{key}:{text}")
        return
    read.set(key, {"value": measured.value, "unit": measured.unit})


def _finish(read: Read, questions: Questions) -> None:
    """Checks across findings: choices that do not fit the rest, ICE and CAPD both, toci."""
    answers = read.answers
    if "ice_score" in answers and "capd_total" in answers:
        read.conflict("ice_score", [answers["ice_score"], answers["capd_total"]])
    _tool_fits_age(read, questions)
    given = answers.get("prior_treatment")
    if whole(answers.get("toci_total")) == 0 and isinstance(given, list) and "tocilizumab" in given:
        read.conflict("toci_total", [0, "tocilizumab"])
    combined = {**read.soft, **answers}
    for question in questions.values():
        value = answers.get(question.key)
        if value is None or question.kind != "choice" or question.id == Q.MENU:
            continue
        matches = [c for c in question.choices if c.value == value]
        if matches and not any(c in question.visible(combined) for c in matches):
            # e.g. 'unarousable' with ICE 7: the question itself would not offer it.
            read.problems.append(
                texts.QUICK_DOES_NOT_FIT.format(
                    value=_shown(question.key, value), other=_items_text(combined, question.key)
                )
            )


def _tool_fits_age(read: Read, questions: Questions) -> None:
    """The ICE for 12 and over, the CAPD under 12, as the age question's own choices say."""
    age_question = questions[Q.AGE]
    cutoff = whole(_choice_value(age_question, "twelve"))  # the guideline's cut-off age
    age = read.answers.get("age_years")
    years = whole(age)
    if cutoff is None or age is None:
        return
    child = age == "child" or (years is not None and years < cutoff)
    adult = age == "adult" or (years is not None and years > cutoff)
    if "capd_total" in read.answers and adult:
        read.problems.append(texts.QUICK_CAPD_ADULT.format(age=cutoff))
    if "ice_score" in read.answers and child:
        read.problems.append(texts.QUICK_ICE_CHILD.format(age=cutoff))


def _items_text(answers: Answers, skip: str) -> str:
    return " · ".join(label for key, label in echo_items(answers) if key != skip)


# --- bare numbers: their readings, and placing them ---


def readings(item: str, answers: Answers, questions: Questions) -> list[Reading]:
    """What a bare number can be, given what is already known (a known finding is not offered)."""
    kind, _, text = item.rpartition(":")
    found: list[Reading] = []
    if kind in ("", "temperature"):
        found += _measured_readings("temperature", TEMPERATURE, text, plausible_only=not kind)
    if kind in ("", "weight"):
        found += _measured_readings("weight", WEIGHT, text, plausible_only=not kind)
    if kind == "height":
        found += _measured_readings("height", HEIGHT, text, plausible_only=False)
    if kind == "flow":
        flow = questions[Q.FLOW]
        number = _in_bounds(flow, text)
        if number is not None:
            shown = texts.QUICK_ITEMS["flow"].format(device=texts.QUICK_FLOW, flow=fmt(number))
            found.append(Reading(flow.key, number, shown))
        found += _measured_readings("temperature", TEMPERATURE, text, plausible_only=True)
    if not kind:
        for q, label in ((Q.AGE, "age"), (Q.ICE_ENTRY, "ice"), (Q.CAPD, "capd")):
            question = questions[q]
            number = _in_bounds(question, text)
            if number is not None:
                found.append(Reading(question.key, number, _number_label(label, number)))
    return [r for r in found if r.key not in answers]


def _measured_readings(
    key: str, quantity: Quantity, text: str, *, plausible_only: bool
) -> list[Reading]:
    try:
        measured = parse_measure(text, quantity)
    except UnitError:
        return []
    if plausible_only and not quantity.plausible(measured.base):
        return []
    shown = [measured]
    other = other_reading(measured, quantity)
    if other is not None:
        shown.append(other)
    return [
        Reading(key, {"value": m.value, "unit": m.unit}, _measured_label(key, m, quantity))
        for m in shown
    ]


def _measured_label(key: str, measured: Measured, quantity: Quantity) -> str:
    label = texts.QUICK_ITEMS[key].format(value=measured.echo(quantity))
    return label if quantity.plausible(measured.base) else label + texts.QUICK_UNUSUAL


def _number_label(kind: str, number: int | float) -> str:
    return texts.QUICK_ITEMS[kind].format(score=fmt(number), age=fmt(number))


def settle(
    answers: dict[str, Answer], open_items: list[str], questions: Questions
) -> tuple[list[str], list[str]]:
    """Place bare numbers the other findings leave one reading; return (still open, unplaced).

    A number is placed only when findings typed with it ruled out its other readings ('39.1'
    beside '70kg' is the temperature); a number that had one reading from the start is still
    asked ('150' alone may be a blood pressure), and one with no reading left is named back.
    """
    remaining = list(open_items)
    unplaced: list[str] = []
    changed = True
    while changed:
        changed = False
        for item in list(remaining):
            now = readings(item, answers, questions)
            before = readings(item, {}, questions)
            if not now:
                remaining.remove(item)
                unplaced.append(item.rpartition(":")[2])
                changed = True
            elif len(now) == 1 and len({r.key for r in before}) > 1:
                answers[now[0].key] = now[0].value
                remaining.remove(item)
                changed = True
    return remaining, unplaced


# --- showing what was read ---


def _vkey(value: Answer) -> str:
    return "[]" if value == [] else str(value)


def _shown(key: str, value: Answer) -> str:
    """A short label of one answer, for conflicts."""
    if isinstance(value, dict):
        unit = {"C": "°C", "F": "°F"}.get(str(value.get("unit")), str(value.get("unit")))
        return f"{fmt(float(value.get('value', 0)))} {unit}"
    if isinstance(value, list):
        return ", ".join(texts.QUICK_NAMES.get(v, v) for v in value) or texts.QUICK_VALUES.get(
            key, {}
        ).get("[]", "none")
    label = texts.QUICK_VALUES.get(key, {}).get(_vkey(value))
    return label if label is not None else str(value)


def echo_items(answers: Answers) -> list[tuple[str, str]]:
    """Each known finding as (answer key, label), in the order a doctor reads them."""
    items: list[tuple[str, str]] = []
    values = texts.QUICK_VALUES

    def label(key: str) -> None:
        value = answers.get(key)
        if key in answers and _vkey(value) in values.get(key, {}):
            items.append((key, values[key][_vkey(value)]))

    temperature = answers.get("temperature")
    if isinstance(temperature, dict):
        items.append(("temperature", _temperature_label(temperature)))
    given = answers.get("prior_treatment")
    if isinstance(given, list) and given:
        drugs = ", ".join(texts.QUICK_NAMES.get(g, g) for g in given)
        items.append(("prior_treatment", texts.QUICK_ITEMS["given"].format(drugs=drugs)))
    else:
        label("prior_treatment")
    pressors = answers.get("vasopressors")
    if isinstance(pressors, list) and pressors:
        names = texts.sentence_case(" + ".join(pressors))
        items.append(("vasopressors", texts.QUICK_ITEMS["pressors"].format(names=names)))
    else:
        label("hypotension")
    label("hypotension_other_cause")
    device = answers.get("oxygen")
    flow = answers.get("oxygen_flow_l_min")
    if isinstance(flow, int | float) and not isinstance(flow, bool):
        name = values["oxygen"].get(str(device))
        shown = (
            texts.QUICK_ITEMS["flow"].format(device=name, flow=fmt(flow))
            if name is not None
            else texts.QUICK_ITEMS["flow_no_device"].format(flow=fmt(flow))
        )
        items.append(("oxygen_flow_l_min", shown))  # the device is in it, when known
    else:
        label("oxygen")
    label("hypoxia_cause")
    ice = answers.get("ice_score")
    if whole(ice) is not None:
        items.append(("ice_score", _number_label("ice", whole(ice) or 0)))
    capd = answers.get("capd_total")
    if whole(capd) is not None:
        items.append(("capd_total", _number_label("capd", whole(capd) or 0)))
    for key in ("consciousness", "consciousness_from_sedation", "seizure", "motor"):
        label(key)
    signs = answers.get("icp_signs")
    stage = whole(answers.get("papilloedema_stage"))
    if isinstance(signs, list) and signs:
        sign_names = [texts.QUICK_NAMES.get(s, s) for s in signs]
        if stage is not None and "papilloedema" in signs:
            sign_names[signs.index("papilloedema")] += " " + texts.QUICK_ITEMS["stage"].format(
                stage=stage
            )
        items.append(("icp_signs", texts.QUICK_ITEMS["icp"].format(signs=", ".join(sign_names))))
    else:
        label("icp_signs")
    label("imaging")
    csf = answers.get("csf_opening_pressure_mmhg")
    if isinstance(csf, int | float) and not isinstance(csf, bool):
        items.append(("csf_opening_pressure_mmhg", texts.QUICK_ITEMS["csf"].format(value=fmt(csf))))
    age = answers.get("age_years")
    if whole(age) is not None:
        items.append(("age_years", _number_label("age", whole(age) or 0)))
    else:
        label("age_years")
    for key, quantity in (("weight", WEIGHT), ("height", HEIGHT)):
        measure = answers.get(key)
        if isinstance(measure, dict):
            items.append((key, _measure_label(key, measure, quantity)))
    for key in ("toci_24h", "toci_total", "toci_hours"):
        number = answers.get(key)
        if isinstance(number, int | float) and not isinstance(number, bool):
            items.append((key, texts.QUICK_ITEMS[key].format(n=fmt(number))))
    return items


def _temperature_label(value: Mapping[str, Any]) -> str:
    unit: Literal["C", "F"] = "F" if value.get("unit") == "F" else "C"
    number = float(value.get("value", 0))
    base = celsius_from(number, unit)
    measured = Measured(value=number, unit=unit, base=base)
    return _measured_label("temperature", measured, TEMPERATURE)


def _measure_label(key: str, value: Mapping[str, Any], quantity: Quantity) -> str:
    unit = str(value.get("unit", quantity.unit))
    number = float(value.get("value", 0))
    base = kg_from(number, "lb") if unit == "lb" else number
    if key == "height" and unit == "in":
        base = number * 2.54
    return _measured_label(key, Measured(value=number, unit=unit, base=base), quantity)


def _named(words: Sequence[str]) -> str:
    shown = [f"'{w[:_MAX_WORD]}'" for w in words[:_MAX_NAMED]]
    if len(words) > _MAX_NAMED:
        shown.append(texts.QUICK_MORE.format(n=len(words) - _MAX_NAMED))
    return ", ".join(shown)


def dialog_for(answers: Answers) -> str:
    """The dialog the findings call for: CRS, ICANS, or the full review (both, or neither)."""
    crs = any(k in answers for k in _CRS_KEYS)
    icans = any(k in answers for k in _ICANS_KEYS)
    if crs and not icans:
        return "crs"
    if icans and not crs:
        return "icans"
    return "assessment"


def implied(answers: Answers, questions: Questions) -> dict[str, Answer]:
    """The answers typed, plus the one they imply: a patient typed as unarousable cannot do the
    ICE or the CAPD, which is each question's own 'cannot be woken' choice (the route takes the
    one it asks; the other is dropped at the result)."""
    filled = dict(answers)
    if answers.get("consciousness") == "unarousable":
        for state in (Q.ICE_ENTRY, Q.CAPD):
            question = questions[state]
            if any(c.value == "unarousable" for c in question.choices):
                filled.setdefault(question.key, "unarousable")
    return filled


# --- the quick-entry dialog ---


def _has_open(answers: Answers) -> bool:
    """Bare numbers are still to be placed."""
    return bool(answers.get(_OPEN))


_ROWS: tuple[Row, ...] = (
    (S.ENTRY, S.WHICH, _has_open),
    (S.ENTRY, S.CONFIRM, None),
    (S.WHICH, S.WHICH, _has_open),
    (S.WHICH, S.CONFIRM, None),
    (S.CONFIRM, S.WHICH, _has_open),
    (S.CONFIRM, S.CONFIRM, None),
)


class QuickEntry:
    """Runs quick entry over sessions; pure and synchronous like the engine. Registered with the
    engine as the dialog "quick" (see dialogs.chat.registry)."""

    name = QUICK

    def __init__(self, questions: Questions) -> None:
        self.questions = questions
        self.vocabulary = _Vocabulary(questions)
        self.machine = build(list(S), S.ENTRY, _ROWS)

    def start(self, step: int, guideline: str) -> tuple[Session, list[Reply]]:
        """Quick entry at its prompt, explaining the format."""
        session = Session(dialog=QUICK, state=S.ENTRY.value, guideline=guideline, step=step)
        return session, [self.ask(session)]

    def read(self, session: Session, text: str) -> tuple[Session, list[Reply]] | str:
        """Read a message of findings: the next quick-entry step, or why nothing was recorded."""
        read = read_message(text, self.questions, self.vocabulary)
        if len(read.open) > _MAX_OPEN:
            read.problems.append(texts.QUICK_TOO_MANY_NUMBERS.format(n=len(read.open)))
        if read.problems:
            return texts.QUICK_PROBLEMS.format(problems="; ".join(read.problems))
        answers: dict[str, Answer] = {**read.soft, **read.answers}
        remaining, unplaced = settle(answers, read.open, self.questions)
        unknown = [*read.unknown, *unplaced]
        if not (answers or remaining or read.notes):
            lines = [texts.QUICK_NOTHING]
            if unknown:
                lines.insert(0, texts.QUICK_NOT_UNDERSTOOD.format(words=_named(unknown)))
            return "\n".join(lines)
        answers[_OPEN] = remaining
        answers[_UNKNOWN] = bool(unknown)
        answers[_NOTES] = list(dict.fromkeys(read.notes))
        state = S(session.state) if session.dialog == QUICK else S.ENTRY
        new = Session(
            dialog=QUICK,
            state=advance(self.machine, state, answers).value,
            answers=answers,
            guideline=session.guideline,
            step=session.step + 1,
        )
        said: list[str] = []
        if unknown:
            said.append(texts.QUICK_NOT_UNDERSTOOD.format(words=_named(unknown)))
        if read.not_used:
            said.append(texts.QUICK_NOT_USED.format(words=_named(read.not_used)))
        ask = self.ask(new, first=True)
        if said:
            ask = ask.model_copy(update={"text": "\n".join([ask.text, *said])})
        return new, [ask]

    def handle(self, session: Session, event: Event) -> tuple[Session, list[Reply]] | Go:
        """A tap or typed text in quick entry (commands are the engine's)."""
        if event.kind == "option" and event.step is not None and event.step != session.step:
            return session, [Reply(text=texts.STALE, kind="stale"), self.ask(session)]
        state = S(session.state)
        if event.kind == "text" and state != S.WHICH:
            read = self.read(session, event.value)
            if isinstance(read, str):
                return session, [Reply(text=read, kind="error"), self.ask(session)]
            return read
        options = self._options(session)
        chosen = _chosen(options, event)
        if chosen is None and event.kind == "option":
            return session, [Reply(text=texts.NOT_THIS_QUESTION, kind="error"), self.ask(session)]
        if chosen is None:
            error = texts.ACCEPTED_CHOICE.format(n=len(options))
            return session, [Reply(text=error, kind="error"), self.ask(session)]
        key = chosen.id.split(".", 1)[1]
        if state == S.CONFIRM:
            if key == "no":
                return self.start(session.step + 1, session.guideline)
            answers = {k: v for k, v in session.answers.items() if k not in _META}
            return Go(dialog_for(answers), answers)
        return self._place(session, key)

    def _place(self, session: Session, key: str) -> tuple[Session, list[Reply]]:
        answers = dict(session.answers)
        open_items = [str(i) for i in _list(answers.get(_OPEN))]
        item = open_items.pop(0)
        if key != "none":
            reading = readings(item, answers, self.questions)[int(key)]
            answers[reading.key] = reading.value
        remaining, unplaced = settle(answers, open_items, self.questions)
        answers[_OPEN] = remaining
        answers[_UNKNOWN] = bool(answers.get(_UNKNOWN)) or bool(unplaced)
        new = session.model_copy(
            update={
                "state": advance(self.machine, S.WHICH, answers).value,
                "answers": answers,
                "step": session.step + 1,
            }
        )
        return new, [self.ask(new)]

    def back(self, session: Session) -> tuple[Session, list[Reply]]:
        """Back in quick entry starts it over (nothing has been recorded yet)."""
        if session.state == S.ENTRY.value:
            return session, [Reply(text=texts.NOTHING_TO_UNDO, kind="info"), self.ask(session)]
        return self.start(session.step + 1, session.guideline)

    def again(self, session: Session) -> list[Reply]:
        """The current quick-entry message again."""
        return [self.ask(session)]

    def worded(self, words: texts.Words) -> QuickEntry:
        """Quick entry has no transport-specific words: itself."""
        return self

    def help(self, session: Session) -> list[Reply]:
        """What quick entry reads."""
        return [Reply(text=texts.QUICK_HELP, kind="info"), self.ask(session)]

    def _options(self, session: Session) -> list[Option]:
        state = S(session.state)
        if state == S.CONFIRM:
            confirm = (
                texts.QUICK_CONFIRM_IGNORING
                if session.answers.get(_UNKNOWN)
                else texts.QUICK_CONFIRM
            )
            return [
                Option(id=f"{S.CONFIRM.value}.yes", label=confirm),
                Option(id=f"{S.CONFIRM.value}.no", label=texts.QUICK_START_OVER),
            ]
        if state == S.WHICH:
            item = str(_list(session.answers.get(_OPEN))[0])
            found = readings(item, session.answers, self.questions)
            return [
                *(Option(id=f"{S.WHICH.value}.{i}", label=r.label) for i, r in enumerate(found)),
                Option(id=f"{S.WHICH.value}.none", label=texts.QUICK_WHICH_NONE),
            ]
        return []

    def ask(self, session: Session, *, first: bool = False) -> Reply:
        """The current quick-entry question: the format, which reading, or the echo to confirm."""
        state = S(session.state)
        options = tuple(self._options(session))
        if state == S.ENTRY:
            return Reply(text=texts.QUICK_INTRO, expects="none")
        if state == S.WHICH:
            item = str(_list(session.answers.get(_OPEN))[0])
            number = item.rpartition(":")[2]
            return Reply(
                text=texts.QUICK_WHICH.format(number=number), options=options, expects="choice"
            )
        answers = {k: v for k, v in session.answers.items() if k not in _META}
        labels = [label for _, label in echo_items(answers)]
        notes = _list(session.answers.get(_NOTES))
        if "oxygen_flow_l_min" in answers:
            notes = [n for n in notes if n != "oxygen"]  # the flow's item says it already
        labels += [texts.QUICK_NOTES[n] for n in notes]
        lines = [texts.QUICK_READ.format(items=" · ".join(labels))]
        if session.answers.get(_UNKNOWN) and not first:
            lines.append(texts.QUICK_NOT_UNDERSTOOD_AGAIN)
        lines += [texts.QUICK_NEXT[dialog_for(answers)], texts.QUICK_RETYPE]
        return Reply(text="\n".join(lines), options=options, expects="choice")


def _list(value: Answer) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _chosen(options: Sequence[Option], event: Event) -> Option | None:
    """The option tapped, or typed by its number or the start of its label."""
    if event.kind == "option":
        return next((o for o in options if o.id == event.value), None)
    typed = fold_typed(event.value).strip().lower()
    if typed.isascii() and typed.isdigit():
        index = int(typed) - 1
        return options[index] if 0 <= index < len(options) else None
    starts = [o for o in options if len(typed) >= 3 and o.label.lower().startswith(typed)]
    return starts[0] if len(starts) == 1 else None
