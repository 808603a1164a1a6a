"""The document view on SQLite: one database file per view (tables are not prefixed)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import islice

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.view import DocumentView, RowFilter, ViewRow

CHUNK = 500
UPSERT = (
    "INSERT INTO view_rows (key, case_id, municipality, team, kind, doc) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET case_id = excluded.case_id, "
    "municipality = excluded.municipality, team = excluded.team, kind = excluded.kind, "
    "doc = excluded.doc"
)


class SQLiteDocumentView(SQLiteTrackingRecorder, DocumentView):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS view_rows (key TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
            "municipality TEXT NOT NULL, team TEXT NOT NULL, kind TEXT NOT NULL, "
            "doc TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS view_rows_place ON view_rows (kind, municipality, team)",
            "CREATE INDEX IF NOT EXISTS view_rows_case ON view_rows (case_id)",
        ]

    def get_rows(self, keys: Collection[str]) -> dict[str, ViewRow]:
        found: dict[str, ViewRow] = {}
        remaining = iter(keys)
        with self.datastore.transaction(commit=False) as c:
            while chunk := list(islice(remaining, CHUNK)):
                marks = ",".join("?" * len(chunk))
                c.execute(f"SELECT * FROM view_rows WHERE key IN ({marks})", chunk)
                found.update((r["key"], ViewRow.decoded(r)) for r in c.fetchall())
        return found

    def write(
        self, upserts: Sequence[ViewRow], deletes: Sequence[str], tracking: Tracking, after: int
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("UPDATE tracking SET notification_id = notification_id WHERE 0")  # lock
            recorded = self._max_tracking_id(tracking.application_name, c)
            self.check_still_at(recorded, after, tracking)
            c.executemany(UPSERT, [row.encoded() for row in upserts])
            c.executemany("DELETE FROM view_rows WHERE key = ?", [(key,) for key in deletes])
            self._insert_tracking(c, tracking)

    def select_rows(self, where: RowFilter) -> list[ViewRow]:
        clauses = where.clauses()
        sql = "SELECT * FROM view_rows"
        if clauses:
            sql += " WHERE " + " AND ".join(f"{name} = ?" for name, _ in clauses)
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql + " ORDER BY key", [value for _, value in clauses])
            return [ViewRow.decoded(r) for r in c.fetchall()]

    def reset(self, upstream: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM view_rows")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (upstream,))
