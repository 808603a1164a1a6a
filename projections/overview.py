"""The coordination overview: per case the regisseur, who is involved with which role and
tasks, the plan, open referrals, and the facts the stall signals are computed from.

One row per case (key: the case id). Goals are counted per member and life domain; the
texts of goals and agreements stay in the case (personal data), only parties and dates here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.case_event import CaseEvent
from domain.events_erasure import (
    ErasureAssessed,
    ErasureRequested,
    LegalHoldLifted,
    LegalHoldPlaced,
    PersonalDataErased,
)
from domain.events_intake import (
    CaseOpened,
    CaseTriaged,
    CoachAssigned,
    CoachChanged,
    CoachingEnded,
    HelpQuestionAnswered,
    RegisseurMadeKnown,
    WaitlistLeft,
    WaitlistPlaced,
)
from domain.events_lifecycle import CaseClosed, CaseReopened, Escalated
from domain.events_plan import (
    AgreementBroken,
    PlanAdopted,
    PlanEvaluated,
    RoundTableHeld,
    SeparatePlanReported,
)
from domain.events_referral import ReferralMoved, ReferralRequested
from domain.vocabulary import ErasureScope
from projections.projection import Projection, RowBatch, case_id_text, moment
from projections.view import ViewRow

Doc = dict[str, Any]


def involve(doc: Doc, organisation: str, role: str, task: str = "") -> None:
    """Record that an organisation takes part, in which role and with which task."""
    party = doc["involved"].setdefault(organisation, {"roles": [], "tasks": []})
    if role not in party["roles"]:
        party["roles"].append(role)
    if task and task not in party["tasks"]:
        party["tasks"].append(task)


class OverviewProjection(Projection):
    name = "overview"
    description = "who does what per family, the plan, open referrals, and stall signals"

    def keys_for(self, event: CaseEvent) -> list[str]:
        return [case_id_text(event.originator_id)]

    def change(
        self, rows: RowBatch, event: CaseEvent, edit: Callable[[Doc], None], activity: bool = True
    ) -> None:
        row = rows.editable(case_id_text(event.originator_id))
        assert row is not None, f"case {event.originator_id}: CaseOpened was not projected"
        doc = row.doc
        edit(doc)
        if activity:
            doc["last_activity_at"] = max(doc["last_activity_at"], moment(event.occurred_at))
        rows.put(row)

    @singledispatchmethod
    def handle(self, event: Any, rows: RowBatch) -> None:
        """Any other fact is activity: it restarts the inactivity period."""
        if isinstance(event, CaseEvent):
            self.change(rows, event, lambda doc: None)

    @handle.register
    def _(self, event: CaseOpened, rows: RowBatch) -> None:
        at = moment(event.occurred_at)
        doc: Doc = {
            "case_id": str(event.originator_id),
            "status": "open",
            "opened_at": at,
            "last_activity_at": at,
            "closed_at": None,
            "help_question_open": True,
            "triage_outcome": None,
            "coordination_level": None,
            "waiting": False,
            "coach": None,
            "coach_organisation": None,
            "coach_since": None,
            "coach_changes": 0,
            "regisseur_known_to": [],
            "involved": {},
            "plan": None,
            "referrals": {},
            "broken_agreements": [],
            "separate_plans": [],
            "escalations": 0,
        }
        involve(doc, event.reporter_organisation, "reporter")
        rows.put(
            ViewRow(
                str(event.originator_id),
                str(event.originator_id),
                event.municipality,
                event.team,
                "case",
                doc,
            )
        )

    @handle.register
    def _(self, event: CaseTriaged, rows: RowBatch) -> None:
        self.change(
            rows,
            event,
            lambda d: d.update(
                triage_outcome=event.outcome, coordination_level=event.coordination_level
            ),
        )

    @handle.register
    def _(self, event: HelpQuestionAnswered, rows: RowBatch) -> None:
        self.change(rows, event, lambda d: d.update(help_question_open=False))

    @handle.register
    def _(self, event: WaitlistPlaced, rows: RowBatch) -> None:
        self.change(rows, event, lambda d: d.update(waiting=True))

    @handle.register
    def _(self, event: WaitlistLeft, rows: RowBatch) -> None:
        self.change(rows, event, lambda d: d.update(waiting=False))

    @handle.register(CoachAssigned)
    @handle.register(CoachChanged)
    def _(self, event: CoachAssigned | CoachChanged, rows: RowBatch) -> None:
        def edit(d: Doc) -> None:
            d.update(
                coach=event.coach,
                coach_organisation=event.organisation,
                coach_since=moment(event.occurred_at),
                regisseur_known_to=[],
            )
            d["coach_changes"] += isinstance(event, CoachChanged)
            involve(d, event.organisation, "regisseur")

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: CoachingEnded, rows: RowBatch) -> None:
        self.change(rows, event, lambda d: d.update(coach=None, coach_since=None))

    @handle.register
    def _(self, event: RegisseurMadeKnown, rows: RowBatch) -> None:
        self.change(
            rows,
            event,
            lambda d: d.update(
                regisseur_known_to=sorted({*d["regisseur_known_to"], *event.organisations})
            ),
        )

    @handle.register
    def _(self, event: RoundTableHeld, rows: RowBatch) -> None:
        def edit(d: Doc) -> None:
            for organisation in event.organisations:
                involve(d, organisation, "round table")
            if d["coach"]:
                d["regisseur_known_to"] = sorted({*d["regisseur_known_to"], *event.organisations})

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: PlanAdopted, rows: RowBatch) -> None:
        """Adopted and revised (a subclass) alike: the new version replaces the old."""

        def edit(d: Doc) -> None:
            goals: dict[str, list[str]] = {}
            for goal in event.goals:
                goals.setdefault(goal["member_id"], []).append(goal["life_domain"])
            d["plan"] = {
                "version": event.version,
                "adopted_at": moment(event.occurred_at),
                "next_evaluation": _day(event.next_evaluation),
                "goals_per_member": goals,
                "last_evaluated_at": (d["plan"] or {}).get("last_evaluated_at"),
            }
            for agreement in event.agreements:
                involve(d, agreement["organisation"], "plan agreement", _task(agreement))
            covered = {a["organisation"] for a in event.agreements}
            d["separate_plans"] = [o for o in d["separate_plans"] if o not in covered]
            d["broken_agreements"] = []

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: PlanEvaluated, rows: RowBatch) -> None:
        def edit(d: Doc) -> None:
            d["plan"] = {
                **d["plan"],
                "next_evaluation": _day(event.next_evaluation),
                "last_evaluated_at": moment(event.occurred_at),
            }
            d["broken_agreements"] = []

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: AgreementBroken, rows: RowBatch) -> None:
        self.change(
            rows,
            event,
            lambda d: d["broken_agreements"].append(
                {"agreement_id": event.agreement_id, "at": moment(event.occurred_at)}
            ),
        )

    @handle.register
    def _(self, event: SeparatePlanReported, rows: RowBatch) -> None:
        self.change(
            rows,
            event,
            lambda d: d.update(separate_plans=sorted({*d["separate_plans"], event.organisation})),
        )

    @handle.register
    def _(self, event: ReferralRequested, rows: RowBatch) -> None:
        def edit(d: Doc) -> None:
            d["referrals"] = {
                **d["referrals"],
                event.referral_id: {
                    "member_id": event.member_id,
                    "destination": event.destination,
                    "organisation": event.organisation,
                    "status": "requested",
                    "requested_at": moment(event.occurred_at),
                    "started_at": None,
                    "ended_at": None,
                },
            }
            involve(
                d,
                event.organisation,
                f"referral ({event.destination})",
                f"care for {event.member_id}",
            )

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: ReferralMoved, rows: RowBatch) -> None:
        def edit(d: Doc) -> None:
            referral = dict(d["referrals"][event.referral_id], status=event.STATUS.value)
            at = moment(event.occurred_at)
            if event.STATUS.value == "care_started":
                referral["started_at"] = at
            if event.STATUS.value in ("care_ended", "rejected"):
                referral["ended_at"] = at
            d["referrals"] = {**d["referrals"], event.referral_id: referral}

        self.change(rows, event, edit)

    @handle.register
    def _(self, event: Escalated, rows: RowBatch) -> None:
        self.change(rows, event, lambda d: d.update(escalations=d["escalations"] + 1))

    @handle.register
    def _(self, event: CaseClosed, rows: RowBatch) -> None:
        self.change(
            rows,
            event,
            lambda d: d.update(
                status="closed",
                closed_at=moment(event.occurred_at),
                coach=None,
                coach_since=None,
                waiting=False,
            ),
        )

    @handle.register
    def _(self, event: CaseReopened, rows: RowBatch) -> None:
        self.change(
            rows,
            event,
            lambda d: d.update(
                status="open",
                closed_at=None,
                coach=event.coach,
                coach_since=moment(event.occurred_at),
                help_question_open=True,
            ),
        )

    @handle.register
    def _(self, event: ErasureRequested, rows: RowBatch) -> None:
        """Outstanding requests, with their deadline, for the erasure signal."""

        def edit(d: Doc) -> None:
            requests = d.setdefault("erasure_requests", {})
            requests[event.request_id] = {"due_on": _day(event.due_on), "status": "requested"}

        self.change(rows, event, edit, activity=False)

    @handle.register
    def _(self, event: ErasureAssessed, rows: RowBatch) -> None:
        def edit(d: Doc) -> None:
            requests = d.setdefault("erasure_requests", {})
            if event.refusal_ground:
                requests.pop(event.request_id, None)
            else:
                requests[event.request_id] = {**requests[event.request_id], "status": "granted"}

        self.change(rows, event, edit, activity=False)

    @handle.register
    def _(self, event: PersonalDataErased, rows: RowBatch) -> None:
        """The request is carried out. The row holds no personal data to purge: the
        projections are given events with their sealed fields unopened."""

        def edit(d: Doc) -> None:
            requests = d.setdefault("erasure_requests", {})
            if event.scope == ErasureScope.DOSSIER:
                requests.clear()  # nothing is left to erase: no deadline runs on
            elif event.request_id is not None:
                requests.pop(event.request_id, None)

        self.change(rows, event, edit, activity=False)

    @handle.register(LegalHoldPlaced)
    @handle.register(LegalHoldLifted)
    def _(self, event: CaseEvent, rows: RowBatch) -> None:
        placed = isinstance(event, LegalHoldPlaced)
        self.change(rows, event, lambda d: d.update(legal_hold=placed), activity=False)


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _task(agreement: dict[str, Any]) -> str:
    due = agreement.get("due")
    return f"agreement {agreement['agreement_id']}" + (f" by {due.isoformat()}" if due else "")
