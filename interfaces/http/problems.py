"""Every error as application/problem+json (RFC 9457), with a message a person understands.
One mapping from domain and application errors to HTTP; no stack trace ever leaves."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from application.errors import CaseNotFoundError, ConcurrentChangeError, StoreUnavailableError
from domain.errors import DomainError, InvalidInputError, NotInCaseError

PROBLEM_JSON = "application/problem+json"
STORE_UNREACHABLE: tuple[type[Exception], ...] = (
    StoreUnavailableError,
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
"""What a database that is down, restarting or out of connections raises: 503, try again."""
log = logging.getLogger("gezinsregie.http")


class ProblemError(Exception):
    """Raised by routes for 401, 403, 404, 503 and the like."""

    def __init__(
        self, status: int, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def validation_errors(error: RequestValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in item["loc"]), "message": item["msg"]}
        for item in error.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def on_problem(_: Request, error: ProblemError) -> JSONResponse:
        return problem(error.status, error.title, error.detail, error.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = validation_errors(error)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "Invalid input", detail, errors=errors)

    @app.exception_handler(InvalidInputError)
    async def on_invalid_input(_: Request, error: InvalidInputError) -> JSONResponse:
        field = f"body.{error.field}" if error.field else "body"
        errors = [{"field": field, "message": error.message}]
        return problem(422, "Invalid input", error.message, rule=error.rule, errors=errors)

    @app.exception_handler(NotInCaseError)
    async def on_not_in_case(_: Request, error: NotInCaseError) -> JSONResponse:
        return problem(404, "Not found", error.message, rule=error.rule)

    @app.exception_handler(DomainError)
    async def on_rule_broken(_: Request, error: DomainError) -> JSONResponse:
        return problem(409, "A rule of the case forbids this", error.message, rule=error.rule)

    @app.exception_handler(ConcurrentChangeError)
    async def on_conflict(_: Request, error: ConcurrentChangeError) -> JSONResponse:
        return problem(409, "Changed concurrently", str(error), rule=error.rule)

    @app.exception_handler(CaseNotFoundError)
    async def on_not_found(_: Request, error: CaseNotFoundError) -> JSONResponse:
        return problem(404, "Not found", str(error))

    async def on_store_unavailable(_: Request, error: Exception) -> JSONResponse:
        log.warning("store unavailable: %s", error)
        retry_after = str(StoreUnavailableError.retry_after_seconds)
        detail = "the database cannot be reached now; nothing was stored; try again shortly"
        return problem(503, "Store unavailable", detail, {"Retry-After": retry_after})

    for unreachable in STORE_UNREACHABLE:
        app.add_exception_handler(unreachable, on_store_unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400 and error.__cause__ is not None:
            # FastAPI could not parse the body (not UTF-8, nested too deep): invalid input,
            # answered like any other (422, documented), not a 400 of its own.
            errors = [{"field": "body", "message": "not a JSON document in UTF-8"}]
            return problem(422, "Invalid input", "body: not a JSON document", errors=errors)
        headers = getattr(error, "headers", None)
        return problem(error.status_code, _title(error.status_code), str(error.detail), headers)


def _title(status: int) -> str:
    return {
        400: "Bad request",
        404: "Not found",
        405: "Method not allowed",
        413: "Body too large",
    }.get(status, "Error")


def problems_as_problem_json(
    app: FastAPI, post_parameters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The OpenAPI document, with every error response as application/problem+json (the
    media type the API sends) instead of FastAPI's default description; `post_parameters`
    are documented on every POST (headers a middleware reads)."""
    post_parameters = post_parameters or []
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for operation in (op for path in schema["paths"].values() for op in path.values()):
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                answered = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                if status >= "400" and answered.endswith(("/Problem", "/HTTPValidationError")):
                    media = content.pop("application/json")
                    media["schema"] = {"$ref": "#/components/schemas/Problem"}
                    response["content"] = {PROBLEM_JSON: media}
        for path in schema["paths"].values():
            if "post" in path:
                path["post"].setdefault("parameters", []).extend(post_parameters)
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        add_links(schema)
        app.openapi_schema = schema
    return app.openapi_schema


LINKED_IDS = {
    "/v1/cases": ("case_id", "$response.body#/case_id", "201"),
    "/v1/cases/{case_id}/referrals": ("referral_id", "$response.body#/referral_id", "200"),
    "/v1/cases/{case_id}/consents": ("consent_id", "$response.body#/consent_id", "200"),
    "/v1/cases/{case_id}/erasure-requests": ("request_id", "$response.body#/request_id", "200"),
}
"""Which answer (or request) gives the id that other operations take in their path."""


def add_links(schema: dict[str, Any]) -> None:
    """OpenAPI links: from the operation that makes an id to every operation whose path
    takes it (and the case it belongs to), so a client, or a tester following them, can go
    from opening a case to everything done with it."""
    paths = schema["paths"]
    for source, (name, value, status) in LINKED_IDS.items():
        response = paths[source]["post"]["responses"].get(status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for path, operations in paths.items():
            if path == source or f"{{{name}}}" not in path:
                continue
            for operation in operations.values():
                parameters = {name: value}
                if name != "case_id":
                    parameters["case_id"] = "$request.path.case_id"
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": parameters,
                }
