"""Signing in to the pages with OpenID Connect, against a small provider of our own
served on a real port: the code flow, the state checked, the ID token verified (the
provider's key, issuer, audience, nonce), and the user named by its claims."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from application.settings import load_settings
from interfaces.http.app import create_app
from tests.pages.fake_provider import CLIENT_ID, CLIENT_SECRET, fake_provider
from tests.pages.live_server import served

COORDINATOR_CLAIMS = {
    "sub": "coordinator-7",
    "org": "cjg-den-haag",
    "roles": ["coordinator"],
    "municipality": "den-haag",
}


@pytest.fixture
def provider() -> Iterator[str]:
    app = fake_provider(COORDINATOR_CLAIMS)
    with served(app) as issuer:
        app.state.issuer = issuer
        yield issuer


@pytest.fixture
def client(provider: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(
        store="sqlite",
        data_dir=tmp_path / "var",
        jwt_secret=SecretStr("s" * 40),
        oidc_issuer=provider,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=SecretStr(CLIENT_SECRET),
    )
    with TestClient(create_app(settings), base_url="https://testserver") as test:
        yield test


def at_provider(url: str) -> str:
    """The browser at the provider: it answers with where to go back to."""
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code in (302, 307), answer.text
    return answer.headers["location"]


def back_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_coordinator_signs_in_with_the_identity_provider(client: TestClient) -> None:
    page = client.get("/aanmelden").text
    assert "Aanmelden via uw organisatie" in page and "Demo" not in page

    to_provider = client.get("/aanmelden/oidc", follow_redirects=False)
    back = at_provider(to_provider.headers["location"])
    signed_in = client.get(back_path(back), follow_redirects=False)

    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/wachtlijst")
    waitlist = client.get("/wachtlijst")
    assert waitlist.status_code == 200 and "coordinator-7 (cjg-den-haag)" in waitlist.text


def test_a_callback_with_another_state_is_refused(client: TestClient) -> None:
    to_provider = client.get("/aanmelden/oidc", follow_redirects=False)
    back = at_provider(to_provider.headers["location"])
    forged = back_path(back).replace("state=", "state=x")
    assert client.get(forged).status_code == 403
    assert client.get("/wachtlijst", follow_redirects=False).headers["location"] == "/aanmelden"


def test_a_code_is_exchanged_once(client: TestClient) -> None:
    to_provider = client.get("/aanmelden/oidc", follow_redirects=False)
    back = back_path(at_provider(to_provider.headers["location"]))
    client.get(back, follow_redirects=False)
    client.cookies.clear()
    assert client.get(back).status_code == 403  # no session that started this sign-in
