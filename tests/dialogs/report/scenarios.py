"""Realistic on-call scenarios whose rendered results are kept as golden transcripts.

Each is a findings document as `python -m bot assess` takes it. The golden files under
`golden/` are what a doctor reads; any change to them shows in review.
"""

from __future__ import annotations

from typing import Any

ADULT = {"age_years": 54, "weight": {"value": 70, "unit": "kg"}}

SCENARIOS: dict[str, dict[str, Any]] = {
    "crs1_fever": {
        "patient": ADULT,
        "crs": {"max_temperature": {"value": 38.4}},
    },
    "crs2_hypotension_fluids": {
        "patient": ADULT,
        "tocilizumab_doses": {"last_24h": 0, "total": 0},
        "crs": {"max_temperature": {"value": 39.2}, "hypotension": "fluids"},
    },
    "crs2_hypoxia_only": {
        "patient": ADULT,
        "tocilizumab_doses": {"last_24h": 0, "total": 0},
        "crs": {
            "max_temperature": {"value": 38.6},
            "oxygen": "nasal_cannula",
            "oxygen_flow_l_min": 2,
        },
    },
    "crs3_adult": {
        "patient": ADULT,
        "tocilizumab_doses": {"last_24h": 0, "total": 0},
        "crs": {
            "max_temperature": {"value": 39.1},
            "hypotension": "vasopressors",
            "vasopressors": ["noradrenaline"],
            "oxygen": "nasal_cannula",
            "oxygen_flow_l_min": 4,
        },
    },
    "crs3_last_permitted_toci": {
        "patient": ADULT,
        "tocilizumab_doses": {"last_24h": 2, "total": 2, "hours_since_last": 7},
        "crs": {"max_temperature": {"value": 39.0}, "oxygen": "facemask"},
    },
    "crs3_toci_limit_reached": {
        "patient": ADULT,
        "tocilizumab_doses": {"last_24h": 3, "total": 3, "hours_since_last": 6},
        "crs": {
            "max_temperature": {"value": 39.4},
            "hypotension": "vasopressors",
            "vasopressors": ["noradrenaline"],
        },
    },
    "crs_afebrile_after_toci": {
        "patient": ADULT,
        "crs": {"max_temperature": {"value": 37.2}, "prior_treatment": ["tocilizumab"]},
    },
    "icans2_no_crs": {
        "patient": ADULT,
        "icans": {"ice_score": 5, "consciousness": "wakes_to_voice", "concurrent_crs": False},
    },
    "convulsive_status": {
        "patient": ADULT,
        "icans": {"ice_score": 4, "consciousness": "alert", "seizure": "status_convulsive"},
    },
    "nonconvulsive_status": {
        "patient": ADULT,
        "icans": {"ice_score": 6, "consciousness": "alert", "seizure": "status_nonconvulsive"},
    },
    "eeg_seizures_resolved": {
        "patient": ADULT,
        "icans": {
            "ice_score": 7,
            "consciousness": "alert",
            "seizure": "eeg_resolved",
            "concurrent_crs": False,
        },
    },
    "icans4_cushings_triad": {
        "patient": ADULT,
        "icans": {
            "ice_score": 2,
            "consciousness": "wakes_to_touch",
            "icp_signs": ["cushings_triad"],
            "imaging": "not_done",
        },
    },
    "papilloedema_imaging_not_done": {
        "patient": ADULT,
        "icans": {
            "ice_score": 8,
            "consciousness": "alert",
            "icp_signs": ["papilloedema"],
            "papilloedema_stage": 2,
            "csf_opening_pressure_mmhg": 15,
            "imaging": "not_done",
        },
    },
    "papilloedema_low_arm": {
        "patient": ADULT,
        "icans": {
            "ice_score": 8,
            "consciousness": "alert",
            "icp_signs": ["papilloedema"],
            "papilloedema_stage": 1,
            "csf_opening_pressure_mmhg": 15,
            "imaging": "no_oedema",
            "concurrent_crs": False,
        },
    },
    "icans1_high_opening_pressure": {
        "patient": ADULT,
        "icans": {
            "ice_score": 8,
            "consciousness": "alert",
            "csf_opening_pressure_mmhg": 24,
            "imaging": "no_oedema",
        },
    },
    "crs3_with_icans4": {
        "patient": ADULT,
        "tocilizumab_doses": {"last_24h": 1, "total": 1, "hours_since_last": 8},
        "crs": {"max_temperature": {"value": 39.5}, "oxygen": "non_rebreather"},
        "icans": {"consciousness": "unarousable", "concurrent_crs": True},
    },
    "child_8kg_full_review": {
        "patient": {"age_years": 1, "weight": {"value": 8, "unit": "kg"}},
        "tocilizumab_doses": {"last_24h": 0, "total": 0},
        "crs": {"max_temperature": {"value": 39.0}, "hypotension": "fluids"},
        "icans": {
            "capd_total": 12,
            "consciousness": "wakes_to_voice",
            "seizure": "status_convulsive",
        },
    },
    "hlh_met": {
        "patient": {"age_years": 48, "weight": {"value": 70}, "height": {"value": 170}},
        "tocilizumab_doses": {"last_24h": 1, "total": 2},
        "crs": {"max_temperature": {"value": 39.0}, "hypotension": "fluids", "oxygen": "facemask"},
        "hlh": {"peak_ferritin_ng_ml": 25000, "liver": True, "pulmonary_oedema": True},
    },
    "death_from_crs": {
        "patient": ADULT,
        "crs": {"max_temperature": {"value": 39.0}, "death_from_crs": True},
    },
    "sedated_unarousable": {
        "patient": ADULT,
        "icans": {"consciousness": "unarousable", "consciousness_from_sedation": True},
    },
}

# The emergency entries (🚨 Seizing now, 🚨 Signs of raised ICP), walked through the dialog:
# the two answers to the first steps, then the answers to the full plan. Their golden files hold
# the first steps as sent, then the full result.
EMERGENCIES: dict[str, tuple[str, tuple[str, str], tuple[str, ...]]] = {
    "emergency_convulsive_adult_70kg": (
        "seizure",
        ("status_convulsive", "70"),
        ("54", "4", "alert", "none", "none", "not done", "no"),
    ),
    "emergency_convulsive_child_weight_unknown": (
        "seizure",
        ("status_convulsive", "child"),
        ("7", "14", "wakes to voice", "no", "none", "none", "not done", "no"),
    ),
    "emergency_nonconvulsive_adult_weight_unknown": (
        "seizure",
        ("status_nonconvulsive", "adult"),
        ("6", "alert", "none", "none", "not done", "no"),
    ),
    "emergency_icp_cushings_adult_70kg": (
        "icp",
        ("cushings", "70"),
        ("54", "2", "wakes to touch", "no", "none", "none", "not done", "no"),
    ),
    "emergency_icp_papilloedema_adult": (
        "icp",
        ("papilloedema", "adult"),
        ("8", "alert", "none", "none", "unknown", "not done", "unknown", "no"),
    ),
}
