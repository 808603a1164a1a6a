"""One rule for a moment that a person or a client gives as a bound (`as_of`, `since`,
`--as-of`, `--closed-from`), on the command line and in HTTP queries alike: a date means
midnight at its start in the report time zone (GEZINSREGIE_REPORT_TIMEZONE); a moment
with a time carries its offset, because a time without one means something else to the
server than to the person who typed it."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LARGEST_OFFSET = timedelta(hours=14)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MOMENT_WITH_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
MOMENT_RULE = (
    "a date (2026-12-01: midnight at its start in the report time zone) or an ISO 8601 "
    "moment with its offset within ±14:00 (2026-12-01T09:30:00+01:00), years "
    f"{EARLIEST_YEAR}-{LATEST_YEAR}"
)


class MomentError(ValueError):
    """The text is not a moment under MOMENT_RULE; the message says what to write."""


def check_real_moment(moment: datetime) -> datetime:
    """Offsets on earth lie within ±14:00 (and PostgreSQL cannot store much more); years
    outside 1900-2999 are typing errors."""
    offset = moment.utcoffset()
    if offset is None or abs(offset) > LARGEST_OFFSET:
        raise MomentError("a time-zone offset lies within ±14:00")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise MomentError(f"a moment lies in the years {EARLIEST_YEAR}-{LATEST_YEAR}")
    return moment


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """`text` as a moment: a date at local midnight in `zone`, or a moment with offset."""
    text = text.strip()
    if DAY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise MomentError(f"{text!r} is not a date of the calendar") from None
        return check_real_moment(datetime.combine(day, time(0), tzinfo=zone))
    if not MOMENT_WITH_TIME.match(text):
        raise MomentError(f"{text!r}: write {MOMENT_RULE}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MomentError(f"{text!r}: write {MOMENT_RULE}") from None
    if moment.tzinfo is None:
        raise MomentError(f"{text!r} has a time but no offset: add one (+01:00) or give a date")
    return check_real_moment(moment)
