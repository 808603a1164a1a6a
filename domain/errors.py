"""Domain failures: each names the rule that was broken and why, so callers can explain it."""

from __future__ import annotations


class DomainError(Exception):
    """A command broke a rule of the domain; nothing was recorded."""

    rule: str = "domain-rule"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(DomainError):
    """A value is outside what the domain accepts (unknown member, negative minutes...);
    `field` names the command's field that holds it."""

    rule = "valid-input"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotInCaseError(DomainError):
    """A command names a referral, consent or erasure request the case does not have."""

    rule = "names-what-the-case-has"


class DuplicateIdError(DomainError):
    """An id given for something new (a referral, a consent...) is already used in the case."""

    rule = "ids-unique-in-a-case"


class ConsentNotInForceError(DomainError):
    """Only a consent in force can be withdrawn: a withdrawn one stays withdrawn."""

    rule = "only-a-consent-in-force-is-withdrawn"


class HelpQuestionError(DomainError):
    """A help question is answered once."""

    rule = "help-question-answered-once"


class OccurredAtError(DomainError):
    """A fact cannot have happened before the case opened, nor in the future."""

    rule = "occurred-at-within-case"


class CaseClosedError(DomainError):
    """Nothing but reopening happens on a closed case."""

    rule = "closed-case-only-reopens"


class CaseNotClosedError(DomainError):
    """Only a closed case can be reopened."""

    rule = "reopen-needs-closed-case"


class ReopenNotAllowedError(DomainError):
    """Reopening is for the same coach and help question within the reopen window."""

    rule = "reopen-same-coach-same-question-within-window"


class NotDueForClosureError(DomainError):
    """A case is closed as inactive only when it has had no active help for the period."""

    rule = "inactive-closure-needs-inactivity-period"


class ConsentRequiredError(DomainError):
    """The family has not consented to what the command needs (waitlist, linking cases)."""

    rule = "consent-required"


class ConsentGiverError(DomainError):
    """Consent given by people who may not give it for a member of that age."""

    rule = "consent-from-the-right-people"


class CoachError(DomainError):
    """One regisseur at a time: assign when there is none, change when there is one."""

    rule = "one-regisseur-at-a-time"


class WaitlistError(DomainError):
    """Waitlist facts follow placement: contact and leaving need a waiting family."""

    rule = "waitlist-order"


class PlanError(DomainError):
    """A gezinsplan is adopted once, then revised and evaluated."""

    rule = "one-plan-adopted-then-revised"


class ReferralTransitionError(DomainError):
    """Referrals move requested -> accepted|rejected -> care started -> care ended."""

    rule = "referral-transitions-in-order"


class DisclosureError(DomainError):
    """A disclosure without consent must be able to open exactly what it names."""

    rule = "disclosure-opens-what-it-names"


class CaseErasedError(DomainError):
    """A dossier whose personal data was destroyed records nothing new."""

    rule = "erased-dossier-records-nothing"


class ErasureRequestError(DomainError):
    """Early destruction is asked by a parent with gezag or a young person of 12 or older,
    for the dossier or for one member's identifying data they may speak for."""

    rule = "erasure-asked-by-parent-with-gezag-or-young-person-12-plus"


class ErasureOrderError(DomainError):
    """An erasure request is assessed once, then executed once if granted."""

    rule = "erasure-requested-assessed-executed"


class LegalHoldError(DomainError):
    """A legal hold stops every destruction of the case until it is lifted."""

    rule = "legal-hold-stops-destruction"


class RetentionError(DomainError):
    """A dossier is destroyed for retention only after its retention period has ended."""

    rule = "retention-period-ended"
