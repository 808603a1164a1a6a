"""Dutch names for the vocabulary's stored values, as a council reader knows them (the Den
Haag evaluation's wording where it has one, 000 Tables 4.3 and 4.4). The one place that
maps values to Dutch: charts use it, and so can any other report that speaks Dutch."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from domain.vocabulary import (
    Channel,
    ClosureReason,
    ConversationKind,
    ProblemCategory,
    ReferralDestination,
    ReferralStatus,
    TriageOutcome,
    WaitlistExit,
)

DUTCH_BY_VOCABULARY: Mapping[type[StrEnum], Mapping[str, str]] = {
    Channel: {
        Channel.FAMILY: "Gezin zelf",
        Channel.PROFESSIONAL: "Professional",
        Channel.KCC: "KCC (gemeente)",
        Channel.VEILIG_THUIS: "Veilig Thuis",
    },
    TriageOutcome: {
        TriageOutcome.SINGLE: "Enkelvoudige vraag",
        TriageOutcome.COMPLEX: "Complexe vraag",
        TriageOutcome.CRISIS: "Crisis",
    },
    ProblemCategory: {
        ProblemCategory.COGNITIVE_DEVELOPMENT: "Cognitieve ontwikkeling",
        ProblemCategory.FAMILY_AND_PARENTING: "Gezin en opvoeding",
        ProblemCategory.YOUTH_AND_ENVIRONMENT: "Jeugdige en omgeving",
        ProblemCategory.PHYSICAL_HEALTH: "Lichamelijke gezondheid",
        ProblemCategory.SEVERAL_AREAS: "Meerdere gebieden",
        ProblemCategory.PSYCHIATRY: "Psychiatrie",
        ProblemCategory.SCHOOL: "Problemen op school",
        ProblemCategory.PSYCHOSOCIAL: "Psychosociaal functioneren",
        ProblemCategory.OTHER: "Overig",
    },
    ConversationKind: {
        ConversationKind.CLARIFICATION: "Vraagverheldering",
        ConversationKind.HELP: "Hulpgesprek",
        ConversationKind.HOME_VISIT: "Huisbezoek",
        ConversationKind.PHONE: "Telefonisch gesprek",
        ConversationKind.CONSULTATION: "Consultatie",
    },
    WaitlistExit: {
        WaitlistExit.COACH_ASSIGNED: "Gezinscoach toegewezen",
        WaitlistExit.WITHDRAWN: "Teruggetrokken",
        WaitlistExit.NO_LONGER_NEEDED: "Niet meer nodig",
    },
    ReferralDestination: {
        ReferralDestination.NONE_NEEDED: "Geen verwijzing nodig",
        ReferralDestination.JEUGDTEAM: "Jeugdteam",
        ReferralDestination.VOORLIGGEND_VELD: "Voorliggend veld",
        ReferralDestination.OPVOEDSTEUNPUNT: "Opvoedsteunpunt",
        ReferralDestination.SPECIALISED_GGZ: "Specialistische GGZ",
        ReferralDestination.OTHER_YOUTH_CARE: "Overige jeugdhulp",
        ReferralDestination.VEILIG_THUIS_REPORT: "Melding Veilig Thuis",
        ReferralDestination.ZVW_CARE: "Zorg (Zvw)",
        ReferralDestination.EIGEN_TOEKOMST_PLAN: "Eigen Toekomst Plan",
        ReferralDestination.JGZ: "JGZ",
        ReferralDestination.BASIC_GGZ: "Basis-GGZ",
        ReferralDestination.OTHER: "Overig",
        ReferralDestination.UNKNOWN: "Onbekend",
    },
    ReferralStatus: {
        ReferralStatus.REQUESTED: "Aangevraagd",
        ReferralStatus.ACCEPTED: "Geaccepteerd",
        ReferralStatus.REJECTED: "Afgewezen",
        ReferralStatus.CARE_STARTED: "Zorg gestart",
        ReferralStatus.CARE_ENDED: "Zorg beëindigd",
    },
    ClosureReason: {
        ClosureReason.GOALS_REACHED: "Doelen bereikt",
        ClosureReason.NO_FURTHER_HELP_NEEDED: "Geen verdere hulp nodig",
        ClosureReason.FAMILY_DECLINED: "Gezin wil niet verder",
        ClosureReason.TRANSFERRED: "Overgedragen",
        ClosureReason.MOVED: "Verhuisd",
        ClosureReason.INACTIVE: "Inactief",
    },
}
"""Per vocabulary the reports count by, every value's Dutch name."""

MONTHS = (
    ("januari", "jan"),
    ("februari", "feb"),
    ("maart", "mrt"),
    ("april", "apr"),
    ("mei", "mei"),
    ("juni", "jun"),
    ("juli", "jul"),
    ("augustus", "aug"),
    ("september", "sep"),
    ("oktober", "okt"),
    ("november", "nov"),
    ("december", "dec"),
)
"""Each month's Dutch name and abbreviation, without the machine's locale."""


def dutch(vocabulary: type[StrEnum], value: str) -> str:
    """A stored value's Dutch name; a value the vocabulary does not know is an error."""
    return DUTCH_BY_VOCABULARY[vocabulary][vocabulary(value)]


def dutch_day(day: date) -> str:
    """'1 januari 2026': the same on every machine (no locale)."""
    return f"{day.day} {MONTHS[day.month - 1][0]} {day.year}"


def dutch_month(month: str) -> str:
    """'2026-03' as 'mrt 2026'."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1][1]} {year}"
