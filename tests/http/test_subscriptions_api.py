"""The subscriptions API: administrators subscribe an organisation's endpoint; the
subscriber sees its delivery state, asks for redelivery and fills gaps from the catch-up
feed, which says of each notification only what the organisation may read now."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from application.notifications.outbox import Outbox
from domain.authorization import Role, User
from domain.notification_types import WITHHELD
from tests.http.conftest import COORDINATOR_USER, Headers, melding_json

ADMIN = User("admin-1", "gemeente-beheer", frozenset({Role.ADMIN}))
GGZ_PARTNER = User("ggz-1", "ggz-haaglanden", frozenset({Role.PARTNER}))
OTHER_PARTNER = User("west-1", "jeugdhulp-west", frozenset({Role.PARTNER}))
CONSENT = {
    "consent_id": "consent-ggz",
    "given_by": ["mother", "father"],
    "about": ["child"],
    "organisation": "ggz-haaglanden",
    "categories": ["referrals"],
    "purpose": "referral",
    "form": "written",
}


def subscription(client: TestClient, auth: Headers, **overrides: Any) -> dict[str, Any]:
    body = {
        "organisation": "ggz-haaglanden",
        "url": "http://127.0.0.1:9/hook",
        "event_types": ["nl.gezinsregie.referral.requested", "nl.gezinsregie.consent.given",
                        "nl.gezinsregie.consent.withdrawn"],
        **overrides,
    }  # fmt: skip
    made = client.post("/v1/subscriptions", json=body, headers=auth(ADMIN))
    assert made.status_code == 201, made.text
    assert made.headers["Location"].endswith(f"/v1/subscriptions/{made.json()['subscription_id']}")
    answer: dict[str, Any] = made.json()
    return answer


def case_command(client: TestClient, auth: Headers, case_id: str, path: str, body: Any) -> None:
    done = client.post(f"/v1/cases/{case_id}{path}", json=body, headers=auth(COORDINATOR_USER))
    assert done.status_code == 200, done.text


def open_case(client: TestClient, auth: Headers) -> str:
    opened = client.post("/v1/cases", json=melding_json(), headers=auth(COORDINATOR_USER))
    assert opened.status_code == 201, opened.text
    case_id: str = opened.json()["case_id"]
    return case_id


def fill_outbox(client: TestClient) -> None:
    """What the dispatcher process does first (it is not part of the API)."""
    app = client.app.state  # type: ignore[attr-defined]
    while Outbox(app.cases, app.notifications).catch_up() is not None:
        pass


def test_only_administrators_subscribe_and_list(client: TestClient, auth: Headers) -> None:
    made = subscription(client, auth)
    assert made["secret"].startswith("whsec_")
    body = {"organisation": "x", "url": "http://x/", "event_types": [WITHHELD]}
    refused = client.post("/v1/subscriptions", json=body, headers=auth(ADMIN))
    assert refused.status_code == 422  # withheld is no type one subscribes to
    for user in (COORDINATOR_USER, GGZ_PARTNER):
        assert client.get("/v1/subscriptions", headers=auth(user)).status_code == 403
        valid = {**body, "event_types": ["nl.gezinsregie.case.closed"]}
        assert client.post("/v1/subscriptions", json=valid, headers=auth(user)).status_code == 403
    listed = client.get("/v1/subscriptions", headers=auth(ADMIN)).json()
    assert [s["subscription_id"] for s in listed] == [made["subscription_id"]]
    assert "secret" not in listed[0]


def test_the_subscriber_reads_its_state_and_the_catch_up_feed(
    client: TestClient, auth: Headers
) -> None:
    made = subscription(client, auth)
    url = f"/v1/subscriptions/{made['subscription_id']}"
    referred, consented = open_case(client, auth), open_case(client, auth)
    referral = {"referral_id": "ref-1", "member_id": "child", "destination": "specialised_ggz",
                "organisation": "ggz-haaglanden"}  # fmt: skip
    case_command(client, auth, referred, "/referrals", referral)
    case_command(client, auth, consented, "/consents", CONSENT)
    case_command(client, auth, consented, "/consents/consent-ggz/withdraw",
                 {"withdrawn_by": ["mother"]})  # fmt: skip
    assert client.get("/health").json()["notifications"]["lag"] > 0
    fill_outbox(client)
    assert client.get("/health").json()["notifications"]["lag"] == 0

    state = client.get(url, headers=auth(GGZ_PARTNER)).json()
    assert state["status"] == "active" and state["last_sequence"] == 3
    assert state["pending"] == 3 and state["first_pending"] == 1
    assert client.get(url, headers=auth(OTHER_PARTNER)).status_code == 404
    assert client.get(url + "/events", headers=auth(OTHER_PARTNER)).status_code == 404

    feed = client.get(url + "/events?after=0", headers=auth(GGZ_PARTNER)).json()
    assert [e["sequence"] for e in feed] == ["1", "2", "3"]
    assert feed[0]["subject"] == referred and feed[0]["type"].endswith("referral.requested")
    assert [e["type"] for e in feed[1:]] == [WITHHELD, WITHHELD]  # consent withdrawn since
    assert all("subject" not in e and "dataref" not in e for e in feed[1:])
    assert client.get(url + "/events?after=3", headers=auth(GGZ_PARTNER)).json() == []

    again = client.post(url + "/redelivery", json={"from_sequence": 2}, headers=auth(GGZ_PARTNER))
    assert again.status_code == 200 and again.json() == {"pending": 3}
    missing = client.get("/v1/subscriptions/sub-none", headers=auth(ADMIN))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
