"""The closed vocabularies of the findings.

The code owns the *names*; the guideline data files give each name its clinical meaning (its grade,
its label). The loader rejects a data file that leaves a name out or invents one, so the two cannot
drift apart.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Consciousness",
    "Hypotension",
    "IcansTool",
    "IcpSign",
    "Imaging",
    "Motor",
    "OrganSystem",
    "OxygenDevice",
    "PriorTreatment",
    "Seizure",
    "Vasopressor",
]


class PriorTreatment(StrEnum):
    """Treatment for CRS already given, which waives the fever requirement (ASTCT)."""

    ANTIPYRETIC = "antipyretic"
    TOCILIZUMAB = "tocilizumab"
    STEROIDS = "steroids"


class Hypotension(StrEnum):
    """How much support the blood pressure needs."""

    NONE = "none"
    FLUIDS = "fluids"
    VASOPRESSORS = "vasopressors"


class Vasopressor(StrEnum):
    """Vasopressors; vasopressin is named apart because ASTCT does not count it."""

    NORADRENALINE = "noradrenaline"
    ADRENALINE = "adrenaline"
    DOPAMINE = "dopamine"
    PHENYLEPHRINE = "phenylephrine"
    VASOPRESSIN = "vasopressin"


class OxygenDevice(StrEnum):
    """How oxygen is delivered; for CRS the device decides, and the flow only for nasal cannula."""

    NONE = "none"
    BLOW_BY = "blow_by"
    NASAL_CANNULA = "nasal_cannula"
    HIGH_FLOW_NASAL_CANNULA = "high_flow_nasal_cannula"
    FACEMASK = "facemask"
    NON_REBREATHER = "non_rebreather"
    VENTURI = "venturi"
    CPAP = "cpap"
    BIPAP = "bipap"
    MECHANICAL_VENTILATION = "mechanical_ventilation"


class OrganSystem(StrEnum):
    """Organ toxicities graded by CTCAE; recorded, never used for the CRS grade."""

    TRANSAMINITIS = "transaminitis"
    AKI = "aki"
    COAGULOPATHY = "coagulopathy"
    OTHER = "other"


class IcansTool(StrEnum):
    """Encephalopathy tool: ICE for adults and children 12 and over, CAPD for younger children."""

    ICE = "ice"
    CAPD = "capd"


class Consciousness(StrEnum):
    """Level of consciousness, the ASTCT depressed-consciousness domain."""

    ALERT = "alert"
    WAKES_SPONTANEOUSLY = "wakes_spontaneously"
    WAKES_TO_VOICE = "wakes_to_voice"
    WAKES_TO_TOUCH = "wakes_to_touch"
    UNAROUSABLE = "unarousable"


class Seizure(StrEnum):
    """Seizure domain; the two status kinds also choose the status epilepticus pathway."""

    NONE = "none"
    BRIEF_CLINICAL = "brief_clinical"
    EEG_RESOLVED = "eeg_resolved"
    STATUS_NONCONVULSIVE = "status_nonconvulsive"
    STATUS_CONVULSIVE = "status_convulsive"


class Motor(StrEnum):
    """Motor domain; tremor and myoclonus are recorded but do not grade."""

    NONE = "none"
    TREMOR_OR_MYOCLONUS = "tremor_or_myoclonus"
    FOCAL_WEAKNESS = "focal_weakness"


class Imaging(StrEnum):
    """Cerebral oedema on neuroimaging."""

    NOT_DONE = "not_done"
    NO_OEDEMA = "no_oedema"
    FOCAL_OEDEMA = "focal_oedema"
    DIFFUSE_OEDEMA = "diffuse_oedema"


class IcpSign(StrEnum):
    """Clinical signs of raised intracranial pressure that make ICANS grade 4."""

    PAPILLOEDEMA = "papilloedema"
    CRANIAL_NERVE_VI_PALSY = "cranial_nerve_vi_palsy"
    POSTURING = "posturing"
    CUSHINGS_TRIAD = "cushings_triad"
