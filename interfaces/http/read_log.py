"""Every response that carries a family's personal data writes one access-log record
before it leaves; if the record cannot be written, the data does not leave.

The record is handed to the store as soon as the read knows what it delivers; the response
is built meanwhile and held back at the door (`LoggedBeforeSent`) until the store confirms
the commit. A failed commit turns the response into a 503 without any of it."""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.access_log import AccessLog, AccessRecord
from application.access_log_writer import Shown
from application.reading import Reader
from domain.authorization import User
from domain.case import Case
from domain.vocabulary import ConsentPurpose
from interfaces.http.problems import ProblemError, problem

log = logging.getLogger("gezinsregie.access")
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
PENDING = "access_log_pending"
"""Key in the request's state: the writes the response waits for (set by the middleware)."""
REFUSED = (503, "Read not logged", "the read could not be logged, so no data was returned")
RETRY = {"Retry-After": "1"}


@dataclass(frozen=True)
class Pending:
    case_id: UUID
    written: Future[bool]


def trace_id_of(request: Request) -> str:
    """The W3C trace id of a valid `traceparent` when given, else the request id."""
    given = TRACEPARENT.match(request.headers.get("traceparent", ""))
    return given[1] if given else str(getattr(request.state, "request_id", ""))


def parent_span_of(request: Request) -> str | None:
    """The caller's span id (a valid `traceparent`'s parent-id), when given."""
    given = TRACEPARENT.match(request.headers.get("traceparent", ""))
    return given[2] if given else None


def reader_of(request: Request, user: User, purpose: ConsentPurpose | None = None) -> Reader:
    """Who reads through this request: the user, their purpose, the request's trace."""
    return Reader(user, purpose, trace_id_of(request), parent_span_of(request))


def record_read(request: Request, record: AccessRecord | None, case_id: UUID) -> None:
    """Hand the record to the store; without `LoggedBeforeSent` in front, wait for it here.
    None: the read carried no personal data, so there is nothing to record."""
    if record is None:
        return
    access_log: AccessLog = request.app.state.access_log
    pending = Pending(case_id, access_log.submit([record]))
    request.app.state.metrics.observe_commit(pending.written)
    held: list[Pending] | None = request.scope.get("state", {}).get(PENDING)
    if held is not None:
        held.append(pending)
    elif not _written(pending.written.exception(), pending.case_id):
        raise ProblemError(*REFUSED, RETRY)


def record_read_of_version(
    request: Request, record: AccessRecord | None, case: Case
) -> Future[bool] | None:
    """Hand the record of a read of this version of `case` to a store that checks case
    versions: it is stored only if the version is still the case's latest. A future of
    whether it was (and so whether the read may leave as it is); None if the read carries
    no personal data, so there is nothing to record (nor anything learnt about the version)."""
    if record is None:
        return None
    access_log: AccessLog = request.app.state.access_log
    written = access_log.submit([record], Shown(case.id, case.version))
    request.app.state.metrics.observe_commit(written)
    return written


async def logged_as_latest(read: Future[bool], case_id: UUID) -> bool:
    """Wait for `record_read_of_version`: False if the case has moved on (read it again);
    a 503 if the record could not be written."""
    await _settled(read)
    if not _written(read.exception(), case_id):
        raise ProblemError(*REFUSED, RETRY)
    return read.result()


def _written(error: BaseException | None, case_id: UUID) -> bool:
    if error is not None:
        log.error(
            "access log write failed; the read of case %s was refused",
            case_id,
            exc_info=error,
        )
    return error is None


class LoggedBeforeSent:
    """ASGI middleware: a response starts only once every access-log record of its request
    is committed; if one is not, a 503 goes out instead and the response is dropped."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Pending] = []
        scope.setdefault("state", {})[PENDING] = held
        refused = False

        async def send_when_logged(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and held:
                refused = not await _all_written(held)
                if refused:
                    await problem(*REFUSED, RETRY)(scope, receive, send)
            if not refused:
                await send(message)

        await self.app(scope, receive, send_when_logged)


async def _all_written(held: list[Pending]) -> bool:
    """Wait for every write; each failure is logged."""
    for pending in held:
        await _settled(pending.written)
    return all([_written(p.written.exception(), p.case_id) for p in held])


async def _settled(write: Future[Any]) -> None:
    """Wait until a write has finished, stored or failed (read its outcome from `write`)."""
    if not write.done():
        waited = asyncio.wrap_future(write)
        await asyncio.wait([waited])
        waited.exception()  # retrieved, or asyncio warns that a failure never was
