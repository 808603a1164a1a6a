"""The actor recorded with every event: the authenticated user behind the request."""

from __future__ import annotations

from domain.authorization import User
from domain.provenance import Actor


def actor_of(user: User) -> Actor:
    return Actor(
        subject=user.subject,
        organisation=user.organisation,
        role="+".join(sorted(user.roles)),
    )
