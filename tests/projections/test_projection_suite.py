"""The waitlist and overview projections on both stores: after histories written through the
application's commands, the rows and the queries over them say what the events say; a
rebuild equals incremental processing; a recorded position is never applied twice; a reset
empties rows and position together."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from application.cases import CaseApplication
from domain.commands import PlaceOnWaitlist, RegisterTime
from domain.periods import CasePeriods
from domain.vocabulary import ClosureReason, ConsentPurpose, EscalationTarget, ReferralDestination
from projections import queries
from projections.registry import OpenView, worker_for
from projections.signals import SignalSettings
from projections.view import RowFilter, ViewRow
from tests.projections.support import (
    Family,
    agreement,
    catch_up,
    goal,
    iso,
    on,
    snapshot,
)

Views = dict[str, OpenView]


def rows(views: Views, name: str, kind: str) -> dict[str, ViewRow]:
    return {row.key: row for row in views[name].view.select_rows(RowFilter(kind=kind))}


def families(views: Views, as_of: datetime, **where: str) -> list[dict[str, Any]]:
    return queries.family_waitlist(views["waitlist"].view, as_of, **where)


# --- the family waitlist --------------------------------------------------------------------


def waiting_families(app: CaseApplication) -> dict[str, Family]:
    """B (priority 1, urgent), D and C (priority 3, D placed first), E consented only,
    F placed then withdrawn, G placed then given a coach, Z in another municipality."""
    b = Family.open(app, urgency="urgent")
    b.consent(1)
    b.place(4, priority=1)
    b.contact(6)
    b.contact(18)
    c = Family.open(app, team="team-noord")
    c.consent(1)
    c.place(2, priority=3)
    d = Family.open(app)
    d.consent(1)
    d.place(1, priority=3)
    e = Family.open(app)
    e.consent(1)
    f = Family.open(app)
    f.consent(1)
    f.place(2, priority=2)
    f.leave(9)
    g = Family.open(app)
    g.consent(1)
    g.place(2, priority=1)
    g.assign(12)
    z = Family.open(app, municipality="zoetermeer", team="team-zuid")
    z.consent(1)
    z.place(3, priority=2)
    return {"b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "z": z}


def test_waiting_families_are_listed_by_priority_then_by_the_day_they_were_placed(
    app: CaseApplication, views: Views
) -> None:
    family = waiting_families(app)
    catch_up(app, views)

    listed = families(views, on(30), municipality="den-haag")

    assert [f["case_id"] for f in listed] == [family[k].id for k in ("b", "d", "c")]
    assert [f["priority"] for f in listed] == [1, 3, 3]
    assert {f["team"] for f in listed} == {"team-centrum", "team-noord"}
    assert [f["case_id"] for f in families(views, on(30), municipality="zoetermeer")] == [
        family["z"].id
    ]
    assert [f["case_id"] for f in families(views, on(30), team="team-noord")] == [family["c"].id]


def test_family_rows_hold_priority_placement_contacts_consent_and_urgency(
    app: CaseApplication, views: Views
) -> None:
    family = waiting_families(app)
    catch_up(app, views)

    family_rows = rows(views, "waitlist", "family")

    assert set(family_rows) == {f"family:{family[k].id}" for k in ("b", "c", "d", "z")}
    b = family_rows[f"family:{family['b'].id}"]
    assert (b.case_id, b.municipality, b.team, b.kind) == (
        family["b"].id,
        "den-haag",
        "team-centrum",
        "family",
    )
    assert b.doc == {
        "priority": 1,
        "placed_at": iso(4),
        "contacts": 2,
        "last_contact_at": iso(18),
        "consent_in_force": True,
        "urgency": "urgent",
    }
    assert family_rows[f"family:{family['d'].id}"].doc == {
        "priority": 3,
        "placed_at": iso(1),
        "contacts": 0,
        "last_contact_at": None,
        "consent_in_force": True,
        "urgency": "normal",
    }


def test_days_waiting_and_overdue_contact_are_computed_as_of_the_moment_asked(
    app: CaseApplication, views: Views
) -> None:
    waiting = Family.open(app)
    waiting.consent(1)
    waiting.place(10, priority=2)
    never_contacted = Family.open(app)
    never_contacted.consent(1)
    never_contacted.place(10, priority=3)
    waiting.contact(20)
    catch_up(app, views)

    def seen(as_of: datetime) -> list[tuple[int, bool]]:
        return [(f["days_waiting"], f["contact_overdue"]) for f in families(views, as_of)]

    assert seen(on(5)) == [(0, False), (0, False)]  # before placement: not negative
    assert seen(on(24)) == [(14, False), (14, False)]  # exactly 14 days: not yet overdue
    assert seen(on(24) + timedelta(minutes=1)) == [(14, False), (14, True)]
    assert seen(on(34)) == [(24, False), (24, True)]  # 14 days after the last contact
    assert seen(on(34) + timedelta(minutes=1)) == [(24, True), (24, True)]
    assert seen(on(40)) == [(30, True), (30, True)]


def test_withdrawing_the_waitlist_consent_flips_consent_in_force_and_a_new_one_restores_it(
    app: CaseApplication, views: Views
) -> None:
    family = Family.open(app)
    family.consent(1)
    family.consent(2, consent_id="consent-care", purpose=ConsentPurpose.CARE_COORDINATION)
    family.place(3, priority=2)

    def in_force() -> bool:
        catch_up(app, views)
        [listed] = families(views, on(30))
        return bool(listed["consent_in_force"])

    assert in_force()
    family.withdraw(4, consent_id="consent-care")  # not the waitlist consent
    assert in_force()
    family.withdraw(5)
    assert not in_force()
    family.consent(6, consent_id="consent-waitlist-2")
    assert in_force()
    [case_row] = rows(views, "waitlist", "case").values()
    assert case_row.doc["waitlist_consents"] == ["consent-waitlist-2"]


# --- referrals waiting at providers ---------------------------------------------------------


def test_provider_waits_are_grouped_per_destination_and_organisation(
    app: CaseApplication, views: Views
) -> None:
    b = Family.open(app)
    b.refer(5, "r1")
    b.refer(8, "r2", "jeugdteam-centrum", ReferralDestination.JEUGDTEAM)
    b.accept(9, "r2")
    b.refer(9, "r-rejected")
    b.reject(11, "r-rejected")
    b.refer(2, "r-started", "praktijk-west", ReferralDestination.BASIC_GGZ)
    b.accept(3, "r-started")
    b.start(7, "r-started")
    g = Family.open(app)
    g.refer(15, "r3", member_id="mother")
    elsewhere = Family.open(app, municipality="zoetermeer", team="team-zuid")
    elsewhere.refer(1, "r9")
    catch_up(app, views)

    waits = queries.provider_waitlist(views["waitlist"].view, on(35), municipality="den-haag")

    assert [(r["case_id"], r["referral_id"], r["days_waiting"]) for r in waits["referrals"]] == [
        (b.id, "r1", 30),
        (b.id, "r2", 27),
        (g.id, "r3", 20),
    ]
    assert waits["referrals"][1] == {
        "case_id": b.id,
        "referral_id": "r2",
        "member_id": "child",
        "destination": "jeugdteam",
        "organisation": "jeugdteam-centrum",
        "status": "accepted",
        "requested_at": iso(8),
        "days_waiting": 27,
    }
    assert waits["by_destination"] == [
        {
            "destination": "jeugdteam",
            "organisation": "jeugdteam-centrum",
            "waiting": 1,
            "max_days": 27,
            "median_days": 27,
        },
        {
            "destination": "specialised_ggz",
            "organisation": "ggz-haaglanden",
            "waiting": 2,
            "max_days": 30,
            "median_days": 25,
        },
    ]
    [case_b] = [r for r in rows(views, "waitlist", "case").values() if r.case_id == b.id]
    assert case_b.doc["pending_referrals"] == ["r1", "r2"]


# --- closing --------------------------------------------------------------------------------


def test_closing_a_case_takes_its_family_and_referrals_off_the_waitlists_and_only_those(
    app: CaseApplication, views: Views
) -> None:
    closing = Family.open(app)
    closing.consent(1)
    closing.place(2, priority=2)
    closing.refer(3, "r1")
    closing.refer(4, "r2", "jeugdteam-centrum", ReferralDestination.JEUGDTEAM)
    closing.accept(5, "r2")
    staying = Family.open(app)
    staying.consent(1)
    staying.place(2, priority=2)
    staying.refer(3, "r1")
    catch_up(app, views)
    assert len(rows(views, "waitlist", "referral")) == 3

    closing.close(10, ClosureReason.FAMILY_DECLINED)
    catch_up(app, views)

    assert set(rows(views, "waitlist", "family")) == {f"family:{staying.id}"}
    listed = queries.provider_waitlist(views["waitlist"].view, on(10))["referrals"]
    assert [(r["case_id"], r["referral_id"]) for r in listed] == [(staying.id, "r1")]
    set_aside = rows(views, "waitlist", "referral")
    assert {k for k, r in set_aside.items() if r.doc.get("case_closed")} == {
        f"referral:{closing.id}:r1",
        f"referral:{closing.id}:r2",
    }
    case_rows = rows(views, "waitlist", "case")
    assert case_rows[f"case:{closing.id}"].doc["pending_referrals"] == ["r1", "r2"]
    assert case_rows[f"case:{staying.id}"].doc["pending_referrals"] == ["r1"]
    overview_row = views["overview"].view.get_rows([closing.id])[closing.id]
    assert (overview_row.doc["status"], overview_row.doc["closed_at"]) == ("closed", iso(10))
    assert (overview_row.doc["coach"], overview_row.doc["waiting"]) == (None, False)
    listed = queries.overview(
        views["overview"].view, on(11), lambda _: CasePeriods(), SignalSettings(), RowFilter()
    )
    assert [c["case_id"] for c in listed] == [staying.id]


# --- the overview ---------------------------------------------------------------------------


def coordinated_family(app: CaseApplication) -> Family:
    family = Family.open(app)
    family.triage(1)
    family.consent(2)
    family.place(3, priority=2)
    family.contact(10)
    family.assign(20)
    family.do(
        "hold_round_table",
        22,
        members=["mother", "father"],
        organisations=["school-de-linde", "jgz"],
        decisions="een plan",
    )
    family.adopt(
        25,
        goals=[
            goal("g1", "child", "school"),
            goal("g2", "mother", "werk"),
            goal("g3", "child", "gezondheid"),
        ],
        agreements=[agreement("a1", "school-de-linde", date(2026, 3, 1))],
        next_evaluation=date(2026, 4, 1),
    )
    family.refer(26, "r1")
    family.refer(27, "r2", "praktijk-west", ReferralDestination.BASIC_GGZ, member_id="mother")
    family.accept(30, "r1")
    family.reject(35, "r2")
    family.start(40, "r1")
    family.do("report_separate_plan", 45, organisation="ggz-haaglanden", description="eigen plan")
    family.do("make_regisseur_known", 50, organisations=["ggz-haaglanden"])
    family.do("escalate", 55, target=EscalationTarget.STEERING_GROUP, reason="vastgelopen")
    return family


def test_the_overview_row_says_who_does_what_with_which_plan_and_referrals(
    app: CaseApplication, views: Views
) -> None:
    family = coordinated_family(app)
    catch_up(app, views)

    row = views["overview"].view.get_rows([family.id])[family.id]

    assert (row.case_id, row.municipality, row.team, row.kind) == (
        family.id,
        "den-haag",
        "team-centrum",
        "case",
    )
    assert row.doc == {
        "case_id": family.id,
        "status": "open",
        "opened_at": iso(0),
        "last_activity_at": iso(55),
        "closed_at": None,
        "help_question_open": True,
        "triage_outcome": "complex",
        "coordination_level": 5,
        "waiting": False,
        "coach": "coach-anna",
        "coach_organisation": "cjg-den-haag",
        "coach_since": iso(20),
        "coach_changes": 0,
        "regisseur_known_to": ["ggz-haaglanden", "jgz", "school-de-linde"],
        "involved": {
            "school-de-linde": {
                "roles": ["reporter", "round table", "plan agreement"],
                "tasks": ["agreement a1 by 2026-03-01"],
            },
            "cjg-den-haag": {"roles": ["regisseur"], "tasks": []},
            "jgz": {"roles": ["round table"], "tasks": []},
            "ggz-haaglanden": {
                "roles": ["referral (specialised_ggz)"],
                "tasks": ["care for child"],
            },
            "praktijk-west": {"roles": ["referral (basic_ggz)"], "tasks": ["care for mother"]},
        },
        "plan": {
            "version": 1,
            "adopted_at": iso(25),
            "next_evaluation": "2026-04-01",
            "goals_per_member": {"child": ["school", "gezondheid"], "mother": ["werk"]},
            "last_evaluated_at": None,
        },
        "referrals": {
            "r1": {
                "member_id": "child",
                "destination": "specialised_ggz",
                "organisation": "ggz-haaglanden",
                "status": "care_started",
                "requested_at": iso(26),
                "started_at": iso(40),
                "ended_at": None,
            },
            "r2": {
                "member_id": "mother",
                "destination": "basic_ggz",
                "organisation": "praktijk-west",
                "status": "rejected",
                "requested_at": iso(27),
                "started_at": None,
                "ended_at": iso(35),
            },
        },
        "broken_agreements": [],
        "separate_plans": ["ggz-haaglanden"],
        "escalations": 1,
    }
    waitlist_rows = views["waitlist"].view.select_rows(RowFilter(case_id=family.id))
    assert [(r.key, r.doc) for r in waitlist_rows] == [
        (
            f"case:{family.id}",
            {
                "urgency": "normal",
                "waitlist_consents": ["consent-waitlist"],
                "pending_referrals": [],
            },
        )
    ]


def test_the_overview_query_shows_open_referrals_with_days_waiting_and_the_signals(
    app: CaseApplication, views: Views
) -> None:
    coordinated_family(app)
    catch_up(app, views)

    [case] = queries.overview(
        views["overview"].view,
        on(90),
        lambda _: CasePeriods(),
        SignalSettings(),
        RowFilter(municipality="den-haag"),
    )

    assert case["referrals"] == {
        "r1": {
            "member_id": "child",
            "destination": "specialised_ggz",
            "organisation": "ggz-haaglanden",
            "status": "care_started",
            "requested_at": iso(26),
            "started_at": iso(40),
            "ended_at": None,
            "days_waiting": 64,
        }
    }
    assert [s["code"] for s in case["signals"]] == [
        "evaluation_overdue",  # due 2026-04-01, asked on 2026-04-05
        "more_than_one_plan",  # ggz-haaglanden works with a plan of its own
        "regisseur_unknown",  # praktijk-west (rejected referral) was never told
    ]
    assert case["signals"][2]["message"] == "not told who the regisseur is: praktijk-west"
    assert (case["municipality"], case["team"]) == ("den-haag", "team-centrum")


# --- rebuild, exactly-once, reset -----------------------------------------------------------


def busy_store(app: CaseApplication, views: Views | None = None) -> None:
    """Several families in every phase; with `views`, they are caught up after each family."""
    for history in (coordinated_family, waiting_families):
        history(app)
        if views is not None:
            catch_up(app, views)
    closed = Family.open(app)
    closed.consent(1)
    closed.place(2, priority=1)
    closed.refer(3, "r1")
    closed.close(5, ClosureReason.MOVED)
    if views is not None:
        catch_up(app, views)


def test_a_rebuild_gives_the_rows_that_incremental_processing_gave(
    app: CaseApplication, views: Views
) -> None:
    busy_store(app, views)
    incremental = snapshot(views)

    for opened in views.values():
        worker_for(app, opened).rebuild(batch_size=7)

    assert snapshot(views) == incremental
    assert {position for position, _ in incremental.values()} == {app.position()}
    assert all(rows_of_view for _, rows_of_view in incremental.values())


def test_processing_a_recorded_position_again_raises_and_changes_nothing(
    app: CaseApplication, views: Views
) -> None:
    busy_store(app)
    family = Family.open(app)
    family.consent(1)
    family.place(2, priority=1)
    family.contact(3)
    family.contact(4)  # the head: applying it twice would count three contacts
    catch_up(app, views)
    before = snapshot(views)
    head = app.position()
    notifications = app.recorder.select_notifications(1, head)

    for opened in views.values():
        worker = worker_for(app, opened)
        for batch in (notifications[-2:], notifications[-1:], notifications[:5], notifications):
            with pytest.raises(IntegrityError):
                worker.process(batch, worker.position)

    assert snapshot(views) == before
    [listed] = [f for f in families(views, on(10)) if f["case_id"] == family.id]
    assert listed["contacts"] == 2


def test_a_batch_overlapping_the_recorded_position_is_refused_and_changes_nothing(
    app: CaseApplication, views: Views
) -> None:
    family = Family.open(app)
    family.consent(1)
    family.place(2, priority=1)
    family.contact(3)
    family.contact(4)
    notifications = app.recorder.select_notifications(1, app.position())
    for opened in views.values():
        worker_for(app, opened).process(notifications[:-1], 0)  # up to the first contact
    before = snapshot(views)

    refused = 0
    for opened in views.values():
        try:  # the first contact again, and the second one
            worker = worker_for(app, opened)
            worker.process(notifications[-2:], worker.position)
        except IntegrityError:
            refused += 1

    [listed] = families(views, on(10))
    assert (refused, listed["contacts"]) == (len(views), 1)
    assert snapshot(views) == before


# --- mixed time zones -----------------------------------------------------------------------

CET = timezone(timedelta(hours=1))


def test_families_of_equal_priority_are_listed_in_the_order_they_were_placed_across_offsets(
    app: CaseApplication, views: Views
) -> None:
    later = Family.open(app)
    earlier = Family.open(app)
    for family in (later, earlier):
        family.consent(1)
    placed = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    app.execute(later.case_id, later.actor, PlaceOnWaitlist(priority=2), occurred_at=placed)
    # 10:15 in Amsterdam is 09:15 UTC: placed a quarter of an hour before the other family
    app.execute(
        earlier.case_id,
        earlier.actor,
        PlaceOnWaitlist(priority=2),
        occurred_at=placed.replace(hour=10, minute=15, tzinfo=CET),
    )
    catch_up(app, views)

    assert [f["case_id"] for f in families(views, on(100))] == [earlier.id, later.id]


def test_last_activity_is_the_latest_moment_whatever_the_offset_it_was_recorded_with(
    app: CaseApplication, views: Views
) -> None:
    family = Family.open(app)
    family.do("answer_help_question", 1)
    latest = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    app.execute(
        family.case_id,
        family.actor,
        RegisterTime(minutes=30, writing_minutes=0),
        occurred_at=latest,
    )
    earlier = datetime(2026, 3, 2, 10, 15, tzinfo=CET)  # 09:15 UTC
    app.execute(
        family.case_id,
        family.actor,
        RegisterTime(minutes=30, writing_minutes=0),
        occurred_at=earlier,
    )
    catch_up(app, views)

    as_of = latest + timedelta(days=90 - 14, minutes=-10)  # 14 days and 10 minutes before due
    listed = queries.overview(
        views["overview"].view, as_of, lambda _: CasePeriods(), SignalSettings(), RowFilter()
    )
    doc = views["overview"].view.get_rows([family.id])[family.id].doc

    assert [s["code"] for s in listed[0]["signals"]] == []  # not yet within 14 days of due
    last_activity = datetime.fromisoformat(doc["last_activity_at"])
    assert last_activity == app.get_case(family.case_id).last_activity_at == latest


# --- reopening ------------------------------------------------------------------------------


def test_a_referral_still_pending_after_reopening_is_back_on_the_provider_waitlist(
    app: CaseApplication, views: Views
) -> None:
    family = Family.open(app)
    family.assign(1)
    family.refer(2, "r1")
    family.close(3, ClosureReason.MOVED)
    family.do("reopen_case", 4, coach="coach-anna", help_question_id="hq-1")
    catch_up(app, views)
    assert app.get_case(family.case_id).referrals["r1"].is_active
    [case] = queries.overview(
        views["overview"].view, on(40), lambda _: CasePeriods(), SignalSettings(), RowFilter()
    )
    assert "referral_waiting" in [s["code"] for s in case["signals"]]

    waits = queries.provider_waitlist(views["waitlist"].view, on(40))

    assert [(r["case_id"], r["referral_id"]) for r in waits["referrals"]] == [(family.id, "r1")]


def test_after_reopening_the_views_agree_with_the_case_on_whether_the_family_waits(
    app: CaseApplication, views: Views
) -> None:
    family = Family.open(app)
    family.assign(1)
    family.do("end_coaching", 2, reason="gezin wacht op een nieuwe coach")
    family.consent(3)
    family.place(4, priority=2)
    family.close(5, ClosureReason.FAMILY_DECLINED)
    family.do("reopen_case", 6, coach="coach-anna", help_question_id="hq-1")
    catch_up(app, views)

    case_waits = app.get_case(family.case_id).is_waiting
    listed = [f["case_id"] for f in families(views, on(10))]
    overview_waits = views["overview"].view.get_rows([family.id])[family.id].doc["waiting"]

    assert (case_waits, family.id in listed, overview_waits) in {
        (True, True, True),
        (False, False, False),
    }
