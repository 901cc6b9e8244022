"""ASTCT 2019 grading of CRS and ICANS, the ICE score and the HLH/MAS screen.

Pure functions: findings and the guideline in, a grade with the findings that set it and their
citations out. The thresholds are in the guideline data; only the ASTCT rules that are logic
("the most severe domain wins", "vasopressin is not counted") are written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dialogs import texts
from dialogs.clinical.findings import CrsFindings, HlhFindings, IcansFindings
from dialogs.clinical.guideline import Citation, Guideline
from dialogs.clinical.guideline.schema import Band, HypotensionRow, OxygenRow, Row
from dialogs.clinical.units import fmt
from dialogs.clinical.vocab import Consciousness, Hypotension, IcansTool, Motor, OxygenDevice

__all__ = [
    "Domain",
    "FindingsError",
    "Grade",
    "HlhScreen",
    "Reason",
    "band_grade",
    "grade_crs",
    "grade_icans",
    "icans_tool",
    "screen_hlh",
]


class FindingsError(ValueError):
    """Findings that cannot be graded as given; names the field and what is accepted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class Reason:
    """A finding that set (or was excluded from) a grade, with its citation."""

    text: str
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class Domain:
    """One ASTCT domain of a grade (fever, hypotension, ICE, …): its own grade and finding."""

    name: str
    grade: int
    finding: str


class Grade(_Frozen):
    """A CRS or ICANS grade: 0 for none, None when ASTCT does not define one."""

    toxicity: Literal["CRS", "ICANS"]
    grade: int | None
    headline: str
    reasons: tuple[Reason, ...]
    notes: tuple[Reason, ...] = ()
    domains: tuple[Domain, ...] = ()
    # The encephalopathy score the ICANS grade used, if any: ("ICE", 7) or ("CAPD", 10).
    score: tuple[Literal["ICE", "CAPD"], int] | None = None

    @property
    def present(self) -> bool:
        """Whether there is a toxicity of grade 1 or more."""
        return self.grade is not None and self.grade >= 1


class HlhScreen(_Frozen):
    """The HLH/MAS screen: whether the criteria are met, and why."""

    met: bool
    headline: str
    reasons: tuple[Reason, ...]


def _reason(guideline: Guideline, row: Row, text: str) -> Reason:
    return Reason(text=text, citation=guideline.cite(row))


def _temp(celsius: float) -> str:
    return f"{fmt(celsius)} °C"


def _most_severe(
    toxicity: Literal["CRS", "ICANS"],
    headline: str,
    domains: Sequence[tuple[int, Reason]],
    notes: Sequence[Reason],
) -> Grade:
    """ASTCT: the grade is that of the most severe domain; every domain at that grade is named."""
    grade = max(g for g, _ in domains)
    return Grade(
        toxicity=toxicity,
        grade=grade,
        headline=headline.format(grade=grade),
        reasons=tuple(r for g, r in domains if g == grade),
        notes=tuple(notes),
    )


# --- CRS ---


def _hypotension_row(findings: CrsFindings, guideline: Guideline) -> HypotensionRow:
    rows = {row.level: row for row in guideline.crs.hypotension}
    if findings.hypotension == Hypotension.NONE:
        return rows["none"]
    if findings.hypotension == Hypotension.FLUIDS:
        return rows["fluids"]
    counted = {v.id for v in guideline.crs.vasopressors if v.counted}
    # ASTCT: vasopressin is not counted towards "multiple", but alone it is one vasopressor.
    n = sum(1 for v in findings.vasopressors if v in counted)
    return rows["multiple_vasopressors"] if n >= 2 else rows["one_vasopressor"]


def _oxygen(findings: CrsFindings, guideline: Guideline) -> tuple[int, str, OxygenRow]:
    row = next(o for o in guideline.crs.oxygen if o.device == findings.oxygen)
    flow = findings.oxygen_flow_l_min
    if row.low_flow_max_l_min is not None and flow is not None and flow > row.low_flow_max_l_min:
        assert row.grade_above is not None
        assert row.label_above is not None
        return (
            row.grade_above,
            texts.OXYGEN_HIGH_FLOW.format(label=row.label_above, flow=fmt(flow)),
            row,
        )
    label = texts.sentence_case(row.label)
    if flow is not None and row.device != OxygenDevice.NONE:
        return row.grade, texts.OXYGEN_FLOW.format(label=label, flow=fmt(flow)), row
    return row.grade, label, row


