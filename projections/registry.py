"""The projections there are, and how to open each one's view on the configured store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from application.case_application import CaseApplicationBase
from application.name_search import MemberNames
from application.persistence import eventsourcing_env
from application.settings import Settings
from projections.case_index import CaseIndexProjection
from projections.case_index_view import PostgresCaseIndexView, SQLiteCaseIndexView
from projections.overview import OverviewProjection
from projections.paged_views import (
    PostgresOverviewView,
    PostgresWaitlistView,
    SQLiteOverviewView,
    SQLiteWaitlistView,
)
from projections.postgres_view import PostgresDocumentView
from projections.projection import Projection
from projections.report_facts import ReportFactsProjection
from projections.runner import ProjectionWorker
from projections.sqlite_view import SQLiteDocumentView
from projections.view import DocumentView
from projections.waitlist import WaitlistProjection

PROJECTIONS: dict[str, type[Projection]] = {
    OverviewProjection.name: OverviewProjection,
    WaitlistProjection.name: WaitlistProjection,
    ReportFactsProjection.name: ReportFactsProjection,
    CaseIndexProjection.name: CaseIndexProjection,
}
VIEW_CLASSES: dict[str, tuple[type[DocumentView], type[DocumentView]]] = {
    CaseIndexProjection.name: (SQLiteCaseIndexView, PostgresCaseIndexView),
    OverviewProjection.name: (SQLiteOverviewView, PostgresOverviewView),
    WaitlistProjection.name: (SQLiteWaitlistView, PostgresWaitlistView),
}
"""Views with storage of their own (SQLite, PostgreSQL); the others are document views."""


class UnknownProjectionError(KeyError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no projection {name!r}; there are: {', '.join(sorted(PROJECTIONS))}")


@dataclass
class OpenView:
    """A projection's view, with the storage it was opened on (closed together)."""

    name: str
    view: DocumentView
    factory: InfrastructureFactory[Any]

    def close(self) -> None:
        self.factory.close()


def open_view(settings: Settings, name: str) -> OpenView:
    """SQLite: its own file `view_<name>.sqlite`; PostgreSQL: `<name>_rows` and
    `<name>_tracking` in the configured schema."""
    if name not in PROJECTIONS:
        raise UnknownProjectionError(name)
    env = eventsourcing_env(settings, f"view_{name}", on_demand=True)
    factory = InfrastructureFactory.construct(Environment(name, env))
    on_sqlite, on_postgres = VIEW_CLASSES.get(name, (SQLiteDocumentView, PostgresDocumentView))
    view_class = on_sqlite if settings.store == "sqlite" else on_postgres
    view = factory.tracking_recorder(view_class)
    assert isinstance(view, DocumentView)
    return OpenView(name, view, factory)


def projection_for(name: str, cases: CaseApplicationBase) -> Projection:
    """The projection of this name, fed from these cases (the case index reads the
    members' names with the cases' keys, to index them blind)."""
    if name == CaseIndexProjection.name:
        return CaseIndexProjection(MemberNames.of(cases))
    return PROJECTIONS[name]()


def worker_for(cases: CaseApplicationBase, opened: OpenView) -> ProjectionWorker:
    return ProjectionWorker(cases, projection_for(opened.name, cases), opened.view)
