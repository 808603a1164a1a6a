"""The API through its ASGI app: a client per test, tokens for any user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from application.clock import FixedClock
from application.settings import Settings
from domain.authorization import Role, User
from interfaces.http.app import create_app
from interfaces.tokens import TokenService
from tests.factories import family

COORDINATOR_USER = User(
    "coordinator-1", "cjg-den-haag", frozenset({Role.COORDINATOR}), "den-haag", "centrum"
)
Headers = Callable[[User], dict[str, str]]


@pytest.fixture
def api_settings(store_settings: Settings) -> Settings:
    return store_settings.model_copy(update={"jwt_secret": SecretStr("test-secret-" + "x" * 32)})


@pytest.fixture
def client(api_settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings, clock), raise_server_exceptions=False) as test:
        yield test


@pytest.fixture
def auth(api_settings: Settings) -> Headers:
    """Authorization headers for a user."""
    tokens = TokenService(api_settings)
    return lambda user: {"Authorization": f"Bearer {tokens.issue(user)}"}


def melding_json(**overrides: Any) -> dict[str, Any]:
    """A melding as the API takes it: for den-haag/centrum, two parents and a child."""
    body: dict[str, Any] = {
        "municipality": "den-haag",
        "team": "centrum",
        "channel": "professional",
        "reporter_organisation": "school-de-linde",
        "reporter_professional": "teacher-7",
        "members": [{**m.as_dict(), "birth_date": m.birth_date.isoformat()} for m in family()],
        "help_question_id": "hq-1",
        "help_question": "Ouders vragen hulp bij opvoeding",
        "problems_parents": ["gezin_en_opvoeding"],
        "problems_children": ["problemen_op_school"],
        "urgency": "normal",
    }
    body.update(overrides)
    return body
