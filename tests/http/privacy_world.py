"""A family case built through the API for the privacy tests, and who may see what of it.

Every personal field of the case holds a unique marker (`MK-<kind>-<serial>-KM`), so what a
response carries can be read off its body. The oracle below states the rules of domain.md
§3 directly, from what the test itself sent and the API accepted; it does not call
domain.privacy (the policy under test):

- those providing the care (the coordinators of the case's team, the coach in office)
  see everything, secret addresses included (Jeugdwet art. 7.3.11);
- supervisors (auditors, administrators) see everything but secret addresses;
- anyone else sees of a member what a consent in force shares with their organisation for
  the purpose they read for (X-Purpose, default: referral for partners, care coordination
  for the rest), if that consent is valid for the member's age today: an adult consents for
  themselves; under 12 a parent with parental authority (both, if the service needs both);
  12 to 16 such a parent and the young person; from 16 the young person alone;
- a refusal to their organisation (or to them by name) wins over consent;
- a disclosure without consent to their organisation opens exactly the categories of the
  members it names;
- family-level data (help question, conversation notes, safety) needs its category for
  every member; a member's goals, name, address and referrals need it for that member;
- a referral is also shown to the organisation it is addressed to (direct care);
- sharing decisions (their justification) only to those providing care and supervisors.

Whether a user may read the case at all is domain/authorization.py stated again: admins,
auditors, the team's coordinators and managers, the coach in office, and partners of an
organisation the case refers someone to; for everyone else the case does not exist (404).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import Any

from httpx import Response
from hypothesis import strategies as st
from pydantic import SecretStr

from application.settings import Settings
from domain.authorization import Role, User
from domain.vocabulary import ConsentPurpose, DataCategory, LegalGround
from tests.conftest import NOW, store_env
from tests.http.case_api import COACH, COORDINATOR, OTHER_COACH, Api, Body

C = DataCategory
TODAY = NOW.date()
OPENED_DAYS_AGO = 60
MARKER = re.compile(r"MK-[a-z_]+-\d{6}-KM")
ALL = frozenset(DataCategory)
JOINT_AGE, OWN_AGE = 12, 16
MEMBER_LEVEL = frozenset({C.IDENTITY, C.CONTACT_ADDRESS, C.REFERRALS, C.PLAN})
"""Data of one member; the rest concerns the whole family (domain.md §3)."""

CARE_ORGANISATION = "cjg-den-haag"
PARTNER_ORGANISATIONS = ("ggz-haaglanden", "school-de-linde", "veilig-thuis", "jeugdhulp-west")
ORGANISATIONS = (*PARTNER_ORGANISATIONS, CARE_ORGANISATION)
"""Whom consents, refusals, disclosures, referrals and agreements name."""

OTHER_TEAM_COORDINATOR = User(
    "coordinator-2", CARE_ORGANISATION, frozenset({Role.COORDINATOR}), "den-haag", "escamp"
)
MUNICIPAL_COORDINATOR = User(
    "coordinator-3", CARE_ORGANISATION, frozenset({Role.COORDINATOR}), "den-haag"
)
TEAM_MANAGER = User(
    "manager-1", CARE_ORGANISATION, frozenset({Role.TEAM_MANAGER}), "den-haag", "centrum"
)
AUDITOR = User("inspecteur-1", "inspectie-jeugd", frozenset({Role.AUDITOR}))
ADMIN = User("beheerder-1", "gemeente-den-haag", frozenset({Role.ADMIN}))
ANALYST = User("analist-1", "gemeente-den-haag", frozenset({Role.ANALYST}))
PRIVACY_OFFICER = User("fg-1", "gemeente-den-haag", frozenset({Role.PRIVACY_OFFICER}))


def partner(organisation: str) -> User:
    return User(f"behandelaar@{organisation}", organisation, frozenset({Role.PARTNER}))


STAFF = (
    COORDINATOR,
    OTHER_TEAM_COORDINATOR,
    MUNICIPAL_COORDINATOR,
    COACH,
    OTHER_COACH,
    TEAM_MANAGER,
    AUDITOR,
    ADMIN,
    ANALYST,
    PRIVACY_OFFICER,
)
RECIPIENTS = (*ORGANISATIONS, *(partner(o).subject for o in ORGANISATIONS), "ex-partner")
"""Whom a family may refuse sharing with: organisations, professionals, an ex-partner."""

_serial = itertools.count(1)


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment under which `gezinsregie` commands use the same store as the API."""
    return {
        **store_env(settings),
        "GEZINSREGIE_POSTGRES_POOL_SIZE": "2",
        "GEZINSREGIE_JWT_SECRET": settings.jwt_secret.get_secret_value(),
        "GEZINSREGIE_TOKEN": "",
    }


