"""The questions the dialogs ask, as data: prompt, kind, options with stable ids, accepted input."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from dialogs import texts
from dialogs.chat.messages import Option
from dialogs.chat.session import Answer, whole
from dialogs.clinical.guideline import Guideline, GuidelineError
from dialogs.clinical.guideline.schema import Band, IcansGrading, IceTask
from dialogs.clinical.units import HEIGHT, TEMPERATURE, WEIGHT, Quantity
from dialogs.clinical.vocab import (
    Consciousness,
    Hypotension,
    Imaging,
    OxygenDevice,
    Seizure,
    Vasopressor,
)

__all__ = [
    "CAPD_STATES",
    "ICE_STATES",
    "Choice",
    "Q",
    "Question",
    "Questions",
    "build_questions",
    "capd_total",
    "ice_score",
]

Answers = Mapping[str, Answer]


class Q(StrEnum):
    """Every dialog state. Short values: they are part of option ids and callback data."""

    MENU = "menu"
    TEMPERATURE = "temp"
    PRIOR = "prior"
    BP = "bp"
    PRESSORS = "press"
    BP_CAUSE = "bpcause"
    OXYGEN = "o2"
    FLOW = "flow"
    O2_CAUSE = "o2cause"
    AGE = "age"
    TOOL = "tool"
    ICE_ENTRY = "iceentry"
    ICE_YEAR = "year"
    ICE_MONTH = "month"
    ICE_CITY = "city"
    ICE_HOSPITAL = "hospital"
    ICE_COMMANDS = "commands"
    ICE_NAMING = "naming"
    ICE_WRITING = "writing"
    ICE_COUNTING = "counting"
    CAPD = "capd"
    CAPD_1 = "capd1"
    CAPD_2 = "capd2"
    CAPD_3 = "capd3"
    CAPD_4 = "capd4"
    CAPD_5 = "capd5"
    CAPD_6 = "capd6"
    CAPD_7 = "capd7"
    CAPD_8 = "capd8"
    CONSCIOUSNESS = "lvl"
    SEDATION = "sed"
    SEIZURE = "seiz"
    MOTOR = "motor"
    ICP = "icp"
    STAGE = "stage"
    IMAGING = "img"
    CSF = "csf"
    CONCURRENT_CRS = "ccrs"
    FERRITIN = "fer"
    HLH_LIVER = "liver"
    HLH_RENAL = "renal"
    HLH_LUNG = "lung"
    HLH_HAEM = "haem"
    DRUG = "drug"
    WEIGHT = "wt"
    HEIGHT = "ht"
    TOCI_24H = "t24"
    TOCI_TOTAL = "ttot"
    TOCI_LAST = "tlast"
    # The emergency entries' own first questions (the rest are the ICANS questions).
    SEIZING = "seiznow"
    ICP_NOW = "icpnow"
    PATIENT_SIZE = "size"
    RESULT = "result"


ICE_STATES: tuple[Q, ...] = (
    Q.ICE_YEAR, Q.ICE_MONTH, Q.ICE_CITY, Q.ICE_HOSPITAL,
    Q.ICE_COMMANDS, Q.ICE_NAMING, Q.ICE_WRITING, Q.ICE_COUNTING,
)  # fmt: skip
# The guided CAPD, one item a message; the guideline's item count must match (checked at build).
CAPD_STATES: tuple[Q, ...] = (
    Q.CAPD_1, Q.CAPD_2, Q.CAPD_3, Q.CAPD_4, Q.CAPD_5, Q.CAPD_6, Q.CAPD_7, Q.CAPD_8,
)  # fmt: skip


@dataclass(frozen=True)
class Choice:
    """An option: its key (the option id is '<question>.<key>'), label, stored value, synonyms."""

    key: str
    label: str
    value: Answer
    aliases: tuple[str, ...] = ()
    # Shown only when this holds for the answers so far (e.g. no 'unarousable' after an ICE).
    when: Callable[[Answers], bool] | None = None


@dataclass(frozen=True)
class Question:
    """One question: what it asks, how it is answered, and which answer key it sets."""

    id: Q
    kind: Literal["choice", "multi", "number"]
    key: str
    prompt: str | Callable[[Answers], str]
    choices: tuple[Choice, ...] = ()
    # For numbers: a unit-aware quantity, or plain bounds.
    quantity: Quantity | None = None
    bounds: tuple[float, float] | None = None
    integer: bool = False
    unit: str = ""
    # Multi-choice: the choice key that means "none of these" (clears the rest).
    none_key: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # What 'help' says at this question: what it means and how its answer grades, from the
    # sources. Empty: the general help only.
    help: str = ""

    def __post_init__(self) -> None:
        keys = [c.key for c in self.choices]
        if len(set(keys)) != len(keys):
            # An option id names one choice: a tap (and the button built for it) must not be
            # ambiguous.
            raise ValueError(f"question {self.id.value}: two choices share a key in {keys}")

    def text(self, answers: Answers) -> str:
        """The prompt for the answers so far."""
        return self.prompt(answers) if callable(self.prompt) else self.prompt

    def visible(self, answers: Answers) -> tuple[Choice, ...]:
        """The choices shown for the answers so far."""
        return tuple(c for c in self.choices if c.when is None or c.when(answers))

    def option_id(self, choice: Choice) -> str:
        """The stable id of a choice."""
        return f"{self.id.value}.{choice.key}"

    def option(self, choice: Choice) -> Option:
        """The button of one of this question's choices."""
        return self._options[choice.key]

    @cached_property
    def _options(self) -> Mapping[str, Option]:
        # Built once per question rather than at every asking: a question is asked at nearly
        # every answer, and its buttons never change (only which of them are shown).
        return {c.key: Option(id=self.option_id(c), label=c.label) for c in self.choices}


