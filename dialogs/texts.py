"""Every sentence the project says that is not clinical table data lives here.

Clinical advice wording lives in the guideline data files (dialogs/guideline/data); this module
holds the wording of grades, reasons, doses, questions and replies, so a reviewer can read it all.
"""

from __future__ import annotations

from typing import Final

# --- grades ---
NO_CRS: Final = "No CRS"
CRS_UNDEFINED: Final = "CRS not gradable: resolving after treatment, re-assess"
NO_ICANS: Final = "No ICANS"
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
DOSE_PER_KG: Final = "{rate} {unit}/kg × {kg} kg = {amount} {unit}"
DOSE_PER_M2: Final = "{rate} {unit}/m² × {bsa} m² = {amount} {unit}"
DOSE_BAND: Final = ", the under-{kg}-kg dose"
BSA: Final = "BSA √({cm} cm × {kg} kg / 3600) = {bsa} m²"
DOSE_MAX: Final = "max {cap} {unit} a dose"
TOCI_ASK_HISTORY: Final = (
    "Ask how many tocilizumab doses were given: at most {day} in 24 h and {total} in total"
)
TOCI_DAY_CAP: Final = (
    "{given} doses in the last 24 h: the maximum is {day}. Do not give another now"
)
TOCI_TOTAL_CAP: Final = "{given} doses in total: the maximum is {total}. Do not give another"
TOCI_LAST_OF_DAY: Final = "This would be dose {next} of at most {day} in 24 h"
TOCI_LAST_OF_TOTAL: Final = "This would be dose {next} of at most {total} in total"

# --- results ---
DISCLAIMER: Final = "Decision support only: check against the guideline and your senior."
NO_ESCALATION: Final = "No escalation named by the guideline at this grade."