def in_process(store_settings: Settings) -> Settings:
    """API settings for these tests: the projections run in the API process on both stores
    (the views are read with ?position=); pools keep few connections (a shared server)."""
    return store_settings.model_copy(
        update={
            "jwt_secret": SecretStr("test-secret-" + "x" * 32),
            "projections_in_process": True,
            "postgres_pool_size": 2,
        }
    )


def new_marker(kind: str) -> str:
    return f"MK-{kind}-{next(_serial):06d}-KM"


def markers_in(response: Response) -> set[str]:
    return set(MARKER.findall(response.text))


# --- what a marker is, and who may see it -------------------------------------------------


class Rule(Enum):
    MEMBER = "with its category for its member"
    ADDRESS = "contact_address for its member; a secret one only in direct care"
    FAMILY = "with its category for every member of the family"
    REFERRAL = "its member's referrals, or to the organisation it is addressed to"
    TASK = "with the plan for every member, or to the organisation whose task it is"
    OVERSIGHT = "only to those providing care and supervisors"


@dataclass(frozen=True)
class Marker:
    text: str
    category: DataCategory
    rule: Rule
    members: tuple[str, ...]
    organisation: str = ""
    secret: bool = False
    displayed: bool = True
    """False for fields no view shows today: only "not to whom it may not go" is checked."""

    @property
    def kind(self) -> str:
        """What field it stands in: name, address, help, notes, goal, task, referral..."""
        return self.text.split("-")[1]


@dataclass(frozen=True)
class Person:
    member_id: str
    adult: bool
    born: date
    authority: bool = False
    secret: bool = False

    def age_on(self, day: date) -> int:
        return day.year - self.born.year - ((day.month, day.day) < (self.born.month, self.born.day))


@dataclass
class Consent:
    consent_id: str
    given_by: frozenset[str]
    about: tuple[str, ...]
    organisation: str
    categories: frozenset[DataCategory]
    purpose: ConsentPurpose
    both_parents: bool
    in_force: bool = True


@dataclass(frozen=True)
class Reader:
    """A user reading, with the X-Purpose header they send (None: no header)."""

    user: User
    purpose: ConsentPurpose | None = None

    def __str__(self) -> str:
        roles = "+".join(sorted(self.user.roles))
        return f"{self.user.subject}({roles}, {self.user.organisation}, purpose={self.purpose})"


@dataclass
class Sight:
    """What the oracle says a reader sees of the case."""

    reads: bool
    care: bool = False
    supervises: bool = False
    organisation: str = ""
    per_member: dict[str, set[DataCategory]] = field(default_factory=dict)
    family_opened: set[DataCategory] = field(default_factory=set)
    """Family-level categories a disclosure about a child opened."""

    def sees_family(self, category: DataCategory) -> bool:
        opened = category in self.family_opened
        return opened or all(category in c for c in self.per_member.values())

    def sees(self, marker: Marker) -> bool:
        if not self.reads:
            return False
        if self.care:
            return True
        if self.supervises:
            return not (marker.rule is Rule.ADDRESS and marker.secret)
        has = [marker.category in self.per_member[m] for m in marker.members]
        match marker.rule:
            case Rule.MEMBER:
                return all(has)
            case Rule.ADDRESS:
                return all(has) and not marker.secret
            case Rule.FAMILY:
                return self.sees_family(marker.category)
            case Rule.REFERRAL:
                return all(has) or marker.organisation == self.organisation
            case Rule.TASK:
                return self.sees_family(marker.category) or marker.organisation == self.organisation
            case Rule.OVERSIGHT:
                return False


