"""The access log (Logboek Dataverwerkingen, NEN 7513), through the API, on both stores:

(a) every response that carries a family's personal data leaves exactly one record, with
    who read (subject, organisation, role), which case, which categories of which members,
    for which purpose and the trace id; a response without personal data (structure only,
    404, the coordination views, the access log itself) leaves none. Property-based: random
    reads of a random case; "carries personal data" is read off the body (its markers);
(b) GET /v1/access-log is for privacy officers, auditors and admins, with its filters;
    GET /v1/cases/{id}/access-log for those caring for the family;
(c) the store is append-only: rows are neither updated nor deleted;
(d) a read whose record cannot be written is refused (503) and carries nothing;
(e) a response leaves only once its record is committed: it waits for the write at the
    door, and once received its record is there for anyone to read.

The clock stands still unless a test moves it: each read here happens one second after the
previous one, so `since` picks out exactly the records of one read."""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from psycopg import sql

from application.access_log import AccessLog, AccessQuery, AccessRecord
from application.case_view import Delivered
from application.clock import FixedClock
from application.persistence import postgres_conninfo
from application.reading import access_record
from application.settings import Settings
from domain.authorization import Role, User
from domain.vocabulary import ConsentPurpose, DataCategory
from interfaces.http.problems import ProblemError
from interfaces.http.read_log import reader_of, record_read
from tests.conftest import NOW
from tests.http.case_api import COACH, COORDINATOR, OTHER_COACH, PROBLEM_JSON, Api
from tests.http.conftest import Headers
from tests.http.privacy_world import (
    ADMIN,
    ANALYST,
    AUDITOR,
    PRIVACY_OFFICER,
    TEAM_MANAGER,
    FamilyCase,
    Person,
    Reader,
    Rule,
    Story,
    anniversary,
    in_process,
    markers_in,
    open_family_case,
    partner,
    purpose_headers,
    stories,
    tell,
)

EXAMPLES = max(5, settings().max_examples // 6)  # settings(): the loaded profile's
C = DataCategory
GGZ, SCHOOL = "ggz-haaglanden", "school-de-linde"
ON_SQLITE = pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)
ON_POSTGRES = pytest.mark.parametrize(
    "store_settings", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    return in_process(store_settings)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Iterator[Api]:
    yield Api(client, auth)


def access_log_of(api: Api) -> AccessLog:
    log: AccessLog = api.client.app.state.access_log  # type: ignore[attr-defined]
    return log


def small_case(api: Api, referred_to: str = GGZ) -> FamilyCase:
    """A parent with gezag and her child of 8, the child referred to `referred_to` (whose
    partners then read the case), coach-anna the regisseur; every personal field a marker."""
    family = [
        Person("adult0", True, anniversary(38, 40), authority=True),
        Person("child0", False, anniversary(8, 100)),
    ]
    case = open_family_case(api, family)
    case.assign_coach(COACH)
    case.converse()
    case.refer("child0", referred_to, "rejected")
    return case


# --- (a) one record per response that carries personal data ------------------------------

KINDS = (
    "case",
    "case",
    "case from memory",  # without ?position=: on PostgreSQL from this process's memory
    "case with an unknown purpose",
    "unknown case",
    "overview",
    "case overview",
    "waitlist",
    "case access log",
)


@dataclass(frozen=True)
class Read:
    kind: str
    reader: Reader
    trace_id: str | None
    """Sent as W3C traceparent when given."""
    request_id: str | None
    """Sent as X-Request-ID when given."""


def reads(organisations: list[str]) -> st.SearchStrategy[Read]:
    users = st.sampled_from(
        [
            COORDINATOR,
            COACH,
            OTHER_COACH,
            TEAM_MANAGER,
            TEAM_MANAGER,  # reads the case, and without consent sees no personal data
            AUDITOR,
            ADMIN,
            ANALYST,
            PRIVACY_OFFICER,
            *(partner(o) for o in organisations),
        ]
    )
    trace_ids = st.integers(1, 2**128 - 1).map(lambda n: f"{n:032x}")  # all zeros: invalid
    request_ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=40)
    return st.builds(
        Read,
        st.sampled_from(KINDS),
        st.builds(Reader, users, purpose_headers),
        st.none() | trace_ids,
        st.none() | request_ids,
    )


