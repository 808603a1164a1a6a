"""`Idempotency-Key` on every POST: the same key with the same request answers the first
answer again (marked `Idempotent-Replayed: true`); with another request, 422; while the
first is still running, 409 with Retry-After. Keys are per user (the token's subject and
organisation) and kept for a day (`application.idempotency`). Answers of 500 and up are not
kept: the command did not happen, so a retry runs it."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any

from anyio import to_thread
from jwt import InvalidTokenError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.idempotency import Answer, Claim, IdempotencyKeys
from interfaces.http.problems import PROBLEM_JSON, STORE_UNREACHABLE

HEADER = b"idempotency-key"
VALID_KEY = re.compile(rb"^[\x21-\x7e]{1,255}$")
KEY_RULE = "1 to 255 visible ASCII characters, e.g. a UUID"
KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key when you retry: the first answer comes again (marked "
    "`Idempotent-Replayed: true`), nothing is done twice. The same key with another request "
    f"is a 422. Keys are yours alone and kept for a day; {KEY_RULE}.",
    "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
}
"""The header, as OpenAPI documents it on every POST."""
IN_PROGRESS_RETRY_AFTER = "1"
log = logging.getLogger("gezinsregie.http")


class IdempotentPosts:
    """ASGI middleware; it reads the keys from `app.state.idempotency`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = dict(scope.get("headers", [])).get(HEADER)
        if scope["type"] != "http" or scope["method"] != "POST" or key is None:
            await self.app(scope, receive, send)
            return
        if not VALID_KEY.match(key):
            await _problem(send, 422, "Invalid input", f"Idempotency-Key: {KEY_RULE}")
            return
        owner = _owner(scope)
        if owner is None:  # no valid token: the route answers 401, nothing to remember
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        fingerprint = hashlib.sha256(
            b"\n".join([scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        keys: IdempotencyKeys = scope["app"].state.idempotency
        now = scope["app"].state.cases.clock.now()
        text = key.decode()
        try:
            claimed = await to_thread.run_sync(keys.claim, owner, text, fingerprint, now)
        except STORE_UNREACHABLE as error:
            log.warning("idempotency keys unavailable: %s", error)
            await _problem(
                send, 503, "Store unavailable", "try again shortly", {"retry-after": "2"}
            )
            return
        if claimed.claim is Claim.OTHER_REQUEST:
            detail = "this Idempotency-Key was used for another request: use a new key"
            await _problem(send, 422, "Invalid input", detail)
        elif claimed.claim is Claim.IN_PROGRESS:
            detail = "the first request with this Idempotency-Key is still running"
            await _problem(
                send,
                409,
                "In progress",
                detail,
                {"retry-after": IN_PROGRESS_RETRY_AFTER},
                rule="idempotency-key-once-at-a-time",
            )
        elif claimed.claim is Claim.REPLAY and claimed.answer is not None:
            await _send_answer(send, claimed.answer)
        else:
            await self._run_once(scope, body, send, keys, owner, text)

    async def _run_once(
        self, scope: Scope, body: bytes, send: Send, keys: IdempotencyKeys, owner: str, key: str
    ) -> None:
        status, chunks = 0, bytearray()
        headers: dict[bytes, bytes] = {}

        async def keeping(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = {k.lower(): v for k, v in message.get("headers", [])}
            elif message["type"] == "http.response.body":
                chunks.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replayed(body), keeping)
        except BaseException:
            await to_thread.run_sync(_release_quietly, keys, owner, key)
            raise
        if status >= 500 or status == 0:
            await to_thread.run_sync(_release_quietly, keys, owner, key)
            return
        location = headers.get(b"location")
        answer = Answer(
            status,
            headers.get(b"content-type", b"application/json").decode(),
            bytes(chunks),
            location.decode() if location else None,
        )
        await to_thread.run_sync(keys.complete, owner, key, answer)


def _owner(scope: Scope) -> str | None:
    authorization = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        user = scope["app"].state.tokens.verify(token.strip())
    except (InvalidTokenError, ValueError):
        return None
    return f"{user.organisation}/{user.subject}"


def _release_quietly(keys: IdempotencyKeys, owner: str, key: str) -> None:
    try:
        keys.release(owner, key)
    except STORE_UNREACHABLE:  # the claim is taken over once it is old (ABANDONED_AFTER)
        log.warning("could not release idempotency key %r of %s", key, owner)


async def _whole_body(receive: Receive) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if message["type"] != "http.request" or not message.get("more_body", False):
            return bytes(body)


def _replayed(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _send_answer(send: Send, answer: Answer) -> None:
    headers = [
        (b"content-type", answer.content_type.encode()),
        (b"content-length", str(len(answer.body)).encode()),
        (b"idempotent-replayed", b"true"),
    ]
    if answer.location:
        headers.append((b"location", answer.location.encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _problem(
    send: Send,
    status: int,
    title: str,
    detail: str,
    extra_headers: dict[str, str] | None = None,
    **extra: Any,
) -> None:
    problem: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    if status == 422:
        problem["errors"] = [{"field": "header.idempotency-key", "message": detail}]
    body = json.dumps(problem).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        *((k.encode(), v.encode()) for k, v in (extra_headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
