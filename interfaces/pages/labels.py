"""Dutch words on the pages for the values the case and its views store. Vocabularies the
reports already name come from `projections.report_labels` (the one mapping for those);
the rest, which only the pages show, are named here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum

from domain.vocabulary import (
    ConsentForm,
    ConsentPurpose,
    DataCategory,
    MemberRole,
    Urgency,
)
from projections.report_labels import DUTCH_BY_VOCABULARY, MONTHS

PAGE_VOCABULARY: Mapping[type[StrEnum], Mapping[str, str]] = {
    ConsentPurpose: {
        ConsentPurpose.CARE_COORDINATION: "Regie op de zorg",
        ConsentPurpose.WAITLIST: "Wachtlijst",
        ConsentPurpose.REFERRAL: "Verwijzing",
        ConsentPurpose.LINK_PREVIOUS_CASE: "Koppelen aan eerder dossier",
    },
    ConsentForm: {ConsentForm.ORAL: "Mondeling", ConsentForm.WRITTEN: "Schriftelijk"},
    DataCategory: {
        DataCategory.IDENTITY: "Naam en geboortedatum",
        DataCategory.CONTACT_ADDRESS: "Adres",
        DataCategory.HELP_QUESTION: "Hulpvraag",
        DataCategory.CONVERSATION_NOTES: "Gespreksverslagen",
        DataCategory.PLAN: "Gezinsplan",
        DataCategory.REFERRALS: "Verwijzingen",
        DataCategory.SAFETY: "Veiligheid",
        DataCategory.HEALTH: "Gezondheid",
    },
    MemberRole: {
        MemberRole.PARENT: "Ouder",
        MemberRole.CARER: "Verzorger",
        MemberRole.CHILD: "Kind",
    },
    Urgency: {Urgency.NORMAL: "Normaal", Urgency.URGENT: "Urgent", Urgency.CRISIS: "Crisis"},
}
STATUS = {"open": "Lopend", "waiting": "Wacht op gezinscoach", "closed": "Gesloten"}
SIGNALS = {
    "no_coach": "Geen gezinscoach",
    "no_plan": "Nog geen gezinsplan",
    "evaluation_overdue": "Evaluatie te laat",
    "referral_waiting": "Verwijzing wacht te lang",
    "handover_gap": "Zorg beëindigd zonder opvolger",
    "agreement_broken": "Afspraak niet nagekomen",
    "more_than_one_plan": "Meer dan één plan",
    "closure_due": "Sluiting wegens inactiviteit nadert",
    "regisseur_unknown": "Regisseur niet bekend bij betrokkenen",
    "erasure_due": "Verzoek tot vernietiging nadert termijn",
}
"""The overview's signal codes (projections/signals.py), as a coordinator says them."""

RULES = {
    "valid-input": "Een ingevuld gegeven klopt niet",
    "names-what-the-case-has": "Dat staat niet in dit dossier",
    "ids-unique-in-a-case": "Dit nummer is in dit dossier al gebruikt",
    "only-a-consent-in-force-is-withdrawn": "Deze toestemming is al ingetrokken",
    "occurred-at-within-case": "Het moment ligt voor de melding of in de toekomst",
    "closed-case-only-reopens": "Het dossier is gesloten; het kan alleen worden heropend",
    "consent-required": "Hiervoor is eerst toestemming van het gezin nodig",
    "consent-from-the-right-people": "Deze toestemming moet van andere gezinsleden komen",
    "one-regisseur-at-a-time": "Er is al een gezinscoach (één regisseur tegelijk)",
    "waitlist-order": "Dat past niet bij de wachtlijst zoals die nu is",
    "referral-transitions-in-order": "De verwijzing is niet in de stap die dit vraagt",
    "erased-dossier-records-nothing": "Dit dossier is gewist; er wordt niets meer vastgelegd",
}
"""The rules of the case (domain/errors.py) that the everyday actions meet, as a
coordinator reads them; the page adds the domain's own message as the detail."""


def rule_in_dutch(error: Exception) -> str:
    """A refusal by a rule of the case: the rule in Dutch, then the domain's message."""
    rule = getattr(error, "rule", None)
    said = RULES.get(rule, "Een regel van het dossier staat dit niet toe") if rule else ""
    return f"{said}: {error}" if said else str(error)


def dutch(vocabulary: type[StrEnum], value: str | None) -> str:
    """A stored value's Dutch name; an unknown value is shown as stored."""
    if value is None:
        return "—"
    names = {**DUTCH_BY_VOCABULARY, **PAGE_VOCABULARY}.get(vocabulary, {})
    return names.get(value, value)


def dutch_named(value: str | None, vocabulary: str) -> str:
    """`dutch` for templates, which name the vocabulary: {{ x|nl("ReferralDestination") }}."""
    known = {v.__name__: v for v in (*DUTCH_BY_VOCABULARY, *PAGE_VOCABULARY)}
    return dutch(known[vocabulary], value)


def dutch_date(value: date | datetime | str | None) -> str:
    """A date the way Dutch readers write it: 2 maart 2026."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {MONTHS[day.month - 1][0]} {day.year}"