def perform(case: FamilyCase, read: Read) -> Response:
    headers: dict[str, str] = {}
    if read.trace_id is not None:
        headers["traceparent"] = f"00-{read.trace_id}-{uuid4().hex[:16]}-01"
    if read.request_id is not None:
        headers["X-Request-ID"] = read.request_id
    paths = {
        "case": f"/v1/cases/{case.case_id}",
        "case with an unknown purpose": f"/v1/cases/{case.case_id}",
        "unknown case": f"/v1/cases/{uuid4()}",
        "overview": "/v1/overview",
        "case overview": f"/v1/overview/{case.case_id}",
        "waitlist": "/v1/waitlist",
        "case access log": f"/v1/cases/{case.case_id}/access-log",
    }
    if read.kind == "case with an unknown purpose":
        headers["X-Purpose"] = "marketing"
    if read.kind == "case from memory":
        return case.read(read.reader, **headers)
    return case.get(paths[read.kind], read.reader, **headers)


def expected_purpose(reader: Reader) -> str:
    if reader.purpose is not None:
        return reader.purpose.value
    is_partner = reader.user.has(Role.PARTNER)
    return (ConsentPurpose.REFERRAL if is_partner else ConsentPurpose.CARE_COORDINATION).value


def check_record(
    case: FamilyCase, read: Read, response: Response, found: set[str], record: AccessRecord
) -> None:
    user = read.reader.user
    by_text = {m.text: m for m in case.markers}
    assert (record.subject, record.organisation) == (user.subject, user.organisation)
    assert record.role == "+".join(sorted(user.roles))
    assert record.case_id == case.case_id
    assert set(record.categories) == {by_text[t].category.value for t in found}, sorted(found)
    assert set(record.members) == {m for t in found for m in by_text[t].members}
    assert record.purpose == expected_purpose(read.reader)
    own_referrals_only = all(
        by_text[t].rule is Rule.REFERRAL and by_text[t].organisation == user.organisation
        for t in found
    )
    # a referral read by the organisation it is addressed to is logged without a legal
    # ground: a known bug, see test_a_partner_reading_its_own_referral_is_logged_with_a_ground
    assert record.legal_ground or own_referrals_only, record
    if read.trace_id is not None:
        assert record.trace_id == read.trace_id
    else:
        assert record.trace_id == response.headers["x-request-id"]
        if read.request_id is not None:
            assert record.trace_id == read.request_id


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    story=stories(fates=("rejected", "ended")),
    data=st.data(),
)
def test_each_response_carrying_personal_data_leaves_exactly_one_true_record(
    api: Api, clock: FixedClock, story: Story, data: st.DataObject
) -> None:
    case = tell(api, story)
    log = access_log_of(api)
    organisations = sorted({o for _, o, _ in story.referrals})
    sequence = data.draw(st.lists(reads(organisations), min_size=3, max_size=10))
    start = clock.advance(seconds=1)
    carried = 0
    for read in sequence:
        moment = clock.advance(seconds=1)
        response = perform(case, read)
        found = markers_in(response)
        records = log.find(AccessQuery(since=moment))
        note(f"{read.kind} by {read.reader}: {response.status_code}, {len(found)} markers")
        event(f"{read.kind}: {response.status_code}, carries personal data: {bool(found)}")
        if not found:
            assert records == [], (read, response.status_code)
            continue
        assert response.status_code == 200
        assert read.kind in ("case", "case from memory"), read  # nothing else may
        carried += 1
        assert len(records) == 1, records
        assert records[0].at == moment
        check_record(case, read, response, found, records[0])
    assert len(log.find(AccessQuery(since=start, limit=10_000))) == carried


def test_a_partner_reading_its_own_referral_is_logged_with_a_ground(api: Api) -> None:
    case = small_case(api, GGZ)  # no consent: the partner sees only its own referral
    response = case.read(Reader(partner(GGZ)))
    assert response.status_code == 200
    assert [r["organisation"] for r in response.json()["referrals"]] == [GGZ]
    (record,) = everything(access_log_of(api))
    assert record.categories == ("referrals",)
    assert record.legal_ground, record
    assert response.json()["legal_grounds"]