def _yes_no(yes: str = "Yes", no: str = "No") -> tuple[Choice, ...]:
    return (
        Choice("yes", yes, True, ("y", "yes", "yeah", "true")),
        Choice("no", no, False, ("n", "no", "nope", "false")),
    )


def _unknown() -> Choice:
    return Choice("unknown", texts.UNKNOWN, None, ("unknown", "not known", "not done", "?"))


def _row_choice(key: str, label: str, aliases: tuple[str, ...]) -> Choice:
    """A choice named by a guideline row: keyed and valued by its kind, labelled by its words."""
    return Choice(key, texts.sentence_case(label), key, aliases)


def _icp_sign_choices(icans: IcansGrading) -> tuple[Choice, ...]:
    """The raised-ICP signs of the ICANS table, one choice each."""
    return tuple(
        _row_choice(r.sign.value, r.label, _ICP_ALIASES[r.sign.value]) for r in icans.icp_signs
    )


def ice_score(answers: Answers) -> int | None:
    """The ICE score: typed, or the sum of the guided tasks once every one is answered."""
    typed = whole(answers.get("ice_score"))
    if typed is not None:
        return typed
    values = [answers.get(f"ice.{state.value}") for state in ICE_STATES]
    if any(value is None for value in values):
        return None
    # A task's answer is its points: True/False for one point, 0-3 for naming.
    return sum(int(v) for v in values if isinstance(v, bool | int))


def capd_total(answers: Answers) -> int | None:
    """The CAPD total: typed, or the sum of the guided items once every one is answered."""
    typed = whole(answers.get("capd_total"))
    if typed is not None:
        return typed
    values = [whole(answers.get(f"capd.{state.value}")) for state in CAPD_STATES]
    if answers.get("capd_total") != "guide" or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _ice_tasks(guideline: Guideline) -> tuple[IceTask, ...]:
    """The guideline's ICE tasks in the order the dialog asks them (by id, one per state)."""
    tasks = {task.id: task for task in guideline.icans.ice_tasks}
    missing = [state.value for state in ICE_STATES if state.value not in tasks]
    if missing:
        raise GuidelineError(f"icans_grading.toml: ice_task: no task with id {missing[0]!r}")
    return tuple(tasks[state.value] for state in ICE_STATES)


def _ice_prompt(tasks: tuple[IceTask, ...], index: int) -> Callable[[Answers], str]:
    """The prompt of the index-th ICE task, with the running total of the tasks asked so far."""
    task = tasks[index]
    most = sum(t.points for t in tasks)

    def prompt(answers: Answers) -> str:
        score = 0
        for earlier in tasks:
            value = answers.get(f"ice.{earlier.id}")
            score += int(value) if isinstance(value, bool | int) else 0
        return texts.ICE_TASK_STEP.format(
            n=index + 1, total=len(tasks), score=score, most=most, prompt=task.prompt
        )

    return prompt


