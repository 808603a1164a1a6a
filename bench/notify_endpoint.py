"""The subscriber of bench/notify.py: a real HTTP endpoint on 127.0.0.1 that can go away
(its socket closed: connections are refused) and come back on the same port, verifying
every signature and keeping every arrival with its time."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Arrival:
    webhook_id: str
    sequence: int
    type: str
    subject: str | None
    at: float
    signed: bool


class Endpoint:
    def __init__(self, port: int) -> None:
        self.port, self.secret = port, ""
        self.arrivals: list[Arrival] = []
        self.changed = threading.Condition()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        assert self.server is not None and self.thread is not None
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def arrived(self, arrival: Arrival) -> None:
        with self.changed:
            self.arrivals.append(arrival)
            self.changed.notify_all()

    def wait_until(self, distinct: int, timeout: float) -> bool:
        """Wait until this many different notifications have arrived."""
        with self.changed:
            return self.changed.wait_for(
                lambda: len({a.webhook_id for a in self.arrivals}) >= distinct, timeout
            )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(endpoint.secret).verify(body, headers)
                    signed = True
                except WebhookVerificationError:
                    signed = False
                event: dict[str, Any] = json.loads(body)
                endpoint.arrived(
                    Arrival(
                        headers["webhook-id"],
                        int(event["sequence"]),
                        event["type"],
                        event.get("subject"),
                        time.time(),
                        signed,
                    )
                )
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler
