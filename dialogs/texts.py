"""Every sentence the project says that is not clinical table data lives here.

Clinical advice wording lives in the guideline data files (dialogs/clinical/guideline/data);
this module holds the wording of grades, reasons, doses, questions and replies, so a reviewer
can read it all.
"""

from __future__ import annotations

from typing import Final


def sentence_case(text: str) -> str:
    """Capitalise the first letter only (str.capitalize would lower-case 'CPAP' and 'ICE')."""
    return text[:1].upper() + text[1:]


# --- grades ---
NO_CRS: Final = "No CRS"
CRS_UNDEFINED: Final = "CRS not gradable: resolving after treatment, re-assess"
NO_ICANS: Final = "No ICANS"
ICANS_NOT_ASSESSABLE: Final = "ICANS not assessable under sedation: re-assess off sedation"
CRS_GRADE: Final = "CRS grade {grade}"
ICANS_GRADE: Final = "ICANS grade {grade}"

# --- CRS reasons ---
FEVER: Final = "Fever {temp} (≥ {threshold} °C)"
NO_FEVER: Final = "No fever: {temp} is below {threshold} °C"
FEVER_OTHER_CAUSE: Final = "Fever {temp} has another cause, so it does not count"
FEVER_WAIVED: Final = "Fever not needed: {treatments} already given for CRS"
NO_FEVER_NO_TREATMENT: Final = "No fever and no CRS treatment yet, so this is not CRS"
NOT_CRS_WITHOUT_FEVER: Final = (
    "Hypotension or hypoxia without fever is not CRS before treatment: look for another cause"
)
UNDEFINED_AFTER_TREATMENT: Final = (
    "Afebrile after treatment, no hypotension, no hypoxia: ASTCT gives no grade"
)
HYPOTENSION_VASOPRESSORS: Final = "{label}: {drugs}"
OTHER_CAUSE_NOT_COUNTED: Final = "{what} has another cause, so it does not count"
COMFORT_OXYGEN: Final = "Oxygen for comfort only is not hypoxia"
OXYGEN_FLOW: Final = "{label} at {flow} L/min"
OXYGEN_HIGH_FLOW: Final = "{label}: {flow} L/min"
ORGAN_TOXICITY: Final = (
    "{system} CTCAE grade {grade}: graded separately, does not change the CRS grade"
)
DEATH_CRS: Final = "Death from CRS"
DEATH_ICANS: Final = "Death from ICANS"
HYPOTENSION_WORD: Final = "Hypotension"
HYPOXIA_WORD: Final = "Hypoxia"
TEMPERATURE_CONVERTED: Final = "{f} °F = {c} °C"

ORGAN_NAMES: Final = {
    "transaminitis": "Transaminitis",
    "aki": "Acute kidney injury",
    "coagulopathy": "Coagulopathy",
    "other": "Organ toxicity",
}

# --- ICANS reasons ---
ICE_SCORE: Final = "ICE {score}/10 ({low}–{high})"
ICE_NORMAL: Final = "ICE 10/10 (normal)"
ICE_UNABLE: Final = "Cannot do the ICE: unarousable"
CAPD_SCORE: Final = "CAPD {score} ({low}–{high})"
CAPD_UNABLE: Final = "Cannot do the CAPD: unarousable"
CONSCIOUSNESS: Final = "Consciousness: {label}"
SEDATION_NOT_COUNTED: Final = "Drowsiness from sedating drugs does not count"
SEDATED_NO_SCREEN: Final = "ICE/CAPD not possible under sedation: re-assess off sedation"
SEIZURE: Final = "Seizure: {label}"
MOTOR: Final = "Motor: {label}"
TREMOR_NOTE: Final = "Tremor or myoclonus does not change the ICANS grade"
IMAGING: Final = "Imaging: {label}"
ICP_SIGN: Final = "Raised ICP sign: {label}"
HAEMORRHAGE_NOTE: Final = "Intracranial haemorrhage does not change the ICANS grade"
CONCURRENT_CRS_NOTE: Final = "Concurrent CRS changes ICANS treatment, not its grade"
CAPD_CHILD: Final = "Under {age} years: graded with the CAPD instead of the ICE"

# --- ICANS findings errors (field, message) ---
ERR_ICE_CHILD: Final = (
    "children under {age} are graded with the CAPD: use tool 'capd' and capd_total"
)
ERR_TOOL_AT_12: Final = "at exactly {age} years say which tool applies: 'ice' or 'capd'"
ERR_CAPD_ADULT: Final = "CAPD is for under {age}s or developmental delay: set developmental_delay"
ERR_ICE_MISSING: Final = "give ice_score (0-10) or ice_items, or set consciousness 'unarousable'"
ERR_CAPD_MISSING: Final = "give capd_total (0-32), or set consciousness 'unarousable'"
ERR_UNAROUSABLE_SCORE: Final = "an unarousable patient cannot do the {tool}: leave the score empty"

# --- HLH ---
HLH_MET: Final = "Possible CAR-T-related HLH/MAS"
HLH_NOT_MET: Final = "HLH/MAS criteria not met"
HLH_FERRITIN: Final = "Peak ferritin {value} ng/mL ({relation} {threshold})"
HLH_FINDINGS: Final = "{count} of the organ findings (need {needed}): {names}"
HLH_NO_FINDINGS: Final = "None of the organ findings (need {needed})"

# --- doses ---
DOSE_NEEDS_WEIGHT: Final = "weight needed for the dose"
DOSE_NEEDS_BSA: Final = "height and weight needed for the dose"
DOSE_CAPPED: Final = ", capped at {cap} {unit}"
DOSE_ROUNDED: Final = ", rounded to {amount}"
DOSE_PER_KG: Final = "{rate} {unit}/kg × {size} kg = {amount} {unit}"
DOSE_PER_M2: Final = "{rate} {unit}/m² × {size} m² = {amount} {unit}"
DOSE_BAND: Final = ", the under-{kg}-kg dose"
BSA: Final = "BSA √({cm} cm × {kg} kg / 3600) = {bsa} m²"
DOSE_MAX: Final = "max {cap} {unit} a dose"
DOSE_PAEDIATRIC_ASK: Final = (
    "{drug}: paediatric dose from the paediatric team or pharmacy (adult dose not shown)"
)
TOCI_ASK_HISTORY: Final = "Check doses already given: at most {day} in 24 h and {total} in total"
TOCI_DAY_CAP: Final = "{given} doses in the last 24 h, the most allowed is {day}"
TOCI_TOTAL_CAP: Final = "{given} doses in total, the most allowed is {total}"
TOCI_NO_MORE: Final = "No further dose for this episode."
TOCI_LEFT: Final = " {left} {doses} left of {total} in total."
TOCI_NEXT_UNKNOWN: Final = (
    "Next dose allowed once the first of these {day} doses is over 24 h old "
    "(time of the last dose?)."
)
TOCI_NEXT_WITHIN: Final = (
    "Next dose allowed once the first of these {day} doses is over 24 h old "
    "(by {hours} h from now at the latest)."
)
TOCI_LAST_OF_DAY: Final = (
    "the last allowed in 24 h: no repeat until the first of these {day} doses is over 24 h old"
)
TOCI_LAST_OF_TOTAL: Final = "the last allowed in total: no repeat"
TOCI_DOSE_OF: Final = (
    "Dose {day_next} of at most {day} in 24 h; dose {next} of at most {total} in total"
)

