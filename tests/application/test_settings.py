"""Settings are validated at start, with a message naming the variable."""

from __future__ import annotations

import pytest

from application.settings import SettingsError, load_settings
from domain.periods import CasePeriods


def test_the_embedded_default_needs_no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GEZINSREGIE_STORE", "GEZINSREGIE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.store == "sqlite"
    assert settings.periods_for("den-haag") == CasePeriods(90, 90)


def test_a_wrong_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEZINSREGIE_INACTIVITY_DAYS", "soon")
    with pytest.raises(SettingsError, match="GEZINSREGIE_INACTIVITY_DAYS"):
        load_settings()


def test_postgres_needs_a_database_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEZINSREGIE_STORE", "postgres")
    monkeypatch.delenv("GEZINSREGIE_POSTGRES_DBNAME", raising=False)
    with pytest.raises(SettingsError, match="GEZINSREGIE_POSTGRES_DBNAME"):
        load_settings()


def test_periods_are_set_per_municipality(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "GEZINSREGIE_PERIODS_BY_MUNICIPALITY", '{"delft": {"reopen_window_days": 60}}'
    )
    settings = load_settings()
    assert settings.periods_for("delft") == CasePeriods(60, 90)
    assert settings.periods_for("den-haag") == CasePeriods(90, 90)


def test_the_case_cache_size_is_read_and_may_not_be_negative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEZINSREGIE_CASE_CACHE_SIZE", "0")
    assert load_settings().case_cache_size == 0
    monkeypatch.setenv("GEZINSREGIE_CASE_CACHE_SIZE", "-1")
    with pytest.raises(SettingsError, match="GEZINSREGIE_CASE_CACHE_SIZE"):
        load_settings()
