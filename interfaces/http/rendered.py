"""Responses rendered in the route itself, for the busiest routes (every case command,
opening and reading a case).

FastAPI would validate a returned model once more against the route's `response_model`
(for a plain `def` route, in the thread pool: one more thread hop per request). The model
built by the route is already valid, so the route renders it and returns the bytes;
`response_model` stays on the route for the OpenAPI."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel

JSON = "application/json"


def rendered(model: BaseModel, status_code: int = 200, *, exclude_unset: bool = False) -> Response:
    body = model.model_dump_json(by_alias=True, exclude_unset=exclude_unset)
    return Response(body, status_code=status_code, media_type=JSON)
