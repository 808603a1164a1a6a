"""The document view on PostgreSQL: `<view>_rows` and `<view>_tracking` in the schema."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Composable, Composed, Identifier, Literal
from psycopg.types.json import Jsonb

from projections.view import (
    SPREAD_WINDOWS,
    DocumentView,
    EncodedRow,
    RowFilter,
    Spread,
    ViewRow,
    spreads,
)

CURRENT = SQL(
    "(doc ->> 'status' = 'open' OR coalesce(doc -> 'erasure_requests', '{}'::jsonb) <> '{}'::jsonb)"
)
"""`RowFilter.current`."""

NUL_ESCAPED = "\\u0000"
"""NUL as JSON writes it; PostgreSQL's jsonb cannot hold it (nor can its text)."""


def dumps_storable(doc: dict[str, Any]) -> str:
    """The document as JSON that jsonb takes. Text is checked at the edge (`domain.text`),
    but events stored before that check may hold NUL: it is shown as U+FFFD, the character
    that stands for one that cannot be shown, rather than stopping the view on that event."""
    encoded = json.dumps(doc)
    if NUL_ESCAPED in encoded:
        encoded = json.dumps(without_nul(doc))
    return encoded


def without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(v) for v in value]
    return value


UNDER = "(application_name = %s OR left(application_name, %s) = %s)"
"""A tracking name and its partitions' names (`view.under`), with `under_params`."""
WRITE_LOCK = "SELECT pg_advisory_xact_lock(hashtext(%s))"
ASYNC_COMMIT = "SET LOCAL synchronous_commit = off"
INDEX_STATEMENT = re.compile(r"\s*CREATE\s+(UNIQUE\s+)?INDEX\b", re.IGNORECASE)
"""A statement of `_rows_statements` that makes a secondary index: a rebuild's next version
is made without them and gets them at its promotion (built once over the filled table,
rather than kept up to date row by row while it fills)."""


def is_index(statement: Composable) -> bool:
    return INDEX_STATEMENT.match(statement.as_string(None)) is not None


def under_params(prefix: str) -> tuple[str, int, str]:
    return (prefix, len(prefix) + 1, f"{prefix}:")


def write_lock_name(table: str, tracked_as: str) -> str:
    """What a write to `table` tracked as `tracked_as` locks: writers of one view's position
    wait for each other (and for its promotion), while the partitions of a rebuild, each
    tracked under a name of its own, write the next version side by side."""
    return f"{table}:{tracked_as}"


