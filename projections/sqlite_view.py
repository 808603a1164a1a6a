"""The document view on SQLite: one database file per view (tables are not prefixed)."""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.view import (
    SPREAD_WINDOWS,
    DocumentView,
    EncodedRow,
    RowFilter,
    Spread,
    ViewRow,
    spreads,
)

CHUNK = 500
LIVE = "view_rows"
NEXT = "view_rows_next"
"""A rebuild writes the next version of the rows beside the live ones, then swaps."""
UNDER = "(application_name = ? OR substr(application_name, 1, ?) = ?)"
"""A tracking name and its partitions' names (`views.under`), with `under_params`."""
WRITE_LOCK = "UPDATE tracking SET notification_id = notification_id WHERE 0"
"""A write that changes nothing, first in a transaction: it takes the write lock (waiting
for it) before anything is read, so the transaction cannot find its snapshot stale later."""


def rows_statements(table: str) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
        "municipality TEXT NOT NULL, team TEXT NOT NULL, kind TEXT NOT NULL, doc TEXT NOT NULL)",
        *index_statements(table, table),
    ]


INDEX_STATEMENT = re.compile(r"\s*CREATE\s+(UNIQUE\s+)?INDEX\b", re.IGNORECASE)
"""A statement of `_rows_statements` that makes a secondary index: a rebuild's next version
is made without them, and the live table gets them when the next one is promoted."""


def index_statements(table: str, named_for: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {named_for}_place ON {table} (kind, municipality, team)",
        f"CREATE INDEX IF NOT EXISTS {named_for}_case ON {table} (case_id)",
    ]


CURRENT = (
    "(json_extract(doc, '$.status') = 'open'"
    " OR coalesce(json_extract(doc, '$.erasure_requests'), '{}') != '{}')"
)
"""`RowFilter.current` (json_extract gives an object as its minified text)."""


RELAXED_SYNC = "PRAGMA synchronous = NORMAL"
"""A rebuild's batches commit without waiting for the disk (write-ahead log: still atomic;
a power cut may lose the last few, each whole, rows with position, and the rebuild resumes
from the position kept, exactly-once). The setting stays with the connection, and holds
for the view's own writes just the same."""


def under_params(prefix: str) -> tuple[str, int, str]:
    return (prefix, len(prefix) + 1, f"{prefix}:")