# --- the care plan ---
PATHWAY_TITLES: Final = {
    "convulsive": "Status epilepticus, convulsive (Table 6)",
    "nonconvulsive": "Status epilepticus, non-convulsive (Table 6)",
    "eeg_resolved": "Seizures resolved on EEG: maintenance (Table 6)",
    "high_dose": "Raised ICP, high-dose arm (Table 7)",
    "acetazolamide": "Raised ICP, acetazolamide arm (Table 7)",
    "undetermined": "Raised ICP, arm not yet known (Table 7)",
    "pressure_review": "High CSF opening pressure (Table 7)",
    "hlh": "HLH/MAS: manage as CRS first",
}
PATHWAY_REASONS: Final = {
    "convulsive": "convulsive status epilepticus",
    "nonconvulsive": "non-convulsive status epilepticus",
    "eeg_resolved": "seizures on EEG that resolved with treatment",
    "high_dose": "papilloedema stage 3–5, oedema on imaging, other signs of raised ICP, "
    "or opening pressure ≥ 20 mmHg at grade 3–4",
    "acetazolamide": "papilloedema stage 1–2, opening pressure < 20 mmHg, no oedema",
    "undetermined": "papilloedema: stage, imaging or opening pressure still to come",
    "pressure_review": "opening pressure ≥ 20 mmHg at ICANS grade 1–2",
    "hlh": "HLH/MAS criteria met",
}
PATHWAY_BECAUSE: Final = "Because: {reason}."
BY_DOMAIN: Final = "by domain"
DOMAIN_GRADE: Final = "{name} grade {grade}"
DOMAIN_NAMES: Final = {
    "fever": "fever",
    "hypotension": "hypotension",
    "hypoxia": "hypoxia",
    "ice": "ICE",
    "capd": "CAPD",
    "consciousness": "consciousness",
    "seizure": "seizure",
    "motor": "motor",
    "icp": "raised ICP/oedema",
}
PLAN_DEATH: Final = "Grade 5 (death): no management advised."
PAEDIATRIC_BANNER: Final = (
    "⚠ Child: this is an adult guideline. Involve the GNCH paediatric CAR-T team{lead}."
)
PLAN_NOW: Final = "Do now"
WHEN_TRIGGERS: Final = {
    "concurrent_crs": "With concurrent CRS",
    "no_concurrent_crs": "Without concurrent CRS",
}
MANAGED_AS_GRADE_3: Final = (
    "Managed as grade 3 (Table 5): only stage 1–2 papilloedema makes it grade 4 (ASTCT)."
)
ICP_PAPILLOEDEMA: Final = "papilloedema stage {stage}"
ICP_UNSTAGED: Final = "papilloedema, stage not known"
ICP_SIGN_NAMES: Final = {
    "cranial_nerve_vi_palsy": "cranial nerve VI palsy",
    "posturing": "decerebrate or decorticate posturing",
    "cushings_triad": "Cushing's triad",
    "focal_oedema": "focal oedema on imaging",
    "diffuse_oedema": "diffuse oedema on imaging",
}
ICP_NO_IMAGING: Final = "no imaging yet"
ICP_PRESSURE: Final = "CSF opening pressure {mmhg} mmHg"
ICP_NO_LP: Final = "no opening pressure yet"
PLAN_CALL: Final = "Call: {leads}"
PLAN_STOCK: Final = "Stock: {where}"
PLAN_WITHHELD: Final = "⛔ {drug} withheld: {reason}. {next}"
PLAN_NOW_MORE: Final = "Do now, continued"
PLAN_THEN: Final = "If no response, or if needed"
PLAN_CARE: Final = "Supportive care"
PLAN_CHECKS: Final = "Investigations"
PLAN_MONITORING: Final = "Monitoring"
PLAN_NOTES: Final = "Notes"
PLAN_IN_NOW: Final = "(in Do now)"
PLAN_NOTHING_NOW: Final = "No CRS or ICANS treatment now: keep monitoring and re-assess."
PATIENT_AGE: Final = "Age {age}"
PATIENT_TOCI: Final = "Tocilizumab given: {day} in 24 h, {total} in total{since}"
PATIENT_TOCI_SINCE: Final = ", last {hours} h ago"

# --- results ---
DISCLAIMER: Final = "Decision support only: check against the guideline and your senior."

# --- dialogs: menu and commands ---
MENU: Final = "What do you want to do?"
MENU_OPTIONS: Final = {
    "assessment": "Full review: CRS + ICANS",
    "crs": "CRS grade",
    "icans": "ICANS grade",
    "ice": "Guided ICE score",
    "hlh": "HLH/MAS screen",
    "dose": "Dose calculator",
    "rehearsal": "🎓 Training rehearsal",
    "quick": "⚡ Quick entry",
}
CANCELLED: Final = "Stopped. Nothing was kept. Choose what to do next."
NOTHING_TO_UNDO: Final = "This is the first question: nothing to undo."
STALE: Final = "That question has moved on. Answer the one below."
NOT_THIS_QUESTION: Final = "That button belongs to another question. Answer the one below."

# --- dialogs: input errors (each says what is accepted) ---
ACCEPTED_CHOICE: Final = "Please choose one of the options: tap it, or type its number (1–{n})."
ACCEPTED_MULTI: Final = (
    "Tap each that applies, then Done; or type them separated by commas, or 'none'."
)
ACCEPTED_INTEGER: Final = "Type a whole number from {low} to {high}{unit}."
ACCEPTED_NUMBER: Final = "Type a number from {low} to {high}{unit}."
MULTI_EMPTY: Final = "Choose at least one, or 'None of these'."
CONFIRM_UNUSUAL: Final = "{value} is unusual. Is it right?"
CONFIRM_YES: Final = "Yes, it is right"
CONFIRM_NO: Final = "No, re-enter"
CONFIRM_WHICH_UNIT: Final = "Which is it: {value}, or {other}?"
NEED_NUMBER: Final = "I need a number, e.g. {example}."
RECORDED: Final = "Recorded: {value}"
DONE: Final = "Done"
UNKNOWN: Final = "Unknown / not done"
SELECTED: Final = "Selected: {items}"

