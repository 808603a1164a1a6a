"""The pages without a browser: sign-in required, CSRF on every form, the session cookie's
flags, the access log written for a page read as for an API read, and the family's view
limited to their own file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from application.access_log import AccessQuery
from application.settings import Settings, load_settings
from interfaces.http.app import create_app
from interfaces.pages.session import COOKIE
from interfaces.tokens import TokenService
from tests.http.case_api import PARTNER, REFERRAL_BODY, WAITLIST_CONSENT_BODY
from tests.http.conftest import COORDINATOR_USER, melding_json

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
HELP_QUESTION = "Marker-hulpvraag-pagina"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(store="sqlite", data_dir=tmp_path / "var", jwt_secret=SecretStr("s" * 40))


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="https://testserver") as test:
        yield test


@pytest.fixture
def case_id(client: TestClient, settings: Settings) -> str:
    """A family on the waitlist, the child referred to ggz-haaglanden, which may see names
    and the help question."""
    token = TokenService(settings).issue(COORDINATOR_USER)
    headers = {"Authorization": f"Bearer {token}"}

    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code < 300, answer.text
        return dict(answer.json())

    case = str(post("/v1/cases", melding_json(help_question=HELP_QUESTION))["case_id"])
    post(f"/v1/cases/{case}/consents", WAITLIST_CONSENT_BODY)
    post(f"/v1/cases/{case}/waitlist", {"priority": 2})
    post(f"/v1/cases/{case}/referrals", REFERRAL_BODY)
    post(
        f"/v1/cases/{case}/consents",
        {**WAITLIST_CONSENT_BODY, "consent_id": "c-ggz", "organisation": PARTNER.organisation,
         "purpose": "referral"},
    )  # fmt: skip
    return case


def sign_in(client: TestClient, **form: str) -> str:
    """Sign in on the demo page; the CSRF token of the new session."""
    token = CSRF.findall(client.get("/aanmelden").text)[0]
    answer = client.post("/aanmelden/demo", data={"csrf": token, **form}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return CSRF.findall(client.get(answer.headers["location"]).text)[0]


def test_a_page_without_a_session_sends_the_browser_to_sign_in(client: TestClient) -> None:
    for path in ("/wachtlijst", "/overzicht", "/caseload", "/mijn-dossier", "/dossier-zoeken"):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/aanmelden")


def test_the_session_cookie_is_http_only_same_site_and_secure_over_https(
    client: TestClient,
) -> None:
    cookie = client.get("/aanmelden").headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie


def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, case_id: str
) -> None:
    sign_in(client, wie="coordinator-centrum")
    forged = client.post(f"/dossiers/{case_id}/coach", data={"coach": "x", "organisation": "y"})
    wrong = client.post(
        f"/dossiers/{case_id}/coach", data={"csrf": "guess", "coach": "x", "organisation": "y"}
    )
    assert (forged.status_code, wrong.status_code) == (403, 403)
    assert "Nog geen" in client.get(f"/dossiers/{case_id}").text


def test_signing_in_needs_the_sign_in_pages_token_too(client: TestClient) -> None:
    client.get("/aanmelden")
    answer = client.post("/aanmelden/demo", data={"wie": "auditor"}, follow_redirects=False)
    assert answer.status_code == 403


def test_a_case_page_is_logged_like_an_api_read(client: TestClient, case_id: str) -> None:
    sign_in(client, wie="partner-ggz")
    page = client.get(f"/dossiers/{case_id}")
    assert page.status_code == 200 and HELP_QUESTION in page.text
    log = client.app.state.access_log  # type: ignore[attr-defined]
    reads = log.find(AccessQuery(case_id=case_id, subject="behandelaar-1"))
    assert [(r.organisation, r.purpose) for r in reads] == [("ggz-haaglanden", "referral")]
    assert "help_question" in reads[0].categories


def test_the_family_sees_their_plan_consents_and_readers_but_not_the_help_question(
    client: TestClient, case_id: str
) -> None:
    csrf = sign_in(client, wie="partner-ggz")
    client.get(f"/dossiers/{case_id}")
    client.post("/afmelden", data={"csrf": csrf})
    sign_in(client, wie="gezin", dossier=case_id, lid="father")

    own = client.get("/mijn-dossier").text
    assert "behandelaar-1" in own  # who looked at the file
    assert "c-ggz" in own and HELP_QUESTION not in own
    assert client.get(f"/dossiers/{case_id}").status_code == 200
    other = client.get("/wachtlijst")
    assert other.status_code == 403


def test_a_family_member_cannot_open_another_familys_file(client: TestClient, case_id: str) -> None:
    sign_in(client, wie="gezin", dossier=case_id, lid="mother")
    answer = client.get("/dossiers/00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404


def test_a_family_member_withdraws_their_consent_and_it_ends(
    client: TestClient, case_id: str
) -> None:
    csrf = sign_in(client, wie="gezin", dossier=case_id, lid="mother")
    answer = client.post(
        "/mijn-dossier/toestemmingen/c-ggz/intrekken", data={"csrf": csrf}, follow_redirects=True
    )
    assert "Uw toestemming is ingetrokken." in answer.text
    assert "Ingetrokken op" in answer.text


def test_an_action_refused_by_a_rule_of_the_case_says_the_rule_in_dutch(
    client: TestClient, case_id: str
) -> None:
    csrf = sign_in(client, wie="coordinator-centrum")
    coach = {"csrf": csrf, "coach": "coach-anna", "organisation": "cjg-den-haag"}
    assert client.post(f"/dossiers/{case_id}/coach", data=coach).status_code == 200
    again = client.post(f"/dossiers/{case_id}/coach", data={**coach, "coach": "coach-bram"})
    assert again.status_code == 409
    assert "Er is al een gezinscoach (één regisseur tegelijk)" in again.text


def test_a_form_the_api_model_refuses_is_shown_again_with_what_is_wrong(
    client: TestClient, case_id: str
) -> None:
    csrf = sign_in(client, wie="coordinator-centrum")
    answer = client.post(f"/dossiers/{case_id}/wachtlijst", data={"csrf": csrf, "priority": "9"})
    assert answer.status_code == 422 and "priority" in answer.text


def test_a_place_outside_the_coordinators_own_is_refused_on_a_page_as_in_the_api(
    client: TestClient, case_id: str
) -> None:
    sign_in(client, wie="coordinator-den-haag")
    for path in ("/overzicht", "/wachtlijst", "/caseload"):
        page = client.get(path, params={"gemeente": "utrecht"})
        assert page.status_code == 422, path
        assert "binnen uw eigen werkgebied" in page.text and case_id not in page.text
        assert client.get(path, params={"gemeente": "den-haag"}).status_code == 200