# --- (b) reading the access log -----------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    subject: str
    case_id: str
    at: datetime


def read_at(api: Api, clock: FixedClock, case: FamilyCase, user: User) -> Logged:
    """`user` reads the case one hour after the previous read; they see personal data."""
    at = clock.advance(hours=1)
    response = case.read(Reader(user))
    assert response.status_code == 200 and markers_in(response), response.text
    return Logged(user.subject, case.case_id, at)


def log_via_api(api: Api, user: User, **params: Any) -> list[Logged]:
    response = api.client.get("/v1/access-log", params=params, headers=api.headers(user))
    assert response.status_code == 200, response.text
    return [
        Logged(r["subject"], r["case_id"], datetime.fromisoformat(r["at"])) for r in response.json()
    ]


@pytest.fixture
def logged(api: Api, clock: FixedClock) -> tuple[FamilyCase, FamilyCase, list[Logged]]:
    """Two cases; five reads carrying personal data and one (the team manager's, who may
    see nothing of it) that carries none."""
    first, second = small_case(api, GGZ), small_case(api, SCHOOL)
    reads = [
        read_at(api, clock, first, COORDINATOR),
        read_at(api, clock, first, COACH),
        read_at(api, clock, first, partner(GGZ)),
        read_at(api, clock, second, AUDITOR),
        read_at(api, clock, second, COORDINATOR),
    ]
    clock.advance(hours=1)
    assert not markers_in(first.read(Reader(TEAM_MANAGER)))
    return first, second, reads


@pytest.mark.parametrize(
    ("user", "status"),
    [
        (PRIVACY_OFFICER, 200),
        (AUDITOR, 200),
        (ADMIN, 200),
        (COORDINATOR, 403),
        (COACH, 403),
        (partner(GGZ), 403),
        (TEAM_MANAGER, 403),
        (ANALYST, 403),
    ],
    ids=lambda v: v.subject if isinstance(v, User) else str(v),
)
def test_only_privacy_officers_auditors_and_admins_read_the_access_log(
    api: Api, logged: tuple[FamilyCase, FamilyCase, list[Logged]], user: User, status: int
) -> None:
    response = api.client.get("/v1/access-log", headers=api.headers(user))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.headers["content-type"] == PROBLEM_JSON
        assert "case_id" not in response.text
    else:
        assert len(response.json()) == len(logged[2])


def test_the_access_log_answers_401_without_a_token(api: Api) -> None:
    response = api.client.get("/v1/access-log")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_JSON


def test_the_access_log_is_filtered_by_case_reader_and_period_newest_first(
    api: Api, logged: tuple[FamilyCase, FamilyCase, list[Logged]]
) -> None:
    first, second, (r1, r2, r3, r4, r5) = logged
    officer = PRIVACY_OFFICER
    assert log_via_api(api, officer) == [r5, r4, r3, r2, r1]
    assert log_via_api(api, officer, case_id=first.case_id) == [r3, r2, r1]
    assert log_via_api(api, officer, case_id=second.case_id) == [r5, r4]
    assert log_via_api(api, officer, case_id=str(uuid4())) == []
    assert log_via_api(api, officer, subject=COORDINATOR.subject) == [r5, r1]
    assert log_via_api(api, officer, subject=partner(GGZ).subject) == [r3]
    assert log_via_api(api, officer, organisation="cjg-den-haag") == [r5, r2, r1]
    assert log_via_api(api, officer, organisation=GGZ) == [r3]
    assert log_via_api(api, officer, organisation=SCHOOL) == []
    assert log_via_api(api, officer, since=r2.at.isoformat()) == [r5, r4, r3, r2]
    assert log_via_api(api, officer, until=r4.at.isoformat()) == [r3, r2, r1]  # until: before
    period = {"since": r2.at.isoformat(), "until": r4.at.isoformat()}
    assert log_via_api(api, officer, **period) == [r3, r2]
    later = (r5.at + timedelta(seconds=1)).isoformat()
    assert log_via_api(api, officer, since=later) == []
    both = {"case_id": first.case_id, "organisation": "cjg-den-haag"}
    assert log_via_api(api, officer, **both) == [r2, r1]
    assert log_via_api(api, officer, limit=2) == [r5, r4]