# --- dialogs: questions ---
Q_TEMPERATURE: Final = (
    "Highest temperature in the last 12 hours? Type it in °C or °F (e.g. 38.4 or 101.1 F)."
)
Q_PRIOR: Final = "Has the patient already had treatment for CRS?"
Q_BP: Final = "Blood pressure support?"
Q_PRESSORS: Final = (
    "Which vasopressors? (Vasopressin is counted apart.) "
    "You can also type them, e.g. 'noradrenaline, vasopressin'."
)
Q_BP_CAUSE: Final = "Low blood pressure: clearly from another cause (sepsis, bleeding…)?"
Q_OXYGEN: Final = "Oxygen support?"
Q_FLOW: Final = "Nasal cannula flow in L/min? (≤ 6 is low-flow, > 6 high-flow)"
Q_O2_CAUSE: Final = "Oxygen need: clearly from another cause (pneumonia, fluid overload…)?"
Q_AGE: Final = "Age? Type it in years, or choose."
Q_TOOL: Final = "Which encephalopathy tool applies?"
Q_ICE_ENTRY: Final = "ICE score: type it (0–10), or let me guide you through the ten points."
Q_CONSCIOUSNESS: Final = "Level of consciousness?"
Q_CONSCIOUSNESS_ICE0: Final = "ICE is 0. Can the patient be woken? Level of consciousness?"
Q_SEDATION: Final = "Is the drowsiness explained by sedating drugs?"
Q_SEIZURE: Final = "Seizures?"
Q_MOTOR: Final = "Motor findings?"
Q_ICP: Final = "Signs of raised intracranial pressure?"
Q_STAGE: Final = "Papilloedema stage (modified Frisén)?"
Q_IMAGING: Final = "Brain imaging (CT or MRI)?"
Q_CSF: Final = "CSF opening pressure in mmHg? Type it."
Q_CONCURRENT_CRS: Final = "Does the patient have CRS now?"
Q_WEIGHT: Final = "Weight, for the doses? Type it in kg or lb (e.g. 70 or 154 lb)."
Q_HEIGHT: Final = "Height, for body surface area? Type it in cm or in (e.g. 170 or 67 in)."
Q_TOCI_24H: Final = "Tocilizumab doses given in the last 24 hours?"
Q_TOCI_TOTAL: Final = "Tocilizumab doses given in total for this episode?"
Q_TOCI_LAST: Final = "How many hours ago was the last tocilizumab dose? (e.g. 6)"
Q_FERRITIN: Final = "Peak ferritin during the CRS phase, in ng/mL (= µg/L)? Type it."
Q_HLH_LIVER: Final = "Grade ≥ 3 rise in bilirubin, AST or ALT?"
Q_HLH_RENAL: Final = "Grade ≥ 3 oliguria or rise in creatinine?"
Q_HLH_LUNG: Final = "Grade ≥ 3 pulmonary oedema?"
Q_HLH_HAEM: Final = "Haemophagocytosis in marrow or organs (histology or CD68)?"
Q_DRUG: Final = "Which dose?"
ICE_CANNOT_WAKE: Final = "Cannot be woken"
ICE_GUIDE: Final = "Guide me through the ICE"

# --- dialogs: results ---
RESULT_WHY: Final = "Why"
RESULT_SOURCES: Final = "Sources"
RESULT_VERSION: Final = "Guideline: {version}. Grading: ASTCT 2019."
ICE_RESULT: Final = "ICE {score}/10 → ICE domain of ICANS: {grade}"
ICE_RESULT_UNABLE: Final = "ICE not possible: patient cannot be woken → ICANS grade 4"
ICE_NEXT: Final = (
    "Next: grade ICANS in full (consciousness, seizures, motor, raised ICP) with 'ICANS grade'. "
    "Repeat the ICE every 8 hours."
)
ICE_DOMAIN_NONE: Final = "normal (no ICANS from the ICE)"
ICE_DOMAIN_GRADE: Final = "grade {grade}"
ASSUMED_UNKNOWN: Final = "Not known: {what}; {assumption}"

# --- console ---
CONSOLE_BANNER: Final = "CAR-T toxicity assistant (console). " + DISCLAIMER
CONSOLE_BYE: Final = "Bye."

# --- Telegram ---
PRIVACY: Final = (
    "This bot grades CRS and ICANS after CAR-T therapy (ASTCT 2019) and gives the management of "
    "guideline ACLIN.P.088 v2.1, every line with its source.\n\n"
    "Privacy: never type a patient's name, hospital number, date of birth or any identifier. "
    "The bot does not need them. It stores only your answers to its questions while a dialog "
    "is open, and for audit a hashed user id, the time, the dialog, the grades and the guideline "
    "version. Free text is never logged.\n\n" + DISCLAIMER
)
REFUSED: Final = "This bot is limited to the CAR-T team. Ask the team lead to add your Telegram id."
EXPIRED: Final = "Your previous dialog expired after {hours} hours without an answer. Start again."
REMIND_CRS: Final = "⏰ Remind me: CRS review in {hours} h"
REMIND_NEURO: Final = "⏰ Remind me: neuro review in {hours} h"
REMINDER_SET: Final = (
    "Reminder set for {time}. Add a bed label (no names) with /bed, e.g. /bed 12A."
)
REMINDER_DUE: Final = "⏰ Time for the {what} assessment{label}. Start it with {command}."
REMINDER_WHAT: Final = {"crs": "CRS", "neuro": "neurotoxicity (ICE/ICANS)"}
REMINDER_COMMAND: Final = {"crs": "/crs", "neuro": "/icans"}
BED_SET: Final = "Bed label {label} added to {count} pending reminder(s)."
BED_INVALID: Final = "A bed label is 1–8 letters, digits or dashes (e.g. 12A). No names."
BED_NONE: Final = "No pending reminders to label."
CHOSEN: Final = "✓ {label}"
ERROR_GENERIC: Final = "Something went wrong on our side. Your last answer is kept; try again."
COMMAND_MENU: Final = {
    "start": "Menu and privacy notice",
    "assess": "Full review: CRS + ICANS",
    "crs": "Grade CRS",
    "icans": "Grade ICANS",
    "ice": "Guided ICE score",
    "hlh": "HLH/MAS screen",
    "dose": "Dose calculator",
    "train": "Training rehearsal (simulated cases)",
    "quick": "Quick entry: all findings in one message",
    "progress": "Your training progress",
    "back": "Undo the last answer",
    "cancel": "Stop this dialog",
    "help": "How to answer",
}