def grade_crs(findings: CrsFindings, guideline: Guideline) -> Grade:
    """Grade CRS by ASTCT 2019: the more severe of hypotension and hypoxia, given fever."""
    crs = guideline.crs
    celsius = findings.max_temperature.celsius
    notes: list[Reason] = []
    if findings.max_temperature.unit == "F":
        notes.append(
            Reason(
                text=texts.TEMPERATURE_CONVERTED.format(
                    f=fmt(findings.max_temperature.value), c=fmt(celsius, 2)
                )
            )
        )
    for tox in findings.organ_toxicities:
        notes.append(
            _reason(
                guideline,
                crs.grades[0],
                texts.ORGAN_TOXICITY.format(
                    system=texts.ORGAN_NAMES[tox.system.value], grade=tox.ctcae_grade
                ),
            )
        )

    if findings.death_from_crs:
        return Grade(
            toxicity="CRS",
            grade=5,
            headline=texts.CRS_GRADE.format(grade=5),
            reasons=(_reason(guideline, crs.grades[4], texts.DEATH_CRS),),
            notes=tuple(notes),
        )

    threshold = crs.fever.threshold_c
    febrile = celsius >= threshold
    fever = febrile and not findings.fever_other_cause
    waived = [t.value for t in findings.prior_treatment if t in crs.fever_waiver.treatments]
    named = [Domain("fever", 1 if fever else 0, _temp(celsius))]

    # Each domain as (grade, reason); grade 1 means "none" and sets nothing beyond fever.
    domains: list[tuple[int, Reason]] = []
    hyp_row = _hypotension_row(findings, guideline)
    if hyp_row.grade > 1:
        label = texts.sentence_case(hyp_row.label)
        if findings.vasopressors:
            label = texts.HYPOTENSION_VASOPRESSORS.format(
                label=label, drugs=", ".join(v.value for v in findings.vasopressors)
            )
        if findings.hypotension_other_cause:
            notes.append(
                _reason(
                    guideline,
                    hyp_row,
                    texts.OTHER_CAUSE_NOT_COUNTED.format(what=texts.HYPOTENSION_WORD),
                )
            )
        else:
            domains.append((hyp_row.grade, _reason(guideline, hyp_row, label)))
            named.append(Domain("hypotension", hyp_row.grade, label))
    ox_grade, ox_label, ox_row = _oxygen(findings, guideline)
    if ox_grade > 1:
        if findings.oxygen_for_comfort_only:
            notes.append(_reason(guideline, ox_row, texts.COMFORT_OXYGEN))
        elif findings.hypoxia_other_cause:
            notes.append(
                _reason(
                    guideline, ox_row, texts.OTHER_CAUSE_NOT_COUNTED.format(what=texts.HYPOXIA_WORD)
                )
            )
        else:
            domains.append((ox_grade, _reason(guideline, ox_row, ox_label)))
            named.append(Domain("hypoxia", ox_grade, ox_label))

    if fever:
        domains.append(
            (
                1,
                _reason(
                    guideline,
                    crs.fever,
                    texts.FEVER.format(temp=_temp(celsius), threshold=f"{threshold:.1f}"),
                ),
            )
        )
    elif waived:
        notes.insert(
            0,
            _reason(
                guideline, crs.fever_waiver, texts.FEVER_WAIVED.format(treatments=", ".join(waived))
            ),
        )
    else:
        why = (
            texts.FEVER_OTHER_CAUSE.format(temp=_temp(celsius))
            if febrile
            else texts.NO_FEVER.format(temp=_temp(celsius), threshold=f"{threshold:.1f}")
        )
        reasons = [
            _reason(guideline, crs.fever, why),
            _reason(guideline, crs.fever_waiver, texts.NO_FEVER_NO_TREATMENT),
        ]
        if domains:
            notes.append(_reason(guideline, crs.fever, texts.NOT_CRS_WITHOUT_FEVER))
        return Grade(
            toxicity="CRS",
            grade=0,
            headline=texts.NO_CRS,
            reasons=tuple(reasons),
            notes=tuple(notes),
            domains=tuple(named),
        )

    if not domains:
        # Afebrile after treatment with nothing else: ASTCT does not define this. Say so.
        return Grade(
            toxicity="CRS",
            grade=None,
            headline=texts.CRS_UNDEFINED,
            reasons=(_reason(guideline, crs.fever_waiver, texts.UNDEFINED_AFTER_TREATMENT),),
            notes=tuple(notes),
            domains=tuple(named),
        )
    graded = _most_severe("CRS", texts.CRS_GRADE, domains, notes)
    return graded.model_copy(update={"domains": tuple(named)})


