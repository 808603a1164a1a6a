"""The fixed lists users choose from (channels, outcomes, categories...), stored by value."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Who gave the start signal (any institution may, 003)."""

    FAMILY = "family"
    PROFESSIONAL = "professional"
    KCC = "kcc"
    VEILIG_THUIS = "veilig_thuis"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    CRISIS = "crisis"


class MemberRole(StrEnum):
    PARENT = "parent"
    CARER = "carer"
    CHILD = "child"


class TriageOutcome(StrEnum):
    """Triage (000): a single question, a complex one for a coach, or a crisis."""

    SINGLE = "single"
    COMPLEX = "complex"
    CRISIS = "crisis"


class ProblemCategory(StrEnum):
    """Table 4.3 of the Den Haag evaluation (000)."""

    COGNITIVE_DEVELOPMENT = "cognitieve_ontwikkeling"
    FAMILY_AND_PARENTING = "gezin_en_opvoeding"
    YOUTH_AND_ENVIRONMENT = "jeugdige_en_omgeving"
    PHYSICAL_HEALTH = "lichamelijke_gezondheid"
    SEVERAL_AREAS = "meerdere_gebieden"
    PSYCHIATRY = "psychiatrie"
    SCHOOL = "problemen_op_school"
    PSYCHOSOCIAL = "psychosociaal_functioneren"
    OTHER = "overig"


class ConversationKind(StrEnum):
    CLARIFICATION = "clarification"
    HELP = "help"
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    CONSULTATION = "consultation"


class WaitlistExit(StrEnum):
    COACH_ASSIGNED = "coach_assigned"
    WITHDRAWN = "withdrawn"
    NO_LONGER_NEEDED = "no_longer_needed"


class ReferralDestination(StrEnum):
    """Table 4.4 of the Den Haag evaluation (000)."""

    NONE_NEEDED = "none_needed"
    JEUGDTEAM = "jeugdteam"
    VOORLIGGEND_VELD = "voorliggend_veld"
    OPVOEDSTEUNPUNT = "opvoedsteunpunt"
    SPECIALISED_GGZ = "specialised_ggz"
    OTHER_YOUTH_CARE = "other_youth_care"
    VEILIG_THUIS_REPORT = "veilig_thuis_report"
    ZVW_CARE = "zvw_care"
    EIGEN_TOEKOMST_PLAN = "eigen_toekomst_plan"
    JGZ = "jgz"
    BASIC_GGZ = "basic_ggz"
    OTHER = "other"
    UNKNOWN = "unknown"


class ReferralStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CARE_STARTED = "care_started"
    CARE_ENDED = "care_ended"


class ClosureReason(StrEnum):
    GOALS_REACHED = "goals_reached"
    NO_FURTHER_HELP_NEEDED = "no_further_help_needed"
    FAMILY_DECLINED = "family_declined"
    TRANSFERRED = "transferred"
    MOVED = "moved"
    INACTIVE = "inactive"


class RelapseRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN = "unknown"


class ConsentForm(StrEnum):
    """Consent may be oral or written; either way it is recorded (002)."""

    ORAL = "oral"
    WRITTEN = "written"


class ConsentPurpose(StrEnum):
    CARE_COORDINATION = "care_coordination"
    WAITLIST = "waitlist"
    REFERRAL = "referral"
    LINK_PREVIOUS_CASE = "link_previous_case"


class DataCategory(StrEnum):
    """What a viewer may be shown, category by category."""

    IDENTITY = "identity"
    CONTACT_ADDRESS = "contact_address"
    HELP_QUESTION = "help_question"
    CONVERSATION_NOTES = "conversation_notes"
    PLAN = "plan"
    REFERRALS = "referrals"
    SAFETY = "safety"
    HEALTH = "health"


class LegalGround(StrEnum):
    MELDRECHT_WMO_5_2_6 = "meldrecht_wmo_2015_art_5.2.6"
    DIRECT_CARE_JEUGDWET_7_3_11 = "direct_care_jeugdwet_art_7.3.11"
    LEGAL_OBLIGATION = "legal_obligation"


class SafetyMethod(StrEnum):
    RISK_INVENTORY = "risk_inventory"
    SIGNS_OF_SAFETY = "signs_of_safety"


class SafetyVerdict(StrEnum):
    SAFE = "safe"
    CONCERNS = "concerns"
    UNSAFE = "unsafe"


class EscalationTarget(StrEnum):
    COORDINATION_POINT = "coordination_point"
    STEERING_GROUP = "steering_group"
    VEILIG_THUIS = "veilig_thuis"


class ErasureScope(StrEnum):
    """What an erasure request asks to destroy."""

    DOSSIER = "dossier"  # all personal data of the case
    MEMBER = "member"  # one member's identifying data: name, birth date, address


class ErasureRelation(StrEnum):
    """Who may ask for early destruction (Jeugdwet art. 7.3.11)."""

    PARENT_WITH_AUTHORITY = "parent_with_authority"
    YOUNG_PERSON = "young_person"  # 12 or older, about their own data or their dossier
    ADULT_MEMBER = "adult_member"  # about their own identifying data only


class ErasureRefusalGround(StrEnum):
    """Why an erasure request may be refused (Jeugdwet art. 7.3.11 lid 2)."""

    SIGNIFICANT_INTEREST_OF_ANOTHER = "significant_interest_of_another"
    LEGAL_OBLIGATION = "legal_obligation"


class ErasureStatus(StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"
    EXECUTED = "executed"


class ErasureCause(StrEnum):
    """Why personal data was destroyed."""

    REQUEST = "request"
    RETENTION = "retention"