def _ice_questions(guideline: Guideline) -> list[Question]:
    tasks = _ice_tasks(guideline)
    most = sum(t.points for t in tasks)
    questions = []
    for index, state in enumerate(ICE_STATES):
        task = tasks[index]
        help_text = {
            Q.ICE_WRITING: texts.HELP_ICE_WRITING,
            Q.ICE_NAMING: texts.HELP_ICE_NAMING,
        }.get(state) or texts.HELP_ICE_TASK.format(
            prompt=task.prompt, points=task.points, total=most
        )
        if state == Q.ICE_NAMING:
            choices = tuple(Choice(str(n), f"{n} of 3 named", n, (f"{n}",)) for n in (3, 2, 1, 0))
        else:
            choices = (
                Choice("right", "Correct", True, ("y", "yes", "correct", "right", "ok")),
                Choice("wrong", "Wrong / no answer", False, ("n", "no", "wrong", "incorrect")),
            )
        if state == Q.ICE_YEAR:
            choices += (
                Choice(
                    "unwakeable",
                    texts.ICE_CANNOT_WAKE,
                    "unarousable",
                    ("cannot be woken", "unarousable", "asleep"),
                ),
            )
        questions.append(
            Question(
                state,
                "choice",
                f"ice.{state.value}",
                _ice_prompt(tasks, index),
                choices,
                help=help_text,
            )
        )
    return questions


def _capd_prompt(guideline: Guideline, index: int) -> Callable[[Answers], str]:
    """The prompt of the index-th CAPD item, with the running total of the items scored."""
    paediatrics = guideline.icans.paediatrics

    def prompt(answers: Answers) -> str:
        score = sum(whole(answers.get(f"capd.{s.value}")) or 0 for s in CAPD_STATES)
        return texts.CAPD_ITEM_STEP.format(
            n=index + 1, total=paediatrics.capd_items, score=score, most=paediatrics.capd_item_max
        )

    return prompt


def _capd_questions(guideline: Guideline, help_text: str) -> list[Question]:
    """The guided CAPD: one question an item, each scored 0 to the item maximum."""
    paediatrics = guideline.icans.paediatrics
    if paediatrics.capd_items != len(CAPD_STATES):
        raise GuidelineError(
            f"icans_grading.toml: paediatrics: capd_items is {paediatrics.capd_items}; "
            f"the guided CAPD asks {len(CAPD_STATES)}"
        )
    most = paediatrics.capd_item_max
    return [
        Question(
            state,
            "number",
            f"capd.{state.value}",
            _capd_prompt(guideline, index),
            tuple(Choice(str(n), str(n), n) for n in range(most + 1)),
            bounds=(0, most),
            integer=True,
            help=help_text,
        )
        for index, state in enumerate(CAPD_STATES)
    ]


def _bands(bands: Sequence[Band], low_band: str | None = None) -> str:
    """Score bands as words: '7–9 grade 1 · 3–6 grade 2 …' (the lowest-grade band first)."""
    parts = []
    for band in sorted(bands, key=lambda b: (b.grade, b.low)):
        if band.grade == 0:
            template = texts.HELP_BAND_NONE
        elif low_band is not None and band.grade == 1:
            template = low_band
        else:
            template = texts.HELP_BAND
        # A one-score band reads as that score ("10", not "10–10").
        span = str(band.low) if band.low == band.high else f"{band.low}–{band.high}"
        parts.append(template.format(span=span, grade=band.grade))
    return " · ".join(parts)


def _rows(rows: Iterable[tuple[str, int]]) -> str:
    """'label: grade n' lines for a help text."""
    return "\n".join(
        "• "
        + (texts.HELP_GRADES if grade else texts.HELP_NO_GRADE).format(
            label=texts.sentence_case(label), grade=grade
        )
        for label, grade in rows
    )


def _either(items: Sequence[str]) -> str:
    """'a, b or c'."""
    return ", ".join(items[:-1]) + texts.HELP_OR + items[-1] if len(items) > 1 else items[0]


