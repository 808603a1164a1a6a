"""Where events are stored: SQLite files under the data dir, or PostgreSQL, chosen by settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import psycopg
from eventsourcing.persistence import Transcoding
from psycopg import sql

from application.settings import Settings

POOL_OVERFLOW = 10
"""Connections a pool may open beyond its size while busy (the library's default)."""


class DateAsISO(Transcoding):
    """The JSON transcoder knows datetime but not date (birth dates, evaluation dates)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def eventsourcing_env(
    settings: Settings, store_name: str, *, on_demand: bool = False
) -> dict[str, str]:
    """The library's environment for one store. SQLite tables are not prefixed, so every
    store gets its own file; PostgreSQL tables are named after the application.

    `on_demand`: the pool keeps one connection open and grows to the pool size only while
    it is busy (the views' stores: an API process opens one per projection, and several
    workers each holding full pools for all of them exhaust PostgreSQL's connections)."""
    if settings.store == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.data_dir / f"{store_name}.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if settings.create_tables:
        ensure_postgres_schema(settings)
    pool_size, overflow = settings.postgres_pool_size, POOL_OVERFLOW
    if on_demand:
        pool_size, overflow = 1, pool_size - 1
    return {
        "CREATE_TABLE": "yes" if settings.create_tables else "no",
        "PERSISTENCE_MODULE": "application.postgres_outage:OutageAwarePostgresFactory",
        "POSTGRES_DBNAME": settings.postgres_dbname,
        "POSTGRES_HOST": settings.postgres_host,
        "POSTGRES_PORT": str(settings.postgres_port),
        "POSTGRES_USER": settings.postgres_user,
        "POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
        "POSTGRES_SCHEMA": settings.postgres_schema,
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": str(overflow),
    }


def postgres_conninfo(settings: Settings) -> str:
    return psycopg.conninfo.make_conninfo(
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_dbname,
        user=settings.postgres_user,
        password=settings.postgres_password.get_secret_value() or None,
        connect_timeout=5,
    )


def ensure_postgres_schema(settings: Settings) -> None:
    """The library needs the schema named by POSTGRES_SCHEMA to exist before it starts."""
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(settings.postgres_schema)
            )
        )


@contextmanager
def setup_lock(settings: Settings) -> Iterator[None]:
    """Serialise the creation of tables across processes (several API workers starting at
    once would otherwise race to create the same tables and tracking rows)."""
    if settings.store != "postgres":
        yield
        return
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(hashtext('gezinsregie-setup'))")
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(hashtext('gezinsregie-setup'))")
