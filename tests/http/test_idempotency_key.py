"""A retried POST with the same Idempotency-Key answers the first answer again and does
nothing twice; the same key with another request is refused; keys are per user."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from application.clock import FixedClock
from application.idempotency import Answer, Claim, open_idempotency_keys
from application.settings import Settings
from tests.http.case_api import COACH, COORDINATOR, Api
from tests.http.conftest import Headers, melding_json

CONVERSATION = {"kind": "phone", "minutes": "15", "writing_minutes": "5"}


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def test_a_retried_command_answers_the_first_answer_and_records_one_fact(api: Api) -> None:
    case_id = api.coached_case()
    path = f"/v1/cases/{case_id}/conversations"
    version = api.case(case_id)["version"]
    headers = {**api.headers(COACH), "Idempotency-Key": "retry-1"}
    first = api.client.post(path, json=CONVERSATION, headers=headers)
    again = api.client.post(path, json=CONVERSATION, headers=headers)
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert again.json() == first.json()  # the same position and the same conversation id
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert api.case(case_id)["version"] == version + 1
    assert api.case(case_id, COACH)["conversations"] == 1


def test_opening_a_case_twice_with_one_key_opens_one_case(api: Api) -> None:
    headers = {**api.headers(COORDINATOR), "Idempotency-Key": "melding-2026-06-01-1"}
    first = api.client.post("/v1/cases", json=melding_json(), headers=headers)
    again = api.client.post("/v1/cases", json=melding_json(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["case_id"] == first.json()["case_id"]
    assert again.headers["location"] == first.headers["location"]


def test_the_same_key_with_another_request_is_refused_and_changes_nothing(api: Api) -> None:
    case_id = api.coached_case()
    path = f"/v1/cases/{case_id}/conversations"
    headers = {**api.headers(COACH), "Idempotency-Key": "retry-2"}
    assert api.client.post(path, json=CONVERSATION, headers=headers).status_code == 200
    version = api.case(case_id)["version"]
    other = api.client.post(path, json={**CONVERSATION, "minutes": "16"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "header.idempotency-key"
    assert api.case(case_id)["version"] == version


def test_keys_are_per_user(api: Api) -> None:
    case_id = api.coached_case()
    path = f"/v1/cases/{case_id}/conversations"
    for user in (COACH, COORDINATOR):
        headers = {**api.headers(user), "Idempotency-Key": "shared-key"}
        response = api.client.post(path, json=CONVERSATION, headers=headers)
        assert response.status_code == 200
        assert "idempotent-replayed" not in response.headers
    assert api.case(case_id, COACH)["conversations"] == 2


def test_a_key_that_is_not_visible_ascii_is_invalid_input(api: Api) -> None:
    case_id = api.coached_case()
    headers = {**api.headers(COACH), "Idempotency-Key": "x" * 256}
    response = api.client.post(
        f"/v1/cases/{case_id}/conversations", json=CONVERSATION, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "header.idempotency-key"


def test_a_refusal_is_answered_again_without_running_twice(api: Api) -> None:
    case_id = api.coached_case()
    path = f"/v1/cases/{case_id}/coach"
    headers = {**api.headers(COORDINATOR), "Idempotency-Key": "second-coach"}
    body = {"coach": "coach-bob", "organisation": "cjg-den-haag"}
    first = api.client.post(path, json=body, headers=headers)
    again = api.client.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()


def test_a_claim_is_in_progress_until_answered_and_taken_over_once_abandoned(
    store_settings: Settings, clock: FixedClock
) -> None:
    keys = open_idempotency_keys(store_settings)
    try:
        now = clock.now()
        assert keys.claim("org/a", "k", "f1", now).claim is Claim.NEW
        assert keys.claim("org/a", "k", "f1", now).claim is Claim.IN_PROGRESS
        assert keys.claim("org/a", "k", "f2", now).claim is Claim.OTHER_REQUEST
        later = now + timedelta(minutes=2)  # the first process never answered
        assert keys.claim("org/a", "k", "f1", later).claim is Claim.NEW
        keys.complete("org/a", "k", Answer(200, "application/json", b'{"position":3}'))
        replay = keys.claim("org/a", "k", "f1", later)
        assert replay.claim is Claim.REPLAY and replay.answer is not None
        assert replay.answer.body == b'{"position":3}'
        assert keys.claim("org/a", "k", "f1", later + timedelta(days=2)).claim is Claim.NEW
        keys.release("org/a", "k")
        assert keys.claim("org/a", "k", "f3", later + timedelta(days=2)).claim is Claim.NEW
    finally:
        keys.close()
