"""The access log in the shape of the Logboek Dataverwerkingen (Logius): one line per data
subject per read, as a child span of the read, with W3C trace context, the processing
activity of the read's purpose, and NEN 7513's user, role and purpose of use. Exported as
NDJSON for a municipality's own logbook."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from application.access_log import AccessRecord

RESOURCE = {"name": "gezinsregie", "version": "1.0.0"}
ACTIVITY_PREFIX = "urn:gezinsregie:processing-activity:"
"""A processing activity per purpose (AVG art. 30 register): care_coordination, referral,
waitlist, audit, ..."""
SUBJECT_TYPE = "urn:gezinsregie:case-member"
"""A data subject is named by case and member id: pseudonymous, no name, no BSN."""
STATUS_OK = "STATUS_CODE_OK"
"""Every stored record is a read that happened: a read whose record failed was refused."""


def logboek_lines(records: list[AccessRecord]) -> Iterator[dict[str, Any]]:
    """For each read, a line per member whose data it showed."""
    for record in records:
        for member in record.members:
            yield logboek_line(record, member)


def logboek_line(record: AccessRecord, member: str) -> dict[str, Any]:
    moment = record.at.isoformat()
    return {
        "trace_id": record.trace_id,
        "span_id": child_span(record, member),
        "parent_span_id": record.span_id,
        "name": f"read case data ({record.purpose})",
        "start_time": moment,
        "end_time": moment,
        "status_code": STATUS_OK,
        "resource": RESOURCE,
        "attributes": {
            "dpl.core.processing_activity_id": ACTIVITY_PREFIX + record.purpose,
            "dpl.core.data_subject_id": f"{record.case_id}:{member}",
            "dpl.core.data_subject_id_type": SUBJECT_TYPE,
            "nen7513.user_id": record.subject,
            "nen7513.organisation": record.organisation,
            "nen7513.role": record.role,
            "nen7513.purpose_of_use": record.purpose,
            "gezinsregie.case_id": record.case_id,
            "gezinsregie.categories": list(record.categories),
            "gezinsregie.legal_ground": record.legal_ground,
            "gezinsregie.caller_span_id": record.parent_span_id,
        },
    }


def child_span(record: AccessRecord, member: str) -> str:
    """A stable span id per data subject beneath the read's own span."""
    seed = f"{record.trace_id}/{record.span_id}/{record.at.isoformat()}/{member}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]