def consent_holds_for(consent: Consent, member: Person, family: Iterable[Person], on: date) -> bool:
    """Who consents about whom (domain.md §3), on the day `on`."""
    if member.adult or member.age_on(on) >= OWN_AGE:
        return member.member_id in consent.given_by
    with_authority = {p.member_id for p in family if p.adult and p.authority}
    parents = with_authority & consent.given_by
    enough = parents == with_authority if consent.both_parents else bool(parents)
    if not with_authority or not enough:
        return False
    return member.age_on(on) < JOINT_AGE or member.member_id in consent.given_by


# --- the case as the test built it --------------------------------------------------------


@dataclass
class FamilyCase:
    api: Api
    case_id: str
    members: dict[str, Person]
    municipality: str = "den-haag"
    team: str = "centrum"
    coach: User | None = None
    referrals: dict[str, tuple[str, str]] = field(default_factory=dict)
    """referral id -> (member, organisation)"""
    consents: dict[str, Consent] = field(default_factory=dict)
    refusals: list[tuple[str, frozenset[DataCategory]]] = field(default_factory=list)
    disclosures: list[tuple[str, tuple[str, ...], frozenset[DataCategory]]] = field(
        default_factory=list
    )
    markers: list[Marker] = field(default_factory=list)
    plan_agreements: list[str] = field(default_factory=list)
    task_organisations: set[str] = field(default_factory=set)

    # -- the oracle

    def provides_care(self, user: User) -> bool:
        coordinates = user.has(Role.COORDINATOR) and user.covers(self.municipality, self.team)
        return coordinates or user == self.coach

    def may_read(self, user: User) -> bool:
        """Partners read a case when a referral or an agreement of the plan is theirs, or
        the family (a consent in force) or a professional (a disclosure) shared with it."""
        shared_with = {organisation for _, organisation in self.referrals.values()}
        shared_with |= self.task_organisations
        shared_with |= {c.organisation for c in self.consents.values() if c.in_force}
        shared_with |= {organisation for organisation, _, _ in self.disclosures}
        return (
            user.has(Role.ADMIN, Role.AUDITOR)
            or self.provides_care(user)
            or (user.has(Role.PARTNER) and user.organisation in shared_with)
            or (user.has(Role.TEAM_MANAGER) and user.covers(self.municipality, self.team))
        )

    def sight(self, reader: Reader, today: date) -> Sight:
        user = reader.user
        if not self.may_read(user):
            return Sight(reads=False)
        shown = Sight(True, organisation=user.organisation)
        shown.per_member = {m: set() for m in self.members}
        if self.provides_care(user):
            shown.care = True
            return shown
        if user.has(Role.AUDITOR, Role.ADMIN):
            shown.supervises = True
            return shown
        default = ConsentPurpose.REFERRAL if user.has(Role.PARTNER) else None
        purpose = reader.purpose or default or ConsentPurpose.CARE_COORDINATION
        family = list(self.members.values())
        for consent in self.consents.values():
            if not (
                consent.in_force
                and consent.organisation == user.organisation
                and consent.purpose is purpose
            ):
                continue
            for member_id in consent.about:
                if consent_holds_for(consent, self.members[member_id], family, today):
                    shown.per_member[member_id] |= consent.categories
        for recipient, categories in self.refusals:
            if recipient in (user.organisation, user.subject):
                for seen in shown.per_member.values():
                    seen -= categories
        for organisation, members, categories in self.disclosures:
            if organisation == user.organisation:
                for member_id in members:
                    shown.per_member[member_id] |= categories & MEMBER_LEVEL
                shown.family_opened |= categories - MEMBER_LEVEL
        return shown

    def expected(self, reader: Reader, today: date) -> tuple[set[str], set[str]]:
        """(the markers the reader may see, those of them a read must show)."""
        sight = self.sight(reader, today)
        allowed = {m.text for m in self.markers if sight.sees(m)}
        required = {m.text for m in self.markers if m.displayed and sight.sees(m)}
        return allowed, required

    def describe(self, texts: Iterable[str]) -> list[str]:
        by_text = {m.text: m for m in self.markers}
        return [
            f"{t} ({by_text[t].category.value} of {','.join(by_text[t].members)}: "
            f"{by_text[t].rule.value})"
            if t in by_text
            else f"{t} (of another case)"
            for t in sorted(texts)
        ]

    # -- the commands, each through the API

    def mark(self, kind: str, category: DataCategory, rule: Rule, *members: str, **kw: Any) -> str:
        marker = Marker(new_marker(kind), category, rule, members or tuple(self.members), **kw)
        self.markers.append(marker)
        return marker.text

    def family_marker(self, kind: str, category: DataCategory, **kw: Any) -> str:
        return self.mark(kind, category, Rule.FAMILY, **kw)

    def do(self, user: User, path: str, body: Body | None = None) -> int:
        return self.api.do(user, self.case_id, path, body)

    def try_(self, user: User, path: str, body: Body) -> Response:
        response = self.api.post(user, self.case_id, path, body)
        if response.status_code == 200:
            self.api._advance(response.json()["position"])
        return response

    def assign_coach(self, coach: User = COACH) -> None:
        self.do(COORDINATOR, "/coach", {"coach": coach.subject, "organisation": coach.organisation})
        self.coach = coach

    def converse(self) -> None:
        notes = self.family_marker("notes", C.CONVERSATION_NOTES)
        self.do(
            COORDINATOR,
            "/conversations",
            {"kind": "help", "minutes": "30", "writing_minutes": "5", "notes": notes},
        )

    def round_table(self, organisations: list[str]) -> None:
        decisions = self.family_marker("decisions", C.CONVERSATION_NOTES)
        body = {"members": list(self.members)[:2], "organisations": organisations}
        self.do(COORDINATOR, "/round-tables", {**body, "decisions": decisions})

    def adopt_plan(self, goal_members: list[str], agreement_organisations: list[str]) -> None:
        goals = [
            {
                "goal_id": f"g{i}",
                "member_id": member_id,
                "life_domain": "school",
                "description": self.mark("goal", C.PLAN, Rule.MEMBER, member_id),
            }
            for i, member_id in enumerate(goal_members)
        ]
        agreements = [
            {
                "agreement_id": f"a{i}",
                "organisation": organisation,
                "task": self.mark("task", C.PLAN, Rule.TASK, organisation=organisation),
                "due": (TODAY + timedelta(days=30)).isoformat(),
            }
            for i, organisation in enumerate(agreement_organisations)
        ]
        self.plan_agreements = [a["agreement_id"] for a in agreements]
        self.task_organisations = set(agreement_organisations)
        self.do(COORDINATOR, "/plan", {"goals": goals, "agreements": agreements})

    def evaluate_plan(self) -> None:
        """Conclusions and broken-agreement notes are shown by no view today."""
        conclusions = self.family_marker("conclusions", C.PLAN, displayed=False)
        body = {"members": [], "organisations": [], "conclusions": conclusions}
        self.do(COORDINATOR, "/plan/evaluations", body)
        if self.plan_agreements:
            notes = self.family_marker("broken", C.PLAN, displayed=False)
            body = {"agreement_id": self.plan_agreements[0], "notes": notes}
            self.do(COORDINATOR, "/plan/broken-agreements", body)

    def refer(self, member_id: str, organisation: str, fate: str) -> None:
        """A referral left requested, rejected with a reason, or ended with a reason."""
        referral_id = f"r{len(self.referrals) + 1}"
        body = {
            "referral_id": referral_id,
            "member_id": member_id,
            "destination": "specialised_ggz",
            "organisation": organisation,
        }
        self.do(COORDINATOR, "/referrals", body)
        self.referrals[referral_id] = (member_id, organisation)
        path = f"/referrals/{referral_id}"
        reason = {
            "reason": self.mark(
                "referral", C.REFERRALS, Rule.REFERRAL, member_id, organisation=organisation
            )
        }
        if fate == "rejected":
            self.do(COORDINATOR, f"{path}/reject", reason)
        elif fate == "ended":
            for step in ("accept", "start"):
                self.do(COORDINATOR, f"{path}/{step}")
            self.do(COORDINATOR, f"{path}/end", reason)
        else:
            self.markers.pop()

    def assess_safety(self) -> None:
        notes = self.family_marker("safety", C.SAFETY)
        body = {"method": "signs_of_safety", "verdict": "concerns", "notes": notes}
        self.do(COORDINATOR, "/safety-assessments", body)

    def escalate(self) -> None:
        reason = self.family_marker("escalation", C.SAFETY)
        self.do(COORDINATOR, "/escalations", {"target": "steering_group", "reason": reason})

    def grant(self, consent: Consent, on: date, by: User = COORDINATOR) -> Response:
        """Record a consent; the API must accept it exactly when it is valid on `on`."""
        body = {
            "consent_id": consent.consent_id,
            "given_by": sorted(consent.given_by),
            "about": list(consent.about),
            "organisation": consent.organisation,
            "categories": sorted(consent.categories),
            "purpose": consent.purpose.value,
            "form": "written",
            "both_parents_required": consent.both_parents,
            "occurred_at": f"{on.isoformat()}T{NOW.time().isoformat()}+00:00",
        }
        response = self.try_(by, "/consents", body)
        family = list(self.members.values())
        valid = all(consent_holds_for(consent, self.members[m], family, on) for m in consent.about)
        assert (response.status_code == 200) == valid, (body, response.text)
        if valid:
            self.consents[consent.consent_id] = consent
        return response

    def withdraw(self, consent_id: str, by: frozenset[str]) -> Response:
        consent = self.consents.get(consent_id)
        path = f"/consents/{consent_id}/withdraw"
        response = self.try_(COORDINATOR, path, {"withdrawn_by": sorted(by)})
        valid = (
            consent is not None
            and consent.in_force
            and bool(by)
            and by <= consent.given_by | set(consent.about)
        )
        assert (response.status_code == 200) == valid, (consent_id, sorted(by), response.text)
        if consent is not None and valid:
            consent.in_force = False
        return response

    def refuse(self, given_by: list[str], recipient: str, categories: frozenset[C]) -> None:
        body = {"given_by": given_by, "recipient": recipient, "categories": sorted(categories)}
        self.do(COORDINATOR, "/refusals", body)
        self.refusals.append((recipient, categories))

    def disclose(
        self,
        organisation: str,
        members: tuple[str, ...],
        categories: frozenset[C],
        ground: LegalGround,
    ) -> None:
        justification = self.mark("justification", C.SAFETY, Rule.OVERSIGHT, *members)
        body = {
            "organisation": organisation,
            "members": list(members),
            "categories": sorted(categories),
            "legal_ground": ground.value,
            "justification": justification,
        }
        response = self.try_(COORDINATOR, "/disclosures", body)
        family_level = bool(categories - MEMBER_LEVEL)
        about_a_child = any(not self.members[m].adult for m in members)
        secret = C.CONTACT_ADDRESS in categories and any(self.members[m].secret for m in members)
        opens_what_it_names = (about_a_child or not family_level) and not secret
        assert (response.status_code == 200) == opens_what_it_names, (body, response.text)
        if opens_what_it_names:
            self.disclosures.append((organisation, members, categories))
        else:
            assert response.json()["rule"] == "disclosure-opens-what-it-names"
            self.markers.remove(next(m for m in self.markers if m.text == justification))

    def decide_not_to_share(self, organisation: str, members: tuple[str, ...]) -> None:
        considerations = self.mark("considerations", C.SAFETY, Rule.OVERSIGHT, *members)
        body = {
            "organisation": organisation,
            "members": list(members),
            "categories": ["health"],
            "considerations": considerations,
        }
        self.do(COORDINATOR, "/non-disclosures", body)

    # -- reading

    def headers(self, reader: Reader) -> dict[str, str]:
        headers = dict(self.api.headers(reader.user))
        if reader.purpose is not None:
            headers["X-Purpose"] = reader.purpose.value
        return headers

    def get(self, path: str, reader: Reader, **headers: str) -> Response:
        response: Response = self.api.client.get(
            path,
            params={"position": self.api.position},
            headers={**self.headers(reader), **headers},
        )
        return response

    def read(self, reader: Reader, **headers: str) -> Response:
        """GET the case without ?position=: every write went through this process, whose
        memory holds the case as it wrote it, so on PostgreSQL the read is served from
        there (`get` with the position reads it from the store)."""
        response: Response = self.api.client.get(
            f"/v1/cases/{self.case_id}", headers={**self.headers(reader), **headers}
        )
        return response


