"""Erasure leaves no trace, on SQLite and PostgreSQL (issue 17's acceptance).

Per example, random family cases are built through the API with a unique marker in every
personal field (tests/http/privacy_world.py). One case's dossier is erased on a request by a
parent with gezag; in another one adult's identifying data (name, address) is erased at
their own request. Then no marker of what was erased is in any byte of the store (every
SQLite file in the data dir, or a pg_dump of the deployment's schemas: events, views,
access log, key store), nor in any API answer or command-line output; every other marker is
still readable; the monitor report over the period is byte-identical before and after; the
history and the inspection of the erased case still answer."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from psycopg import sql
from typer.testing import CliRunner

from application.cases import CaseApplication
from application.clock import SystemClock
from application.persistence import postgres_conninfo
from application.settings import Settings
from domain.events_erasure import PersonalDataErased
from interfaces.cli import cli
from tests.http.case_api import Api
from tests.http.conftest import Headers
from tests.http.privacy_world import (
    ADMIN,
    AUDITOR,
    COORDINATOR,
    MARKER,
    PRIVACY_OFFICER,
    TODAY,
    FamilyCase,
    Person,
    Reader,
    Story,
    cli_env,
    in_process,
    open_family_case,
    stories,
    tell,
)

EXAMPLES = 2 if settings().max_examples <= 100 else 4  # each example dumps the whole store
PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    return in_process(store_settings)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Iterator[Api]:
    yield Api(client, auth)


def erase(case: FamilyCase, requested_by: str, scope: str, member_id: str | None = None) -> None:
    """The family asks (recorded by the coordinator); the privacy officer grants, executes."""
    request_id = f"erasure-{scope}"
    body = {"request_id": request_id, "requested_by": requested_by, "scope": scope}
    case.do(COORDINATOR, "/erasure-requests", {**body, "member_id": member_id})
    case.do(PRIVACY_OFFICER, f"/erasure-requests/{request_id}/assessment", {"granted": True})
    case.do(PRIVACY_OFFICER, f"/erasure-requests/{request_id}/execution")


def store_bytes(settings: Settings) -> dict[str, bytes]:
    """Everything the deployment stores: the data dir's files, or a dump of its schemas."""
    if settings.store == "sqlite":
        return {str(p): p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file()}
    schemas = [settings.postgres_schema, f"{settings.postgres_schema}_keys"]
    dumped = subprocess.run(
        [
            shutil.which("pg_dump") or "pg_dump",
            "-h",
            settings.postgres_host,
            "-p",
            str(settings.postgres_port),
            "-U",
            settings.postgres_user,
            *(f"--schema={s}" for s in schemas),
            settings.postgres_dbname,
        ],
        capture_output=True,
        check=True,
    )
    binary = re.findall(rb"\\x((?:[0-9a-f]{2})+)", dumped.stdout)  # bytea columns, as hex
    return {"pg_dump": dumped.stdout + b"".join(bytes.fromhex(h.decode()) for h in binary)}


def monitor(api: Api) -> bytes:
    response = api.client.get(
        "/v1/reports/monitor",
        params={**PERIOD, "position": api.position},
        headers=api.headers(ADMIN),
    )
    assert response.status_code == 200, response.text
    return response.content


def answers(api: Api, case: FamilyCase) -> dict[str, str]:
    """What the API and the command line show of the case to those who see the most."""
    shown = {}
    for user in (COORDINATOR, AUDITOR):
        read = case.read(Reader(user, None))
        assert read.status_code == 200, read.text
        shown[f"case as {user.subject}"] = read.text
    history = case.get(f"/v1/cases/{case.case_id}/history", Reader(AUDITOR, None))
    assert history.status_code == 200, history.text
    shown["history"] = history.text
    inspection = case.get(f"/v1/cases/{case.case_id}/inspection", Reader(AUDITOR, None))
    assert inspection.status_code == 200, inspection.text
    shown["inspection"] = inspection.text
    return shown


def command_line(api: Api, case: FamilyCase, env: dict[str, str]) -> dict[str, str]:
    token = api.headers(AUDITOR)["Authorization"].removeprefix("Bearer ")
    printed = {}
    for command in (["show"], ["audit", "replay"]):
        result = CliRunner().invoke(cli, [*command, case.case_id, "--as-token", token], env=env)
        assert result.exit_code == 0, result.output
        printed[" ".join(command)] = result.output
    return printed


