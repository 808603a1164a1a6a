"""Withdrawal takes effect at once, in every view (domain.md §3): the read that follows the
withdrawal (with the position it answered, no waiting) no longer shows what the consent
shared, the coordination views never showed any of it, and what other consents share stays.
On SQLite and PostgreSQL, with the projections in the API process.

The family: a mother and a father with gezag and their son of 14, waiting for a coach; the
son is referred to ggz-haaglanden. Every personal field holds a marker. The family shares
everything with ggz-haaglanden for the referral, and with cjg-den-haag (the team manager's
organisation) for care coordination, both consents given by all three; the mother also
shares her own name with ggz-haaglanden."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from fastapi.testclient import TestClient

from application.access_log import AccessLog, AccessQuery
from application.clock import FixedClock
from application.settings import Settings
from domain.vocabulary import ConsentPurpose, DataCategory
from interfaces.http.app import create_app
from tests.http.case_api import COORDINATOR, Api
from tests.http.conftest import Headers
from tests.http.privacy_world import (
    ALL,
    CARE_ORGANISATION,
    MARKER,
    TEAM_MANAGER,
    TODAY,
    Consent,
    FamilyCase,
    Person,
    Reader,
    anniversary,
    in_process,
    markers_in,
    open_family_case,
    partner,
)

C = DataCategory
GGZ = "ggz-haaglanden"
FAMILY = [
    Person("mother", True, anniversary(41, 20), authority=True),
    Person("father", True, anniversary(43, -50), authority=True, secret=True),
    Person("son", False, anniversary(14, 90)),
]
EVERYONE = ("mother", "father", "son")


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    return in_process(store_settings)


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Iterator[Api]:
    yield Api(client, auth)


@dataclass(frozen=True)
class Sharing:
    """Whom the withdrawn consent shared with, and for what."""

    reader: Reader
    consent_id: str


TO_THE_PARTNER = Sharing(Reader(partner(GGZ)), "k-referral")
TO_THE_MANAGER = Sharing(Reader(TEAM_MANAGER), "k-coordination")


def consent(
    consent_id: str,
    organisation: str,
    purpose: ConsentPurpose,
    given_by: tuple[str, ...] = EVERYONE,
    about: tuple[str, ...] = EVERYONE,
    categories: frozenset[DataCategory] = ALL,
) -> Consent:
    return Consent(consent_id, frozenset(given_by), about, organisation, categories, purpose, False)


def family_sharing_everything(api: Api) -> FamilyCase:
    case = open_family_case(api, FAMILY)
    case.converse()
    case.round_table([GGZ])
    case.adopt_plan(["son", "mother"], [GGZ])
    case.assess_safety()
    case.escalate()
    case.refer("son", GGZ, "requested")
    for given in (
        consent("k-referral", GGZ, ConsentPurpose.REFERRAL),
        consent("k-coordination", CARE_ORGANISATION, ConsentPurpose.CARE_COORDINATION),
        consent(
            "k-mother",
            GGZ,
            ConsentPurpose.REFERRAL,
            given_by=("mother",),
            about=("mother",),
            categories=frozenset({C.IDENTITY}),
        ),
        consent(
            "k-waitlist",
            CARE_ORGANISATION,
            ConsentPurpose.WAITLIST,
            given_by=("mother", "father"),
            about=("mother", "father"),
            categories=frozenset({C.IDENTITY}),
        ),
    ):
        assert case.grant(given, TODAY).status_code == 200
    case.do(COORDINATOR, "/waitlist", {"priority": 2})
    return case


def the_views_show_no_personal_data(case: FamilyCase, position: int, readers: list[Reader]) -> None:
    paths = ("/v1/overview", f"/v1/overview/{case.case_id}", "/v1/waitlist")
    for reader in readers:
        for path in paths:
            response = case.api.client.get(
                path, params={"position": position}, headers=case.headers(reader)
            )
            assert response.status_code in (200, 403), (path, response.text)
            assert not MARKER.findall(response.text), (path, str(reader))


def access_log_of(api: Api) -> AccessLog:
    log: AccessLog = api.client.app.state.access_log  # type: ignore[attr-defined]
    return log


@pytest.mark.parametrize("sharing", [TO_THE_PARTNER, TO_THE_MANAGER], ids=["partner", "manager"])
@pytest.mark.parametrize("withdrawn_by", ["father", "son"], ids=["by-a-parent", "by-the-son"])
def test_the_read_after_a_withdrawal_no_longer_shows_what_it_shared(
    api: Api, clock: FixedClock, sharing: Sharing, withdrawn_by: str
) -> None:
    case = family_sharing_everything(api)
    reader = sharing.reader
    before = markers_in(case.read(reader))
    assert before == case.expected(reader, TODAY)[0]
    family_level = {m.text for m in case.markers if m.category is C.HELP_QUESTION}
    assert family_level <= before  # the consent shared all there is, for every member

    position = case.withdraw(sharing.consent_id, frozenset({withdrawn_by})).json()["position"]
    assert position == case.api.position

    moment = clock.advance(seconds=1)
    response = case.get(f"/v1/cases/{case.case_id}", reader)  # ?position=<the withdrawal's>
    assert response.status_code == 200, response.text
    after = markers_in(response)
    allowed, required = case.expected(reader, TODAY)
    assert after == allowed == required, case.describe(after ^ allowed)
    gone = before - after
    assert family_level <= gone
    withdrawn = next(
        c for c in response.json()["consents"] if c["consent_id"] == sharing.consent_id
    )
    assert withdrawn["withdrawn_at"] is not None
    logged = access_log_of(api).find(AccessQuery(since=moment))
    if after:  # the mother's name; a partner's own referral and tasks need no consent
        (record,) = logged
        own_tasks = {C.REFERRALS.value, C.PLAN.value}
        assert set(record.categories) <= {C.IDENTITY.value, *own_tasks}, record
    else:
        assert logged == []
    the_views_show_no_personal_data(case, position, [reader, Reader(COORDINATOR)])


def test_the_partner_keeps_what_another_consent_shares(api: Api) -> None:
    case = family_sharing_everything(api)
    position = case.withdraw("k-referral", frozenset({"mother"})).json()["position"]
    after = markers_in(case.get(f"/v1/cases/{case.case_id}", TO_THE_PARTNER.reader))
    mothers_name = {m.text for m in case.markers if m.kind == "name" and m.members == ("mother",)}
    own_tasks = {
        m.text
        for m in case.markers
        if m.kind == "task" and m.organisation == TO_THE_PARTNER.reader.user.organisation
    }
    assert after == mothers_name | own_tasks
    assert case.api.position == position


def test_the_coordination_views_never_show_the_consented_data(api: Api) -> None:
    """Before and after the withdrawal, for everyone who reads them."""
    case = family_sharing_everything(api)
    readers = [Reader(COORDINATOR), Reader(TEAM_MANAGER), TO_THE_PARTNER.reader]
    the_views_show_no_personal_data(case, case.api.position, readers)
    waiting = case.api.client.get(
        "/v1/waitlist",
        params={"position": case.api.position},
        headers=case.headers(Reader(COORDINATOR)),
    ).json()["families"]
    assert [(f["case_id"], f["consent_in_force"]) for f in waiting] == [(case.case_id, True)]
    position = case.withdraw("k-waitlist", frozenset({"mother"})).json()["position"]
    the_views_show_no_personal_data(case, position, readers)
    waiting = case.api.client.get(
        "/v1/waitlist", params={"position": position}, headers=case.headers(Reader(COORDINATOR))
    ).json()["families"]
    assert [(f["case_id"], f["consent_in_force"]) for f in waiting] == [(case.case_id, False)]


def test_a_withdrawal_made_through_another_api_process_holds_at_the_next_read(
    api: Api, api_settings: Settings, clock: FixedClock, auth: Headers
) -> None:
    """This process holds the case in memory (on PostgreSQL it shows it from there) while
    another process withdraws the consent: the next read, without ?position=, shows the
    data gone, and its one record names only what it carried."""
    case = family_sharing_everything(api)
    reader = TO_THE_PARTNER.reader
    before = markers_in(case.read(reader))
    assert before == case.expected(reader, TODAY)[0]
    elsewhere = api_settings.model_copy(update={"projections_in_process": False})
    with TestClient(create_app(elsewhere, clock), raise_server_exceptions=False) as other:
        through_other = replace(case, api=Api(other, auth, case.api.position))
        assert through_other.withdraw("k-referral", frozenset({"father"})).status_code == 200
    moment = clock.advance(seconds=1)
    response = case.read(reader)
    assert response.status_code == 200, response.text
    after = markers_in(response)
    allowed, required = case.expected(reader, TODAY)
    assert after == allowed == required, case.describe(after ^ allowed)
    assert before - after  # the withdrawal took something away
    (record,) = access_log_of(api).find(AccessQuery(since=moment))
    by_text = {m.text: m for m in case.markers}
    assert {by_text[t].category.value for t in after} <= set(record.categories)
    own_tasks = {C.REFERRALS.value, C.PLAN.value}  # its own referral and plan agreement
    assert set(record.categories) <= {C.IDENTITY.value, *own_tasks}