def open_family_case(api: Api, family: list[Person]) -> FamilyCase:
    """Opened by the team's coordinator 60 days ago; names and addresses are markers."""
    case = FamilyCase(api, "", {p.member_id: p for p in family})
    members = [
        {
            "member_id": p.member_id,
            "role": "parent" if p.adult else "child",
            "name": case.mark("name", C.IDENTITY, Rule.MEMBER, p.member_id),
            "birth_date": p.born.isoformat(),
            "parental_authority": p.authority,
            "address": case.mark(
                "address", C.CONTACT_ADDRESS, Rule.ADDRESS, p.member_id, secret=p.secret
            ),
            "address_secret": p.secret,
        }
        for p in family
    ]
    help_question = case.family_marker("help", C.HELP_QUESTION)
    opened = (NOW - timedelta(days=OPENED_DAYS_AGO)).isoformat()
    case.case_id = api.open_case(members=members, help_question=help_question, occurred_at=opened)
    return case


# --- strategies ---------------------------------------------------------------------------


def anniversary(years: int, offset_days: int) -> date:
    return TODAY.replace(year=TODAY.year - years) + timedelta(days=offset_days)


@st.composite
def families(draw: st.DrawFn) -> list[Person]:
    """2-4 members: 1-2 adults (random gezag, random secret addresses) and children whose
    12th or 16th birthday often lies within the case's 60 days."""
    adults = draw(st.sampled_from([1, 2, 2]))
    children = draw(st.integers(1, 4 - adults))
    people = [
        Person(
            f"adult{i}",
            True,
            anniversary(draw(st.integers(24, 55)), draw(st.integers(-180, 180))),
            authority=draw(st.sampled_from([True, True, False])),
            secret=draw(st.booleans()),
        )
        for i in range(adults)
    ]
    for i in range(children):
        years = draw(st.sampled_from([3, 8, 11, 12, 12, 12, 15, 16, 16, 16, 17, 22]))
        people.append(
            Person(
                f"child{i}",
                False,
                anniversary(years, draw(st.integers(-OPENED_DAYS_AGO, 10))),
                secret=draw(st.booleans()),
            )
        )
    return people


