"""Commands of the family's privacy: consent, withdrawal, refusal, sharing decisions."""

from __future__ import annotations

from collections.abc import Sequence

from domain.case_state import CaseState
from domain.consent import check_may_consent_about
from domain.errors import (
    ConsentNotInForceError,
    DisclosureError,
    DuplicateIdError,
    InvalidInputError,
    NotInCaseError,
)
from domain.events_privacy import (
    ConsentGranted,
    ConsentWithdrawn,
    RefusalRecorded,
    SharingDecided,
)
from domain.privacy import MEMBER_CATEGORIES
from domain.provenance import Provenance
from domain.vocabulary import ConsentForm, ConsentPurpose, DataCategory, LegalGround, MemberRole


class PrivacyCommands(CaseState):
    def grant_consent(
        self,
        by: Provenance,
        *,
        consent_id: str,
        given_by: Sequence[str],
        about: Sequence[str],
        organisation: str,
        categories: Sequence[DataCategory],
        purpose: ConsentPurpose,
        form: ConsentForm,
        both_parents_required: bool = False,
    ) -> None:
        """Record a consent, valid only from the right people for each member's age (002)."""
        self.check_may_record(by)
        if consent_id in self.consents:
            raise DuplicateIdError(f"consent {consent_id} is already recorded")
        if not about or not categories:
            raise InvalidInputError(
                "a consent names whom it is about and which categories", "about"
            )
        self.check_members(given_by, "given_by")
        self.check_members(about, "about")
        family = list(self.members.values())
        for member_id in about:
            check_may_consent_about(
                self.members[member_id],
                set(given_by),
                family,
                by.occurred_at.date(),
                both_parents_required,
            )
        self.record(
            ConsentGranted,
            by,
            consent_id=consent_id,
            given_by=list(given_by),
            about=list(about),
            organisation=organisation,
            categories=sorted(DataCategory(c).value for c in categories),
            purpose=ConsentPurpose(purpose).value,
            form=ConsentForm(form).value,
            both_parents_required=both_parents_required,
        )

    def withdraw_consent(
        self, by: Provenance, *, consent_id: str, withdrawn_by: Sequence[str]
    ) -> None:
        """Withdrawal by someone who gave it or whom it is about; effective at once."""
        self.check_may_record(by)
        consent = self.consents.get(consent_id)
        if consent is None:
            raise NotInCaseError(f"there is no consent {consent_id} in this case")
        if not consent.in_force:
            raise ConsentNotInForceError(f"consent {consent_id} is no longer in force")
        by.check_not_before(consent.granted_at, "the consent was granted")
        if not withdrawn_by or not set(withdrawn_by) <= {*consent.given_by, *consent.about}:
            raise InvalidInputError(
                "consent is withdrawn by those who gave it or it is about", "withdrawn_by"
            )
        self.record(ConsentWithdrawn, by, consent_id=consent_id, withdrawn_by=list(withdrawn_by))

    def record_refusal(
        self,
        by: Provenance,
        *,
        refusal_id: str,
        given_by: Sequence[str],
        recipient: str,
        categories: Sequence[DataCategory],
    ) -> None:
        """'Not to them': wins over any general consent."""
        self.check_may_record(by)
        if refusal_id in self.refusals:
            raise DuplicateIdError(f"refusal {refusal_id} is already recorded")
        if not given_by or not recipient.strip() or not categories:
            raise InvalidInputError("a refusal names who refuses, to whom, and what", "recipient")
        self.check_members(given_by, "given_by")
        self.record(
            RefusalRecorded,
            by,
            refusal_id=refusal_id,
            given_by=list(given_by),
            recipient=recipient,
            categories=sorted(DataCategory(c).value for c in categories),
        )

    def decide_sharing(
        self,
        by: Provenance,
        *,
        shared: bool,
        organisation: str,
        members: Sequence[str],
        categories: Sequence[DataCategory],
        legal_ground: LegalGround | None,
        justification: str,
    ) -> None:
        """Sharing without consent names its legal ground; both sharing and not sharing
        record the considerations (002)."""
        self.check_may_record(by)
        if not justification.strip():
            raise InvalidInputError(
                "a sharing decision records its considerations", "justification"
            )
        if shared and legal_ground is None:
            raise InvalidInputError(
                "sharing without consent names its legal ground", "legal_ground"
            )
        if not categories or not members:
            raise InvalidInputError("a sharing decision names members and categories", "members")
        self.check_members(members, "members")
        if shared:
            self._check_disclosure_can_open(members, set(categories))
        self.record(
            SharingDecided,
            by,
            shared=shared,
            organisation=organisation,
            members=list(members),
            categories=sorted(DataCategory(c).value for c in categories),
            legal_ground=LegalGround(legal_ground).value if legal_ground else None,
            justification=justification,
        )

    def _check_disclosure_can_open(
        self, members: Sequence[str], categories: set[DataCategory]
    ) -> None:
        """A disclosure opens exactly what it names, or is refused: family-level data
        (safety, the help question, notes, health) about a child it names, since that is
        whom meldrecht protects; never a secret address, which stays in direct care."""
        family_level = sorted(c.value for c in categories - MEMBER_CATEGORIES)
        children = [m for m in members if self.members[m].role is MemberRole.CHILD]
        if family_level and not children:
            raise DisclosureError(
                f"{', '.join(family_level)} concern the whole family: disclosed without "
                "consent only about a child it protects; name the child"
            )
        if DataCategory.CONTACT_ADDRESS in categories:
            secret = [m for m in members if self.members[m].address_secret]
            if secret:
                raise DisclosureError(
                    f"the address of {', '.join(secret)} is secret: it never leaves direct "
                    "care; disclose the other categories without contact_address"
                )
