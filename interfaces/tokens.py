"""Bearer tokens (JWT): verified on every request, issued locally for the embedded default.

HS256 with a local secret by default (kept in the data dir when not configured, so a
restart keeps tokens valid); RS256 with a configured public key or an organisation's JWKS."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from application.settings import ENV_PREFIX, Settings, SettingsError
from domain.authorization import Role, User

SECRET_FILE = "jwt-secret"
LEEWAY_SECONDS = 30
VERIFIED_CACHE_SIZE = 4096


class InvalidTokenError(Exception):
    """The token is missing, malformed, expired, or not ours."""


def local_secret(settings: Settings) -> str:
    """The configured secret, or on the embedded default one kept in the data dir."""
    configured = settings.jwt_secret.get_secret_value()
    if configured:
        return configured
    if settings.store != "sqlite":
        raise SettingsError(f"{ENV_PREFIX}JWT_SECRET is required outside the embedded default")
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.algorithm = settings.jwt_algorithm
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        self._verified: dict[str, tuple[User, float]] = {}
        self._key: Any = (
            local_secret(settings) if self.algorithm == "HS256" else settings.jwt_public_key
        )

    def issue(self, user: User, minutes: int | None = None) -> str:
        """A signed token for `user` (HS256 only: with RS256 the identity provider issues)."""
        if self.algorithm != "HS256":
            raise SettingsError("tokens are issued locally only with HS256")
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": user.subject,
            "org": user.organisation,
            "roles": sorted(user.roles),
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "iat": now,
            "exp": now + timedelta(minutes=minutes or self.settings.token_minutes),
        }
        claims.update(
            {k: v for k, v in (("municipality", user.municipality), ("team", user.team)) if v}
        )
        if user.member_of is not None:
            claims["case_id"], claims["member_id"] = user.member_of
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str) -> User:
        """The user a valid token stands for. Verified tokens are remembered until they
        expire, so a client's repeated requests are not verified again each time."""
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        user, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (user, expires)
        return user

    def _verify(self, token: str) -> tuple[User, float]:
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._key
            claims = jwt.decode(
                token,
                key,
                algorithms=[self.algorithm],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["sub", "exp", "iat"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from None
        return user_from_claims(claims), float(claims["exp"])


def user_from_claims(claims: dict[str, Any]) -> User:
    roles = claims.get("roles")
    organisation = claims.get("org")
    if not isinstance(roles, list) or not isinstance(organisation, str) or not organisation:
        raise InvalidTokenError("the token must carry 'org' and a list of 'roles'")
    try:
        known = frozenset(Role(r) for r in roles)
    except ValueError:
        raise InvalidTokenError(f"unknown role in {roles}") from None
    return User(
        subject=str(claims["sub"]),
        organisation=organisation,
        roles=known,
        municipality=claims.get("municipality"),
        team=claims.get("team"),
        member_of=member_of(claims),
    )


def member_of(claims: dict[str, Any]) -> tuple[str, str] | None:
    """A family member's token names their case and member (claims `case_id`, `member_id`)."""
    case_id, member_id = claims.get("case_id"), claims.get("member_id")
    if isinstance(case_id, str) and isinstance(member_id, str):
        return case_id, member_id
    return None
