"""Moments in query strings (`as_of`, `since`, `until`), read by the same rule as the
command line's (`interfaces.moments`): a date is local midnight in the report time zone.

(No `from __future__ import annotations`: FastAPI reads the query parameter from the
annotation of the function made in `moment_query`.)"""

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError

from interfaces.moments import MOMENT_RULE, MomentError, parse_moment


def moment_query(name: str, meaning: str) -> Any:
    """A dependency reading the query parameter `name` as a moment (None when absent);
    a wrong one is a 422 naming `query.<name>`, like any invalid parameter."""

    def read(
        request: Request,
        value: Annotated[
            str | None, Query(alias=name, description=f"{meaning}: {MOMENT_RULE}.")
        ] = None,
    ) -> datetime | None:
        if value is None:
            return None
        zone = ZoneInfo(request.app.state.settings.report_timezone)
        try:
            return parse_moment(value, zone)
        except MomentError as error:
            problem = {"loc": ("query", name), "msg": str(error), "type": "value_error"}
            raise RequestValidationError([problem]) from None

    return Depends(read)


AsOfQuery = Annotated[datetime | None, moment_query("as_of", "Up to this moment")]
SinceQuery = Annotated[datetime | None, moment_query("since", "From this moment")]
UntilQuery = Annotated[datetime | None, moment_query("until", "Up to this moment")]
