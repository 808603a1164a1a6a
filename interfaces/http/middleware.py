"""ASGI middleware: a limit on body size, and one JSON log line per request."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gezinsregie.requests")


class BodySizeLimit:
    """Refuse bodies over `max_bytes` with 413 before the app parses them: a declared
    Content-Length at once, a streamed body once it has grown past the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": bytes(body), "more_body": False}
        await self.app(scope, _replay([whole], then=receive), send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Body too large",
                "status": 413,
                "detail": f"request bodies are limited to {self.max_bytes} bytes",
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/problem+json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A `receive` that first hands out the buffered messages, then the real ones."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


INTERNAL_ERROR = json.dumps(
    {
        "type": "about:blank",
        "title": "Internal error",
        "status": 500,
        "detail": "Something went wrong on our side; it is logged with this request's id.",
    }
).encode()


class RequestLog:
    """One JSON line per request, with a request id and the W3C traceparent if given.
    Every answer carries the id in `X-Request-ID`, a 500 for a bug included: the bug is
    logged here with the id and answered here, inside this log, rather than by Starlette's
    last-resort handler outside it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        entry: dict[str, Any] = {
            "request_id": request_id,
            "traceparent": headers.get(b"traceparent", b"").decode("latin-1")[:55] or None,
            "method": scope["method"],
            "path": scope["path"],
        }
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unhandled error in %s %s (request %s)", entry["method"], entry["path"], request_id
            )
            if "status" in entry:
                raise  # the answer has begun: the server closes the connection
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/problem+json")],
                }
            )
            await send_with_id({"type": "http.response.body", "body": INTERNAL_ERROR})
        finally:
            entry["ms"] = round((time.perf_counter() - started) * 1000, 2)
            log.info(json.dumps(entry))