def test_an_access_log_period_needs_a_timezone(
    api: Api, logged: tuple[FamilyCase, FamilyCase, list[Logged]]
) -> None:
    naive = logged[2][0].at.replace(tzinfo=None).isoformat()
    response = api.client.get(
        "/v1/access-log", params={"since": naive}, headers=api.headers(AUDITOR)
    )
    assert response.status_code == 422, response.text


def test_those_caring_for_the_family_see_who_read_its_file(
    api: Api, logged: tuple[FamilyCase, FamilyCase, list[Logged]]
) -> None:
    first, _, (r1, r2, r3, _, _) = logged
    path = f"/v1/cases/{first.case_id}/access-log"
    for user in (COACH, COORDINATOR):
        response = api.client.get(path, headers=api.headers(user))
        assert response.status_code == 200, response.text
        shown = [
            Logged(r["subject"], r["case_id"], datetime.fromisoformat(r["at"]))
            for r in response.json()
        ]
        assert shown == [r3, r2, r1]
        assert not markers_in(response)


@pytest.mark.parametrize(
    ("user", "status"),
    [(partner(GGZ), 403), (partner(SCHOOL), 404), (OTHER_COACH, 404), (ANALYST, 404)],
    ids=["referral-partner", "other-partner", "other-coach", "analyst"],
)
def test_others_do_not_see_who_read_the_familys_file(
    api: Api, logged: tuple[FamilyCase, FamilyCase, list[Logged]], user: User, status: int
) -> None:
    response = api.client.get(
        f"/v1/cases/{logged[0].case_id}/access-log", headers=api.headers(user)
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "subject" not in response.json()


# --- (c) append-only ------------------------------------------------------------------------


def tamper(settings: Settings, statement: str) -> None:
    """Run one statement on the access-log table over a connection of our own."""
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "access_log.sqlite") as connection:
            connection.execute(statement.format(table="access_log"))
        return
    table = sql.Identifier(settings.postgres_schema, "access_log").as_string()
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        connection.execute(statement.format(table=table).encode())


def refused_as_append_only(settings: Settings) -> type[Exception]:
    return sqlite3.IntegrityError if settings.store == "sqlite" else psycopg.errors.RaiseException


def everything(log: AccessLog) -> list[AccessRecord]:
    return log.find(AccessQuery(limit=10_000))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET subject = 'someone-else'",
        "UPDATE {table} SET categories = '[]' WHERE subject = 'coordinator-1'",
        "DELETE FROM {table}",
        "DELETE FROM {table} WHERE subject = 'coach-anna'",
    ],
    ids=["update-all", "update-one", "delete-all", "delete-one"],
)
def test_a_logged_read_is_neither_updated_nor_deleted(
    api: Api,
    api_settings: Settings,
    logged: tuple[FamilyCase, FamilyCase, list[Logged]],
    statement: str,
) -> None:
    log = access_log_of(api)
    before = everything(log)
    with pytest.raises(refused_as_append_only(api_settings), match="append-only"):
        tamper(api_settings, statement)
    assert everything(log) == before


def test_the_store_itself_refuses_to_change_what_it_logged(
    api: Api, api_settings: Settings, logged: tuple[FamilyCase, FamilyCase, list[Logged]]
) -> None:
    """Through the store's own connection, as a bug in it would."""
    log = access_log_of(api)
    before = everything(log)
    for statement in ("UPDATE access_log SET subject = 'x'", "DELETE FROM access_log"):
        if api_settings.store == "sqlite":
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                log.connection.execute(statement)  # type: ignore[attr-defined]
        else:
            table = sql.Identifier(api_settings.postgres_schema, "access_log").as_string()
            with (
                pytest.raises(psycopg.errors.RaiseException, match="append-only"),
                log.pool.connection() as connection,  # type: ignore[attr-defined]
            ):
                connection.execute(statement.replace("access_log", table).encode())
    assert everything(log) == before


FORGED = (
    "INSERT OR REPLACE INTO {table} (id, at, subject, organisation, role, case_id, members,"
    " categories, purpose, legal_ground, trace_id) SELECT id, at, 'someone-else', organisation,"
    " role, case_id, '[]', '[]', purpose, legal_ground, trace_id FROM {table}"
)


