"""PostgreSQL that goes away and comes back: fail fast while it is away, reconnect at once
when it is back.

Left to the library and the pool, a request during an outage hung ~50 s (each of the
recorders' 10 retries waited 5 s for a connection); after a restart, every pooled
connection failed once on its first use; and the pool's reconnection attempts backed off
for up to five minutes, so the first write after a 75 s outage came 40 s after the
database's return. Here:
- a connection that cannot be had within `UNAVAILABLE_AFTER_SECONDS` is
  `StoreUnavailableError`, which the library's retries pass through (the API answers 503
  with Retry-After);
- a connection found broken makes the pool check all its idle connections at once, so a
  retry gets a working one instead of the next broken one;
- a reconnection attempt is given up after `RECONNECT_GIVE_UP_SECONDS`, so that the next
  request starts a fresh one as soon as the database is back, instead of waiting out a
  long backoff."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment
from psycopg_pool import ConnectionPool, PoolTimeout

from application.errors import StoreUnavailableError

UNAVAILABLE_AFTER_SECONDS = 3.0
"""How long a request waits for a connection before the store counts as unavailable."""
RECONNECT_GIVE_UP_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 3


def fail_fast(pool: ConnectionPool[Any]) -> None:
    """Tune a pool (before it opens) to the policy above."""
    pool.timeout = UNAVAILABLE_AFTER_SECONDS
    pool.reconnect_timeout = RECONNECT_GIVE_UP_SECONDS
    if isinstance(pool.kwargs, dict):
        pool.kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)


def unavailable(error: Exception) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"no connection to PostgreSQL within {UNAVAILABLE_AFTER_SECONDS:g} s ({error})"
    )


@contextmanager
def pooled_connection(pool: ConnectionPool[Any]) -> Iterator[psycopg.Connection[Any]]:
    """A connection from a pool tuned by `fail_fast`, with the same policy as the stores'."""
    connection: psycopg.Connection[Any] | None = None
    try:
        with pool.connection() as connection:
            yield connection
    except PoolTimeout as error:
        raise unavailable(error) from error
    except (psycopg.OperationalError, psycopg.InterfaceError):
        if connection is not None and connection.broken:
            pool.check()
        raise


class OutageAwareDatastore(PostgresDatastore):
    """The library's datastore, with connections handed out under the policy above."""

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        connection: psycopg.Connection[Any] | None = None
        try:
            with super().get_connection() as connection:
                yield connection
        except (OperationalError, InterfaceError) as error:
            if isinstance(error.__cause__, PoolTimeout):
                raise unavailable(error.__cause__) from error
            if connection is not None and connection.broken:
                self.pool.check()
            raise


class OutageAwarePostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory (PERSISTENCE_MODULE names this class), whose
    datastore follows the policy above. The library builds its datastore inside its own
    constructor; the subclass only overrides `get_connection`, so the built datastore is
    given its class rather than built a second time."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        self.datastore.__class__ = OutageAwareDatastore
        fail_fast(self.datastore.pool)
