"""One rule for a moment given as a bound, in HTTP queries and on the command line: a
date is midnight at its start in the report time zone, a time carries its offset."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from application.cases import CaseApplication
from application.clock import SystemClock
from application.settings import load_settings
from domain.authorization import Role, User
from interfaces.cli import cli
from interfaces.moments import MomentError, parse_moment
from tests.http.case_api import Api
from tests.http.conftest import Headers

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
AUDITOR = User("inspecteur-1", "inspectie-jenv", frozenset({Role.AUDITOR}))


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def test_a_date_is_midnight_at_its_start_in_the_report_time_zone() -> None:
    assert parse_moment("2026-12-01", AMSTERDAM) == datetime(2026, 12, 1, tzinfo=AMSTERDAM)
    summer = parse_moment("2026-06-01", AMSTERDAM)
    assert summer == datetime(2026, 5, 31, 22, 0, tzinfo=UTC)  # CEST: +02:00


def test_a_moment_with_its_offset_is_taken_as_it_is() -> None:
    moment = parse_moment("2026-12-01T00:00:00+01:00", AMSTERDAM)
    assert moment == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert parse_moment("2026-12-01T09:30:00Z", AMSTERDAM).utcoffset() is not None


@pytest.mark.parametrize(
    "text",
    ["2026-12-01T09:30:00", "2026-13-01", "tomorrow", "1764547200", "2026-12-01T09:30+15:00"],
)
def test_a_time_without_offset_or_text_that_is_no_moment_is_refused(text: str) -> None:
    with pytest.raises(MomentError):
        parse_moment(text, AMSTERDAM)


def test_http_takes_a_date_and_refuses_a_time_without_offset_naming_the_parameter(
    api: Api,
) -> None:
    case_id = api.open_case()
    headers = api.headers(AUDITOR)
    for as_of in ("2026-06-01", "2026-12-01T00:00:00+01:00"):
        response = api.client.get(
            f"/v1/cases/{case_id}/history", params={"as_of": as_of}, headers=headers
        )
        assert response.status_code == 200, (as_of, response.text)
    response = api.client.get(
        f"/v1/cases/{case_id}/history", params={"as_of": "2026-06-01T10:00"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.as_of"
    assert "offset" in response.json()["errors"][0]["message"]


def test_the_command_line_takes_the_same_moments_as_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    CaseApplication(load_settings(), SystemClock()).close()  # an (empty) store
    for as_of in ("2026-12-01", "2026-12-01T00:00:00+01:00"):
        result = CliRunner().invoke(cli, ["close-inactive", "--as-of", as_of])
        assert result.exit_code == 0, (as_of, result.output)
    naive = CliRunner().invoke(cli, ["close-inactive", "--as-of", "2026-12-01T00:00:00"])
    assert naive.exit_code == 2
    assert "--as-of" in naive.output and "offset" in naive.output
