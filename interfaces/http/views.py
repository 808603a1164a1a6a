"""The projections' views inside the API process: opened at start, kept current by
in-process workers where configured (the embedded default), closed at shutdown."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from application.cases import CaseApplication
from application.settings import Settings
from projections.registry import PROJECTIONS, OpenView, open_view, worker_for
from projections.runner import ProjectionWorker


@dataclass
class Views:
    opened: dict[str, OpenView]
    workers: list[ProjectionWorker] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(cls, settings: Settings, cases: CaseApplication) -> Views:
        views = cls({name: open_view(settings, name) for name in PROJECTIONS})
        if settings.runs_projections_in_process:
            for opened in views.opened.values():
                worker = worker_for(cases, opened)
                thread = threading.Thread(
                    target=worker.run, name=f"projection-{opened.name}", daemon=True
                )
                thread.start()
                views.workers.append(worker)
                views.threads.append(thread)
        return views

    def failure(self, name: str) -> Exception | None:
        """Why this process's worker for view `name` stopped, if it did (a bug)."""
        failed = (w.failure for w in self.workers if w.projection.name == name)
        return next((f for f in failed if f is not None), None)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        for thread in self.threads:
            thread.join(timeout=10)
        for opened in self.opened.values():
            opened.close()
