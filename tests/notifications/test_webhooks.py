"""Partners notified through a real HTTP endpoint on 127.0.0.1, on SQLite and PostgreSQL:
in order per case, signed, thin, only of cases they may read, and no more of a case once
its consent is withdrawn, not even of what was queued before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from eventsourcing.persistence import IntegrityError

from application.cases import CaseApplication
from application.notifications.delivery import Outcome
from application.notifications.dispatcher import Dispatcher
from application.notifications.outbox import Outbox
from application.notifications.records import Status
from application.notifications.store import NotificationStore
from domain.notification_types import WITHHELD
from domain.vocabulary import ConsentForm, ConsentPurpose, DataCategory
from tests.notifications.conftest import subscribed
from tests.notifications.receiver import Receiver
from tests.projections.support import Family

GGZ = "ggz-haaglanden"


def consent_for_ggz(family: Family, day: float) -> int:
    return family.do(
        "grant_consent",
        day,
        consent_id="consent-ggz",
        given_by=["mother", "father"],
        about=["child"],
        organisation=GGZ,
        categories=[DataCategory.REFERRALS],
        purpose=ConsentPurpose.REFERRAL,
        form=ConsentForm.WRITTEN,
    )


def sequences(events: list[dict[str, object]]) -> list[int]:
    return [int(str(e["sequence"])) for e in events]


def test_a_partner_hears_in_order_of_the_cases_it_may_read_signed_and_thin(
    app: CaseApplication, store: NotificationStore, receiver: Receiver
) -> None:
    partner = subscribed(app, store, receiver.url)
    ours, theirs = Family.open(app, 0), Family.open(app, 0)
    ours.refer(1, "ref-1")
    theirs.refer(1, "ref-9", organisation="jeugdhulp-west")
    ours.accept(2, "ref-1")
    theirs.accept(2, "ref-9")
    ours.start(3, "ref-1")

    assert partner.dispatch() == 3
    events = [r.verified(partner.subscription.secret) for r in receiver.received]
    assert [e["type"] for e in events] == [
        "nl.gezinsregie.referral.requested",
        "nl.gezinsregie.referral.accepted",
        "nl.gezinsregie.referral.care-started",
    ]
    assert sequences(events) == [1, 2, 3]
    assert {e["subject"] for e in events} == {ours.id}
    assert theirs.id not in b"".join(r.body for r in receiver.received).decode()
    first = events[0]
    assert first["specversion"] == "1.0" and first["source"].startswith("urn:")
    assert first["dataref"] == f"{app.settings.public_url}/v1/cases/{ours.id}"
    assert set(first) == {
        *("specversion", "id", "source", "type", "time", "sequence", "sequencetype"),
        *("subject", "dataref"),
    }
    assert receiver.received[0].headers["webhook-id"] == first["id"]
    assert "Name of" not in receiver.received[0].body.decode()  # no personal data


def test_a_withdrawn_consent_stops_notifications_at_once_even_those_queued(
    app: CaseApplication, store: NotificationStore, receiver: Receiver
) -> None:
    partner = subscribed(app, store, receiver.url)
    family = Family.open(app, 0)
    consent_for_ggz(family, 1)
    assert partner.dispatch() == 1
    receiver.status = 503  # the partner is away while the case goes on
    family.assign(2)
    assert partner.dispatch() == 0
    family.withdraw(3, "consent-ggz")
    family.triage(4)  # after the withdrawal: no slot at all
    receiver.status = 204
    assert partner.dispatch() == 2

    events = receiver.events()
    assert sequences(events) == [1, 2, 3]
    assert events[0]["subject"] == family.id
    for withheld in events[1:]:
        assert withheld["type"] == WITHHELD
        assert "subject" not in withheld and "dataref" not in withheld
        assert family.id not in str(withheld)


def test_a_partner_never_hears_of_a_case_it_may_not_read(
    app: CaseApplication, store: NotificationStore, receiver: Receiver
) -> None:
    partner = subscribed(app, store, receiver.url)
    other = Family.open(app, 0)
    other.assign(1)
    other.refer(2, "ref-9", organisation="jeugdhulp-west")
    other.do("grant_consent", 3, **{**consent_kwargs(), "organisation": "jeugdhulp-west"})
    assert partner.dispatch() == 0
    assert receiver.received == []
    assert partner.current.last_sequence == 0


def consent_kwargs() -> dict[str, object]:
    return {
        "consent_id": "consent-x",
        "given_by": ["mother", "father"],
        "about": ["child"],
        "organisation": GGZ,
        "categories": [DataCategory.REFERRALS],
        "purpose": ConsentPurpose.REFERRAL,
        "form": ConsentForm.WRITTEN,
    }


def test_a_failing_endpoint_waits_with_backoff_and_shows_why(
    app: CaseApplication, store: NotificationStore, receiver: Receiver
) -> None:
    partner = subscribed(app, store, receiver.url)
    Family.open(app, 0).refer(1, "ref-1")
    receiver.status = 503
    partner.dispatch()
    failing = partner.current
    assert failing.status is Status.ACTIVE and failing.last_error == "HTTP 503"
    assert failing.failing_since is not None and failing.next_attempt_at is not None
    assert failing.next_attempt_at > failing.failing_since
    assert store.backlog(failing.subscription_id).pending == 1
    deliverer = partner.deliverer
    assert deliverer.due(failing.failing_since) == []
    assert [s.subscription_id for s in deliverer.due(failing.next_attempt_at)] == [
        failing.subscription_id
    ]
    failed = Outcome(False, error="HTTP 503")
    three_days = failing.failing_since + timedelta(days=app.settings.webhook_retry_days)
    assert deliverer.retry_at(failing, three_days - timedelta(minutes=1), failed) is not None
    assert deliverer.retry_at(failing, three_days, failed) is None  # then it is disabled


def test_410_disables_the_endpoint_and_redelivery_sends_the_same_ids_again(
    app: CaseApplication, store: NotificationStore, receiver: Receiver
) -> None:
    partner = subscribed(app, store, receiver.url)
    family = Family.open(app, 0)
    family.refer(1, "ref-1")
    receiver.status = 410
    partner.dispatch()
    gone = partner.current
    assert gone.status is Status.DISABLED and "410" in (gone.disabled_reason or "")
    assert partner.deliverer.due(gone.failing_since or gone.created_at) == []
    family.accept(2, "ref-1")  # a disabled subscription gets no new slots
    partner.dispatch()
    assert partner.current.last_sequence == 1

    receiver.status = 204
    assert store.redeliver(gone.subscription_id, None) == 1
    assert partner.dispatch() == 1
    assert store.redeliver(gone.subscription_id, 1) == 1
    assert partner.dispatch() == 1
    first, again = receiver.received
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert first.event["id"] == again.event["id"]


def test_the_outbox_records_each_event_once_across_restarts(
    app: CaseApplication, store: NotificationStore, receiver: Receiver
) -> None:
    partner = subscribed(app, store, receiver.url)
    family = Family.open(app, 0)
    family.refer(1, "ref-1")
    before = store.position()
    assert partner.outbox.catch_up() == 1
    assert Outbox(app, store).catch_up() is None  # a restarted process resumes after it
    with pytest.raises(IntegrityError):
        store.append([], store.position() + 5, before)  # a stale batch changes nothing
    family.accept(2, "ref-1")
    assert Outbox(app, store).catch_up() == 1
    assert partner.current.last_sequence == 2


def test_the_dispatcher_delivers_as_commands_arrive(
    app: CaseApplication, store: NotificationStore, receiver: Receiver
) -> None:
    partner = subscribed(app, store, receiver.url)
    dispatcher = Dispatcher(app, store, app.settings)
    dispatcher.start()
    try:
        family = Family.open(app, 0)
        family.refer(1, "ref-1")
        receiver.wait_for(1)
        family.accept(2, "ref-1")
        family.start(3, "ref-1")
        events = receiver.wait_for(3)
    finally:
        dispatcher.stop()
    assert dispatcher.failure is None
    assert sequences(events) == [1, 2, 3]
    assert [e["subject"] for e in events] == [family.id] * 3
    assert partner.current.failures == 0