# --- training ---
TRAINING: Final = "🎓 TRAINING · simulated patient"
TRAIN_MODE: Final = "Training rehearsal. Which topic?"
TRAIN_MODES: Final = {
    "random": "Random case",
    "crs": "CRS grading",
    "icans": "ICANS grading",
    "ice": "ICE boundaries",
    "doses": "Doses",
    "pathways": "Pathways (status, raised ICP, HLH)",
}
TRAIN_CASE: Final = "Case: {title}"
TRAIN_TO_QUESTIONS: Final = "To the questions"
TRAIN_NEXT_FINDING: Final = "Next finding"
TRAIN_FINDINGS_DONE: Final = "That is everything."
TRAIN_Q_CRS: Final = "What is the CRS grade?"
TRAIN_Q_ICANS: Final = "What is the ICANS grade?"
TRAIN_Q_HLH: Final = "Are the HLH/MAS criteria met?"
TRAIN_Q_ACTION: Final = "What is the first action?"
TRAIN_RIGHT: Final = "✅ Right: {answer}."
TRAIN_WRONG: Final = "❌ Not quite: you said {given}; it is {answer}."
TRAIN_SET_BY: Final = "Set by: {reasons}"
TRAIN_RULE: Final = "Rule: {citation}"
TRAIN_ADVICE: Final = "The full advice for this step:"
TRAIN_NEXT_DAY: Final = "Next day of this case"
TRAIN_NEXT_CASE: Final = "Next case"
TRAIN_STOP: Final = "Stop training"
TRAIN_ALL_DONE: Final = "You have done every case of this topic; starting the round again."
TRAIN_SCORE: Final = "Score this session: {right}/{asked}."
TRAIN_NO_BACK: Final = "Back is not available in training: answer, then learn from the feedback."
GRADE_NONE: Final = {"CRS": "no CRS", "ICANS": "no ICANS"}

# --- handover ---
HANDOVER_INTRO: Final = "Handover summary, plain text to copy into the notes:"
HANDOVER_TITLE: Final = "CAR-T toxicity review"
HANDOVER_NOW: Final = "Advised now:"
# Findings written as words in the handover where the id alone reads badly.
FINDING_WORDS: Final = {
    "eeg_resolved": "seizures on EEG, resolved with treatment",
    "brief_clinical": "brief clinical seizure, resolved",
    "status_convulsive": "convulsive status epilepticus",
    "status_nonconvulsive": "non-convulsive status epilepticus",
    "tremor_or_myoclonus": "tremor or myoclonus",
    "focal_weakness": "deep focal weakness",
    "cushings_triad": "Cushing's triad",
    "cranial_nerve_vi_palsy": "cranial nerve VI palsy",
    "posturing": "decerebrate or decorticate posturing",
    "non_rebreather": "non-rebreather mask",
    "high_flow_nasal_cannula": "high-flow nasal cannula",
    "cpap": "CPAP",
    "bipap": "BiPAP",
    "not_done": "not done",
}
HANDOVER_SOURCE: Final = (
    "Per {version} (grading ASTCT 2019). Decision support; clinician to verify."
)
PROGRESS_NONE: Final = "No training answers yet. Start a rehearsal with /train."
PROGRESS_TITLE: Final = "🎓 Your training progress"
PROGRESS_TOPIC: Final = "{mark} {topic}: {right}/{total} right ({percent}%)"
PROGRESS_MISSED: Final = "Most often missed:"
PROGRESS_CAPTION: Final = "Accuracy per topic (top) and per day (bottom)."
PROGRESS_MARKS: Final = ("🟦", "🟧", "🟩", "🟪", "🟦", "🟥")

# --- Telegram transport: delivery, input it does not read, errors (one block, bot-side) ---
NOT_APPLIED: Final = (
    "Your last message reached me before this question was shown, so it was not recorded. "
    "Please answer the question below."
)
NOT_SAVED: Final = (
    "Something went wrong on our side and your last answer was not saved. Please send it again."
)
EDIT_IGNORED: Final = (
    "Edited messages are not read, so nothing was changed. To change an answer, use /back."
)
PRIVATE_ONLY: Final = "This bot works in private chats only. Message it directly."
NON_TEXT: Final = "I read text and buttons only."
TAP_IGNORED: Final = "That button is not one of mine."

# --- one patient context per chat, and changing an answer after the result (issue 9: 2, 3) ---
CTX_OFFER: Final = "Same patient: {facts}?"
CTX_OFFER_HINT: Final = "Use these, or start as a new patient (nothing is reused unless you say)."
CTX_USE: Final = "Use"
CTX_USE_ASK_DOSES: Final = "Use, but ask the tocilizumab doses again"
CTX_NEW: Final = "New patient"
CTX_USED: Final = "Using: {facts}"
CTX_CLEARED: Final = "New patient: nothing from before is used."
CTX_JOIN: Final = " · "
CTX_AT: Final = "{what} at {time}"
CTX_AGE: Final = "age {age}"
CTX_AGE_WORDS: Final = {
    "adult": "adult",
    "child": "child",
    "delay": "developmental delay",
}
CTX_TOCI: Final = "tocilizumab {day} in 24 h, {total} in total"
CTX_TOCI_LAST: Final = ", last at {time}"
CTX_TOOL: Final = {"ice_score": "ICE", "capd_total": "CAPD"}
CTX_SCORE: Final = "{tool} {score}"
CTX_SCORE_UNAROUSABLE: Final = "{tool}: cannot be woken"
CTX_GRADE: Final = "{toxicity} grade {grade}"
CTX_PATIENT: Final = "Patient: {facts}"
CTX_REUSED: Final = "{what} (reused)"
CTX_NONE: Final = "None"
GRADE_ICANS_WITH: Final = "Grade ICANS with {score}"
NEXT_CHANGE: Final = "✏️ Change an answer"
NEXT_WHAT: Final = "What next? Change an answer, or choose from the menu."
FIX_WHICH: Final = "Which answer do you want to change?"
FIX_KEEP: Final = "Keep the answers as they are"
FIX_KEPT: Final = "Nothing changed."
FIX_WAS: Final = "Changing {what} (was: {old})."
CHANGED: Final = "Changed {what}: {old} → {new}"
CHANGE_GRADE: Final = "{name} {old} → {new}"
CHANGE_SAME: Final = "Grades unchanged"
CHANGE_GRADE_NAMES: Final = {
    "CRS": "CRS grade",
    "ICANS": "ICANS grade",
    "ICE": "ICE score",
    "HLH": "HLH/MAS criteria",
}
CHANGE_HLH: Final = {0: "not met", 1: "met"}
CHANGE_NOT_GRADED: Final = "not graded"
# Short names of the questions, for the list of answers to change.
ANSWER_LABELS: Final = {
    "temp": "Temperature",
    "prior": "Treatment so far",
    "bp": "Blood pressure",
    "press": "Vasopressors",
    "bpcause": "Low BP: another cause?",
    "o2": "Oxygen",
    "flow": "Oxygen flow",
    "o2cause": "Oxygen: another cause?",
    "age": "Age",
    "tool": "Encephalopathy tool",
    "iceentry": "ICE score",
    "year": "ICE: year",
    "month": "ICE: month",
    "city": "ICE: city",
    "hospital": "ICE: hospital",
    "commands": "ICE: commands",
    "naming": "ICE: naming",
    "writing": "ICE: writing",
    "counting": "ICE: counting back",
    "capd": "CAPD total",
    "lvl": "Consciousness",
    "sed": "Drowsiness from sedation",
    "seiz": "Seizures",
    "motor": "Motor findings",
    "icp": "Raised ICP signs",
    "stage": "Papilloedema stage",
    "img": "Brain imaging",
    "csf": "CSF opening pressure",
    "ccrs": "CRS now",
    "fer": "Peak ferritin",
    "liver": "Liver rise",
    "renal": "Renal rise",
    "lung": "Pulmonary oedema",
    "haem": "Haemophagocytosis",
    "drug": "Dose",
    "wt": "Weight",
    "ht": "Height",
    "t24": "Tocilizumab in 24 h",
    "ttot": "Tocilizumab in total",
    "tlast": "Hours since tocilizumab",
    "seiznow": "Seizing now",
    "icpnow": "Raised ICP signs",
    "size": "Weight, or adult / child",
}