# --- ICE, CAPD and ICANS ---


def band_grade(bands: Sequence[Band], score: int) -> Band:
    """Return the band that holds a score."""
    for band in bands:
        if band.low <= score <= band.high:
            return band
    raise ValueError(f"score {score} is in no band")


def icans_tool(
    findings: IcansFindings, guideline: Guideline, age_years: int | None = None
) -> IcansTool:
    """Decide between ICE and CAPD from age, developmental delay and the caller's choice."""
    return _resolve_tool(findings, guideline.icans.paediatrics.age_below_years, age_years)


def _resolve_tool(findings: IcansFindings, cutoff: int, age: int | None) -> IcansTool:
    if age is not None and age < cutoff:
        if findings.tool == IcansTool.ICE:
            raise FindingsError("icans.tool", texts.ERR_ICE_CHILD.format(age=cutoff))
        return IcansTool.CAPD
    if age is not None and age == cutoff and findings.tool is None:
        raise FindingsError("icans.tool", texts.ERR_TOOL_AT_12.format(age=cutoff))
    if findings.tool == IcansTool.CAPD:
        if age is not None and age > cutoff and not findings.developmental_delay:
            raise FindingsError("icans.tool", texts.ERR_CAPD_ADULT.format(age=cutoff))
        return IcansTool.CAPD
    if findings.tool is None and findings.capd_total is not None and findings.ice is None:
        return IcansTool.CAPD
    return IcansTool.ICE


