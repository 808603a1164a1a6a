"""The HTTP API v1 (FastAPI): routers per resource, schemas, errors as problem+json."""
