"""The access log's pages through the API, on both stores: newest first by (moment, record
id); walking the pages gives every record that was there all along exactly once, whatever
is logged meanwhile (records are written to the real store between page reads); the next
page only in the `Link` header (the body stays a list); the indexes its reads use exist,
also in a log made before them."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.access_log import AccessLog, AccessRecord, open_access_log
from application.persistence import postgres_conninfo
from application.settings import Settings
from tests.conftest import NOW
from tests.http.case_api import COORDINATOR, Api
from tests.http.conftest import Headers
from tests.http.privacy_world import AUDITOR, PRIVACY_OFFICER, in_process

EXAMPLES = max(5, settings().max_examples // 12)  # settings(): the loaded profile's
MEMBERS = ("mother", "father", "child")


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    return in_process(store_settings)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def log_of(api: Api) -> AccessLog:
    log: AccessLog = api.client.app.state.access_log  # type: ignore[attr-defined]
    return log


def a_read(case_id: str, minute: int, members: tuple[str, ...]) -> AccessRecord:
    """A read `minute` minutes after NOW; its trace id tells it apart."""
    return AccessRecord(
        at=NOW + timedelta(minutes=minute),
        subject=COORDINATOR.subject,
        organisation=COORDINATOR.organisation,
        role="coordinator",
        case_id=case_id,
        members=members,
        categories=("identity",),
        purpose="coordination",
        legal_ground="consent",
        trace_id=uuid4().hex,
    )


def walk(api: Api, url: str, arriving: list[AccessRecord]) -> list[dict[str, Any]]:
    """Every page's records, following the Link header; one arriving record is logged
    after each page read."""
    seen: list[dict[str, Any]] = []
    pending = list(arriving)
    while url:
        assert len(seen) < 100, "the pages do not end"
        response = api.client.get(url, headers=api.headers(PRIVACY_OFFICER))
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)
        seen += response.json()
        link = response.headers.get("Link")
        url = link.removeprefix("<").removesuffix('>; rel="next"') if link else ""
        if pending:
            log_of(api).record([pending.pop()])
    return seen


reads = st.lists(
    st.tuples(st.integers(0, 30), st.sets(st.sampled_from(MEMBERS), min_size=1)), max_size=16
)


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    there=reads,
    arriving=reads.map(lambda r: r[:6]),
    limit=st.integers(1, 5),
    member=st.sampled_from([None, "child"]),
)
def test_walking_the_pages_gives_every_record_once_newest_first_whatever_is_logged_meanwhile(
    api: Api,
    there: list[tuple[int, set[str]]],
    arriving: list[tuple[int, set[str]]],
    limit: int,
    member: str | None,
) -> None:
    case_id = str(uuid4())
    records = [a_read(case_id, minute, tuple(sorted(m))) for minute, m in there]
    if records:
        log_of(api).record(records)
    later = [a_read(case_id, minute, tuple(sorted(m))) for minute, m in arriving]
    url = f"/v1/access-log?case_id={case_id}&limit={limit}"
    url += f"&member={member}" if member else ""
    seen = walk(api, url, later)
    traces = [r["trace_id"] for r in seen]
    assert len(traces) == len(set(traces)), "a record came twice"
    moments = [datetime.fromisoformat(r["at"]) for r in seen]
    assert moments == sorted(moments, reverse=True), "not newest first"
    wanted = {r.trace_id for r in records if member is None or member in r.members}
    assert wanted <= set(traces), "a record was skipped"
    assert all(member is None or member in r["members"] for r in seen)


def test_a_cases_access_log_is_paged_newest_first(api: Api) -> None:
    case_id = api.open_case()
    records = [a_read(case_id, minute, ("child",)) for minute in (3, 1, 4, 1, 5)]
    log_of(api).record(records)
    path = f"/v1/cases/{case_id}/access-log"
    first = api.client.get(path, params={"limit": 2}, headers=api.headers(AUDITOR))
    assert first.status_code == 200, first.text
    moments = [datetime.fromisoformat(r["at"]) for r in first.json()]
    assert moments == [NOW + timedelta(minutes=m) for m in (5, 4)]
    seen = first.json() + walk(api, first.headers["Link"][1:].split(">")[0], [])
    assert sorted(r["trace_id"] for r in seen) == sorted(str(r.trace_id) for r in records)
    last = api.client.get(path, params={"limit": 5}, headers=api.headers(AUDITOR))
    assert "Link" not in last.headers


def test_a_cursor_of_another_filter_is_refused(api: Api) -> None:
    case_id = str(uuid4())
    log_of(api).record([a_read(case_id, m, ("child",)) for m in range(3)])
    first = api.client.get(
        "/v1/access-log", params={"case_id": case_id, "limit": 1}, headers=api.headers(AUDITOR)
    )
    cursor = first.headers["Link"].split("cursor=")[1].split(">")[0]
    other = {"case_id": str(uuid4()), "limit": 1, "cursor": cursor}
    response = api.client.get("/v1/access-log", params=other, headers=api.headers(AUDITOR))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.cursor"]


def indexes(settings: Settings) -> set[str]:
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "access_log.sqlite") as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            return {name for (name,) in rows}
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = 'access_log'",
            (settings.postgres_schema,),
        )
        return {name for (name,) in rows}


def drop_index(settings: Settings, name: str) -> None:
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "access_log.sqlite") as connection:
            connection.execute(f"DROP INDEX {name}")
        return
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        connection.execute(f'DROP INDEX "{settings.postgres_schema}"."{name}"'.encode())


def test_an_access_log_made_before_its_read_indexes_gets_them(store_settings: Settings) -> None:
    open_access_log(store_settings).close()
    assert {"access_log_case", "access_log_at"} <= indexes(store_settings)
    drop_index(store_settings, "access_log_at")
    assert "access_log_at" not in indexes(store_settings)
    open_access_log(store_settings).close()
    assert {"access_log_case", "access_log_at"} <= indexes(store_settings)
