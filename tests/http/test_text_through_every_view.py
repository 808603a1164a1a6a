"""Any text, all of Unicode (NUL, controls, lone surrogates, bidirectional and invisible
characters included), through every text field of every command, on both stores: each is
refused with a 422 naming the field, or stored, read back as written, projected by every
view and rebuilt, without an error anywhere.

And the views take whatever an older version stored before text was checked at the edge."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import Settings
from domain.text import unprintable_in
from interfaces.http.app import create_app
from projections.registry import PROJECTIONS, open_view, worker_for
from tests.http.case_api import COACH_BODY, REFERRAL_BODY
from tests.http.conftest import Headers, melding_json
from tests.http.privacy_world import ADMIN

Body = dict[str, Any]
EXAMPLES = max(5, hypothesis_settings.default.max_examples // 10)
"""Each example is a whole case's life through the API: a tenth of the profile's count."""
SPECIAL = "\x00\x01\x1b\x7f\x85\t\n\r\u2028\u202e\u2067\u200b\u200c\u200d\ufeff\ud800\udfff\uffff"
texts = st.text(
    st.one_of(st.characters(exclude_categories=()), st.sampled_from(SPECIAL)), max_size=12
)

LIFE: tuple[tuple[str, Body, tuple[str, ...]], ...] = (
    ("/coach", COACH_BODY, ()),
    ("/conversations", {"kind": "help", "minutes": "10", "writing_minutes": "5"}, ("notes",)),
    ("/round-tables", {"members": ["mother"], "organisations": ["jgz"]}, ("decisions",)),
    (
        "/plan",
        {
            "goals": [{"goal_id": "g1", "member_id": "child"}],
            "agreements": [{"agreement_id": "a1", "organisation": "ggz-haaglanden"}],
        },
        (
            "goals.0.life_domain",
            "goals.0.description",
            "agreements.0.task",
            "agreements.0.professional",
        ),
    ),
    ("/plan/evaluations", {"members": ["mother"], "organisations": []}, ("conclusions",)),
    ("/plan/broken-agreements", {"agreement_id": "a1"}, ("notes",)),
    ("/referrals", REFERRAL_BODY, ()),
    ("/referrals/r1/accept", {}, ()),
    ("/referrals/r1/start", {}, ()),
    ("/referrals/r1/extend", {"until": "2026-12-31"}, ("reason",)),
    ("/referrals/r1/end", {}, ("reason",)),
    ("/refusals", {"given_by": ["mother"], "categories": ["health"]}, ("recipient",)),
    (
        "/disclosures",
        {
            "organisation": "veilig-thuis",
            "members": ["child"],
            "categories": ["safety"],
            "legal_ground": "meldrecht_wmo_2015_art_5.2.6",
        },
        ("justification",),
    ),
    (
        "/non-disclosures",
        {"organisation": "school-de-linde", "members": ["child"], "categories": ["health"]},
        ("considerations",),
    ),
    ("/safety-assessments", {"method": "signs_of_safety", "verdict": "concerns"}, ("notes",)),
    ("/escalations", {"target": "steering_group"}, ("reason",)),
    ("/coach/change", {"coach": "coach-bob", "organisation": "cjg-den-haag"}, ("reason",)),
    ("/close", {"reason": "goals_reached", "relapse_risk": "low"}, ("aftercare_by",)),
)
"""A case's life in commands: each with the text fields it takes (dotted paths)."""
OPENING_FIELDS = ("members.0.name", "members.0.address", "reporter_professional", "help_question")


def with_text(body: Body, fields: tuple[str, ...], text: str) -> Body:
    """`body` with `text` at each dotted path (lists by index)."""
    body = json.loads(json.dumps(body))
    for path in fields:
        *parents, last = path.split(".")
        node: Any = body
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = text
    return body


def send(client: TestClient, path: str, body: Body, headers: dict[str, str]) -> Response:
    """As JSON with non-ASCII escaped: a lone surrogate cannot travel as UTF-8."""
    raw = json.dumps(body).encode()
    return client.post(path, content=raw, headers={**headers, "content-type": "application/json"})


def sent_or_refused(
    client: TestClient,
    path: str,
    body: Body,
    fields: tuple[str, ...],
    text: str,
    headers: dict[str, str],
) -> Response:
    """The command with `text` in its fields: a 422 naming only those fields and storing
    nothing (then the command again with plain text), or stored. Printable one-line text
    is always stored; text the policy refuses even in a multi-line field never is."""
    store = client.app.state.cases  # type: ignore[attr-defined]
    before = store.position()
    response = send(client, path, with_text(body, fields, text), headers)
    printable = text.strip() != "" and unprintable_in(text, multiline=False) is None
    if response.status_code in (200, 201):
        assert fields == () or unprintable_in(text, multiline=True) is None, (path, text)
        return response
    assert response.status_code == 422, (path, response.text)
    assert fields and not printable, (path, response.text)
    named = {e["field"].removeprefix("body.") for e in response.json().get("errors", [])}
    assert named <= set(fields), (path, response.text)
    assert store.position() == before
    response = send(client, path, with_text(body, fields, "gewone tekst"), headers)
    assert response.status_code in (200, 201), (path, response.text)
    return response


def test_any_text_is_refused_naming_the_field_or_stored_read_back_projected_and_rebuilt(
    api_settings: Settings, clock: FixedClock, auth: Headers
) -> None:
    settings = api_settings.model_copy(update={"projections_in_process": True})
    with TestClient(create_app(settings, clock), raise_server_exceptions=False) as live:

        @hypothesis_settings(max_examples=EXAMPLES)
        @given(text=texts)
        def through_a_case_and_every_view(text: str) -> None:
            a_case_life_with(live, auth(ADMIN), text)

        through_a_case_and_every_view()

    cases = CaseApplication(settings, clock)
    try:
        for name in PROJECTIONS:
            opened = open_view(settings, name)
            try:
                worker_for(cases, opened).rebuild()
                assert opened.view.position(cases.name) == cases.position(), name
            finally:
                opened.close()
    finally:
        cases.close()


def a_case_life_with(live: TestClient, admin: dict[str, str], text: str) -> None:
    """`text` in every text field of a case's life; then the case, its history and every
    view read back."""
    opened = sent_or_refused(live, "/v1/cases", melding_json(), OPENING_FIELDS, text, admin)
    case_id, position = opened.json()["case_id"], opened.json()["position"]
    for path, body, fields in LIFE:
        done = sent_or_refused(live, f"/v1/cases/{case_id}{path}", body, fields, text, admin)
        position = done.json()["position"]

    shown = live.get(f"/v1/cases/{case_id}", headers=admin)
    assert shown.status_code == 200, shown.text
    assert shown.json()["help_question"] in (text, "gewone tekst")
    history = live.get(f"/v1/cases/{case_id}/history", headers=admin)
    assert history.status_code == 200, history.text
    for view in ("/v1/overview", "/v1/waitlist"):
        answer = live.get(f"{view}?position={position}", headers=admin)
        assert answer.status_code == 200, answer.text
    report = f"/v1/reports/monitor?from=2026-01-01&to=2026-12-31&position={position}"
    assert live.get(report, headers=admin).status_code == 200