def grade_icans(
    findings: IcansFindings, guideline: Guideline, age_years: int | None = None
) -> Grade:
    """Grade ICANS by ASTCT 2019: the most severe of its five domains."""
    icans = guideline.icans
    cutoff = icans.paediatrics.age_below_years
    tool = icans_tool(findings, guideline, age_years)
    notes: list[Reason] = []

    if findings.death_from_icans:
        return Grade(
            toxicity="ICANS",
            grade=5,
            headline=texts.ICANS_GRADE.format(grade=5),
            reasons=(_reason(guideline, icans.grades[4], texts.DEATH_ICANS),),
        )

    unarousable = findings.consciousness == Consciousness.UNAROUSABLE
    sedated = findings.consciousness_from_sedation
    level_row = next(r for r in icans.consciousness if r.level == findings.consciousness)
    if tool == IcansTool.CAPD and age_years is not None and age_years < cutoff:
        notes.append(_reason(guideline, icans.paediatrics, texts.CAPD_CHILD.format(age=cutoff)))

    # Each domain as (name, grade, reason); the grade is that of the most severe.
    named: list[tuple[str, int, Reason]] = []

    def add(domain: str, grade: int, row: Row, text: str) -> None:
        named.append((domain, grade, _reason(guideline, row, text)))

    # The encephalopathy screen (ICE or CAPD).
    score = findings.ice if tool == IcansTool.ICE else findings.capd_total
    name: Literal["ICE", "CAPD"] = "ICE" if tool == IcansTool.ICE else "CAPD"
    screen = name.lower()
    score_field = "icans.ice_score" if tool == IcansTool.ICE else "icans.capd_total"
    if unarousable and score is not None and score > 0 and not sedated:
        raise FindingsError(score_field, texts.ERR_UNAROUSABLE_SCORE.format(tool=name))
    if unarousable and not sedated:
        unable = texts.ICE_UNABLE if tool == IcansTool.ICE else texts.CAPD_UNABLE
        add(screen, 4, level_row, unable)
    elif score is None:
        if not (unarousable and sedated):
            raise FindingsError(
                score_field,
                texts.ERR_ICE_MISSING if tool == IcansTool.ICE else texts.ERR_CAPD_MISSING,
            )
        notes.append(_reason(guideline, level_row, texts.SEDATED_NO_SCREEN))
    elif tool == IcansTool.ICE:
        band = band_grade(icans.ice_bands, score)
        text = (
            texts.ICE_NORMAL
            if band.grade == 0
            else texts.ICE_SCORE.format(score=score, low=band.low, high=band.high)
        )
        add(screen, band.grade, band, text)
    else:
        band = band_grade(icans.capd_bands, score)
        add(
            screen,
            band.grade,
            band,
            texts.CAPD_SCORE.format(score=score, low=band.low, high=band.high),
        )

    # Depressed consciousness, unless caused by sedating drugs.
    if level_row.grade > 0:
        if sedated:
            notes.append(_reason(guideline, level_row, texts.SEDATION_NOT_COUNTED))
        else:
            add(
                "consciousness",
                level_row.grade,
                level_row,
                texts.CONSCIOUSNESS.format(label=level_row.label),
            )

    seizure = next(r for r in icans.seizure if r.kind == findings.seizure)
    add("seizure", seizure.grade, seizure, texts.SEIZURE.format(label=seizure.label))
    motor = next(r for r in icans.motor if r.kind == findings.motor)
    if findings.motor == Motor.TREMOR_OR_MYOCLONUS:
        notes.append(_reason(guideline, motor, texts.TREMOR_NOTE))
    else:
        add("motor", motor.grade, motor, texts.MOTOR.format(label=motor.label))
    imaging = next(r for r in icans.imaging if r.kind == findings.imaging)
    add("icp", imaging.grade, imaging, texts.IMAGING.format(label=imaging.label))
    for sign in findings.icp_signs:
        row = next(r for r in icans.icp_signs if r.sign == sign)
        label = row.label
        if findings.papilloedema_stage is not None and sign.value == "papilloedema":
            label = f"{label} stage {findings.papilloedema_stage}"
        add("icp", row.grade, row, texts.ICP_SIGN.format(label=label))

    if findings.intracranial_haemorrhage:
        notes.append(_reason(guideline, icans.grades[3], texts.HAEMORRHAGE_NOTE))
    if findings.concurrent_crs:
        notes.append(_reason(guideline, icans.grades[0], texts.CONCURRENT_CRS_NOTE))

    by_domain: dict[str, Domain] = {}
    for domain, grade, reason in named:
        if domain not in by_domain or grade > by_domain[domain].grade:
            by_domain[domain] = Domain(domain, grade, reason.text)
    domains = tuple(by_domain.values())
    scored = (name, score) if score is not None else None
    grade = max((g for _, g, _ in named), default=0)
    if grade == 0:
        if sedated and score is None:
            # Sedated past the screen with nothing else found: not a grade (clinical-rules §9.9).
            return Grade(
                toxicity="ICANS",
                grade=None,
                headline=texts.ICANS_NOT_ASSESSABLE,
                reasons=(_reason(guideline, level_row, texts.SEDATION_NOT_COUNTED),),
                notes=tuple(notes),
                domains=domains,
                score=scored,
            )
        shown = tuple(r for d, _, r in named if d == screen)
        return Grade(
            toxicity="ICANS",
            grade=0,
            headline=texts.NO_ICANS,
            reasons=shown or tuple(r for _, _, r in named[:1]),
            notes=tuple(notes),
            domains=domains,
            score=scored,
        )
    graded = _most_severe("ICANS", texts.ICANS_GRADE, [(g, r) for _, g, r in named], notes)
    return graded.model_copy(update={"domains": domains, "score": scored})


# --- HLH/MAS ---


def screen_hlh(findings: HlhFindings, guideline: Guideline) -> HlhScreen:
    """Screen for CAR-T-related HLH/MAS: ferritin above the threshold plus enough findings."""
    criteria = guideline.hlh.criteria
    threshold = criteria.ferritin_above_ng_ml
    ferritin_met = findings.peak_ferritin_ng_ml > threshold
    present = [f for f in guideline.hlh.findings if getattr(findings, f.id)]
    needed = criteria.minimum_of_findings
    reasons = [
        _reason(
            guideline,
            criteria,
            texts.HLH_FERRITIN.format(
                value=f"{findings.peak_ferritin_ng_ml:,.0f}",
                relation=">" if ferritin_met else "not >",
                threshold=f"{threshold:,.0f}",
            ),
        )
    ]
    if present:
        reasons.append(
            _reason(
                guideline,
                present[0],
                texts.HLH_FINDINGS.format(
                    count=len(present), needed=needed, names="; ".join(f.label for f in present)
                ),
            )
        )
    else:
        reasons.append(_reason(guideline, criteria, texts.HLH_NO_FINDINGS.format(needed=needed)))
    met = ferritin_met and len(present) >= needed
    return HlhScreen(
        met=met, headline=texts.HLH_MET if met else texts.HLH_NOT_MET, reasons=tuple(reasons)
    )
