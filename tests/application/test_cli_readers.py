"""The command line is a reader like the HTTP API: `show` and `audit replay` name who
reads, show only what that reader may see, and log the read first; without a reader they
refuse."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from application.access_log import AccessQuery, open_access_log
from application.cases import CaseApplication
from application.clock import SystemClock
from application.settings import load_settings
from domain.authorization import Role, User
from domain.commands import RequestReferral
from interfaces.cli import cli
from interfaces.tokens import TokenService
from tests.factories import COORDINATOR, family, melding

SECRET_ADDRESS = "Geheime straat 1"
PARTNER = User("behandelaar-1", "ggz-haaglanden", frozenset({Role.PARTNER}))


@pytest.fixture
def case_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UUID:
    """A case on the embedded store under `tmp_path`: the mother's address is secret, and
    a referral makes it readable for the GGZ partner."""
    monkeypatch.setenv("GEZINSREGIE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GEZINSREGIE_JWT_SECRET", "cli-test-secret-" + "x" * 32)
    monkeypatch.delenv("GEZINSREGIE_TOKEN", raising=False)
    app = CaseApplication(load_settings(), SystemClock())
    mother, father, child = family()
    members = [replace(mother, address=SECRET_ADDRESS, address_secret=True), father, child]
    opened = datetime.now(UTC) - timedelta(days=3)
    case_id, _ = app.open_case(COORDINATOR, occurred_at=opened, **melding(members=members))
    app.execute(
        case_id,
        COORDINATOR,
        RequestReferral(
            referral_id="r1",
            member_id="child",
            destination="specialised_ggz",
            organisation=PARTNER.organisation,
        ),
        occurred_at=opened + timedelta(days=1),
    )
    app.close()
    return case_id


def logged(case_id: UUID) -> list[tuple[str, str, str | None]]:
    settings = load_settings()
    log = open_access_log(settings)
    try:
        found = log.find(AccessQuery(case_id=str(case_id)))
    finally:
        log.close()
    return [(r.subject, r.purpose, r.trace_id) for r in found]


@pytest.mark.parametrize("command", [["show"], ["audit", "replay"]])
def test_a_cli_read_without_a_reader_is_refused_and_shows_nothing(
    case_id: UUID, command: list[str]
) -> None:
    result = CliRunner().invoke(cli, [*command, str(case_id)])
    assert result.exit_code == 2
    assert "say who reads" in result.output
    assert "Name of" not in result.output
    assert logged(case_id) == []


def test_show_as_a_partners_token_shows_what_the_partner_may_see_and_logs_it(
    case_id: UUID,
) -> None:
    token = TokenService(load_settings()).issue(PARTNER)
    result = CliRunner().invoke(cli, ["show", str(case_id)], env={"GEZINSREGIE_TOKEN": token})
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [r["referral_id"] for r in shown["referrals"]] == ["r1"]  # its own task
    assert all("name" not in m for m in shown["members"])  # no consent: no names
    assert "help_question" not in shown
    [(subject, purpose, trace)] = logged(case_id)
    assert (subject, purpose) == ("behandelaar-1", "referral") and trace


def test_an_operators_replay_never_shows_a_secret_address_and_is_logged_as_an_audit(
    case_id: UUID,
) -> None:
    result = CliRunner().invoke(cli, ["audit", "replay", str(case_id), "--actor", "ops-anne"])
    assert result.exit_code == 0, result.output
    assert SECRET_ADDRESS not in result.output
    assert "withheld: members.0.address" in result.output
    assert "organisation=ggz-haaglanden" in result.output  # supervision sees the rest
    [(subject, purpose, trace)] = logged(case_id)
    assert (subject, purpose) == ("ops-anne", "audit") and trace


def test_a_replay_as_a_user_who_is_no_auditor_is_refused(case_id: UUID) -> None:
    token = TokenService(load_settings()).issue(PARTNER)
    result = CliRunner().invoke(cli, ["audit", "replay", str(case_id), "--as-token", token])
    assert result.exit_code == 1
    assert "for auditors" in result.output
    assert logged(case_id) == []


def test_the_access_log_exports_a_logboek_line_per_data_subject_of_each_read(
    case_id: UUID,
) -> None:
    token = TokenService(load_settings()).issue(PARTNER)
    shown = CliRunner().invoke(cli, ["show", str(case_id), "--as-token", token])
    assert shown.exit_code == 0, shown.output
    today = datetime.now(UTC).date().isoformat()
    exported = CliRunner().invoke(cli, ["access-log", "export", "--from", today, "--to", today])
    assert exported.exit_code == 0, exported.output
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    subjects = [line["attributes"]["dpl.core.data_subject_id"] for line in lines]
    assert subjects == [f"{case_id}:child"]  # the referral's member: all the read showed
    (line,) = lines
    assert line["status_code"] == "STATUS_CODE_OK"
    assert len(line["trace_id"]) == 32 and len(line["span_id"]) == 16
    assert len(line["parent_span_id"]) == 16  # the read's own span
    attributes = line["attributes"]
    assert attributes["dpl.core.processing_activity_id"].endswith(":referral")
    assert attributes["nen7513.user_id"] == "behandelaar-1"
    assert attributes["nen7513.role"] == "partner"
    assert attributes["nen7513.purpose_of_use"] == "referral"
