"""The people one can sign in as on the embedded default: a coordinator, coaches, a team
manager, an auditor and partners of the demo data (application/demo.py), so the pages can
be tried without an identity provider. A family member signs in with a case and member."""

from __future__ import annotations

from dataclasses import dataclass

from domain.authorization import Role, User

CARE = "cjg-den-haag"


@dataclass(frozen=True)
class DemoUser:
    key: str
    label: str
    user: User


def _user(
    subject: str, org: str, role: Role, municipality: str | None = None, team: str | None = None
) -> User:
    return User(subject, org, frozenset({role}), municipality, team)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "coordinator-den-haag",
        "Coördinator, Den Haag (alle teams)",
        _user("coordinator-1", CARE, Role.COORDINATOR, "den-haag"),
    ),
    DemoUser(
        "coordinator-centrum",
        "Coördinator, Den Haag team centrum",
        _user("coordinator-2", CARE, Role.COORDINATOR, "den-haag", "centrum"),
    ),
    DemoUser("coach-anna", "Gezinscoach Anna (Den Haag)", _user("coach-anna", CARE, Role.COACH)),
    DemoUser("coach-bram", "Gezinscoach Bram (Den Haag)", _user("coach-bram", CARE, Role.COACH)),
    DemoUser(
        "manager-den-haag",
        "Teammanager, Den Haag",
        _user("manager-1", CARE, Role.TEAM_MANAGER, "den-haag"),
    ),
    DemoUser(
        "partner-ggz",
        "Behandelaar, GGZ Haaglanden",
        _user("behandelaar-1", "ggz-haaglanden", Role.PARTNER),
    ),
    DemoUser(
        "partner-jeugdformaat",
        "Behandelaar, Jeugdformaat",
        _user("behandelaar-2", "jeugdformaat", Role.PARTNER),
    ),
    DemoUser("auditor", "Inspecteur", _user("inspecteur-1", "inspectie-jeugd", Role.AUDITOR)),
)
BY_KEY = {d.key: d for d in DEMO_USERS}


def family_member(case_id: str, member_id: str) -> User:
    """A member of a demo family, signed in to their own file."""
    return User(
        f"gezin:{case_id}:{member_id}",
        "gezin",
        frozenset({Role.FAMILY}),
        member_of=(case_id, member_id),
    )
