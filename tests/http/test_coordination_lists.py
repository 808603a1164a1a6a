"""The coordination lists paged and filtered, on both stores: the overview by case id, the
waitlist's families by priority, date placed and case id, the caseload by coach; walking
the pages gives every case once and in order while cases arrive; each filter picks what it
names; an unknown parameter, a filter outside the user's scope, or a cursor used with other
filters is a 422 naming the parameter; roles without coordination still get a 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.clock import FixedClock
from application.settings import Settings
from domain.authorization import Role, User
from tests.http.case_api import (
    COACH,
    COORDINATOR,
    OTHER_COACH,
    PARTNER,
    PROBLEM_JSON,
    REFERRAL_BODY,
    WAITLIST_CONSENT_BODY,
    Api,
)
from tests.http.conftest import Headers
from tests.http.privacy_world import AUDITOR, in_process

UTRECHT = User("coordinator-u", "cjg-utrecht", frozenset({Role.COORDINATOR}), "utrecht")
WHOLE_CITY = User("coordinator-2", "cjg-den-haag", frozenset({Role.COORDINATOR}), "den-haag")
EXAMPLES = max(5, settings().max_examples // 20)  # settings(): the loaded profile's
OTHER_COACH_BODY = {"coach": OTHER_COACH.subject, "organisation": OTHER_COACH.organisation}


@dataclass(frozen=True)
class World:
    plain: str
    coached: str
    referred: str
    waiting: str
    urgent: str
    elsewhere: str

    def den_haag(self) -> list[str]:
        return sorted([self.plain, self.coached, self.referred, self.waiting, self.urgent])


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    return in_process(store_settings)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def waiting(api: Api, priority: int) -> str:
    case_id = api.open_case()
    api.do(COORDINATOR, case_id, "/consents", WAITLIST_CONSENT_BODY)
    api.do(COORDINATOR, case_id, "/waitlist", {"priority": priority})
    return case_id


@pytest.fixture
def world(api: Api) -> World:
    """Five cases of den-haag/centrum (one plain, two with coach-anna of which one referred
    to specialised ggz, two waiting) and one of utrecht."""
    plain = api.open_case()
    coached = api.coached_case()
    referred = api.with_referral_and_consent(api.coached_case())
    return World(
        plain,
        coached,
        referred,
        waiting(api, 2),
        waiting(api, 1),
        api.open_case(UTRECHT, municipality="utrecht"),
    )


def get(api: Api, path: str, user: User = COORDINATOR, **params: Any) -> Any:
    response = api.client.get(
        path, params={"position": api.position, **params}, headers=api.headers(user)
    )
    assert response.status_code == 200, response.text
    return response


def walk(api: Api, path: str, items: str, user: User = COORDINATOR, **params: Any) -> list[Any]:
    """Every page's items, following `next` (checked against the Link header)."""
    seen: list[Any] = []
    response = get(api, path, user, **params)
    for _ in range(50):
        body = response.json()
        seen += body[items]
        if body["next"] is None:
            assert "Link" not in response.headers
            return seen
        assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
        response = api.client.get(body["next"], headers=api.headers(user))
        assert response.status_code == 200, response.text
    raise AssertionError("the pages do not end")


def refused(api: Api, path: str, user: User = COORDINATOR, **params: Any) -> list[str]:
    """The fields a 422 names."""
    response = api.client.get(path, params=params, headers=api.headers(user))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    return [e["field"] for e in response.json()["errors"]]


def ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["case_id"] for c in cases]


