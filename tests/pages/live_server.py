"""The app served for real (uvicorn, in a thread, on a free port of 127.0.0.1), so a
browser can drive it; and a family case set up through the JSON API, as a coordinator
would, for the pages to show."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from domain.authorization import User
from interfaces.tokens import TokenService
from tests.http.case_api import PARTNER, REFERRAL_BODY, WAITLIST_CONSENT_BODY
from tests.http.conftest import COORDINATOR_USER, melding_json

STARTUP_SECONDS = 30
PARTNER_ORGANISATION = "ggz-haaglanden"
"""The demo partner `partner-ggz` (behandelaar-1) works here."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app on a real port until the block ends; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:  # wait for the condition: the server listens
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)


@dataclass(frozen=True)
class Family:
    case_id: str
    help_question: str


class Api:
    """The JSON API as the coordinator of den-haag/centrum calls it."""

    def __init__(self, base_url: str, tokens: TokenService, user: User = COORDINATOR_USER):
        token = tokens.issue(user)
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(path, json=body)
        assert answer.status_code < 300, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def waiting_family(self, help_question: str) -> Family:
        """A family placed on the waitlist (with their consent) and referred, the child, to
        the demo partner; the partner may see names and the help question (consent)."""
        case_id = str(self.post("/v1/cases", melding_json(help_question=help_question))["case_id"])
        self.post(f"/v1/cases/{case_id}/consents", WAITLIST_CONSENT_BODY)
        self.post(f"/v1/cases/{case_id}/waitlist", {"priority": 2})
        self.post(f"/v1/cases/{case_id}/referrals", REFERRAL_BODY)
        self.post(
            f"/v1/cases/{case_id}/consents",
            {
                "consent_id": "consent-ggz",
                "given_by": ["mother", "father"],
                "about": ["mother", "father", "child"],
                "organisation": PARTNER.organisation,
                "categories": ["identity", "help_question"],
                "purpose": "referral",
                "form": "written",
            },
        )
        return Family(case_id, help_question)