def subsets(items: list[str], min_size: int = 1) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(items), min_size=min_size)


categories = st.frozensets(st.sampled_from(sorted(DataCategory)), min_size=1)
purposes = st.sampled_from([ConsentPurpose.REFERRAL, ConsentPurpose.REFERRAL, *ConsentPurpose])


@dataclass(frozen=True)
class ConsentSpec:
    given_by: frozenset[str]
    about: tuple[str, ...]
    organisation: str
    categories: frozenset[DataCategory]
    purpose: ConsentPurpose
    both_parents: bool
    days_ago: int


@st.composite
def consent_specs(
    draw: st.DrawFn, family: list[Person], organisations: st.SearchStrategy[str]
) -> ConsentSpec:
    """A third about one child, from some of the adults (and the child, or not): the rules
    of who consents for a minor, and of both parents; some of these lapse since, as the child
    turned 12 after the parents consented. The rest about anyone, from anyone."""
    ids = [p.member_id for p in family]
    adults = [p.member_id for p in family if p.adult]
    parents = frozenset(p.member_id for p in family if p.adult and p.authority)
    children = [p for p in family if not p.adult]
    days_ago = draw(st.integers(0, OPENED_DAYS_AGO))
    kind = draw(st.sampled_from(["minor", "turned twelve", "anyone"]))
    if kind == "minor":
        child = draw(st.sampled_from(children))
        about: tuple[str, ...] = (child.member_id,)
        given_by = draw(subsets(adults)) | draw(st.sampled_from([set(), set(about)]))
    elif kind == "turned twelve":
        twelfth = {
            c.member_id: (TODAY - c.born.replace(year=c.born.year + 12)).days for c in children
        }
        recent = sorted(m for m, since in twelfth.items() if 0 <= since < OPENED_DAYS_AGO)
        child_id = draw(st.sampled_from(recent or [children[0].member_id]))
        about, given_by = (child_id,), parents or frozenset(adults)
        if recent:
            days_ago = draw(st.integers(twelfth[child_id] + 1, OPENED_DAYS_AGO))
    else:
        about = draw(
            st.one_of(
                st.just(tuple(ids)),
                st.sampled_from(ids).map(lambda m: (m,)),
                subsets(ids).map(sorted).map(tuple),
            )
        )
        given_by = draw(
            st.one_of(
                st.just(frozenset(ids)),
                st.just(parents | {m for m in about if m in adults}),
                st.just(parents | set(about)),
                subsets(ids),
            )
        )
    return ConsentSpec(
        given_by=frozenset(given_by),
        about=about,
        organisation=draw(organisations),
        categories=draw(st.one_of(st.just(ALL), categories)),
        purpose=draw(purposes),
        both_parents=draw(st.booleans()),
        days_ago=days_ago,
    )


def readers(organisations: st.SearchStrategy[str]) -> st.SearchStrategy[Reader]:
    """Staff of every kind, and partners (mostly of the organisations in play)."""
    users = st.one_of(st.sampled_from(STAFF), organisations.map(partner))
    return st.builds(Reader, users, purpose_headers)


purpose_headers = st.one_of(st.none(), st.sampled_from(list(ConsentPurpose)))


# --- a whole case, told through the API ------------------------------------------------


@dataclass(frozen=True)
class Story:
    family: list[Person]
    coach: bool
    conversations: int
    round_table: bool
    plan: tuple[list[str], list[str]] | None
    evaluation: bool
    referrals: list[tuple[str, str, str]]
    safety: bool
    escalation: bool
    consents: list[ConsentSpec]
    withdrawals: list[tuple[int, frozenset[str]]]
    refusals: list[tuple[frozenset[str], str, frozenset[DataCategory]]]
    disclosures: list[tuple[str, frozenset[str], frozenset[DataCategory], LegalGround]]
    non_disclosure: str | None
    waitlist: bool
    readers: list[Reader]


@st.composite
def stories(draw: st.DrawFn, fates: tuple[str, ...] = ("requested", "rejected", "ended")) -> Story:
    """Mostly about the one or two organisations "in play": the case refers someone to
    each, consents, refusals and disclosures mostly name them, and a partner of each reads
    (with no X-Purpose header, or the purpose of one of the consents)."""
    family = draw(families())
    ids = [p.member_id for p in family]
    in_play = draw(st.lists(st.sampled_from(ORGANISATIONS), min_size=1, max_size=2, unique=True))
    mostly_in_play = st.sampled_from(in_play)
    organisation = st.one_of(mostly_in_play, mostly_in_play, st.sampled_from(ORGANISATIONS))
    consents = draw(st.lists(consent_specs(family, organisation), max_size=4))
    fate = st.sampled_from(fates)
    referrals = [(draw(st.sampled_from(ids)), o, draw(fate)) for o in in_play]
    extra = st.tuples(st.sampled_from(ids), st.sampled_from(ORGANISATIONS), fate)
    plan = draw(
        st.none()
        | st.tuples(
            st.lists(st.sampled_from(ids), max_size=3),
            st.lists(organisation, min_size=1, max_size=2),
        )
    )
    recipient = st.one_of(
        organisation, organisation.map(lambda o: partner(o).subject), st.sampled_from(RECIPIENTS)
    )
    consented_purposes = st.sampled_from([None, *(c.purpose for c in consents)])
    return Story(
        family=family,
        coach=draw(st.booleans()),
        conversations=draw(st.integers(0, 2)),
        round_table=draw(st.booleans()),
        plan=plan,
        evaluation=plan is not None and draw(st.booleans()),
        referrals=referrals + draw(st.lists(extra, max_size=1)),
        safety=draw(st.booleans()),
        escalation=draw(st.booleans()),
        consents=consents,
        withdrawals=draw(
            st.lists(
                st.tuples(st.integers(0, max(0, len(consents) - 1)), subsets(ids)),
                max_size=len(consents),
            )
        ),
        refusals=draw(st.lists(st.tuples(subsets(ids), recipient, categories), max_size=2)),
        disclosures=draw(
            st.lists(
                st.tuples(
                    organisation, subsets(ids), categories, st.sampled_from(list(LegalGround))
                ),
                max_size=2,
            )
        ),
        non_disclosure=draw(st.none() | organisation),
        waitlist=draw(st.booleans()),
        readers=[
            *(Reader(partner(o), draw(consented_purposes)) for o in in_play),
            *draw(st.lists(readers(organisation), min_size=2, max_size=4)),
        ],
    )