def _help_texts(guideline: Guideline) -> dict[Q, str]:
    """What 'help' says at each question, built from the guideline's own tables."""
    crs, icans = guideline.crs, guideline.icans
    nasal = next(o for o in crs.oxygen if o.low_flow_max_l_min is not None)
    low = f"{nasal.low_flow_max_l_min:g}"
    tasks = _ice_tasks(guideline)
    paediatrics = icans.paediatrics
    capd = texts.HELP_CAPD.format(
        n=paediatrics.capd_items,
        most=paediatrics.capd_item_max,
        total=paediatrics.capd_items * paediatrics.capd_item_max,
        bands=_bands(icans.capd_bands, texts.HELP_CAPD_BAND_LOW),
    )
    age = texts.HELP_AGE.format(age=paediatrics.age_below_years)
    threshold = crs.fever.threshold_c
    icp, hlh = guideline.raised_icp.thresholds, guideline.hlh.criteria
    return {
        Q.TEMPERATURE: texts.HELP_TEMPERATURE.format(
            threshold=f"{threshold:.1f}", fahrenheit=f"{threshold * 9 / 5 + 32:.1f}"
        ),
        Q.PRIOR: texts.HELP_PRIOR.format(
            treatments=_either([t.value for t in crs.fever_waiver.treatments])
        ),
        # "None" rows are left out: without hypotension or hypoxia, fever alone is grade 1.
        Q.BP: texts.HELP_BP.format(
            rows=_rows((h.label, h.grade) for h in crs.hypotension if h.level != "none")
        )
        + "\n"
        + texts.HELP_CRS_FEVER_ONLY,
        Q.PRESSORS: texts.HELP_PRESSORS.format(
            counted=", ".join(v.name for v in crs.vasopressors if v.counted)
        ),
        Q.BP_CAUSE: f"{texts.HELP_CAUSE}\n{texts.HELP_CAUSE_UNSURE}",
        Q.O2_CAUSE: f"{texts.HELP_CAUSE}\n{texts.HELP_CAUSE_UNSURE}",
        Q.OXYGEN: texts.HELP_OXYGEN.format(
            low=low,
            rows=_rows(
                (o.label + (f" (≤ {low} L/min)" if o is nasal else ""), o.grade)
                for o in crs.oxygen
                if o.device.value != "none"
            ),
        ),
        Q.FLOW: texts.HELP_FLOW.format(low=low, grade=nasal.grade, above=nasal.grade_above),
        Q.AGE: age,
        Q.TOOL: age,
        Q.ICE_ENTRY: texts.HELP_ICE.format(
            rows="\n".join(f"• {t.prompt} ({t.points})" for t in tasks),
            bands=_bands(icans.ice_bands),
        ),
        Q.CAPD: capd,
        Q.CONSCIOUSNESS: texts.HELP_CONSCIOUSNESS.format(
            rows=_rows((r.label, r.grade) for r in icans.consciousness)
        ),
        Q.SEDATION: texts.HELP_SEDATION,
        Q.SEIZURE: texts.HELP_SEIZURE.format(rows=_rows((r.label, r.grade) for r in icans.seizure)),
        Q.MOTOR: texts.HELP_MOTOR.format(grade=max(r.grade for r in icans.motor)),
        Q.ICP: texts.HELP_ICP.format(rows=_rows((r.label, r.grade) for r in icans.icp_signs)),
        Q.IMAGING: texts.HELP_IMAGING.format(rows=_rows((r.label, r.grade) for r in icans.imaging)),
        Q.STAGE: texts.HELP_STAGE.format(
            severe=icp.severe_papilloedema_stage,
            mild=icp.severe_papilloedema_stage - 1,
            mmhg=f"{icp.opening_pressure_mmhg:g}",
        ),
        Q.CSF: texts.HELP_CSF.format(mmhg=f"{icp.opening_pressure_mmhg:g}"),
        Q.CONCURRENT_CRS: texts.HELP_CONCURRENT_CRS,
        # The emergency entries: the grades of what is seen, then what the dose basis does.
        Q.SEIZING: texts.HELP_SEIZURE.format(rows=_rows((r.label, r.grade) for r in icans.seizure))
        + "\n"
        + texts.HELP_SEIZING,
        Q.ICP_NOW: texts.HELP_ICP.format(rows=_rows((r.label, r.grade) for r in icans.icp_signs))
        + "\n"
        + texts.HELP_IMAGING.format(rows=_rows((r.label, r.grade) for r in icans.imaging)),
        Q.PATIENT_SIZE: texts.HELP_PATIENT_SIZE,
        Q.FERRITIN: texts.HELP_FERRITIN.format(
            ferritin=f"{hlh.ferritin_above_ng_ml:,.0f}",
            needed=hlh.minimum_of_findings,
            rows="\n".join(f"• {f.label}" for f in guideline.hlh.findings),
        ),
    }