def dossier_requester(case: FamilyCase) -> str | None:
    """A parent with gezag, or a young person of 12 or older."""
    for person in case.members.values():
        age = (TODAY - person.born).days // 366
        if (person.adult and person.authority) or (not person.adult and age >= 13):
            return person.member_id
    return None


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(story_list=st.lists(stories(), min_size=3, max_size=3))
def test_no_trace_of_erased_data_is_left_anywhere_and_the_rest_is_intact(
    api: Api, api_settings: Settings, story_list: list[Story]
) -> None:
    cases = [tell(api, story) for story in story_list]
    whole, partly, untouched = cases
    requester = dossier_requester(whole)
    assume(requester is not None)
    assert requester is not None
    adult = next(p.member_id for p in partly.members.values() if p.adult)
    report_before = monitor(api)
    answers_before = {c.case_id: answers(api, c) for c in cases}
    shown_before = " ".join(answers_before[whole.case_id].values())
    assert {m.text for m in whole.markers if m.displayed} <= set(MARKER.findall(shown_before))

    erase(whole, requester, "dossier")
    erase(partly, adult, "member", adult)

    erased = {m.text for m in whole.markers} | {
        m.text for m in partly.markers if m.kind in ("name", "address") and m.members == (adult,)
    }
    kept = {m.text for c in cases for m in c.markers if m.displayed} - erased
    note(f"erased {len(erased)} markers, kept {len(kept)}")
    assert erased and kept

    shown_after = {c.case_id: answers(api, c) for c in cases}
    printed = {c.case_id: command_line(api, c, cli_env(api_settings)) for c in (whole, partly)}
    everywhere = {
        **store_bytes(api_settings),
        **{f"{cid} {k}": v.encode() for cid, a in shown_after.items() for k, v in a.items()},
        **{f"{cid} cli {k}": v.encode() for cid, p in printed.items() for k, v in p.items()},
    }
    for where, data in everywhere.items():
        found = {m for m in erased if m.encode() in data}
        assert not found, f"{where} still holds erased {sorted(found)[:5]}"

    readable = set()
    for case in (partly, untouched):
        readable |= set(MARKER.findall(" ".join(shown_after[case.case_id].values())))
    missing = kept - readable
    assert not missing, f"no longer readable: {sorted(missing)[:5]}"
    before_untouched = answers_before[untouched.case_id]
    assert set(MARKER.findall(" ".join(before_untouched.values()))) <= readable

    assert monitor(api) == report_before
    erased_case = api.case(whole.case_id, ADMIN)
    assert erased_case["erased"] is True
    assert all(m.get("name") == "[gewist]" for m in erased_case["members"])


def test_a_copy_of_the_events_from_before_the_erasure_shows_nothing_of_it(
    api: Api, api_settings: Settings, tmp_path: Path
) -> None:
    """A backup of the event store taken before the erasure, restored and read with the key
    store as it is after: the erased case's personal data does not open."""
    family = [
        Person("adult0", True, TODAY.replace(year=TODAY.year - 40), authority=True),
        Person("child0", False, TODAY.replace(year=TODAY.year - 9)),
    ]
    erased_case = open_family_case(api, family)
    erased_case.converse()
    other = open_family_case(api, family)
    other.converse()
    backup = events_backup(api_settings, tmp_path)

    erase(erased_case, "adult0", "dossier")
    restore_events(api_settings, backup)

    restored = CaseApplication(api_settings, SystemClock())
    try:
        events = list(restored.repository.event_store.get(UUID(erased_case.case_id)))
        read = " ".join(str(vars(e)) for e in events)
        read += str(vars(restored.get_case(UUID(erased_case.case_id))))
        other_read = str(vars(restored.get_case(UUID(other.case_id))))
    finally:
        restored.close()
    assert not any(isinstance(e, PersonalDataErased) for e in events)  # the copy predates it
    assert "[gewist]" in read
    assert not [m.text for m in erased_case.markers if m.text in read]
    assert all(m.text in other_read for m in other.markers if m.kind in ("name", "help"))


def events_backup(settings: Settings, into: Path) -> Path:
    """A copy of the event store alone (not the views, not the key store)."""
    if settings.store == "sqlite":
        source = sqlite3.connect(settings.data_dir / "cases.sqlite")
        target = sqlite3.connect(into / "cases-backup.sqlite")
        source.backup(target)
        source.close()
        target.close()
        return into / "cases-backup.sqlite"
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as db:
        db.execute(
            sql.SQL("CREATE TABLE {} AS SELECT * FROM {}").format(
                sql.Identifier(settings.postgres_schema, "events_backup"),
                sql.Identifier(settings.postgres_schema, "cases_events"),
            )
        )
    return into


def restore_events(settings: Settings, backup: Path) -> None:
    """Put the copy back in place of the live event store."""
    if settings.store == "sqlite":
        source = sqlite3.connect(backup)
        target = sqlite3.connect(settings.data_dir / "cases.sqlite")
        source.backup(target)
        source.close()
        target.close()
        return
    events = sql.Identifier(settings.postgres_schema, "cases_events")
    copy = sql.Identifier(settings.postgres_schema, "events_backup")
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as db:
        db.execute(sql.SQL("DELETE FROM {}").format(events))
        db.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(events, copy))
