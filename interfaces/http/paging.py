"""One paging contract for every list of the API.

A list answers at most `limit` items (default 50, at most 500) in a stable order, and the
URL of the next page: in the body's `next` field where the body is an object, and always
in a `Link: <...>; rel="next"` header; no next page, no `next` (null) and no header. The
next page is asked with the opaque `cursor` from that URL: it holds the sort key of the
last item given (keyset paging), so rows written meanwhile never make a page repeat or
skip a row that was there all along. A cursor belongs to the filters it was made with:
used with other filters, or altered, it is a 422 naming `query.cursor`.

An unknown query parameter is a 422 naming it (`reject_unknown_query`): a misspelt filter
must not silently answer everything.

(No `from __future__ import annotations`: FastAPI reads the dependencies' annotations.)"""

import base64
import bisect
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request, Response
from fastapi.exceptions import RequestValidationError

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

Item = TypeVar("Item")
SortKey = tuple[Any, ...]
"""JSON-able values (texts, numbers, None) ordering the items; the last one unique."""

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")
]
CursorQuery = Annotated[
    str | None,
    Query(max_length=2000, description="The next page: the cursor of the previous `next` URL."),
]

EVERY_QUERY = frozenset({"position"})
"""Query parameters every read takes, declared or not: `?position=` (read your writes) is
sent by clients with any GET; a read from the store itself (history, access log) is
current anyway."""

PAGED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page of the list",
        "headers": {
            "Link": {
                "description": 'The next page: `<URL>; rel="next"`; absent on the last page',
                "schema": {"type": "string"},
            }
        },
    }
}
"""The `responses` of a paged route: documents its `Link` header."""


def _invalid(name: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def _digest(filters: Mapping[str, Any]) -> str:
    text = json.dumps(filters, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(after: SortKey, filters: Mapping[str, Any]) -> str:
    """The cursor for the page after the item whose sort key is `after`."""
    body = json.dumps({"after": list(after), "filters": _digest(filters)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, filters: Mapping[str, Any]) -> SortKey | None:
    """The sort key after which the page starts (None: the first page); 422 for a cursor
    that is not ours or was made with other filters."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after, digest = body["after"], body["filters"]
    except (ValueError, TypeError, KeyError):
        raise _invalid("cursor", "not a cursor given by this API") from None
    if not isinstance(after, list) or digest != _digest(filters):
        raise _invalid("cursor", "this cursor was made for other filters; start again without")
    return tuple(after)


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    next_after: SortKey | None
    """The sort key of the last item, if more items follow."""


def page_of(
    ordered: Sequence[Item], key: Callable[[Item], SortKey], after: SortKey | None, limit: int
) -> Page[Item]:
    """A page of items already in `key` order: those after `after` (found by bisection),
    at most `limit`."""
    start = 0
    if after is not None:
        start = bisect.bisect_right(ordered, _comparable(after), key=lambda i: _comparable(key(i)))
    items = list(ordered[start : start + limit])
    more = start + limit < len(ordered)
    return Page(items, key(items[-1]) if more and items else None)


def _comparable(key: SortKey) -> tuple[tuple[bool, Any], ...]:
    """Sort keys compare as tuples, None before any value (so a missing date sorts first)."""
    return tuple((v is not None, v) for v in key)


def next_url(
    request: Request, response: Response, after: SortKey | None, filters: Mapping[str, Any]
) -> str | None:
    """The next page's URL (path and query), also set as the `Link` header; None if the
    page is the last."""
    if after is None:
        return None
    cursor = encode_cursor(after, filters)
    url = request.url.remove_query_params("cursor").include_query_params(cursor=cursor)
    relative = f"{url.path}?{url.query}"
    response.headers["Link"] = f'<{relative}>; rel="next"'
    return relative


def reject_unknown_query(request: Request) -> None:
    """A dependency: 422 naming each query parameter the route does not declare (other
    than those of `EVERY_QUERY`)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = EVERY_QUERY | {param.alias for param in _query_params(dependant)}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError(
            [
                {"loc": ("query", name), "msg": "unknown query parameter", "type": "value_error"}
                for name in unknown
            ]
        )


def _query_params(dependant: Any) -> list[Any]:
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found += _query_params(sub)
    return found