def _consciousness_prompt(answers: Answers) -> str:
    prompt = texts.Q_CONSCIOUSNESS_ICE0 if ice_score(answers) == 0 else texts.Q_CONSCIOUSNESS
    capd = capd_total(answers)
    if answers.get("capd_total") == "guide" and capd is not None:
        # The guided CAPD's total, shown once, as the typed total would have been.
        prompt = texts.CAPD_TOTAL.format(total=capd) + "\n" + prompt
    return prompt


def _not_scored_above_zero(answers: Answers) -> bool:
    """'Unarousable' is not offered once the patient has scored on the ICE or CAPD."""
    capd = capd_total(answers)
    score = capd if capd is not None else ice_score(answers)
    return not (score is not None and score > 0)


# The nasal cannula's grade depends on its flow, which is asked next; the label must not say.
_OXYGEN_CHOICE_LABELS = {"none": "Room air", "nasal_cannula": "Nasal cannula (flow asked next)"}


_CONSCIOUSNESS_ALIASES: Mapping[str, tuple[str, ...]] = {
    "alert": ("awake", "normal"),
    "wakes_spontaneously": ("drowsy", "wakes spontaneously"),
    "wakes_to_voice": ("voice", "wakes to voice"),
    "wakes_to_touch": ("touch", "wakes to touch", "wakes only to touch"),
    "unarousable": ("cannot be woken", "coma", "stupor"),
}
_SEIZURE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "none": ("none", "no"),
    "brief_clinical": ("brief", "brief seizure", "resolved seizure"),
    "eeg_resolved": ("eeg", "eeg seizures"),
    "status_nonconvulsive": ("ncse", "non-convulsive status", "nonconvulsive status"),
    "status_convulsive": ("cse", "convulsive status", "status"),
}
_ICP_ALIASES: Mapping[str, tuple[str, ...]] = {
    "papilloedema": ("papilledema",),
    "cranial_nerve_vi_palsy": ("vi palsy", "6th nerve palsy", "cn vi"),
    "posturing": ("decerebrate", "decorticate"),
    "cushings_triad": ("cushing", "cushings"),
}
_IMAGING_ALIASES: Mapping[str, tuple[str, ...]] = {
    "not_done": ("not done", "none", "no imaging"),
    "no_oedema": ("normal", "no oedema", "no edema"),
    "focal_oedema": ("focal", "focal oedema", "focal edema"),
    "diffuse_oedema": ("diffuse", "diffuse oedema", "diffuse edema"),
}


Questions = Mapping[Q, Question]


