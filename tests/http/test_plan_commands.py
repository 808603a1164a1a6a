"""Working together: round tables, and one gezinsplan adopted, then revised and evaluated."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.http.case_api import COACH, PLAN_BODY, Api, without
from tests.http.conftest import Headers

EVALUATION = {"members": ["mother", "child"], "organisations": ["school-de-linde"]}
ROUND_TABLE = {
    "members": ["mother", "father"],
    "organisations": ["school-de-linde", "jgz"],
    "decisions": "Een gezinsplan; Anna is regisseur",
}


@pytest.fixture
def api(client: TestClient, auth: Headers) -> Api:
    return Api(client, auth)


def planned_case(api: Api) -> str:
    case_id = api.coached_case()
    api.do(COACH, case_id, "/plan", PLAN_BODY)
    return case_id


def test_a_round_table_is_recorded(api: Api) -> None:
    case_id = api.coached_case()
    version = api.case(case_id)["version"]
    position = api.do(COACH, case_id, "/round-tables", ROUND_TABLE)
    assert api.case(case_id, COACH, position)["version"] == version + 1


def test_a_round_table_is_held_with_members_of_this_family(api: Api) -> None:
    body = {**ROUND_TABLE, "members": ["mother", "aunt"]}
    problem = api.refused(COACH, api.coached_case(), "/round-tables", body, "valid-input", 422)
    assert "aunt" in problem["detail"]


def test_a_round_table_without_its_parts_answers_422(api: Api) -> None:
    cases = [(without(ROUND_TABLE, part), part) for part in ROUND_TABLE]
    cases.append(({**ROUND_TABLE, "members": "mother"}, "members"))
    api.invalid_each(COACH, api.coached_case(), "/round-tables", cases)


def test_the_coach_adopts_the_plan_as_version_one(api: Api) -> None:
    case_id = api.coached_case()
    position = api.do(COACH, case_id, "/plan", PLAN_BODY)
    plan = api.case(case_id, COACH, position)["plan"]
    assert (plan["version"], plan["evaluations"], plan["next_evaluation"]) == (1, 0, "2026-09-01")
    assert [g["goal_id"] for g in plan["goals"]] == ["g1"]
    assert plan["agreements"][0]["due"] == "2026-07-01"
    assert datetime.fromisoformat(plan["adopted_at"]) == NOW


def test_a_family_has_one_plan_adopted_once(api: Api) -> None:
    case_id = planned_case(api)
    api.refused(COACH, case_id, "/plan", PLAN_BODY, "one-plan-adopted-then-revised")
    assert api.case(case_id)["plan"]["version"] == 1


def test_revising_the_plan_makes_a_new_version(api: Api) -> None:
    case_id = planned_case(api)
    revision = {**PLAN_BODY, "goals": [], "next_evaluation": None}
    position = api.do(COACH, case_id, "/plan/revisions", revision)
    plan = api.case(case_id, COACH, position)["plan"]
    assert (plan["version"], plan["goals"], plan["next_evaluation"]) == (2, [], None)
    api.do(COACH, case_id, "/plan/revisions", PLAN_BODY)
    assert api.case(case_id)["plan"]["version"] == 3


def test_revising_evaluating_and_breaking_agreements_need_a_plan(api: Api) -> None:
    case_id = api.coached_case()
    for path, body in [
        ("/plan/revisions", PLAN_BODY),
        ("/plan/evaluations", EVALUATION),
        ("/plan/broken-agreements", {"agreement_id": "a1"}),
    ]:
        api.refused(COACH, case_id, path, body, "one-plan-adopted-then-revised")


def test_a_plan_has_goals_for_this_family_and_its_next_evaluation_ahead(api: Api) -> None:
    case_id = api.coached_case()
    cousin = {**PLAN_BODY, "goals": [{**PLAN_BODY["goals"][0], "member_id": "cousin"}]}
    api.refused(COACH, case_id, "/plan", cousin, "valid-input", status=422)
    yesterday = {**PLAN_BODY, "next_evaluation": "2026-05-31"}
    api.refused(COACH, case_id, "/plan", yesterday, "valid-input", status=422)
    assert api.case(case_id)["plan"] is None


def test_a_plan_with_invalid_input_answers_422_naming_the_field(api: Api) -> None:
    goal, agreement = PLAN_BODY["goals"][0], PLAN_BODY["agreements"][0]
    cases = [
        ({"agreements": []}, "goals"),
        ({"goals": []}, "agreements"),
        ({**PLAN_BODY, "goals": [without(goal, "member_id")]}, "goals.0.member_id"),
        ({**PLAN_BODY, "goals": [{**goal, "colour": "red"}]}, "goals.0.colour"),
        ({**PLAN_BODY, "agreements": [without(agreement, "task")]}, "agreements.0.task"),
        ({**PLAN_BODY, "next_evaluation": "soon"}, "next_evaluation"),
    ]
    api.invalid_each(COACH, api.coached_case(), "/plan", cases)


def test_a_revision_with_invalid_input_answers_422_naming_the_field(api: Api) -> None:
    case_id = planned_case(api)
    api.invalid(COACH, case_id, "/plan/revisions", {"agreements": []}, "goals")
    agreement = {**PLAN_BODY["agreements"][0], "due": "next week"}
    api.invalid(
        COACH,
        case_id,
        "/plan/revisions",
        {**PLAN_BODY, "agreements": [agreement]},
        "agreements.0.due",
    )


def test_evaluating_the_plan_counts_and_sets_the_next_evaluation(api: Api) -> None:
    case_id = planned_case(api)
    body = {**EVALUATION, "conclusions": "Gaat goed", "next_evaluation": "2026-10-01"}
    position = api.do(COACH, case_id, "/plan/evaluations", body)
    plan = api.case(case_id, COACH, position)["plan"]
    assert (plan["version"], plan["evaluations"], plan["next_evaluation"]) == (1, 1, "2026-10-01")


def test_an_evaluation_names_who_of_this_family_took_part(api: Api) -> None:
    case_id = planned_case(api)
    cases = [(without(EVALUATION, part), part) for part in EVALUATION]
    cases.append(({**EVALUATION, "next_evaluation": "later"}, "next_evaluation"))
    api.invalid_each(COACH, case_id, "/plan/evaluations", cases)
    grandmother = {**EVALUATION, "members": ["grandmother"]}
    api.refused(COACH, case_id, "/plan/evaluations", grandmother, "valid-input", status=422)


def test_a_broken_agreement_of_the_plan_is_recorded(api: Api) -> None:
    case_id = planned_case(api)
    version = api.case(case_id)["version"]
    body = {"agreement_id": "a1", "notes": "Geen contact gehad"}
    position = api.do(COACH, case_id, "/plan/broken-agreements", body)
    assert api.case(case_id, COACH, position)["version"] == version + 1


def test_only_an_agreement_in_the_plan_can_be_broken(api: Api) -> None:
    case_id, path = planned_case(api), "/plan/broken-agreements"
    api.refused(COACH, case_id, path, {"agreement_id": "a7"}, "one-plan-adopted-then-revised")
    api.invalid(COACH, case_id, path, {"notes": "x"}, "agreement_id")