def test_the_overview_pages_by_case_id_and_gives_every_case_once_while_cases_arrive(
    api: Api, world: World
) -> None:
    seen: list[str] = []
    arrived: list[str] = []
    response = get(api, "/v1/overview", limit=2)
    while True:
        body = response.json()
        assert len(body["cases"]) <= 2
        seen += ids(body["cases"])
        if body["next"] is None:
            break
        arrived.append(api.open_case())
        response = get(api, "/v1/overview", **dict(_query(body["next"])))
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert set(world.den_haag()) <= set(seen) <= set(world.den_haag()) | set(arrived)


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(there=st.integers(0, 6), arriving=st.integers(0, 3), limit=st.integers(1, 3))
def test_walking_the_overview_gives_every_case_once_in_order_whatever_is_opened_meanwhile(
    api: Api, there: int, arriving: int, limit: int
) -> None:
    """Each example in a team of its own (the store is shared between examples)."""
    team = f"team-{api.position}"
    before = {api.open_case(WHOLE_CITY, team=team) for _ in range(there)}
    cases = set(before)
    seen: list[str] = []
    response = get(api, "/v1/overview", WHOLE_CITY, team=team, limit=limit)
    for _ in range(there + arriving + 2):
        seen += ids(response.json()["cases"])
        if response.json()["next"] is None:
            break
        if arriving:
            arriving -= 1
            cases.add(api.open_case(WHOLE_CITY, team=team))
        response = api.client.get(response.json()["next"], headers=api.headers(WHOLE_CITY))
        assert response.status_code == 200, response.text
    assert response.json()["next"] is None, "the pages do not end"
    assert seen == sorted(set(seen)), "not once each, or not in order"
    assert before <= set(seen) <= cases, "a case there all along was skipped"


def test_the_overview_is_filtered_by_coach_status_team_destination_and_signal(
    api: Api, world: World
) -> None:
    everything = walk(api, "/v1/overview", "cases")
    assert ids(everything) == world.den_haag()
    assert ids(walk(api, "/v1/overview", "cases", coach=COACH.subject)) == sorted(
        [world.coached, world.referred]
    )
    assert ids(walk(api, "/v1/overview", "cases", destination="specialised_ggz")) == [
        world.referred
    ]
    assert ids(walk(api, "/v1/overview", "cases", status="open")) == world.den_haag()
    assert walk(api, "/v1/overview", "cases", status="closed") == []
    assert ids(walk(api, "/v1/overview", "cases", team="centrum")) == world.den_haag()
    signals = {s["code"] for c in everything for s in c["signals"]}
    assert signals, "the world shows no signal to filter on"
    for code in signals:
        showing = [c for c in everything if code in {s["code"] for s in c["signals"]}]
        assert walk(api, "/v1/overview", "cases", signal=code, limit=1) == showing


def test_a_coach_sees_their_own_cases_and_may_not_ask_for_anothers(api: Api, world: World) -> None:
    own = walk(api, "/v1/overview", "cases", COACH, limit=1)
    assert ids(own) == sorted([world.coached, world.referred])
    assert ids(walk(api, "/v1/overview", "cases", COACH, coach=COACH.subject)) == ids(own)
    assert refused(api, "/v1/overview", COACH, coach=OTHER_COACH.subject) == ["query.coach"]


def test_the_waitlist_pages_families_by_priority_then_date_placed(
    api: Api, world: World, clock: FixedClock
) -> None:
    pages = []
    response = get(api, "/v1/waitlist", limit=1)
    while True:
        pages.append(response.json())
        if response.json()["next"] is None:
            break
        response = api.client.get(response.json()["next"], headers=api.headers(COORDINATOR))
    assert [ids(p["families"]) for p in pages] == [[world.urgent], [world.waiting]]
    assert all("providers" not in p for p in pages), "providers: a list of their own"
    assert ids(walk(api, "/v1/waitlist", "families", priority=1)) == [world.urgent]
    assert ids(walk(api, "/v1/waitlist", "families", contact_overdue=True)) == []
    clock.advance(days=15)
    overdue = walk(api, "/v1/waitlist", "families", contact_overdue=True)
    assert ids(overdue) == [world.urgent, world.waiting]
    assert ids(walk(api, "/v1/waitlist", "families", min_days_waiting=15)) == ids(overdue)
    assert walk(api, "/v1/waitlist", "families", min_days_waiting=16) == []