def build_questions(guideline: Guideline) -> Questions:
    """Every question, its prompts, choices and cut-offs taken from this guideline."""
    icans = guideline.icans
    pressor_aliases = {v.id.value: (v.name, *v.aliases) for v in guideline.crs.vasopressors}
    oxygen_labels = {o.device.value: o.label for o in guideline.crs.oxygen}
    # Below this age the CAPD replaces the ICE (data); the age choices are built from it.
    cutoff = icans.paediatrics.age_below_years
    paediatrics = icans.paediatrics
    capd_most = paediatrics.capd_items * paediatrics.capd_item_max
    helps = _help_texts(guideline)
    questions = [
        Question(
            Q.MENU,
            "choice",
            "dialog",
            texts.MENU,
            # The emergency entries first: they are what a doctor needs fastest.
            tuple(
                Choice(k, v, k, (k,))
                for k, v in {**texts.EMERGENCY_MENU, **texts.MENU_OPTIONS}.items()
            ),
        ),
        Question(Q.TEMPERATURE, "number", "temperature", texts.Q_TEMPERATURE, quantity=TEMPERATURE),
        Question(
            Q.PRIOR,
            "choice",
            "prior_treatment",
            texts.Q_PRIOR,
            (
                Choice("none", "None yet", [], ("no", "none", "nothing")),
                Choice("antipyretic", "Antipyretic only", ["antipyretic"], ("paracetamol",)),
                Choice("toci", "Tocilizumab", ["tocilizumab"], ("tocilizumab", "toci")),
                Choice("steroids", "Steroids", ["steroids"], ("steroids", "dexamethasone")),
                Choice("both", "Tocilizumab and steroids", ["tocilizumab", "steroids"], ("both",)),
            ),
        ),
        Question(
            Q.BP,
            "choice",
            "hypotension",
            texts.Q_BP,
            (
                Choice(Hypotension.NONE.value, "No hypotension", "none", ("no", "none", "normal")),
                Choice(Hypotension.FLUIDS.value, "Fluids only", "fluids", ("fluids", "fluid")),
                Choice(
                    Hypotension.VASOPRESSORS.value,
                    "Vasopressor(s)",
                    "vasopressors",
                    ("vasopressors", "pressors", "inotropes"),
                ),
            ),
        ),
        Question(
            Q.PRESSORS,
            "multi",
            "vasopressors",
            texts.Q_PRESSORS,
            tuple(
                Choice(v.value, texts.sentence_case(v.value), v.value, pressor_aliases[v.value])
                for v in Vasopressor
            ),
        ),
        Question(
            Q.BP_CAUSE,
            "choice",
            "hypotension_other_cause",
            texts.Q_BP_CAUSE,
            (_grade_as_crs(False), _clearly_other(True)),
        ),
        Question(
            Q.OXYGEN,
            "choice",
            "oxygen",
            texts.Q_OXYGEN,
            tuple(
                Choice(
                    d.value,
                    _OXYGEN_CHOICE_LABELS.get(d.value)
                    or texts.sentence_case(oxygen_labels[d.value]),
                    d.value,
                    {
                        "none": ("room air", "air", "none", "no"),
                        "cpap": ("cpap",),
                        "bipap": ("bipap", "niv"),
                        "high_flow_nasal_cannula": ("hfnc", "high flow"),
                        "nasal_cannula": ("nasal cannula", "nc", "nasal specs"),
                        "mechanical_ventilation": ("intubated", "ventilated", "ett"),
                        "non_rebreather": ("nrb", "non-rebreather"),
                        "blow_by": ("blow-by",),
                        "facemask": ("mask", "face mask"),
                        "venturi": ("venturi",),
                    }.get(d.value, ()),
                )
                for d in OxygenDevice
            ),
        ),
        Question(
            Q.FLOW, "number", "oxygen_flow_l_min", texts.Q_FLOW, bounds=(0.1, 80), unit="L/min"
        ),
        Question(
            Q.O2_CAUSE,
            "choice",
            "hypoxia_cause",
            texts.Q_O2_CAUSE,
            (
                _grade_as_crs("crs"),
                _clearly_other("other"),
                Choice("comfort", texts.COMFORT_ONLY, "comfort", ("comfort",)),
            ),
        ),
        Question(
            Q.AGE,
            "number",
            "age_years",
            texts.Q_AGE,
            (
                Choice(
                    "adult",
                    f"{cutoff + 1} or over",
                    "adult",
                    ("adult", f"{cutoff + 1}+", f"over {cutoff}"),
                ),
                Choice("twelve", f"Exactly {cutoff}", cutoff, ("twelve",)),
                Choice("child", f"Under {cutoff}", "child", ("child", f"under {cutoff}")),
                Choice("delay", "Developmental delay", "delay", ("delay", "developmental delay")),
            ),
            bounds=(0, 120),
            integer=True,
            unit="years",
        ),
        Question(
            Q.TOOL,
            "choice",
            "tool",
            texts.Q_TOOL,
            (
                Choice("ice", "ICE (10 points)", "ice", ("ice",)),
                Choice("capd", "CAPD total", "capd", ("capd",)),
            ),
        ),
        Question(
            Q.ICE_ENTRY,
            "number",
            "ice_score",
            texts.Q_ICE_ENTRY,
            (
                Choice("guide", texts.ICE_GUIDE, "guide", ("guide", "guide me")),
                Choice(
                    "unwakeable",
                    texts.ICE_CANNOT_WAKE,
                    "unarousable",
                    ("cannot be woken", "unarousable"),
                ),
            ),
            bounds=(0, 10),
            integer=True,
        ),
        *_ice_questions(guideline),
        Question(
            Q.CAPD,
            "number",
            "capd_total",
            texts.Q_CAPD_GUIDED.format(most=capd_most, n=paediatrics.capd_items),
            (
                Choice(
                    "guide",
                    texts.CAPD_GUIDE.format(n=paediatrics.capd_items),
                    "guide",
                    ("guide", "guide me"),
                ),
                Choice(
                    "unwakeable",
                    texts.ICE_CANNOT_WAKE,
                    "unarousable",
                    ("cannot be woken", "unarousable"),
                ),
            ),
            bounds=(0, capd_most),
            integer=True,
        ),
        *_capd_questions(guideline, helps[Q.CAPD]),
        Question(
            Q.CONSCIOUSNESS,
            "choice",
            "consciousness",
            _consciousness_prompt,
            tuple(
                Choice(
                    r.level.value,
                    texts.sentence_case(r.label),
                    r.level.value,
                    (r.level.value, *_CONSCIOUSNESS_ALIASES[r.level.value]),
                    when=_not_scored_above_zero if r.level == Consciousness.UNAROUSABLE else None,
                )
                for r in icans.consciousness
            ),
        ),
        Question(
            Q.SEDATION,
            "choice",
            "consciousness_from_sedation",
            texts.Q_SEDATION,
            _yes_no("Yes, sedating drugs", "No"),
        ),
        Question(
            Q.SEIZURE,
            "choice",
            "seizure",
            texts.Q_SEIZURE,
            tuple(
                _row_choice(r.kind.value, r.label, _SEIZURE_ALIASES[r.kind.value])
                for r in icans.seizure
            ),
        ),
        Question(
            Q.MOTOR,
            "choice",
            "motor",
            texts.Q_MOTOR,
            tuple(
                Choice(
                    r.kind.value,
                    texts.sentence_case(r.label).split(" (")[0],
                    r.kind.value,
                    {
                        "none": ("none", "no"),
                        "tremor_or_myoclonus": ("tremor", "myoclonus"),
                        "focal_weakness": ("hemiparesis", "paraparesis", "weakness"),
                    }[r.kind.value],
                )
                for r in icans.motor
            ),
        ),
        Question(
            Q.ICP,
            "multi",
            "icp_signs",
            texts.Q_ICP,
            (
                Choice("none", "None of these", "none", ("none", "no")),
                *_icp_sign_choices(icans),
            ),
            none_key="none",
        ),
        Question(
            Q.STAGE,
            "choice",
            "papilloedema_stage",
            texts.Q_STAGE,
            (
                *(Choice(str(n), f"Stage {n}", n, (f"stage {n}",)) for n in range(1, 6)),
                _unknown(),
            ),
        ),
        Question(
            Q.IMAGING,
            "choice",
            "imaging",
            texts.Q_IMAGING,
            tuple(
                _row_choice(r.kind.value, r.label, _IMAGING_ALIASES[r.kind.value])
                for r in icans.imaging
            ),
        ),
        Question(
            Q.CSF,
            "number",
            "csf_opening_pressure_mmhg",
            texts.Q_CSF,
            (_unknown(),),
            bounds=(0, 100),
            unit="mmHg",
        ),
        Question(
            Q.CONCURRENT_CRS,
            "choice",
            "concurrent_crs",
            texts.Q_CONCURRENT_CRS,
            (*_yes_no(), _unknown()),
        ),
        Question(
            Q.FERRITIN,
            "number",
            "peak_ferritin_ng_ml",
            texts.Q_FERRITIN,
            bounds=(0, 1_000_000),
            unit="ng/mL",
        ),
        Question(Q.HLH_LIVER, "choice", "liver", texts.Q_HLH_LIVER, _yes_no()),
        Question(Q.HLH_RENAL, "choice", "renal", texts.Q_HLH_RENAL, _yes_no()),
        Question(Q.HLH_LUNG, "choice", "pulmonary_oedema", texts.Q_HLH_LUNG, _yes_no()),
        Question(Q.HLH_HAEM, "choice", "haemophagocytosis", texts.Q_HLH_HAEM, _yes_no()),
        Question(
            Q.DRUG,
            "choice",
            "regimen",
            texts.Q_DRUG,
            tuple(
                Choice(r.id, _dose_label(guideline, r.id), r.id, (r.drug,))
                for r in guideline.drugs.regimens
                if r.basis != "fixed"
            ),
        ),
        Question(Q.WEIGHT, "number", "weight", texts.Q_WEIGHT, (_unknown(),), quantity=WEIGHT),
        *_emergency_questions(guideline),
        Question(Q.HEIGHT, "number", "height", texts.Q_HEIGHT, (_unknown(),), quantity=HEIGHT),
        Question(
            Q.TOCI_24H,
            "number",
            "toci_24h",
            texts.Q_TOCI_24H,
            (*(Choice(str(n), str(n), n) for n in range(4)), _unknown()),
            bounds=(0, 20),
            integer=True,
        ),
        Question(
            Q.TOCI_TOTAL,
            "number",
            "toci_total",
            texts.Q_TOCI_TOTAL,
            (*(Choice(str(n), str(n), n) for n in range(5)), _unknown()),
            bounds=(0, 20),
            integer=True,
        ),
        Question(
            Q.TOCI_LAST,
            "number",
            "toci_hours",
            texts.Q_TOCI_LAST,
            (_unknown(),),
            bounds=(0, 240),
            unit="h",
        ),
    ]
    return {q.id: replace(q, help=helps.get(q.id, q.help)) for q in questions}


