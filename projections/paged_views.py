"""The overview's and the waitlist's storage: document views with the indexes their pages
are read through, so that a page costs the same however many cases a region holds.

Each index is named (a suffix of the rows table's name) and written per store, as
"(columns) WHERE predicate": the queries name the same kind and document fields as
literals (`RowFilter` on both stores), which is what lets each store pick these indexes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from psycopg.sql import SQL, Composed

from projections import postgres_view, sqlite_view
from projections.postgres_view import PostgresDocumentView
from projections.sqlite_view import SQLiteDocumentView

PG_CURRENT = postgres_view.CURRENT.as_string(None)
OVERVIEW_ON_POSTGRES = {
    "current": f"(municipality, key) WHERE kind = 'case' AND {PG_CURRENT}",
    "coach": f"((doc ->> 'coach'), key) WHERE kind = 'case' AND {PG_CURRENT}",
    "caseload": "(municipality, (doc ->> 'status'), (doc ->> 'coach')) WHERE kind = 'case'",
    "quiet": "((doc ->> 'status'), (doc -> 'last_activity_at')) WHERE kind = 'case'",
}
"""A place's current cases by case id (the overview's pages), a coach's, the coaches of a
place's open cases in order (the caseload's pages: one index step per coach), and open
cases by their last activity (those that may be due for closure as inactive)."""
OVERVIEW_ON_SQLITE = {
    "current": f"(municipality, key) WHERE kind = 'case' AND {sqlite_view.CURRENT}",
    "coach": f"(json_extract(doc, '$.coach'), key) WHERE kind = 'case' AND {sqlite_view.CURRENT}",
    "caseload": (
        "(municipality, json_extract(doc, '$.status'), json_extract(doc, '$.coach'))"
        " WHERE kind = 'case'"
    ),
    "quiet": (
        "(json_extract(doc, '$.status'), json_extract(doc, '$.last_activity_at'))"
        " WHERE kind = 'case'"
    ),
}
WAITLIST_ON_POSTGRES = {
    "queue": (
        "(municipality, (doc -> 'priority'), (doc -> 'placed_at'), key) WHERE kind = 'family'"
    ),
    "waits": "(municipality, (doc -> 'requested_at'), key) WHERE kind = 'referral'",
}
"""A place's waiting families in the waitlist's order (priority, date placed, case id), and
its referrals waiting at providers, the longest waiting first."""
WAITLIST_ON_SQLITE = {
    "queue": (
        "(municipality, json_extract(doc, '$.priority'), json_extract(doc, '$.placed_at'), key)"
        " WHERE kind = 'family'"
    ),
    "waits": "(municipality, json_extract(doc, '$.requested_at'), key) WHERE kind = 'referral'",
}


class PostgresPagedView(PostgresDocumentView):
    page_indexes: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls) -> None:
        cls.index_suffixes = (*PostgresDocumentView.index_suffixes, *cls.page_indexes)

    def _rows_statements(self) -> list[Composed]:
        return [
            *super()._rows_statements(),
            *(
                Composed(
                    [
                        self._sql(
                            "CREATE INDEX IF NOT EXISTS {index} ON {rows} ",
                            index=f"{self.rows_table}_{name}",
                        ),
                        SQL(spec),  # constants of this module
                    ]
                )
                for name, spec in self.page_indexes.items()
            ),
        ]


class SQLitePagedView(SQLiteDocumentView):
    page_indexes: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls) -> None:
        cls.index_names = (*SQLiteDocumentView.index_names, *cls.page_indexes)

    def _rows_statements(self, table: str) -> list[str]:
        return [*super()._rows_statements(table), *self._page_index_statements(table)]

    def _index_statements(self, table: str) -> list[str]:
        return [*super()._index_statements(table), *self._page_index_statements(table)]

    def _page_index_statements(self, table: str) -> list[str]:
        return [
            f"CREATE INDEX IF NOT EXISTS {table}_{name} ON {table} {spec}"
            for name, spec in self.page_indexes.items()
        ]


class PostgresOverviewView(PostgresPagedView):
    page_indexes = OVERVIEW_ON_POSTGRES


class SQLiteOverviewView(SQLitePagedView):
    page_indexes = OVERVIEW_ON_SQLITE


class PostgresWaitlistView(PostgresPagedView):
    page_indexes = WAITLIST_ON_POSTGRES


class SQLiteWaitlistView(SQLitePagedView):
    page_indexes = WAITLIST_ON_SQLITE