# --- console, confirmations, help at a question, guided CAPD (issue 9, items 6-8) ---


class Words:
    """How to answer, in one transport's words: a chat has buttons, the console typed letters."""

    def __init__(self, choose: str, multi: str, multi_hint: str, help_how: str) -> None:
        self.choose = choose  # an answer that is none of the options; {n}: how many
        self.multi = multi  # an answer that is none of a multiple choice's options
        self.multi_hint = multi_hint  # under a multiple-choice question
        self.help_how = help_how  # the first line of 'help'


CHAT: Final = Words(
    choose=ACCEPTED_CHOICE,
    multi=ACCEPTED_MULTI,
    multi_hint="Tap each that applies, then Done.",
    help_how="Answer with a button, its number, or by typing (e.g. 38.4, 101 F, 70 kg).",
)
CONSOLE: Final = Words(
    choose="Please choose one of the options: type its letter, or its name.",
    multi=(
        "Type the letters of all that apply, separated by commas (e.g. a, c), "
        "or their names, or 'none'."
    ),
    multi_hint="Type the letters of all that apply (e.g. a, c), or one letter at a time "
    "then the letter of Done.",
    help_how="Type an option's letter, or your answer (e.g. 38.4, 101 F, 70 kg).",
)
HELP_COMMANDS: Final = (
    "Commands: back (undo the last answer), cancel (stop), restart (start this again), "
    "help (this text). No patient names or numbers: none are needed."
)
HELP_ABOUT: Final = "About this question:"
DISCARD_ASK: Final = "Start {what}? The {n} answer(s) given so far would be discarded."
DISCARD_WHAT_MENU: Final = "again from the menu"
DISCARD_YES: Final = "Discard"
DISCARD_NO: Final = "Keep going"
DISCARD_CHOOSE: Final = "Choose Discard, or Keep going to carry on with the question."
CONSOLE_DISCARD: Final = "Discard {n} answer(s)? y/n "
CONSOLE_UNKNOWN: Final = "Not a command here. Commands: {commands}."
CONSOLE_COMMANDS: Final = (
    "Type an option's letter, or your answer. Commands: {commands}. Ctrl-D or quit leaves."
)
# Said only on a terminal, where readline gives them (not through a pipe).
CONSOLE_EDITING: Final = "Line editing and history work with the arrow keys."
ICE_TASK_STEP: Final = "Task {n} of {total} · {score}/{most} so far\n{prompt}"
CAPD_GUIDE: Final = "Guide me through the {n} items"
CAPD_ITEM_STEP: Final = "CAPD item {n} of {total} · {score} so far\nScore item {n} (0–{most})."
CAPD_TOTAL: Final = "CAPD total: {total}."
Q_CAPD_GUIDED: Final = "CAPD total (0–{most})? Type it, or let me add up the {n} items."

# Help at a question: each restates the sources (ASTCT 2019 and ACLIN.P.088), with the
# numbers read from the guideline data where the data holds them.
HELP_TEMPERATURE: Final = (
    "Fever is a temperature ≥ {threshold} °C ({fahrenheit} °F) not explained by another cause. "
    "Give the highest in the last 12 hours, in °C or °F."
)
HELP_PRIOR: Final = (
    "Once {treatments} have been given for CRS, fever is no longer needed to grade CRS: "
    "the grade then comes from blood pressure and oxygen alone."
)
HELP_GRADES: Final = "{label}: grade {grade}"
HELP_BP: Final = "CRS grade by blood pressure support:\n{rows}"
HELP_PRESSORS: Final = (
    "Vasopressin is not counted as a second vasopressor (noradrenaline + vasopressin is one); "
    "vasopressin alone counts as one. Counted: {counted}."
)
HELP_CAUSE: Final = (
    "Hypotension or hypoxia explained by another cause (sepsis, pneumonia, bleeding, fluid "
    "overload, intubation to protect the airway after seizures) does not count towards CRS."
)
HELP_OXYGEN: Final = (
    "The device decides the grade, not the flow, except for a plain nasal cannula "
    "(≤ {low} L/min is low-flow, above is high-flow). Oxygen for comfort only is not "
    "hypoxia. Without hypotension or hypoxia, fever alone is grade 1.\n{rows}"
)
HELP_FLOW: Final = (
    "A nasal cannula at ≤ {low} L/min is low-flow: grade {grade}. Above {low} L/min it is "
    "high-flow: grade {above}. Give the flow running now, in L/min."
)
HELP_AGE: Final = (
    "Under {age} years (or with developmental delay) the CAPD replaces the ICE. Sources "
    "disagree at exactly {age}: you will be asked which tool applies."
)
HELP_ICE: Final = (
    "The ICE score has ten points:\n{rows}\n10 is normal. Bands: {bands}. A patient who cannot "
    "be woken cannot do the ICE: that is grade 4 by consciousness, not a typed 0."
)
HELP_ICE_TASK: Final = "{prompt} It scores {points} of the ICE's {total} points."
HELP_ICE_WRITING: Final = (
    "Ask them to write a standard sentence: 1 point. The guideline and ASTCT name no "
    "particular sentence; use the one on your unit's ICE form."
)
HELP_ICE_NAMING: Final = (
    "Point to three nearby objects (e.g. clock, pen, button): 1 point for each named "
    "correctly, at most 3."
)
HELP_CAPD: Final = (
    "The CAPD (Cornell Assessment of Pediatric Delirium) has {n} items, each scored 0–{most}; "
    "the total is 0–{total}. Its item wording is copyrighted and not reproduced here: score "
    "each item from your CAPD form. Bands: {bands}. A child who cannot be woken cannot do "
    "the CAPD: grade 4."
)
HELP_BAND: Final = "{span} grade {grade}"
HELP_BAND_NONE: Final = "{span} no ICANS"
HELP_CAPD_BAND_LOW: Final = "{span} grade 1 or 2 (the level of consciousness decides)"
HELP_CONSCIOUSNESS: Final = "ICANS grade by level of consciousness:\n{rows}"
HELP_SEDATION: Final = "Drowsiness caused by sedating drugs does not count towards ICANS."
HELP_SEIZURE: Final = "ICANS grade by seizures:\n{rows}"
HELP_MOTOR: Final = (
    "Deep focal motor weakness, such as hemiparesis (one side) or paraparesis (both legs), "
    "makes ICANS grade {grade}. Tremor and myoclonus do not change the grade."
)
HELP_ICP: Final = "ICANS grade by signs of raised intracranial pressure:\n{rows}"
HELP_IMAGING: Final = "ICANS grade by brain imaging:\n{rows}"
TRAIN_PATIENT: Final = "Patient: {facts}."
TRAIN_AGE: Final = "{age} years old"
HELP_STAGE: Final = (
    "Papilloedema (modified Frisén stage, by fundoscopy) chooses the Table 7 pathway: stage "
    "{severe}–5 takes the high-dose pathway; stage 1–{mild} with an opening pressure below "
    "{mmhg} mmHg and no oedema on imaging takes the acetazolamide pathway."
)
HELP_CSF: Final = (
    "The lumbar puncture opening pressure: {mmhg} mmHg or more at ICANS grade 3–4 takes the "
    "high-dose pathway of Table 7; at grade 1–2 it asks for a review. 'Unknown' if no LP yet."
)
HELP_CONCURRENT_CRS: Final = (
    "Concurrent CRS changes the ICANS treatment, not its grade: anti-IL-6 therapy is advised "
    "only with concurrent CRS."
)
HELP_FERRITIN: Final = (
    "HLH/MAS criteria: peak ferritin above {ferritin} ng/mL during the CRS phase, and at least "
    "{needed} of:\n{rows}"
)
HELP_NO_GRADE: Final = "{label}: adds no grade"
HELP_CRS_FEVER_ONLY: Final = "Without hypotension or hypoxia, fever alone is grade 1."
HELP_OR: Final = " or "