def _grade_as_crs(value: Answer) -> Choice:
    """No / not sure: the finding counts as CRS (unless another cause is clear, ASTCT)."""
    return Choice("crs", texts.CAUSE_GRADE_AS_CRS, value, ("no", "n", "not sure", "unsure", "crs"))


def _clearly_other(value: Answer) -> Choice:
    """'Clearly another cause': the finding does not count towards the CRS grade."""
    return Choice(
        "other", texts.CAUSE_CLEARLY_OTHER, value, ("yes", "y", "other", "another cause", "clearly")
    )


# The emergency entries (issue 9 item 1). What a doctor sees at the bedside chooses the Table 6
# or Table 7 pathway; the second question gives the dose basis (weight, or adult/child when the
# weight is not known, clinical-rules §9.8). The first steps are shown after these two.
_SEIZING_NOW = (Seizure.STATUS_CONVULSIVE, Seizure.STATUS_NONCONVULSIVE, Seizure.BRIEF_CLINICAL)


def _emergency_questions(guideline: Guideline) -> list[Question]:
    icans = guideline.icans
    seizures = {r.kind: r for r in icans.seizure}
    imaging = {r.kind: r for r in icans.imaging}
    return [
        Question(
            Q.SEIZING,
            "choice",
            "seizure",
            texts.Q_SEIZING,
            tuple(
                # Short labels: a phone shows a button on one line (the ASTCT wording of each
                # kind is in the result's reasons, from the data).
                Choice(
                    kind.value,
                    texts.SEIZING_LABELS[kind.value],
                    kind.value,
                    (*_SEIZURE_ALIASES[kind.value], seizures[kind].label),
                )
                for kind in _SEIZING_NOW
            ),
        ),
        Question(
            Q.ICP_NOW,
            "multi",
            "icp_now",
            texts.Q_ICP_NOW,
            (
                *_icp_sign_choices(icans),
                *(
                    _row_choice(kind.value, imaging[kind].label, _IMAGING_ALIASES[kind.value])
                    for kind in (Imaging.FOCAL_OEDEMA, Imaging.DIFFUSE_OEDEMA)
                ),
            ),
        ),
        Question(
            Q.PATIENT_SIZE,
            "number",
            "patient_size",
            texts.Q_PATIENT_SIZE,
            (
                Choice("adult", texts.SIZE_ADULT, "adult", ("adult",)),
                Choice("child", texts.SIZE_CHILD, "child", ("child",)),
            ),
            quantity=WEIGHT,
        ),
    ]


def _dose_label(guideline: Guideline, regimen_id: str) -> str:
    regimen = guideline.regimen(regimen_id)
    name = guideline.drug(regimen.drug).name
    rate = f"{regimen.low:g}" + (f"–{regimen.high:g}" if regimen.high else "")
    per = "kg" if regimen.basis == "per_kg" else "m²"
    return f"{name} {rate} {regimen.unit}/{per} ({regimen.schedule})"