@ON_SQLITE
def test_a_logged_read_is_not_rewritten_by_insert_or_replace(
    api: Api, api_settings: Settings, logged: tuple[FamilyCase, FamilyCase, list[Logged]]
) -> None:
    log = access_log_of(api)
    before = everything(log)
    with contextlib.suppress(sqlite3.IntegrityError):
        tamper(api_settings, FORGED)
    assert everything(log) == before


@ON_POSTGRES
def test_the_access_log_is_not_emptied_by_truncate(
    api: Api, api_settings: Settings, logged: tuple[FamilyCase, FamilyCase, list[Logged]]
) -> None:
    log = access_log_of(api)
    before = everything(log)
    with contextlib.suppress(psycopg.errors.RaiseException):
        tamper(api_settings, "TRUNCATE {table}")
    assert everything(log) == before


# --- (d) no log, no data --------------------------------------------------------------------


class UnwritableAccessLog(AccessLog):
    """A test double of the log store whose writes fail (a full disk, a lost connection);
    reading still goes to the real store."""

    def __init__(self, real: AccessLog) -> None:
        self.real = real
        self.attempts = 0

    def record(self, records: list[AccessRecord]) -> None:
        self.attempts += 1
        raise OSError("the access log cannot be written")

    def find(self, query: AccessQuery) -> list[AccessRecord]:
        return self.real.find(query)

    def close(self) -> None:
        self.real.close()


def test_a_read_that_cannot_be_logged_is_refused_and_carries_nothing(api: Api) -> None:
    case = small_case(api)
    log = access_log_of(api)
    state = api.client.app.state  # type: ignore[attr-defined]
    state.access_log = failing = UnwritableAccessLog(log)
    try:
        for user in (COORDINATOR, COACH, partner(GGZ), AUDITOR):
            response = case.read(Reader(user))
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == PROBLEM_JSON
            assert response.headers["retry-after"] == "1"
            assert response.json()["status"] == 503
            assert not markers_in(response), response.text
            assert case.case_id not in response.text
        structure_only = case.read(Reader(TEAM_MANAGER))  # nothing to log: nothing refused
        assert structure_only.status_code == 200
        assert not markers_in(structure_only)
    finally:
        state.access_log = log
    assert failing.attempts == 4
    assert everything(log) == []
    response = case.read(Reader(COORDINATOR))
    assert response.status_code == 200 and markers_in(response)
    assert len(everything(log)) == 1


def test_without_the_door_a_read_waits_for_its_record_itself(api: Api) -> None:
    """`record_read` in an app without `LoggedBeforeSent`: it waits, and refuses itself."""
    app = api.client.app  # type: ignore[attr-defined]
    log = access_log_of(api)
    scope = {"type": "http", "app": app, "headers": [], "state": {"request_id": "r-1"}}
    delivered = Delivered({C.IDENTITY}, {"mother"})
    case_id, reader = uuid4(), reader_of(Request(scope), COORDINATOR)
    record = access_record(reader, "care_coordination", case_id, delivered, set(), NOW)
    app.state.access_log = UnwritableAccessLog(log)
    try:
        with pytest.raises(ProblemError) as refused:
            record_read(Request(scope), record, case_id)
    finally:
        app.state.access_log = log
    assert refused.value.status == 503
    record_read(Request(scope), record, case_id)
    assert [r.trace_id for r in everything(log)] == ["r-1"]  # written before it returned


# --- (e) the response waits at the door for its record ---------------------------------------


class HeldWrite(Future[bool]):
    """A write the test commits or fails when it chooses; says when the response waits."""

    def __init__(self) -> None:
        super().__init__()
        self.awaited = threading.Event()

    def add_done_callback(self, fn: Callable[[Future[bool]], object]) -> None:
        super().add_done_callback(fn)
        self.awaited.set()