# --- quick entry: one message of findings in shorthand (dialogs/chat/quick.py) ---
QUICK_INTRO: Final = (
    "⚡ Quick entry. Type the findings in one message, e.g.\n"
    "39.1 norad NC 4L ICE 7 voice 70kg\n"
    "I read them back for you to confirm, then ask only what is missing.\n"
    "Words I know: temperature (39.1, 101 F, t 38.5), vasopressors by name, fluids, room air, "
    "NC 4L, HFNC, mask, NRB, CPAP, BiPAP, intubated, no prior / toci / dex / paracetamol, "
    "no other cause, ICE 7, CAPD 10, alert / drowsy / voice / touch / unarousable, "
    "no seizures, NCSE, CSE, tremor, hemiparesis, papilloedema, CT normal, 45y, 70kg, toci x2. "
    "A bare number that could be two things is asked."
)
QUICK_READ: Final = "I read: {items}"
QUICK_NOT_UNDERSTOOD: Final = "I did not understand: {words}"
QUICK_NOT_UNDERSTOOD_AGAIN: Final = "Some words were not understood (shown above)."
QUICK_MORE: Final = "and {n} more"
QUICK_NOT_USED: Final = "Not used for grading: {words}"
QUICK_NOTHING: Final = (
    "I found no findings there. Type them in one message, e.g. 39.1 norad NC 4L ICE 7 voice "
    "70kg, or choose below."
)
QUICK_PROBLEMS: Final = "Nothing was recorded: {problems}. Send the findings again."
QUICK_CONFLICT: Final = "two different answers for {what} ({values})"
QUICK_DOES_NOT_FIT: Final = "{value} does not fit {other}"
QUICK_CAPD_ADULT: Final = "the CAPD is for children under {age} (or developmental delay)"
QUICK_ICE_CHILD: Final = "under {age} the CAPD replaces the ICE"
QUICK_TOO_MANY_NUMBERS: Final = (
    "{n} numbers without a word or unit; add them (e.g. 39.1 C, 70 kg, ICE 7)"
)
QUICK_NEEDS_NUMBER: Final = "'{word}' needs a number, e.g. {example}"
QUICK_OUT_OF_RANGE: Final = "{what} must be {low}–{high}{unit}"
QUICK_WHICH: Final = "What is {number}? Choose, so that nothing is guessed."
QUICK_WHICH_NONE: Final = "None of these (ask me later)"
QUICK_NEXT: Final = {
    "assessment": "Next: full review (CRS + ICANS), asking only what is missing.",
    "crs": "Next: CRS grade, asking only what is missing.",
    "icans": "Next: ICANS grade, asking only what is missing.",
}
QUICK_CONFIRM: Final = "✓ Correct"
QUICK_CONFIRM_IGNORING: Final = "✓ Correct, ignore the rest"
QUICK_START_OVER: Final = "Start over"
QUICK_RETYPE: Final = "Or type the findings again to replace them."
QUICK_FLOW: Final = "Oxygen flow"
QUICK_UNUSUAL: Final = " (unusual)"
QUICK_HELP: Final = (
    "Type the findings in one message, separated by spaces or commas. Numbers need a word or "
    "unit where they could mean two things: t 38.5 or 38.5 C, 70kg, 45y, ICE 7, CAPD 10, NC 4L, "
    "toci x2. Commands: back (start over), cancel (stop)."
)
QUICK_ITEMS: Final = {
    "temperature": "Temperature {value}",
    "weight": "Weight {value}",
    "height": "Height {value}",
    "flow": "{device} {flow} L/min",
    "flow_no_device": "Oxygen {flow} L/min (device asked next)",
    "ice": "ICE {score}/10",
    "capd": "CAPD {score}",
    "age": "Age {age}",
    "csf": "CSF opening pressure {value} mmHg",
    "stage": "stage {stage}",
    "given": "Already given: {drugs}",
    "toci_total": "Tocilizumab doses in total: {n}",
    "toci_24h": "Tocilizumab doses in 24 h: {n}",
    "toci_hours": "Last tocilizumab {n} h ago",
    "pressors": "{names}",
    "icp": "{signs}",
}
QUICK_VALUES: Final = {
    "prior_treatment": {"[]": "No CRS treatment yet"},
    "hypotension": {
        "none": "No hypotension",
        "fluids": "Fluids only",
        "vasopressors": "Vasopressors (which: asked next)",
    },
    "oxygen": {
        "none": "Room air",
        "blow_by": "Blow-by oxygen",
        "nasal_cannula": "Nasal cannula",
        "high_flow_nasal_cannula": "High-flow nasal cannula",
        "facemask": "Facemask",
        "non_rebreather": "Non-rebreather mask",
        "venturi": "Venturi mask",
        "cpap": "CPAP",
        "bipap": "BiPAP",
        "mechanical_ventilation": "Intubated and ventilated",
    },
    "hypotension_other_cause": {"False": "No other cause for the hypotension"},
    "hypoxia_cause": {
        "crs": "No other cause for the hypoxia",
        "comfort": "Oxygen for comfort only",
    },
    "consciousness": {
        "alert": "Alert",
        "wakes_spontaneously": "Drowsy, wakes spontaneously",
        "wakes_to_voice": "Wakes to voice",
        "wakes_to_touch": "Wakes only to touch",
        "unarousable": "Unarousable",
    },
    "consciousness_from_sedation": {
        "True": "Drowsiness from sedating drugs",
        "False": "No sedating drugs",
    },
    "seizure": {
        "none": "No seizures",
        "brief_clinical": "Brief seizure, resolved",
        "eeg_resolved": "EEG seizures, resolved with treatment",
        "status_nonconvulsive": "Non-convulsive status",
        "status_convulsive": "Convulsive status epilepticus",
    },
    "motor": {
        "none": "No motor findings",
        "tremor_or_myoclonus": "Tremor or myoclonus",
        "focal_weakness": "Deep focal weakness",
    },
    "icp_signs": {"[]": "No signs of raised ICP"},
    "imaging": {
        "not_done": "No imaging yet",
        "no_oedema": "Imaging: no oedema",
        "focal_oedema": "Imaging: focal oedema",
        "diffuse_oedema": "Imaging: diffuse oedema",
    },
    "age_years": {"adult": "Adult", "delay": "Developmental delay"},
}
QUICK_NAMES: Final = {
    "antipyretic": "antipyretic",
    "tocilizumab": "tocilizumab",
    "steroids": "steroids",
    "papilloedema": "Papilloedema",
    "cranial_nerve_vi_palsy": "Cranial nerve VI palsy",
    "posturing": "Posturing",
    "cushings_triad": "Cushing's triad",
}
QUICK_NOTES: Final = {
    "temperature": "Temperature (asked next)",
    "oxygen": "Oxygen (device asked next)",
    "seizure": "Seizure (which kind: asked next)",
    "motor": "Weakness (focal or not: asked next)",
    "imaging": "Oedema on imaging (focal or diffuse: asked next)",
}
QUICK_WHAT: Final = {
    "temperature": "temperature",
    "weight": "weight",
    "height": "height",
    "oxygen_flow_l_min": "oxygen flow",
    "ice_score": "ICE score",
    "capd_total": "CAPD total",
    "age_years": "age",
    "csf_opening_pressure_mmhg": "CSF opening pressure",
    "papilloedema_stage": "papilloedema stage",
    "toci_total": "tocilizumab doses",
    "toci_hours": "hours since tocilizumab",
    "prior_treatment": "treatment given",
    "hypotension": "blood pressure support",
    "oxygen": "oxygen",
    "consciousness": "consciousness",
    "consciousness_from_sedation": "sedation",
    "seizure": "seizures",
    "motor": "motor findings",
    "icp_signs": "raised ICP signs",
    "imaging": "imaging",
    "hypoxia_cause": "the cause of the hypoxia",
    "hypotension_other_cause": "the cause of the hypotension",
    "toci_24h": "tocilizumab doses in 24 h",
}
QUICK_EXAMPLES: Final = {
    "temperature": "t 38.5",
    "weight": "wt 70",
    "height": "ht 170",
    "age": "age 45",
    "ice": "ICE 7",
    "capd": "CAPD 10",
    "csf": "OP 25",
    "stage": "papilloedema stage 2",
}

