"""`gezinsregie subscriptions ...` on the configured store: add, list, redeliver."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from application.cases import CaseApplication
from application.settings import Settings
from interfaces.cli import cli
from tests.conftest import store_env


def test_a_subscription_is_added_listed_and_redelivered_from_the_command_line(
    app: CaseApplication, store_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in store_env(store_settings).items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    hook = "http://127.0.0.1:9/hook"
    added = runner.invoke(
        cli, ["subscriptions", "add", "--org", "ggz-haaglanden", "--url", hook,
              "--type", "nl.gezinsregie.referral.requested"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    subscription_id, secret = added.stdout.split()
    assert subscription_id.startswith("sub-") and secret.startswith("whsec_")

    listed = runner.invoke(cli, ["subscriptions", "list"])
    assert f"{subscription_id} ggz-haaglanden {hook} sequence 0, 0 pending; active" in listed.stdout
    again = runner.invoke(cli, ["subscriptions", "redeliver", subscription_id, "--from", "1"])
    assert again.exit_code == 0 and "0 pending" in again.stdout
    assert runner.invoke(cli, ["subscriptions", "redeliver", "sub-none"]).exit_code == 2
    wrong = runner.invoke(cli, ["subscriptions", "add", "--org", "x", "--url", hook, "--type", "x"])
    assert wrong.exit_code == 2
