"""The paging contract every list follows (`interfaces/http/paging.py`): walking the pages
gives every row that was there all along exactly once and in order, whatever is added
meanwhile; a cursor is bound to its filters; an unknown query parameter is a 422."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from interfaces.http.paging import (
    CursorQuery,
    LimitQuery,
    decode_cursor,
    next_url,
    page_of,
    reject_unknown_query,
)
from interfaces.http.problems import install_problem_handlers


def listing(rows: list[dict[str, Any]]) -> FastAPI:
    """A list of rows ordered by (group, id), filtered by group, served by the contract."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/rows", dependencies=[Depends(reject_unknown_query)])
    def read(
        request: Request,
        response: Response,
        group: str | None = None,
        limit: LimitQuery = 50,
        cursor: CursorQuery = None,
    ) -> dict[str, Any]:
        filters = {"group": group}
        ordered = sorted(
            (r for r in rows if group is None or r["group"] == group),
            key=lambda r: (r["group"], r["id"]),
        )
        page = page_of(
            ordered, lambda r: (r["group"], r["id"]), decode_cursor(cursor, filters), limit
        )
        return {"rows": page.items, "next": next_url(request, response, page.next_after, filters)}

    return app


def walk(
    client: TestClient, url: str, between: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> list[int]:
    seen: list[int] = []
    pending = list(between)
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen += [r["id"] for r in body["rows"]]
        url = body["next"]
        if url:
            assert answer.headers["Link"] == f'<{url}>; rel="next"'
        else:
            assert "Link" not in answer.headers
        if pending:
            rows.append(pending.pop())
    return seen


row_strategy = st.builds(
    lambda g, i: {"group": g, "id": i}, st.sampled_from("ab"), st.integers(0, 10_000)
)


@given(
    st.lists(row_strategy, max_size=40, unique_by=lambda r: r["id"]),
    st.lists(row_strategy, max_size=10, unique_by=lambda r: r["id"]),
    st.integers(1, 7),
)
def test_walking_every_page_gives_every_row_once_in_order(
    rows: list[dict[str, Any]], arriving: list[dict[str, Any]], limit: int
) -> None:
    ids = {r["id"] for r in rows}
    arriving = [r for r in arriving if r["id"] not in ids]
    there_all_along = sorted((r for r in rows if r["group"] == "a"), key=lambda r: r["id"])
    client = TestClient(listing(rows))
    seen = walk(client, f"/rows?group=a&limit={limit}", arriving, rows)
    assert len(seen) == len(set(seen)), "a row came twice"
    assert seen == sorted(seen)
    assert {r["id"] for r in there_all_along} <= set(seen), "a row was skipped"


def test_a_cursor_is_bound_to_its_filters() -> None:
    rows = [{"group": "a", "id": i} for i in range(5)]
    client = TestClient(listing(rows))
    url = client.get("/rows?group=a&limit=2").json()["next"]
    other = url.replace("group=a", "group=b")
    answer = client.get(other)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["query.cursor"]
    assert client.get("/rows?cursor=not-ours").status_code == 422


def test_an_unknown_query_parameter_is_refused_by_name() -> None:
    client = TestClient(listing([]))
    answer = client.get("/rows?grup=a&limit=3")
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["query.grup"]
    assert client.get("/rows?group=a&limit=3").status_code == 200
    assert client.get("/rows?limit=501").status_code == 422