# --- Telegram: the /progress chart (issue 10.5) ---
CHART_TITLE: Final = "Your training accuracy"
CHART_BY_TOPIC: Final = "Per topic"
CHART_BY_DAY: Final = "Per day with answers (latest {days})"
CHART_TOPIC_AXIS: Final = "Topic"
CHART_DAY_AXIS: Final = "Day"
CHART_ACCURACY_AXIS: Final = "Answers right"
CHART_TOPIC_LABEL: Final = "{percent}% ({right}/{total})"
CHART_DAY_LABEL: Final = "{percent}%"
CHART_DAY_TICK: Final = "{day}\n({right}/{total})"
CHART_DAY_FORMAT: Final = "%d %b"

# --- Diagrams (docs/diagrams, `python -m bot diagrams`): states in words, one block ---
# A short label per question state (keyed by the state's value); a question without one is
# named by its prompt's first sentence.
DIAGRAM_LABELS: Final = {
    "qentry": "Findings in one message",
    "qwhich": "What is this number?",
    "qok": "Read back: correct, or start over?",
    "menu": "What do you want to do?",
    "temp": "Highest temperature, last 12 h",
    "prior": "Already treated for CRS?",
    "bp": "Blood pressure support?",
    "press": "Which vasopressors?",
    "bpcause": "Low BP clearly from another cause?",
    "o2": "Oxygen support?",
    "flow": "Nasal cannula flow, L/min",
    "o2cause": "Oxygen need clearly from another cause?",
    "age": "Age",
    "tool": "ICE or CAPD?",
    "iceentry": "ICE score, or guide me",
    "year": "ICE 1 of 8 · year",
    "month": "ICE 2 of 8 · month",
    "city": "ICE 3 of 8 · city",
    "hospital": "ICE 4 of 8 · hospital",
    "commands": "ICE 5 of 8 · follows a command",
    "naming": "ICE 6 of 8 · names three objects",
    "writing": "ICE 7 of 8 · writes a sentence",
    "counting": "ICE 8 of 8 · counts back in tens",
    "capd": "CAPD total (0–32)",
    "lvl": "Level of consciousness",
    "sed": "Drowsiness from sedating drugs?",
    "seiz": "Seizures?",
    "motor": "Motor findings?",
    "icp": "Signs of raised ICP?",
    "stage": "Papilloedema stage (Frisén)",
    "img": "Brain imaging (CT or MRI)",
    "csf": "CSF opening pressure, mmHg",
    "ccrs": "CRS now?",
    "fer": "Peak ferritin, ng/mL",
    "liver": "Grade ≥ 3 bilirubin, AST or ALT rise?",
    "renal": "Grade ≥ 3 oliguria or creatinine rise?",
    "lung": "Grade ≥ 3 pulmonary oedema?",
    "haem": "Haemophagocytosis?",
    "drug": "Which dose?",
    "wt": "Weight",
    "ht": "Height",
    "t24": "Tocilizumab doses, last 24 h",
    "ttot": "Tocilizumab doses, this episode",
    "tlast": "Hours since the last tocilizumab",
    "seiznow": "🚨 Seizing now: which kind?",
    "icpnow": "🚨 Which signs of raised ICP?",
    "size": "Weight, or adult / child (weight not known)",
    "result": "Result: grades and plan",
    "rmode": "Which topic?",
    "rline": "Case findings, one at a time",
    "rcrs": "Trainee's CRS grade",
    "ricans": "Trainee's ICANS grade",
    "rhlh": "HLH/MAS criteria met?",
    "ract": "Trainee's first action",
    "rnext": "Feedback, then next day, next case or stop",
}
DIAGRAM_OTHERWISE: Final = "otherwise"
DIAGRAM_TO_MENU: Final = "under the result: the menu, or change an answer (around.mmd)"
DIAGRAM_FROM_MENU: Final = "from the menu: {entry}"
DIAGRAM_MENU_TITLE: Final = "The menu"
DIAGRAM_MENU_WAY_IN: Final = "/start, /cancel, or a message after a result"
DIAGRAM_MENU_ENTRY: Final = " · first asks: {first}"

