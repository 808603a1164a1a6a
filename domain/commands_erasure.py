"""Commands of erasure: a family's request, its assessment, its execution, the legal hold,
and destruction when the retention period has ended. They work on closed cases too (care
has usually ended when a family asks), never on an erased dossier."""

from __future__ import annotations

from datetime import date

from domain.case_state import CaseState
from domain.erasure import (
    ErasureRequest,
    check_may_request,
    erasure_due_on,
    relation_of,
    retention_ends_on,
)
from domain.errors import (
    CaseErasedError,
    DuplicateIdError,
    ErasureOrderError,
    InvalidInputError,
    LegalHoldError,
    NotInCaseError,
    RetentionError,
)
from domain.events_erasure import (
    ErasureAssessed,
    ErasureRequested,
    LegalHoldLifted,
    LegalHoldPlaced,
    PersonalDataErased,
)
from domain.periods import CasePeriods
from domain.personal_data import IDENTIFYING
from domain.provenance import Provenance
from domain.vocabulary import (
    DataCategory,
    ErasureCause,
    ErasureRefusalGround,
    ErasureScope,
    ErasureStatus,
)


class ErasureCommands(CaseState):
    def check_may_erase(self, by: Provenance) -> None:
        if self.is_erased:
            raise CaseErasedError("the dossier was erased already")
        by.check_not_in_future()
        by.check_not_before(self.opened_at, "the case opened")

    def request_erasure(
        self,
        by: Provenance,
        *,
        request_id: str,
        requested_by: str,
        scope: ErasureScope,
        member_id: str | None = None,
    ) -> None:
        """Record who asked to destroy what; the 3 months run from the day they asked."""
        self.check_may_erase(by)
        if request_id in self.erasure_requests:
            raise DuplicateIdError(f"erasure request {request_id} is already recorded")
        scope = ErasureScope(scope)
        if (scope is ErasureScope.MEMBER) != (member_id is not None):
            raise InvalidInputError(
                "a member's erasure names the member; a dossier's none", "member_id"
            )
        self.check_members([requested_by], "requested_by")
        self.check_members([member_id] if member_id else [], "member_id")
        if member_id in self.erased_members:
            raise ErasureOrderError(f"{member_id}'s identifying data was erased already")
        on = by.occurred_at.date()
        requester = self.members[requested_by]
        relation = relation_of(requester, on)
        subject = self.members[member_id] if member_id else None
        check_may_request(requester, relation, scope, subject, on)
        self.record(
            ErasureRequested,
            by,
            request_id=request_id,
            requested_by=requested_by,
            relation=relation.value,
            scope=scope.value,
            member_id=member_id,
            due_on=erasure_due_on(on),
        )

    def assess_erasure(
        self,
        by: Provenance,
        *,
        request_id: str,
        refusal_ground: ErasureRefusalGround | None = None,
        justification: str = "",
    ) -> None:
        """Grant, or refuse on a legal ground and say why."""
        self.check_may_erase(by)
        request = self._request(request_id)
        if request.status is not ErasureStatus.REQUESTED:
            raise ErasureOrderError(f"erasure request {request_id} was {request.status} already")
        by.check_not_before(request.requested_at, "the request")
        if refusal_ground is not None and not justification.strip():
            raise InvalidInputError("a refusal says why the legal ground applies", "justification")
        self.record(
            ErasureAssessed,
            by,
            request_id=request_id,
            refusal_ground=ErasureRefusalGround(refusal_ground).value if refusal_ground else None,
            justification=justification,
        )

    def execute_erasure(self, by: Provenance, *, request_id: str) -> None:
        """Carry out a granted request: its keys are destroyed by the application."""
        self.check_may_erase(by)
        request = self._request(request_id)
        if request.status is not ErasureStatus.GRANTED:
            raise ErasureOrderError(
                f"erasure request {request_id} is {request.status}: only a granted one is executed"
            )
        self._check_no_hold()
        by.check_not_before(request.assessed_at or request.requested_at, "the assessment")
        self._record_erasure(by, ErasureCause.REQUEST, request)

    def destroy_after_retention(self, by: Provenance, *, periods: CasePeriods) -> None:
        """Destroy the dossier's personal data once its retention period has ended."""
        self.check_may_erase(by)
        self._check_no_hold()
        due = self.retention_ends_on(periods.retention_years)
        if due is None or by.occurred_at.date() < due:
            when = f"on {due}" if due else "once care has ended"
            raise RetentionError(f"the retention period ends {when}: nothing is destroyed yet")
        self._record_erasure(by, ErasureCause.RETENTION, None)

    def retention_ends_on(self, retention_years: int) -> date | None:
        """The first day the dossier may be destroyed; None while care goes on."""
        if self.closed_at is None:
            return None
        return retention_ends_on(self.closed_at.date(), retention_years)

    def place_legal_hold(self, by: Provenance, *, reason: str) -> None:
        self.check_may_erase(by)
        if self.legal_hold is not None:
            raise LegalHoldError("a legal hold is in place already")
        if not reason.strip():
            raise InvalidInputError("a legal hold says why", "reason")
        self.record(LegalHoldPlaced, by, reason=reason)

    def lift_legal_hold(self, by: Provenance, *, reason: str) -> None:
        self.check_may_erase(by)
        if self.legal_hold is None:
            raise LegalHoldError("there is no legal hold to lift")
        by.check_not_before(self.legal_hold.placed_at, "the hold was placed")
        self.record(LegalHoldLifted, by, reason=reason)

    def _request(self, request_id: str) -> ErasureRequest:
        request = self.erasure_requests.get(request_id)
        if request is None:
            raise NotInCaseError(f"no erasure request {request_id} in this case")
        return request

    def _check_no_hold(self) -> None:
        if self.legal_hold is not None:
            raise LegalHoldError("a legal hold stops destruction until it is lifted")

    def _record_erasure(
        self, by: Provenance, cause: ErasureCause, request: ErasureRequest | None
    ) -> None:
        scope = request.scope if request else ErasureScope.DOSSIER
        categories = sorted(IDENTIFYING) if scope is ErasureScope.MEMBER else list(DataCategory)
        self.record(
            PersonalDataErased,
            by,
            cause=cause.value,
            scope=scope.value,
            member_id=request.member_id if request else None,
            request_id=request.request_id if request else None,
            categories=[c.value for c in categories],
        )