class HeldAccessLog(AccessLog):
    """A test double that hands each write to the test instead of committing it; with
    `checks_case_versions`, GET /v1/cases/{id} without ?position= reads from memory."""

    def __init__(self, real: AccessLog, checks_case_versions: bool) -> None:
        self.real = real
        self.checks_case_versions = checks_case_versions
        self.handed: queue.SimpleQueue[tuple[list[AccessRecord], HeldWrite]] = queue.SimpleQueue()

    def record(self, records: list[AccessRecord]) -> None:
        self.real.record(records)

    def submit(self, records: list[AccessRecord], shown: Any = None) -> Future[bool]:
        write = HeldWrite()
        self.handed.put((records, write))
        return write

    def find(self, query: AccessQuery) -> list[AccessRecord]:
        return self.real.find(query)

    def close(self) -> None:
        self.real.close()


WAIT = 30  # seconds: reached only if the read is stuck


@pytest.mark.parametrize("commit", ["committed", "failed"])
@pytest.mark.parametrize("source", ["store", "memory"])
def test_a_response_leaves_only_once_its_record_is_committed(
    api: Api, commit: str, source: str
) -> None:
    case = small_case(api)
    log = access_log_of(api)
    state = api.client.app.state  # type: ignore[attr-defined]
    state.access_log = held = HeldAccessLog(log, checks_case_versions=source == "memory")
    read = case.read if source == "memory" else partial(case.get, f"/v1/cases/{case.case_id}")
    try:
        with ThreadPoolExecutor(1) as reader:
            reading = reader.submit(read, Reader(COORDINATOR))
            records, write = held.handed.get(timeout=WAIT)
            assert write.awaited.wait(WAIT)  # the response is built and waits for the write
            assert not reading.done()
            if commit == "committed":
                log.record(records)
                write.set_result(True)
            else:
                write.set_exception(OSError("the disk is full"))
            response = reading.result(timeout=WAIT)
    finally:
        state.access_log = log
    if commit == "committed":
        assert response.status_code == 200 and markers_in(response)
        assert everything(log) == records
    else:
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.headers["retry-after"] == "1"
        assert not markers_in(response) and case.case_id not in response.text
        assert everything(log) == []


def count_on_a_connection_of_our_own(settings: Settings) -> int:
    if settings.store == "sqlite":
        with contextlib.closing(sqlite3.connect(settings.data_dir / "access_log.sqlite")) as own:
            return int(own.execute("SELECT count(*) FROM access_log").fetchone()[0])
    table = sql.Identifier(settings.postgres_schema, "access_log")
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        found = connection.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()
    assert found is not None
    return int(found[0])


def test_once_a_response_is_received_its_record_is_committed(
    api: Api, api_settings: Settings
) -> None:
    case = small_case(api)
    for reads in range(1, 4):
        response = case.read(Reader(COORDINATOR))
        assert response.status_code == 200 and markers_in(response)
        assert count_on_a_connection_of_our_own(api_settings) == reads


@ON_POSTGRES
def test_a_read_whose_log_connection_is_lost_is_refused_and_the_next_is_served(
    api: Api, api_settings: Settings
) -> None:
    case = small_case(api)
    assert case.read(Reader(COORDINATOR)).status_code == 200
    writer = access_log_of(api).writer  # type: ignore[attr-defined]
    pid = writer.connection.info.backend_pid
    with psycopg.connect(postgres_conninfo(api_settings), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, %s)", (pid, WAIT * 1000))
    refused = case.read(Reader(COORDINATOR))
    assert refused.status_code == 503, refused.text
    assert not markers_in(refused) and case.case_id not in refused.text
    served = case.read(Reader(COORDINATOR))
    assert served.status_code == 200 and markers_in(served)
    assert len(everything(access_log_of(api))) == 2


@ON_POSTGRES
def test_a_case_held_in_memory_is_read_and_logged_without_a_query_of_its_own(api: Api) -> None:
    """The check that the state in memory is the latest rides on the record's statement."""
    case = small_case(api)
    recorder = api.client.app.state.cases.recorder  # type: ignore[attr-defined]
    asked: list[object] = []
    select_events = recorder.select_events
    recorder.select_events = lambda *args, **kwargs: (
        asked.append(args) or select_events(*args, **kwargs)
    )
    try:
        response = case.read(Reader(COORDINATOR))
    finally:
        del recorder.select_events
    assert response.status_code == 200 and markers_in(response)
    assert asked == []
    assert len(everything(access_log_of(api))) == 1