# --- emergency entries; "another cause?" (issue 9, items 1, 4 and 5) ---
EMERGENCY_MENU: Final = {
    "seizure": "🚨 Seizing now",
    "icp": "🚨 Signs of raised ICP",
}
EMERGENCY_COMMAND_MENU: Final = {
    "seizure": "🚨 Seizing now: status epilepticus first steps",
    "icp": "🚨 Signs of raised ICP: first steps",
}
Q_SEIZING: Final = (
    "🚨 Seizing now. Which is it? (Status: over 5 min, or repeated without return to baseline.)"
)
SEIZING_LABELS: Final = {
    "status_convulsive": "Convulsive status",
    "status_nonconvulsive": "Non-convulsive status (on EEG)",
    "brief_clinical": "Brief seizure, already stopped",
}
Q_ICP_NOW: Final = "🚨 Raised ICP. Which signs? (Oedema on a scan counts.)"
Q_PATIENT_SIZE: Final = (
    "Weight, for the doses? Type it in kg or lb (e.g. 70 or 154 lb). Not known: adult or child?"
)
SIZE_ADULT: Final = "Adult (18 or over), weight not known"
SIZE_CHILD: Final = "Child (under 18), weight not known"
FIRST_STEPS: Final = "🚨 First steps: {pathways}"
NO_FIRST_STEPS: Final = "No status epilepticus or raised-ICP protocol applies: grading ICANS."
FIRST_STEPS_NEXT: Final = "For the full plan (ICANS grade, steroids, CRS), a few questions:"
CAUSE_GRADE_AS_CRS: Final = "No / not sure (grade as CRS)"
CAUSE_CLEARLY_OTHER: Final = "Clearly another cause"
COMFORT_ONLY: Final = "Oxygen for comfort only"
AGE_GROUP_WORDS: Final = {"adult": "adult, weight not known", "child": "child, weight not known"}
HELP_CAUSE_UNSURE: Final = (
    "Not sure (sepsis can rarely be excluded at the bedside): choose 'No / not sure', and the "
    "finding is graded as CRS. Only a clear other cause stops it counting."
)
HELP_SEIZING: Final = (
    "Convulsive or non-convulsive status: the status epilepticus steps (Table 6) come after the "
    "next question. A brief seizure, already stopped, starts no protocol: ICANS is graded."
)
HELP_PATIENT_SIZE: Final = (
    "The weight gives this patient's dose of every drug dosed per kg in the first steps. Not "
    "known: say adult or child; the per-kg rule is shown, and a child is never shown an adult "
    "fixed dose. With a weight but no age, under 40 kg is taken as a child."
)
DIAGRAM_FIRST_STEPS: Final = "answered: the Table 6/7 first steps are sent, then the rest is asked"

# --- Care plan review fixes (helper A: seizures, raised ICP, agitation, do-now placement) ---
# A conditional step whose trigger is a recorded finding: it applies now.
NOW_IF_TRIGGERS: Final = {
    "herniation_signs": "Imminent herniation now (Cushing's triad or posturing recorded)",
}
MANAGED_AS_GRADE_3_UNSTAGED: Final = (
    "Managed as grade 3 (Table 5) until staging, LP and imaging choose the Table 7 arm: only "
    "papilloedema makes it grade 4 (ASTCT)."
)

# --- Review fixes B (concurrent CRS, steroid orders, calls, taper, limits, HLH) ---
WHEN_KNOWN: Final = {
    "concurrent_crs": "Concurrent CRS",
    "no_concurrent_crs": "No concurrent CRS",
}
CONCURRENT_CRS: Final = {
    "yes": "Concurrent CRS: yes",
    "no": "Concurrent CRS: no",
    "unknown": "Concurrent CRS: not known (advice shown for both)",
}
OR_INSTEAD: Final = "or instead:"
CALL_IF_REACHED: Final = "{lead} (if that escalation is reached)"
STEROID_REPLACES: Final = "instead of dexamethasone or methylprednisolone 1 mg/kg"
TOCI_AFTER_LEFT: Final = "after it, {left} {doses} left of {total} in total"
TOCI_DOSES_WORD: Final = ("dose", "doses")
NOTHING_NOW_ONE: Final = {
    "crs": "No CRS treatment now (ICANS not assessed): keep monitoring and re-assess.",
    "icans": "No ICANS treatment now (CRS not assessed): keep monitoring and re-assess.",
}
PRESSURE_REVIEW_DIVERGES: Final = (
    "Divergence from Table 7: an opening pressure ≥ 20 mmHg at ICANS grade 1–2 goes to "
    "neurology and neurosurgery review, not to Table 7's high-dose arm (used at grades 3–4)."
)
BY_PARAMETER: Final = "by parameter"

# --- Diagrams: what happens around every dialog (confirmations and corrections), quick entry ---
DIAGRAM_AROUND_TITLE: Final = "Around every dialog: confirmations and corrections"
DIAGRAM_AROUND: Final = {
    "SAME": "Same patient? (what this chat already knows)",
    "QUESTION": "Any question of the dialog",
    "VALUE": "Is this value right? (unusual, or kg or lb)",
    "DISCARD": "Discard the answers given?",
    "RESULT": "The result (grades and care plan)",
    "FIX": "Which answer to change?",
}
DIAGRAM_AROUND_ARROWS: Final = {
    "start_known": "a dialog starts and the chat knows the patient",
    "start": "a dialog starts",
    "unusual": "a value outside the usual range, or a bare weight that could be in lb",
    "command": "/start or another dialog's command, with answers given",
    "last": "the last answer the route needs",
    "chosen": "an answer chosen: asked again, the route replayed, only what it changes asked",
    "other": "a menu entry or a command: that dialog starts",
    "elsewhere": "the dialog asked for starts",
}
DIAGRAM_QUICK_TITLE: Final = "⚡ Quick entry (quick)"
DIAGRAM_QUICK_EXIT: Final = (
    "confirmed: the dialog the findings need starts, asking only what is missing"
)