def tell(api: Api, story: Story) -> FamilyCase:
    """Build the story's case through the API."""
    case = open_family_case(api, story.family)
    ids = list(case.members)
    if story.coach:
        case.assign_coach(COACH)
    for _ in range(story.conversations):
        case.converse()
    if story.round_table:
        case.round_table(list(ORGANISATIONS[:2]))
    if story.plan is not None:
        case.adopt_plan(*story.plan)
        if story.evaluation:
            case.evaluate_plan()
    for member_id, organisation, fate in story.referrals:
        case.refer(member_id, organisation, fate)
    if story.safety:
        case.assess_safety()
    if story.escalation:
        case.escalate()
    for i, spec in enumerate(story.consents):
        consent = Consent(
            f"k{i}",
            spec.given_by,
            spec.about,
            spec.organisation,
            spec.categories,
            spec.purpose,
            spec.both_parents,
        )
        case.grant(consent, TODAY.fromordinal(TODAY.toordinal() - spec.days_ago))
    for index, by in story.withdrawals:
        case.withdraw(f"k{index}", by)
    for given_by, recipient, refused in story.refusals:
        case.refuse(sorted(given_by), recipient, refused)
    for organisation, members, disclosed, ground in story.disclosures:
        case.disclose(organisation, tuple(sorted(members)), disclosed, ground)
    if story.non_disclosure is not None:
        case.decide_not_to_share(story.non_disclosure, (ids[-1],))
    if story.waitlist and not story.coach:
        adults = tuple(p.member_id for p in story.family if p.adult)
        waitlist_consent = Consent(
            "kw",
            frozenset(adults),
            adults,
            "cjg-den-haag",
            frozenset({C.IDENTITY}),
            ConsentPurpose.WAITLIST,
            False,
        )
        case.grant(waitlist_consent, TODAY)
        case.do(COORDINATOR, "/waitlist", {"priority": 2})
    return case