def test_referrals_waiting_at_providers_are_paged_and_summed_up_apart(
    api: Api, world: World
) -> None:
    second = {**REFERRAL_BODY, "referral_id": "r2"}
    api.do(COORDINATOR, world.referred, "/referrals", second)
    waiting = walk(api, "/v1/waitlist/providers", "referrals", limit=1)
    assert [(r["case_id"], r["referral_id"]) for r in waiting] == [
        (world.referred, "r1"),
        (world.referred, "r2"),
    ], "one a page, the longest waiting first"
    summary = get(api, "/v1/waitlist/providers/summary").json()["by_destination"]
    assert sum(d["waiting"] for d in summary) == 2
    assert refused(api, "/v1/waitlist/providers", municipality="utrecht") == ["query.municipality"]


def test_the_caseload_pages_by_coach(api: Api, world: World) -> None:
    api.do(COORDINATOR, world.plain, "/coach", OTHER_COACH_BODY)
    coaches = walk(api, "/v1/caseload", "coaches", limit=1)
    assert [(c["coach"], c["cases"]) for c in coaches] == [
        (COACH.subject, 2),
        (OTHER_COACH.subject, 1),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/overview",
        "/v1/waitlist",
        "/v1/waitlist/providers",
        "/v1/waitlist/providers/summary",
        "/v1/caseload",
    ],
)
def test_a_place_outside_the_users_scope_is_refused_by_name(api: Api, path: str) -> None:
    assert refused(api, path, municipality="utrecht") == ["query.municipality"]
    assert refused(api, path, WHOLE_CITY, municipality="utrecht") == ["query.municipality"]
    if path != "/v1/caseload":
        assert refused(api, path, team="noord") == ["query.team"]
        get(api, path, WHOLE_CITY, team="noord")
    get(api, path, municipality="den-haag")
    response = api.client.get(path, headers=api.headers(PARTNER))
    assert response.status_code == 403


def test_what_lies_outside_the_scope_is_not_shown(api: Api, world: World) -> None:
    assert world.elsewhere not in ids(walk(api, "/v1/overview", "cases", WHOLE_CITY))
    assert ids(walk(api, "/v1/overview", "cases", UTRECHT)) == [world.elsewhere]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/overview",
        "/v1/waitlist",
        "/v1/caseload",
        "/v1/access-log",
        "/v1/reports/monitor",
        "/v1/overview/00000000-0000-4000-8000-000000000000",
        "/v1/cases/00000000-0000-4000-8000-000000000000/history",
        "/v1/cases/00000000-0000-4000-8000-000000000000/access-log",
    ],
)
def test_an_unknown_query_parameter_is_refused_by_name(api: Api, path: str) -> None:
    assert refused(api, path, signaal="no_coach") == ["query.signaal"]


@pytest.mark.parametrize(
    ("path", "other"),
    [("/v1/overview", {"coach": COACH.subject}), ("/v1/waitlist", {"priority": "1"})],
)
def test_a_cursor_with_other_filters_is_refused(
    api: Api, world: World, path: str, other: dict[str, str]
) -> None:
    next_url = get(api, path, limit=1).json()["next"]
    assert next_url, "one case to a page: there is a next"
    cursor = dict(_query(next_url))["cursor"]
    assert refused(api, path, limit="1", cursor=cursor, **other) == ["query.cursor"]
    assert refused(api, path, cursor="not-a-cursor") == ["query.cursor"]


def test_every_read_takes_a_position_even_one_that_reads_the_store_itself(
    api: Api, world: World
) -> None:
    for path in (
        f"/v1/cases/{world.plain}/history",
        f"/v1/cases/{world.plain}/inspection",
        f"/v1/cases/{world.plain}/access-log",
        "/v1/access-log",
    ):
        get(api, path, AUDITOR)
