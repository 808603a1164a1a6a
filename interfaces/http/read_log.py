"""Every response that carries a family's personal data writes one access-log record
before it leaves; if the record cannot be written, the data does not leave."""

from __future__ import annotations

import logging
from uuid import UUID

from fastapi import Request

from application.access_log import AccessLog, AccessRecord
from domain.authorization import User
from interfaces.http.case_view import Delivered
from interfaces.http.problems import ProblemError

log = logging.getLogger("gezinsregie.access")
TRACE_ID = r"[0-9a-f]{32}"


def trace_id_of(request: Request) -> str:
    """The W3C trace id of `traceparent` when given, else the request id."""
    parts = request.headers.get("traceparent", "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32:
        return parts[1]
    return str(getattr(request.state, "request_id", ""))


def record_read(
    request: Request,
    user: User,
    purpose: str,
    case_id: UUID,
    delivered: Delivered,
    grounds: set[str],
) -> None:
    if not delivered.categories:
        return
    access_log: AccessLog = request.app.state.access_log
    record = AccessRecord(
        at=request.app.state.cases.clock.now(),
        subject=user.subject,
        organisation=user.organisation,
        role="+".join(sorted(user.roles)),
        case_id=str(case_id),
        members=tuple(sorted(delivered.members)),
        categories=tuple(sorted(c.value for c in delivered.categories)),
        purpose=purpose,
        legal_ground="; ".join(sorted(grounds)),
        trace_id=trace_id_of(request),
    )
    try:
        access_log.record([record])
    except Exception:
        log.exception("access log write failed; the read of case %s was refused", case_id)
        raise ProblemError(
            503,
            "Read not logged",
            "the read could not be logged, so no data was returned",
            {"Retry-After": "1"},
        ) from None
