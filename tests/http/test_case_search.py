"""Finding a case (`GET /v1/cases`), on SQLite and PostgreSQL: filters, pages, scope, and
the name search, which is for direct care only, is logged, and finds nothing of an erased
case, neither right after the erasure nor after the index is rebuilt."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.access_log import AccessQuery
from application.settings import Settings
from domain.authorization import Role, User
from projections.case_index_view import CaseIndexView
from projections.registry import open_view, worker_for
from projections.view import RowFilter
from tests.http.case_api import CLOSE_BODY, COACH, COACH_BODY, COORDINATOR, PARTNER, Api, days_ago
from tests.http.conftest import Headers
from tests.http.privacy_world import (
    ANALYST,
    AUDITOR,
    MUNICIPAL_COORDINATOR,
    OTHER_TEAM_COORDINATOR,
    PRIVACY_OFFICER,
    TEAM_MANAGER,
    in_process,
)

UTRECHT_COORDINATOR = User(
    "coordinator-u", "cjg-utrecht", frozenset({Role.COORDINATOR}), "utrecht", "west"
)
MOTHER = {"name": "  José   DE Vríes ", "birth_date": "1988-05-02"}
"""How a coordinator might type the mother of `family_of` (see `members`)."""


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    return in_process(store_settings)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Iterator[Api]:
    yield Api(client, auth)


def members(surname: str) -> list[dict[str, Any]]:
    return [
        {
            "member_id": "mother",
            "role": "parent",
            "name": f"José {surname}",
            "birth_date": "1988-05-02",
            "parental_authority": True,
        },
        {
            "member_id": "child",
            "role": "child",
            "name": f"Sem {surname}",
            "birth_date": "2018-03-01",
        },
    ]


def open_on(api: Api, days: int, team: str = "centrum", surname: str = "Jansen") -> str:
    user = COORDINATOR if team == "centrum" else OTHER_TEAM_COORDINATOR
    return api.open_case(user, team=team, occurred_at=days_ago(days), members=members(surname))


def listing(api: Api, user: User, **params: Any) -> Any:
    response = api.client.get(
        "/v1/cases", params={"position": api.position, **params}, headers=api.headers(user)
    )
    return response


def ids(api: Api, user: User, **params: Any) -> list[str]:
    response = listing(api, user, **params)
    assert response.status_code == 200, response.text
    return [c["case_id"] for c in response.json()["cases"]]


def walk(api: Api, user: User, **params: Any) -> list[str]:
    """Every page of the list, following `next` (and checking the Link header)."""
    seen: list[str] = []
    response = listing(api, user, **params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["cases"]) <= params.get("limit", 50)
        seen += [c["case_id"] for c in body["cases"]]
        if body["next"] is None:
            assert "Link" not in response.headers
            return seen
        assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
        response = api.client.get(body["next"], headers=api.headers(user))


def test_filters_and_pages_give_each_case_in_scope_once_newest_first(api: Api) -> None:
    centrum = [open_on(api, days) for days in (50, 40, 30, 20, 10)]
    escamp = open_on(api, 25, team="escamp")
    api.do(COORDINATOR, centrum[1], "/coach", COACH_BODY)
    api.do(COORDINATOR, centrum[2], "/coach", COACH_BODY)
    api.do(COACH, centrum[2], "/close", CLOSE_BODY)

    newest_first = list(reversed(centrum))
    assert walk(api, COORDINATOR, limit=2) == newest_first
    assert walk(api, MUNICIPAL_COORDINATOR, limit=4) == [
        centrum[4], centrum[3], escamp, centrum[2], centrum[1], centrum[0]
    ]  # fmt: skip
    assert ids(api, MUNICIPAL_COORDINATOR, team="escamp") == [escamp]
    assert ids(api, COORDINATOR, status="closed") == [centrum[2]]
    assert ids(api, COORDINATOR, status="open") == [c for c in newest_first if c != centrum[2]]
    assert ids(api, COORDINATOR, coach=COACH.subject) == [centrum[2], centrum[1]]
    assert ids(api, COACH) == [centrum[2], centrum[1]]  # a coach: their own cases
    between = ids(api, COORDINATOR, opened_from=days_ago(35), opened_until=days_ago(15))
    assert between == [centrum[3], centrum[2]]
    assert ids(api, COORDINATOR, signal="no_coach") == []
    api.do(COORDINATOR, centrum[0], "/triage", {"outcome": "complex", "coordination_level": 5})
    assert ids(api, COORDINATOR, signal="no_coach") == [centrum[0]]
    body = listing(api, COORDINATOR, status="closed").json()["cases"][0]
    assert set(body) == {
        "case_id", "municipality", "team", "status", "opened_at", "closed_at", "coach",
        "coach_organisation",
    }  # fmt: skip
    assert (body["status"], body["coach"]) == ("closed", COACH.subject)


def test_a_cursor_is_bound_to_its_filters_and_unknown_parameters_are_refused(api: Api) -> None:
    for days in (3, 2, 1):
        open_on(api, days)
    first = listing(api, COORDINATOR, limit=1).json()
    cursor = first["next"].split("cursor=")[1]
    other = listing(api, COORDINATOR, limit=1, status="open", cursor=cursor)
    assert other.status_code == 422 and "cursor" in other.text
    unknown = listing(api, COORDINATOR, singal="no_coach")
    assert unknown.status_code == 422 and "singal" in unknown.text
    assert listing(api, COORDINATOR, signal="bored").status_code == 422


def test_filters_outside_the_users_scope_are_refused(api: Api) -> None:
    open_on(api, 1)
    for user, params in (
        (COORDINATOR, {"municipality": "utrecht"}),
        (COORDINATOR, {"team": "escamp"}),
        (UTRECHT_COORDINATOR, {"municipality": "den-haag"}),
        (TEAM_MANAGER, {"team": "escamp"}),
        (COACH, {"coach": "coach-bob"}),
        (COORDINATOR, {"team": "escamp", **MOTHER}),
    ):
        response = listing(api, user, **params)
        assert response.status_code == 422, (user.subject, params, response.text)
        assert next(iter(params)) in response.text
    assert ids(api, UTRECHT_COORDINATOR) == []
    assert ids(api, COORDINATOR, municipality="den-haag", team="centrum") != []


def test_only_those_in_direct_care_search_by_name_and_each_find_is_logged(
    api: Api, client: TestClient
) -> None:
    mine = open_on(api, 5, surname="de Vries")
    elsewhere = open_on(api, 4, team="escamp", surname="de Vries")
    open_on(api, 3, surname="Jansen")
    api.do(COORDINATOR, mine, "/coach", COACH_BODY)

    assert ids(api, COORDINATOR, **MOTHER) == [mine]  # not the other team's family
    assert ids(api, MUNICIPAL_COORDINATOR, **MOTHER) == [elsewhere, mine]
    assert ids(api, COORDINATOR, name="vries", birth_date="1988-05-02") == [mine]
    assert ids(api, COORDINATOR, name="Sem de Vries", birth_date="2018-03-01") == [mine]
    assert ids(api, COORDINATOR, name="José de Vries", birth_date="1988-05-03") == []
    assert ids(api, COORDINATOR, name="José Jansen", birth_date="1988-05-02") != [mine]
    assert ids(api, COACH, **MOTHER) == [mine]
    for user in (PARTNER, ANALYST, AUDITOR, TEAM_MANAGER, PRIVACY_OFFICER):
        assert listing(api, user, **MOTHER).status_code == 403, user.subject
    for user in (PARTNER, ANALYST, PRIVACY_OFFICER):
        assert listing(api, user).status_code == 403, user.subject
    assert listing(api, AUDITOR).status_code == 200
    assert listing(api, COORDINATOR, name="José").status_code == 422  # needs the birth date

    log = client.app.state.access_log  # type: ignore[attr-defined]
    found = [r for r in log.find(AccessQuery(subject=COACH.subject)) if "name" in r.legal_ground]
    assert [(r.case_id, r.members, r.categories) for r in found] == [
        (mine, ("mother",), ("identity",))
    ]
    listed = log.find(AccessQuery(subject=AUDITOR.subject))
    assert listed == []  # a list without names shows nothing personal: not a read


def erase_dossier(api: Api, case_id: str) -> None:
    body = {"request_id": "e1", "requested_by": "mother", "scope": "dossier"}
    api.do(COORDINATOR, case_id, "/erasure-requests", body)
    api.do(PRIVACY_OFFICER, case_id, "/erasure-requests/e1/assessment", {"granted": True})
    api.do(PRIVACY_OFFICER, case_id, "/erasure-requests/e1/execution")


def test_an_erased_family_is_not_found_by_name_even_after_a_rebuild(
    api: Api, client: TestClient, api_settings: Settings
) -> None:
    erased = open_on(api, 5, surname="de Vries")
    kept = open_on(api, 4, surname="de Vries")
    member_erased = open_on(api, 3, surname="Bakker")
    assert ids(api, COORDINATOR, **MOTHER) == [kept, erased]
    erase_dossier(api, erased)
    body = {"request_id": "e2", "requested_by": "mother", "scope": "member", "member_id": "child"}
    api.do(COORDINATOR, member_erased, "/erasure-requests", body)
    api.do(PRIVACY_OFFICER, member_erased, "/erasure-requests/e2/assessment", {"granted": True})
    api.do(PRIVACY_OFFICER, member_erased, "/erasure-requests/e2/execution")

    def found() -> tuple[list[str], list[str], list[str]]:
        return (
            ids(api, COORDINATOR, **MOTHER),
            ids(api, COORDINATOR, name="Sem Bakker", birth_date="2018-03-01"),
            ids(api, COORDINATOR, name="José Bakker", birth_date="1988-05-02"),
        )

    assert found() == ([kept], [], [member_erased])
    assert erased in ids(api, COORDINATOR)  # the case is still listed: it is not personal
    view = client.app.state.views.opened["case_index"].view  # type: ignore[attr-defined]
    assert isinstance(view, CaseIndexView)
    tokens_before = view.select_tokens()
    assert erased not in {case_id for case_id, _ in tokens_before}

    cases = client.app.state.cases  # type: ignore[attr-defined]
    rebuilt = open_view(api_settings, "case_index")
    try:
        worker_for(cases, rebuilt).rebuild()
    finally:
        rebuilt.close()
    assert found() == ([kept], [], [member_erased])
    assert sorted(view.select_tokens()) == sorted(tokens_before)


def test_the_index_holds_nothing_personal(api: Api, client: TestClient) -> None:
    case_id = open_on(api, 2, surname="Zwaluw")
    assert ids(api, COORDINATOR, name="zwaluw", birth_date="2018-03-01") == [case_id]
    view = client.app.state.views.opened["case_index"].view  # type: ignore[attr-defined]
    rows = view.select_rows(RowFilter())
    assert {row.kind for row in rows} == {"case", "name"}
    text = repr(rows).casefold()
    for personal in ("zwaluw", "josé", "jose", "sem", "1988-05-02", "2018-03-01"):
        assert personal not in text
    for row in rows:
        if row.kind == "name":
            assert set(row.doc) == {"token"} and len(row.doc["token"]) == 32


def search(api: Api, user: User, **body: Any) -> Any:
    return api.client.post(
        "/v1/cases/search",
        params={"position": api.position},
        json=body,
        headers=api.headers(user),
    )


def test_a_name_search_in_the_body_finds_what_the_query_finds_and_pages_on_by_cursor(
    api: Api, client: TestClient
) -> None:
    """POST /v1/cases/search: the name and birth date travel in the body, in no URL; the
    same cases (newest first), the same scope and refusals, each find logged; the next page
    asked by sending the same body with the answer's `next_cursor`."""
    older = open_on(api, 6, surname="de Vries")
    newer = open_on(api, 5, surname="de Vries")
    open_on(api, 4, team="escamp", surname="de Vries")
    assert ids(api, COORDINATOR, **MOTHER) == [newer, older]

    first = search(api, COORDINATOR, **MOTHER, limit=1)
    assert first.status_code == 200, first.text
    assert [c["case_id"] for c in first.json()["cases"]] == [newer]
    assert "Link" not in first.headers
    cursor = first.json()["next_cursor"]
    second = search(api, COORDINATOR, **MOTHER, limit=1, cursor=cursor)
    assert [c["case_id"] for c in second.json()["cases"]] == [older]
    assert second.json()["next_cursor"] is None
    assert "Vr" not in cursor and "1988" not in cursor

    other = search(api, COORDINATOR, name="Sem de Vries", birth_date="2018-03-01", cursor=cursor)
    assert other.status_code == 422
    assert [e["field"] for e in other.json()["errors"]] == ["body.cursor"]
    assert search(api, COORDINATOR, **MOTHER, municipality="utrecht").status_code == 422
    assert search(api, COORDINATOR, **MOTHER, signal="no_coach").status_code == 422  # unknown
    assert search(api, COORDINATOR, name="José de Vries").status_code == 422
    for user in (PARTNER, ANALYST, AUDITOR, TEAM_MANAGER, PRIVACY_OFFICER):
        assert search(api, user, **MOTHER).status_code == 403, user.subject

    log = client.app.state.access_log  # type: ignore[attr-defined]
    found = [r for r in log.find(AccessQuery(subject=COORDINATOR.subject))]
    by_name = [r.case_id for r in found if "name" in r.legal_ground]
    assert sorted(by_name) == sorted([newer, older] * 2), "each find logged: GET, then POST"
