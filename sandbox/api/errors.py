"""Every error the API returns is JSON `{"error": code, "message": text}`.

One shape for the guard's refusals, validation errors, database trouble and unexpected
crashes, documented once in the OpenAPI document, so clients and the gate read one
field. Messages never echo credentials or SQL.
"""

from __future__ import annotations

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from sandbox.api.db import DatabaseUnavailable
from sandbox.api.logs import logger

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorBody(BaseModel):
    """The body of every non-2xx answer."""

    error: str
    message: str | None = None
    detail: list[dict] | None = None


class ApiError(Exception):
    """Raised by handlers for an expected refusal (unknown driver, conflict, ...)."""

    def __init__(self, status: int, error: str, message: str | None = None) -> None:
        super().__init__(message or error)
        self.status, self.error, self.message = status, error, message


def error_response(status: int, error: str, message: str | None = None,
                   headers: dict[str, str] | None = None, **extra: object) -> JSONResponse:
    """The one constructor of error answers."""
    body = {"error": error, "message": message, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def error_responses(*codes: int) -> dict[int | str, dict]:
    """OpenAPI `responses` entries for the given status codes, all with ErrorBody."""
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS.get(code, "error")}
            for code in codes}


_DESCRIPTIONS = {
    400: "malformed request", 401: "missing or invalid credentials",
    403: "credentials of the wrong kind or without the right", 404: "no such object",
    409: "conflict (replayed nonce, duplicate)", 413: "request body too large",
    422: "invalid parameters or body", 429: "too many failed sign-ins (see Retry-After)",
    503: "writes disabled or database unavailable",
}
_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "payload_too_large"}


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into ErrorBody."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
                  for e in exc.errors()[:20]]
        return error_response(422, "invalid_request", "request failed validation",
                              detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail)[:200],
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(DatabaseUnavailable)
    async def _no_db(_: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return error_response(503, "database_unavailable", str(exc))

    @app.exception_handler(psycopg.errors.IntegrityError)
    async def _integrity(_: Request, exc: psycopg.errors.IntegrityError) -> JSONResponse:
        return error_response(409, "conflict", _diag(exc))

    @app.exception_handler(psycopg.errors.DataError)
    async def _data(_: Request, exc: psycopg.errors.DataError) -> JSONResponse:
        return error_response(422, "invalid_request", _diag(exc))

    @app.exception_handler(psycopg.OperationalError)
    async def _operational(_: Request, exc: psycopg.OperationalError) -> JSONResponse:
        logger().error("database error", extra={"event": "db_error",
                                                "error": type(exc).__name__})
        return error_response(503, "database_unavailable", type(exc).__name__)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        logger().error("unhandled error", exc_info=exc,
                       extra={"event": "crash", "path": request.url.path})
        return error_response(500, "internal_error", "see the server log")


def _diag(exc: psycopg.Error) -> str:
    """The server's primary message without the statement (which may carry values)."""
    primary = getattr(exc.diag, "message_primary", None)
    return (primary or type(exc).__name__)[:200]
