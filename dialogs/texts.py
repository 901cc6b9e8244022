"""Every sentence the project says that is not clinical table data lives here.

Clinical advice wording lives in the guideline data files (dialogs/guideline/data); this module
holds the wording of grades, reasons, doses, questions and replies, so a reviewer can read it all.
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
TOCI_LEFT: Final = " {left} dose(s) left in total."
TOCI_NEXT_UNKNOWN: Final = (
    "Next dose once fewer than {day} fall in the past 24 h (time of the last dose?)."
)
TOCI_NEXT_WITHIN: Final = (
    "Next dose once fewer than {day} fall in the past 24 h: in {hours} h at the latest."
)
TOCI_LAST_OF_DAY: Final = "the last allowed in 24 h: no repeat until fewer than {day} fall in 24 h"
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
STEROID_REPLACED: Final = (
    "High-dose methylprednisolone replaces dexamethasone and methylprednisolone per kg: "
    "the more intensive steroid applies."
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
}
HELP: Final = (
    "Answer each question with a button, its number, or by typing (e.g. 38.4, 101 F, 70 kg).\n"
    "Commands: back (undo the last answer), cancel (stop), restart (start this again), "
    "help (this text).\n" + "No patient names or numbers: none are needed."
)
CANCELLED: Final = "Stopped. Nothing was kept. Choose what to do next."
NOTHING_TO_UNDO: Final = "This is the first question: nothing to undo."
STALE: Final = "That question has moved on. Answer the one below."
NOT_THIS_QUESTION: Final = "That button belongs to another question. Answer the one below."
DIALOG_ENDED: Final = "That assessment is finished. Choose what to do next."

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
    "Which vasopressors? Tap each, then Done (vasopressin is counted apart). "
    "Or type them, e.g. 'noradrenaline, vasopressin'."
)
Q_BP_CAUSE: Final = "Is the hypotension explained by another cause (sepsis, bleeding, …)?"
Q_OXYGEN: Final = "Oxygen support?"
Q_FLOW: Final = "Nasal cannula flow in L/min? (≤ 6 is low-flow, > 6 high-flow)"
Q_O2_CAUSE: Final = "Is the oxygen for CRS hypoxia?"
Q_AGE: Final = "Age? Type it in years, or choose."
Q_TOOL: Final = "Which encephalopathy tool applies?"
Q_ICE_ENTRY: Final = "ICE score: type it (0–10), or let me guide you through the ten points."
Q_CAPD: Final = "CAPD total (0–32)? Type it."
Q_CONSCIOUSNESS: Final = "Level of consciousness?"
Q_CONSCIOUSNESS_ICE0: Final = "ICE is 0. Can the patient be woken? Level of consciousness?"
Q_SEDATION: Final = "Is the drowsiness explained by sedating drugs?"
Q_SEIZURE: Final = "Seizures?"
Q_MOTOR: Final = "Motor findings?"
Q_ICP: Final = "Signs of raised intracranial pressure? Tap each, then Done."
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
ICE_STEP: Final = "ICE {n}/8 · score so far {score}/{asked}\n{prompt}"
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
CONSOLE_BANNER: Final = (
    "CAR-T toxicity assistant (console). " + DISCLAIMER + "\n"
    "Type the number of an option, or your answer. Commands: back, cancel, restart, help, quit."
)
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
PROGRESS_CAPTION: Final = "Accuracy per topic, left to right: {topics}"
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

# --- Diagrams (docs/diagrams, `python -m bot diagrams`): states in words, one block ---
# A short label per question state (keyed by the state's value); a question without one is
# named by its prompt's first sentence.
DIAGRAM_LABELS: Final = {
    "menu": "What do you want to do?",
    "temp": "Highest temperature, last 12 h",
    "prior": "Already treated for CRS?",
    "bp": "Blood pressure support?",
    "press": "Which vasopressors?",
    "bpcause": "Hypotension from another cause?",
    "o2": "Oxygen support?",
    "flow": "Nasal cannula flow, L/min",
    "o2cause": "Oxygen for CRS hypoxia?",
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
DIAGRAM_TO_MENU: Final = "any message: back to the menu"
DIAGRAM_FROM_MENU: Final = "from the menu: {entry}"
DIAGRAM_MENU_TITLE: Final = "The menu"
DIAGRAM_MENU_WAY_IN: Final = "/start, /cancel, or a message after a result"
DIAGRAM_MENU_ENTRY: Final = " · first asks: {first}"