class PostgresDocumentView(PostgresTrackingRecorder, DocumentView):
    index_suffixes: tuple[str, ...] = ("pkey", "place", "case")
    """The rows' indexes, named `<table>_<suffix>` (renamed with the table on promotion)."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.live_table = self.tracking_table_name.removesuffix("_tracking") + "_rows"
        self.check_identifier_length(self.live_table + "_next_place")
        self._use_rows(self.live_table)
        self.sql_create_statements.extend(self._rows_statements())

    def _use_rows(self, table: str) -> None:
        self.rows_table = table
        self._select_keys = self._sql("SELECT * FROM {rows} WHERE key = ANY(%s)")

    def _rows_statements(self) -> list[Composed]:
        return [
            self._sql(
                "CREATE TABLE IF NOT EXISTS {rows} (key text PRIMARY KEY, case_id text "
                "NOT NULL, municipality text NOT NULL, team text NOT NULL, kind text "
                "NOT NULL, doc jsonb NOT NULL)"
            ),
            self._sql(
                "CREATE INDEX IF NOT EXISTS {place} ON {rows} (kind, municipality, team)",
                place=f"{self.rows_table}_place",
            ),
            self._sql(
                "CREATE INDEX IF NOT EXISTS {by_case} ON {rows} (case_id)",
                by_case=f"{self.rows_table}_case",
            ),
        ]

    def next_version(self, upstream: str) -> PostgresDocumentView:
        """An empty table beside the live one (`<view>_rows_next`), tracked as `upstream`
        (or by partition under it); only its primary key is indexed while it fills, the
        other indexes are made when it is `ready` (or at the latest at its promotion)."""
        built = self.building()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(built._sql("DROP TABLE IF EXISTS {rows}"))
            for statement in built._rows_statements():
                if not is_index(statement):
                    curs.execute(statement)
            curs.execute(self._forget_under, under_params(upstream))
        return built

    def building(self) -> PostgresDocumentView:
        built = copy.copy(self)
        built._use_rows(self.live_table + "_next")
        return built

    def tracked_under(self, prefix: str) -> dict[str, int]:
        with self.datastore.get_connection() as connection, connection.cursor() as curs:
            return self._tracked_under(curs, prefix)

    def _tracked_under(self, curs: Any, prefix: str) -> dict[str, int]:
        curs.execute(
            self._tracking_sql(
                "SELECT application_name AS name, max(notification_id) AS position FROM {}"
                f" WHERE {UNDER} GROUP BY application_name"
            ),
            under_params(prefix),
        )
        return {r["name"]: r["position"] for r in curs.fetchall()}

    def abandon(self, built: DocumentView, built_upstream: str) -> None:
        assert isinstance(built, PostgresDocumentView)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(built._sql("DROP TABLE IF EXISTS {rows}"))
            curs.execute(self._forget_under, under_params(built_upstream))

    def promote(self, built: DocumentView, upstream: str, built_upstream: str) -> None:
        """In one transaction: the built table becomes the live one, its position the
        view's. Readers wait on the lock for that moment; the live worker finds the
        position moved and resumes from it."""
        assert isinstance(built, PostgresDocumentView)
        live, next_ = self.live_table, built.rows_table
        schema = Identifier(self.datastore.schema)
        built._make_indexes()
        with self.datastore.transaction(commit=True) as curs:
            # The live worker's writes take this lock first: one under way ends before the
            # swap, and the next finds the position moved (and resumes from it).
            curs.execute(WRITE_LOCK, (write_lock_name(live, upstream),))
            kept = self.one_position(self._tracked_under(curs, built_upstream), built_upstream)
            curs.execute(self._sql("LOCK TABLE {rows} IN ACCESS EXCLUSIVE MODE"))
            curs.execute(self._sql("DROP TABLE {rows}"))
            curs.execute(built._sql("ALTER TABLE {rows} RENAME TO {live}", live=live))
            for suffix in self.index_suffixes:
                curs.execute(
                    SQL("ALTER INDEX {}.{} RENAME TO {}").format(
                        schema, Identifier(f"{next_}_{suffix}"), Identifier(f"{live}_{suffix}")
                    )
                )
            curs.execute(self._forget_position, (upstream,))
            curs.execute(
                self._tracking_sql(
                    "UPDATE {} SET application_name = %s WHERE application_name = %s"
                ),
                (upstream, kept),
            )
            curs.execute(self._forget_under, under_params(built_upstream))

    def ready(self) -> None:
        """A filled next version's indexes (those `next_version` left out) and statistics,
        outside the swap's transaction (readers and the live worker do not wait for them).
        Each index is built in one pass over the table, on a connection of its own, side by
        side (they take SHARE locks, which do not exclude each other): the promotion waits
        for the slowest index rather than for their sum. The statistics follow (ANALYZE
        waits for the indexes, and reads their expressions' values); the documents' own are
        not gathered: no query compares whole documents, and comparing a sample of them is
        most of an ANALYZE's work on a view of large documents."""
        statements = [s for s in self._rows_statements() if is_index(s)]
        with ThreadPoolExecutor(max(1, len(statements)), "index") as builders:
            for built in [builders.submit(self._commit, s) for s in statements]:
                built.result()
        self._commit(self._sql("ALTER TABLE {rows} ALTER COLUMN doc SET STATISTICS 0"))
        self._commit(self._sql("ANALYZE {rows}"))

    def _commit(self, statement: Composed) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(statement)

    def _make_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement in self._rows_statements():
                if is_index(statement):
                    curs.execute(statement)  # (IF NOT EXISTS: nothing to do after `ready`)

    def _tracking_sql(self, template: str) -> Composed:
        schema, table = Identifier(self.datastore.schema), Identifier(self.tracking_table_name)
        return SQL(template).format(Composed([schema, SQL("."), table]))

    @property
    def _forget_position(self) -> Composed:
        return self._tracking_sql("DELETE FROM {} WHERE application_name = %s")

    @property
    def _forget_under(self) -> Composed:
        return self._tracking_sql(f"DELETE FROM {{}} WHERE {UNDER}")

    def _sql(self, template: str, **names: str) -> Composed:
        identifiers = {k: Identifier(v) for k, v in names.items()}
        rows = Composed([Identifier(self.datastore.schema), SQL("."), Identifier(self.rows_table)])
        return SQL(template).format(rows=rows, **identifiers)

    def get_rows(self, keys: Collection[str]) -> dict[str, ViewRow]:
        if not keys:
            return {}
        # One statement on an autocommit connection: consistent by itself, and one round
        # trip rather than three (BEGIN, SELECT, ROLLBACK) as in a transaction of its own.
        with self.datastore.get_connection() as connection, connection.cursor() as curs:
            curs.execute(self._select_keys, (list(keys),), prepare=True)
            return {r["key"]: ViewRow.decoded(r) for r in curs.fetchall()}

    def write(
        self,
        upserts: Sequence[ViewRow],
        deletes: Sequence[str],
        tracking: Tracking,
        after: int,
        added: Collection[str] = (),
    ) -> None:
        with self.datastore.transaction(commit=True) as curs:
            if self.rows_table != self.live_table:
                # A rebuild's batch: its commit need not wait for the disk. A crash may lose
                # the last few, each whole (rows and position together), and the rebuild
                # resumes from the position that was kept: still exactly-once.
                curs.execute(ASYNC_COMMIT)
            lock = write_lock_name(self.rows_table, tracking.application_name)
            curs.execute(WRITE_LOCK, (lock,))
            recorded = self._max_tracking_id(tracking.application_name, curs)
            self.check_still_at(recorded, after, tracking)
            if added:
                # New rows (a rebuild's) are copied in: no lookup for a row to update, and
                # the server reads them as a stream (measured on the case index's 62,000
                # small rows: half the server's CPU of the upsert).
                with curs.copy(self._copy_rows) as rows:
                    for r in upserts:
                        if r.key in added:
                            rows.write_row(
                                (
                                    r.key,
                                    r.case_id,
                                    r.municipality,
                                    r.team,
                                    r.kind,
                                    dumps_storable(r.doc),
                                )
                            )
                upserts = [r for r in upserts if r.key not in added]
            if upserts:
                # One statement for the whole batch, its columns as arrays: the server plans
                # and runs one insert of many rows, and the client adapts six lists rather
                # than six values per row (`executemany`). Each document is encoded once.
                # The arrays go in binary (`%b`): as text, each element would be quoted and
                # escaped by a regular expression, a JSON document's every quote (bench/
                # rebuild.py: 7% of a rebuild's CPU); in binary, each is its bytes.
                columns: tuple[list[str], ...] = ([], [], [], [], [], [])
                keys, case_ids, municipalities, teams, kinds, docs = columns
                for r in upserts:
                    keys.append(r.key)
                    case_ids.append(r.case_id)
                    municipalities.append(r.municipality)
                    teams.append(r.team)
                    kinds.append(r.kind)
                    docs.append(dumps_storable(r.doc))
                curs.execute(self._upsert_all, columns, prepare=True)
            if deletes:
                curs.execute(self._sql("DELETE FROM {rows} WHERE key = ANY(%s)"), (list(deletes),))
            self._insert_tracking(curs, tracking)

    @property
    def _copy_rows(self) -> Composed:
        return self._sql("COPY {rows} (key, case_id, municipality, team, kind, doc) FROM STDIN")

    @property
    def _upsert_all(self) -> Composed:
        return self._sql(
            "INSERT INTO {rows} (key, case_id, municipality, team, kind, doc) "
            "SELECT key, case_id, municipality, team, kind, doc::jsonb FROM unnest("
            "%b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[]) "
            "AS batch(key, case_id, municipality, team, kind, doc) "
            "ON CONFLICT (key) DO UPDATE SET "
            "case_id = EXCLUDED.case_id, municipality = EXCLUDED.municipality, "
            "team = EXCLUDED.team, kind = EXCLUDED.kind, doc = EXCLUDED.doc"
        )

    def select_encoded(self, where: RowFilter) -> list[EncodedRow]:
        conditions, values = self._conditions(where)
        query = self._sql(
            "SELECT key, case_id, municipality, team, kind, doc::text AS doc FROM {rows}"
        )
        order = SQL(", ").join([*map(_value_of, where.order), SQL("key")])
        parts: list[Composable] = [query, conditions]
        if where.after is not None:
            marks = SQL(", ").join([*(SQL("%s::jsonb") for _ in where.order), SQL("%s")])
            parts.append(SQL(" AND ({}) > ({})").format(order, marks))
            *fields, key = where.after
            values += [*(Jsonb(v) for v in fields), key]
        parts += [SQL(" ORDER BY "), order]
        if where.limit is not None:
            parts.append(SQL(" LIMIT %s"))
            values.append(where.limit)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(Composed(parts), values)
            return [EncodedRow(**r) for r in curs.fetchall()]

    def count_by(self, where: RowFilter, field: str) -> dict[str, int]:
        if where.limit is not None:
            return self._count_page(where, field, where.limit)
        conditions, values = self._conditions(where)
        query = SQL("SELECT {} AS value, count(*) AS n FROM {}").format(
            _text_of(field), self._sql("{rows}")
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(Composed([query, conditions, SQL(" GROUP BY value")]), values)
            return {r["value"]: r["n"] for r in curs.fetchall() if r["value"] is not None}

    def _count_page(self, where: RowFilter, field: str, limit: int) -> dict[str, int]:
        """The next `limit` values after `where.after`, each found by one step through the
        index on the field (a recursive skip scan), each counted by an index range."""
        conditions, values = self._conditions(replace(where, after=None, limit=None))
        rows, value = self._sql("{rows}"), _text_of(field)
        first_after = SQL("{} > %s" if where.after else "{} IS NOT NULL").format(value)
        statement = SQL(
            "WITH RECURSIVE found(value, depth) AS ("
            "(SELECT {value}, 1 FROM {rows}{conditions} AND {first} ORDER BY {value} LIMIT 1)"
            " UNION ALL SELECT (SELECT {value} FROM {rows}{conditions} AND {value} > found.value"
            " ORDER BY {value} LIMIT 1), depth + 1 FROM found"
            " WHERE found.value IS NOT NULL AND depth < %s)"
            " SELECT value, (SELECT count(*) FROM {rows}{conditions} AND {value} = found.value)"
            " AS n FROM found WHERE value IS NOT NULL"
        ).format(value=value, rows=rows, conditions=conditions, first=first_after)
        first = [*values, *(where.after or ())]
        params = [*first, *values, limit, *values]
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, params)
            return {r["value"]: r["n"] for r in curs.fetchall()}

    def spread_by(self, where: RowFilter, groups: tuple[str, ...], field: str) -> list[Spread]:
        conditions, values = self._conditions(where)
        named = [
            SQL("{} AS {}").format(_text_of(group), Identifier(f"g{i}"))
            for i, group in enumerate(groups)
        ]
        rows = Composed(
            [
                SQL("SELECT {}, {} AS value FROM {}").format(
                    SQL(", ").join(named), _value_of(field), self._sql("{rows}")
                ),
                conditions,
            ]
        )
        names = SQL(", ").join(Identifier(f"g{i}") for i in range(len(groups)))
        statement = SQL(SPREAD_WINDOWS).format(groups=names, rows=rows)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, values)
            return spreads([tuple(r.values()) for r in curs.fetchall()], len(groups))

    @staticmethod
    def _conditions(where: RowFilter) -> tuple[Composable, list[Any]]:
        """The filter as a WHERE clause (` WHERE TRUE` for none) and its values. The kind
        and the document's field names are literals: a partial index on a kind, or an
        index on a field, is only used for a query that names them."""
        conditions: list[Composable] = [SQL("TRUE")]
        values: list[Any] = []
        for name, value in where.clauses():
            if name == "kind":
                conditions.append(SQL("kind = {}").format(Literal(value)))
            else:
                conditions.append(SQL("{} = %s").format(Identifier(name)))
                values.append(value)
        for field, value in where.doc:
            conditions.append(SQL("{} = %s").format(_text_of(field)))
            values.append(value)
        for field, value in where.at_most:
            conditions.append(SQL("{} <= %s::jsonb").format(_value_of(field)))
            values.append(Jsonb(value))
        for field in where.unless:
            conditions.append(SQL("{} IS DISTINCT FROM 'true'").format(_text_of(field)))
        if where.current:
            conditions.append(CURRENT)
        return Composed([SQL(" WHERE "), SQL(" AND ").join(conditions)]), values


def _text_of(field: str) -> Composable:
    """A top-level document field as text (what equality filters compare)."""
    return SQL("(doc ->> {})").format(Literal(field))


def _value_of(field: str) -> Composable:
    """A top-level document field as a JSON value (what pages are ordered by: numbers as
    numbers)."""
    return SQL("(doc -> {})").format(Literal(field))