class SQLiteDocumentView(SQLiteTrackingRecorder, DocumentView):
    rows_table = LIVE
    index_names: tuple[str, ...] = ("place", "case")
    """The rows' indexes, named `<table>_<name>` (renamed with the table on promotion)."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self._rows_statements(LIVE)]

    def _rows_statements(self, table: str) -> list[str]:
        """The rows table and its indexes (a view with columns of its own replaces them)."""
        return rows_statements(table)

    def _index_statements(self, table: str) -> list[str]:
        return index_statements(table, table)

    @property
    def _upsert(self) -> str:
        return (
            f"INSERT INTO {self.rows_table} (key, case_id, municipality, team, kind, doc) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET case_id = "
            "excluded.case_id, municipality = excluded.municipality, team = excluded.team, "
            "kind = excluded.kind, doc = excluded.doc"
        )

    def next_version(self, upstream: str) -> SQLiteDocumentView:
        with self.datastore.transaction(commit=True) as c:
            c.execute(WRITE_LOCK)
            c.execute(f"DROP TABLE IF EXISTS {NEXT}")
            for statement in self._rows_statements(NEXT):
                if not INDEX_STATEMENT.match(statement):  # made at the promotion
                    c.execute(statement)
            c.execute(f"DELETE FROM tracking WHERE {UNDER}", under_params(upstream))
        return self.building()

    def building(self) -> SQLiteDocumentView:
        built = copy.copy(self)
        built.rows_table = NEXT
        return built

    def tracked_under(self, prefix: str) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as c:
            return self._tracked_under(c, prefix)

    @staticmethod
    def _tracked_under(c: Any, prefix: str) -> dict[str, int]:
        c.execute(
            "SELECT application_name AS name, max(notification_id) AS position FROM tracking"
            f" WHERE {UNDER} GROUP BY application_name",
            under_params(prefix),
        )
        return {r["name"]: r["position"] for r in c.fetchall()}

    def abandon(self, built: DocumentView, built_upstream: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(WRITE_LOCK)
            c.execute(f"DROP TABLE IF EXISTS {NEXT}")
            c.execute(f"DELETE FROM tracking WHERE {UNDER}", under_params(built_upstream))

    def promote(self, built: DocumentView, upstream: str, built_upstream: str) -> None:
        assert isinstance(built, SQLiteDocumentView) and built.rows_table == NEXT
        with self.datastore.transaction(commit=True) as c:
            c.execute(WRITE_LOCK)
            kept = self.one_position(self._tracked_under(c, built_upstream), built_upstream)
            c.execute(f"DROP TABLE {LIVE}")
            c.execute(f"ALTER TABLE {NEXT} RENAME TO {LIVE}")
            for index in self.index_names:
                c.execute(f"DROP INDEX IF EXISTS {NEXT}_{index}")
            for statement in self._index_statements(LIVE):
                c.execute(statement)
            c.execute("DELETE FROM tracking WHERE application_name = ?", (upstream,))
            c.execute(
                "UPDATE tracking SET application_name = ? WHERE application_name = ?",
                (upstream, kept),
            )
            c.execute(f"DELETE FROM tracking WHERE {UNDER}", under_params(built_upstream))

    def get_rows(self, keys: Collection[str]) -> dict[str, ViewRow]:
        found: dict[str, ViewRow] = {}
        remaining = iter(keys)
        with self.datastore.transaction(commit=False) as c:
            while chunk := list(islice(remaining, CHUNK)):
                marks = ",".join("?" * len(chunk))
                c.execute(f"SELECT * FROM {self.rows_table} WHERE key IN ({marks})", chunk)
                found.update((r["key"], ViewRow.decoded(r)) for r in c.fetchall())
        return found

    def write(
        self,
        upserts: Sequence[ViewRow],
        deletes: Sequence[str],
        tracking: Tracking,
        after: int,
        added: Collection[str] = (),
    ) -> None:
        with self.datastore.get_connection(commit=True) as connection:
            if self.rows_table == NEXT:
                connection.cursor().execute(RELAXED_SYNC)  # (not within a transaction)
            with connection.transaction(commit=True) as c:
                self._write(c, upserts, deletes, tracking, after)

    def _write(
        self,
        c: Any,
        upserts: Sequence[ViewRow],
        deletes: Sequence[str],
        tracking: Tracking,
        after: int,
    ) -> None:
        c.execute(WRITE_LOCK)
        recorded = self._max_tracking_id(tracking.application_name, c)
        self.check_still_at(recorded, after, tracking)
        c.executemany(self._upsert, [row.encoded() for row in upserts])
        c.executemany(f"DELETE FROM {self.rows_table} WHERE key = ?", [(key,) for key in deletes])
        self._insert_tracking(c, tracking)

    def select_encoded(self, where: RowFilter) -> list[EncodedRow]:
        conditions, values = self._conditions(where)
        order = ", ".join([*map(_value_of, where.order), "key"])
        if where.after is not None:
            marks = ", ".join("?" * len(where.after))
            conditions += f" AND ({order}) > ({marks})"
            values += list(where.after)
        limit = ""
        if where.limit is not None:
            limit = " LIMIT ?"
            values.append(where.limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT key, case_id, municipality, team, kind, doc FROM {self.rows_table}"
                f"{conditions} ORDER BY {order}{limit}",
                values,
            )
            return [EncodedRow(*r) for r in c.fetchall()]

    def count_by(self, where: RowFilter, field: str) -> dict[str, int]:
        if where.limit is not None:
            return self._count_page(where, field, where.limit)
        conditions, values = self._conditions(where)
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {_value_of(field)} AS value, count(*) AS n FROM {self.rows_table}"
                f"{conditions} GROUP BY value",
                values,
            )
            return {r["value"]: r["n"] for r in c.fetchall() if r["value"] is not None}

    def _count_page(self, where: RowFilter, field: str, limit: int) -> dict[str, int]:
        """The next `limit` values after `where.after`, each found by one step through the
        index on the field (a recursive skip scan), each counted by an index range."""
        conditions, values = self._conditions(replace(where, after=None, limit=None))
        rows, value = self.rows_table, _value_of(field)
        first = f"{value} > ?" if where.after else f"{value} IS NOT NULL"
        statement = (
            "WITH RECURSIVE found(value, depth) AS ("
            f"SELECT * FROM (SELECT {value}, 1 FROM {rows}{conditions} AND {first}"
            f" ORDER BY {value} LIMIT 1)"
            f" UNION ALL SELECT (SELECT {value} FROM {rows}{conditions} AND {value} > found.value"
            f" ORDER BY {value} LIMIT 1), depth + 1 FROM found"
            " WHERE found.value IS NOT NULL AND depth < ?)"
            f" SELECT value, (SELECT count(*) FROM {rows}{conditions} AND {value} = found.value)"
            " AS n FROM found WHERE value IS NOT NULL"
        )
        params = [*values, *(where.after or ()), *values, limit, *values]
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return {r["value"]: r["n"] for r in c.fetchall()}

    def spread_by(self, where: RowFilter, groups: tuple[str, ...], field: str) -> list[Spread]:
        conditions, values = self._conditions(where)
        named = ", ".join(f"{_value_of(g)} AS g{i}" for i, g in enumerate(groups))
        rows = f"SELECT {named}, {_value_of(field)} AS value FROM {self.rows_table}{conditions}"
        names = ", ".join(f"g{i}" for i in range(len(groups)))
        with self.datastore.transaction(commit=False) as c:
            c.execute(SPREAD_WINDOWS.format(groups=names, rows=rows), values)
            return spreads([tuple(r) for r in c.fetchall()], len(groups))

    @staticmethod
    def _conditions(where: RowFilter) -> tuple[str, list[Any]]:
        """The filter as a WHERE clause (` WHERE 1` for none) and its values. The kind and
        the document's field names are literals: a partial index on a kind, or an index on
        a field, is only used for a query that names them."""
        conditions = ["1"]
        values: list[Any] = []
        for name, value in where.clauses():
            if name == "kind":
                conditions.append(f"kind = {_literal(value)}")
            else:
                conditions.append(f"{name} = ?")
                values.append(value)
        for field, value in where.doc:
            conditions.append(f"{_value_of(field)} = ?")
            values.append(value)
        for field, value in where.at_most:
            conditions.append(f"{_value_of(field)} <= ?")
            values.append(value)
        for field in where.unless:
            conditions.append(f"{_value_of(field)} IS NOT 1")  # JSON true reads as 1
        if where.current:
            conditions.append(CURRENT)
        return " WHERE " + " AND ".join(conditions), values


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _value_of(field: str) -> str:
    """A top-level document field (`json_extract` gives numbers as numbers, text as text)."""
    return f"json_extract(doc, {_literal('$.' + field)})"
