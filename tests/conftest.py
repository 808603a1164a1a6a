"""Backends for the persistence and projection suites: every such test runs on SQLite and
on PostgreSQL. Without a reachable PostgreSQL those runs are skipped with a message, unless
GEZINSREGIE_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from hypothesis import settings
from psycopg import sql

from application.cases import CaseApplication
from application.clock import FixedClock
from application.persistence import postgres_conninfo
from application.settings import Settings, load_settings

REQUIRE_POSTGRES = os.environ.get("GEZINSREGIE_REQUIRE_POSTGRES") == "1"
SETTINGS_AT_START = {k for k in os.environ if k.startswith("GEZINSREGIE_")}
"""The project's settings in the environment the tests were started with."""


@pytest.fixture(autouse=True, scope="session")
def _settings_as_started() -> None:
    """Tests see the settings they were started with: importing `bench` (the bulk loader's
    test does, while the tests are collected) puts a key-encryption key in the environment
    for benchmarks, which would hide the embedded default's own key file from other tests."""
    for name in [k for k in os.environ if k.startswith("GEZINSREGIE_")]:
        if name not in SETTINGS_AT_START:
            del os.environ[name]


TEST_POSTGRES = {
    "postgres_host": os.environ.get("GEZINSREGIE_TEST_POSTGRES_HOST", "127.0.0.1"),
    "postgres_port": int(os.environ.get("GEZINSREGIE_TEST_POSTGRES_PORT", "5432")),
    "postgres_dbname": os.environ.get("GEZINSREGIE_TEST_POSTGRES_DBNAME", "test"),
    "postgres_user": os.environ.get("GEZINSREGIE_TEST_POSTGRES_USER", "postgres"),
}
HOW_TO_RUN_POSTGRES = (
    "PostgreSQL is not reachable at {host}:{port}/{dbname} ({error}). These tests run on "
    "PostgreSQL too: start it (e.g. `pg_ctlcluster <version> main start`) or point "
    "GEZINSREGIE_TEST_POSTGRES_HOST/PORT/DBNAME/USER at one."
)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _postgres_unreachable_reason(settings: Settings) -> str | None:
    try:
        with psycopg.connect(postgres_conninfo(settings), connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return HOW_TO_RUN_POSTGRES.format(
            host=settings.postgres_host,
            port=settings.postgres_port,
            dbname=settings.postgres_dbname,
            error=str(error).strip().splitlines()[0],
        )


def drop_schema(settings: Settings) -> None:
    """The store's schema and its key store's (`<schema>_keys`)."""
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        for schema in (settings.postgres_schema, f"{settings.postgres_schema}_keys"):
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a fresh, empty store: a temporary SQLite dir or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield load_settings(store="sqlite", data_dir=tmp_path / "var")
        return
    yield from fresh_postgres_settings()


def fresh_postgres_settings() -> Iterator[Settings]:
    """Settings for a new PostgreSQL schema, dropped afterwards (a fixture's body): the
    test is skipped if PostgreSQL cannot be reached, or fails where it is required."""
    settings = load_settings(
        store="postgres",
        postgres_schema=f"test_{uuid4().hex[:12]}",
        key_encryption_key=secrets.token_hex(32),
        **TEST_POSTGRES,
    )
    reason = _postgres_unreachable_reason(settings)
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)
    yield settings
    drop_schema(settings)


def store_env(settings: Settings) -> dict[str, str]:
    """The environment under which a `gezinsregie` command uses the test's store."""
    return {
        "GEZINSREGIE_STORE": settings.store,
        "GEZINSREGIE_DATA_DIR": str(settings.data_dir),
        "GEZINSREGIE_POSTGRES_HOST": settings.postgres_host,
        "GEZINSREGIE_POSTGRES_PORT": str(settings.postgres_port),
        "GEZINSREGIE_POSTGRES_DBNAME": settings.postgres_dbname or "",
        "GEZINSREGIE_POSTGRES_USER": settings.postgres_user,
        "GEZINSREGIE_POSTGRES_SCHEMA": settings.postgres_schema,
        "GEZINSREGIE_KEY_ENCRYPTION_KEY": settings.key_encryption_key.get_secret_value(),
    }


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(store_settings: Settings, clock: FixedClock) -> Iterator[CaseApplication]:
    application = CaseApplication(store_settings, clock)
    yield application
    application.close()


settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
