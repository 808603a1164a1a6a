"""The pages' session: a signed cookie (HttpOnly, SameSite=Lax, Secure over https) that
holds who signed in and the token every form must echo (CSRF).

Signed, not encrypted: it holds the user's roles and organisation (what a bearer token
holds too), never a family's data. A cookie whose signature or age does not hold is
ignored, as if there were none."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import Request, Response

from domain.authorization import Role, User

COOKIE = "gezinsregie_sessie"
MAX_AGE_SECONDS = 8 * 60 * 60
"""A working day: then sign in again."""


@dataclass(frozen=True)
class Session:
    """One browser's session: the CSRF token, and once signed in the user; during an
    OpenID Connect sign-in the state and nonce it must come back with."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    user: User | None = None
    oidc_state: str | None = None
    oidc_nonce: str | None = None

    def signed_in(self, user: User) -> Session:
        """A new session for `user`: a fresh CSRF token, no sign-in left pending."""
        return Session(user=user)

    def pending(self, state: str, nonce: str) -> Session:
        return replace(self, oidc_state=state, oidc_nonce=nonce)

    def csrf_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(self.csrf, given)


class Sessions:
    """Reads and writes the session cookie, signed with HMAC-SHA256."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def read(self, request: Request) -> Session | None:
        value = request.cookies.get(COOKIE)
        if not value or "." not in value:
            return None
        payload, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload.encode()))
            if float(data["expires"]) < time.time():
                return None
            return _session(data)
        except (ValueError, KeyError, TypeError):
            return None

    def write(self, request: Request, response: Response, session: Session) -> None:
        data = {**_data(session), "expires": time.time() + MAX_AGE_SECONDS}
        payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
        response.set_cookie(
            COOKIE,
            f"{payload}.{self._sign(payload)}",
            max_age=MAX_AGE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()


def _data(session: Session) -> dict[str, Any]:
    user = session.user
    return {
        "csrf": session.csrf,
        "oidc_state": session.oidc_state,
        "oidc_nonce": session.oidc_nonce,
        "user": None
        if user is None
        else {
            "subject": user.subject,
            "organisation": user.organisation,
            "roles": sorted(user.roles),
            "municipality": user.municipality,
            "team": user.team,
            "member_of": list(user.member_of) if user.member_of else None,
        },
    }


def _session(data: dict[str, Any]) -> Session:
    stored = data.get("user")
    user = None
    if stored is not None:
        member_of = stored.get("member_of")
        user = User(
            subject=str(stored["subject"]),
            organisation=str(stored["organisation"]),
            roles=frozenset(Role(r) for r in stored["roles"]),
            municipality=stored.get("municipality"),
            team=stored.get("team"),
            member_of=(str(member_of[0]), str(member_of[1])) if member_of else None,
        )
    return Session(
        csrf=str(data["csrf"]),
        user=user,
        oidc_state=data.get("oidc_state"),
        oidc_nonce=data.get("oidc_nonce"),
    )
