"""What every benchmark needs of PostgreSQL: is it there, and dropping a bench schema."""

from __future__ import annotations

import psycopg
from psycopg import sql

from application.persistence import postgres_conninfo
from application.settings import Settings, load_settings


def drop_schema(settings: Settings, schema: str | None = None) -> None:
    """Drop the schema (default: the one the settings name) and all in it, and the schema
    of its key store (`<schema>_keys`)."""
    name = schema or settings.postgres_schema
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as connection:
        for dropped in (name, f"{name}_keys"):
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(dropped))
            )


def postgres_unreachable(dbname: str) -> str | None:
    """Why PostgreSQL cannot be reached, or None when it can."""
    settings = load_settings(store="postgres", postgres_dbname=dbname, postgres_user="postgres")
    try:
        with psycopg.connect(postgres_conninfo(settings)):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]
