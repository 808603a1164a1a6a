"""The coordination point's pages: the waitlist, the overview with its signals and
filters, and the caseload per coach. Each calls the JSON API's own route function, so
the scope of the user (municipality, team, own cases) and the views are the API's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from interfaces.http.routers import waitlist
from interfaces.http.worker_threads import in_worker_thread
from interfaces.pages import overview_memo
from interfaces.pages.web import SignedIn, html_errors, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
Filter = Annotated[str | None, Query(max_length=64)]
PageNumber = Annotated[int, Query(ge=1, le=10_000)]
Position = Annotated[int | None, Query(ge=0, le=2**53)]


def _blank(value: str | None) -> str | None:
    return value or None


@router.get("/wachtlijst")
@html_errors
async def waitlist_page(
    request: Request, signed: SignedIn, gemeente: Filter = None, team: Filter = None
) -> Response:
    """Families waiting for a coach: priority, days waiting, contact overdue."""
    found: dict[str, Any] = await in_worker_thread(
        request,
        waitlist.waitlist_in_scope,
        request,
        signed.user,
        _blank(gemeente),
        _blank(team),
    )
    return render(
        request,
        "wachtlijst.html",
        signed.session,
        families=found["families"],
        providers=found["providers"]["by_destination"],
        gemeente=gemeente or "",
        team=team or "",
    )


@router.get("/overzicht")
@html_errors
async def overview_page(
    request: Request,
    signed: SignedIn,
    gemeente: Filter = None,
    team: Filter = None,
    signaal: Filter = None,
    pagina: PageNumber = 1,
    positie: Position = None,
) -> Response:
    """Open cases with their signals, filtered by place and signal, 50 to a page."""
    found: dict[str, Any] = await in_worker_thread(
        request,
        overview_memo.overview,
        request,
        signed.user,
        _blank(gemeente),
        _blank(team),
        positie,
    )
    cases = found["cases"]
    counts: dict[str, int] = {}
    for case in cases:
        for signal in case["signals"]:
            counts[signal["code"]] = counts.get(signal["code"], 0) + 1
    if signaal:
        cases = [c for c in cases if any(s["code"] == signaal for s in c["signals"])]
    pages = max(1, -(-len(cases) // PAGE_SIZE))
    shown = cases[(pagina - 1) * PAGE_SIZE : pagina * PAGE_SIZE]
    return render(
        request,
        "overzicht.html",
        signed.session,
        cases=shown,
        total=len(cases),
        counts=dict(sorted(counts.items())),
        gemeente=gemeente or "",
        team=team or "",
        signaal=signaal or "",
        pagina=pagina,
        pages=pages,
    )


@router.get("/caseload")
@html_errors
async def caseload_page(
    request: Request, signed: SignedIn, gemeente: Filter = None, positie: Position = None
) -> Response:
    """Open cases per coach against the norm."""
    found: dict[str, Any] = await in_worker_thread(
        request, overview_memo.caseload, request, signed.user, _blank(gemeente), positie
    )
    return render(request, "caseload.html", signed.session, gemeente=gemeente or "", **found)
