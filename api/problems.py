"""Errors as RFC 9457 problem details (``application/problem+json``), mapped in one place.

Every error the project raises on purpose is a :class:`dispatch.errors.DispatchError`;
:func:`error_problem` gives its status and document, for an HTTP answer and for a failed job.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from api.logs import redact_path
from api.session import sign_in_redirect, wants_page
from dispatch.errors import (
    ConflictError,
    DispatchError,
    FieldError,
    InputError,
    NotFoundError,
    RequestError,
    TooLargeError,
    UnsupportedOptionError,
)
from dispatch.intake.imports import ImportRejectedError, UnreadableFileError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("dispatch.api")


class ErrorItem(BaseModel):
    """One problem in the input: the record (``orders[3]``, ``row 17``), its id, the field, what."""

    record: str
    id: str | None = None
    field: str
    message: str
    text: str | None = Field(None, description="The whole message as one line")


class ProblemDetail(BaseModel):
    """An RFC 9457 problem detail; ``errors`` lists every problem found in the input."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/invalid-request",
                    "title": "The request is not valid",
                    "status": 422,
                    "detail": "1 error(s) in the request",
                    "instance": "/plans",
                    "errors": [
                        {
                            "record": "orders[17]",
                            "id": "LINE-88123",
                            "field": "time_windows[0].end",
                            "message": "08:00 is before start 09:00",
                            "text": "orders[17] (id LINE-88123): time_windows[0].end: 08:00 is "
                            "before start 09:00",
                        }
                    ],
                }
            ]
        },
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ErrorItem] = Field(default_factory=list)


class AuthenticationError(DispatchError):
    """No API key or session, or one that is unknown, revoked or ended (a browser asking
    for a page is sent to the sign-in page instead)."""

    challenge = "Bearer"
    """What ``WWW-Authenticate`` asks for."""


class PermissionDeniedError(DispatchError):
    """The key's role may not do this."""


_DESCRIPTIONS = {
    400: "Malformed request (e.g. a body that is not JSON)",
    401: "Missing, unknown or revoked API key (or no live session)",
    403: "The key's role may not do this (or a signed-in form without its CSRF token)",
    404: "No such resource",
    409: "Conflicts with stored data",
    413: "Request body, file or plan request too large (`limit` gives the limit)",
    422: "Invalid input; `errors` lists every problem with its record and field",
    429: "Too many unfinished jobs for this key; `Retry-After` says when to try again",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses of a route."""
    schema = {"$ref": "#/components/schemas/ProblemDetail"}
    return {
        code: {
            "model": ProblemDetail,
            "description": _DESCRIPTIONS[code],
            "content": {PROBLEM_JSON: {"schema": schema}},
        }
        for code in codes
    }


def problem(
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    errors: Iterable[FieldError] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A problem detail document."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body["errors"] = [e.as_dict() for e in errors]
    body.update(extra)
    return body


def problem_response(
    request: Request, status: int, headers: Mapping[str, str] | None = None, **kw: Any
) -> JSONResponse:
    return _respond(problem(status, instance=redact_path(request.url.path), **kw), headers)


def _respond(body: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def error_problem(exc: DispatchError, instance: str | None = None) -> dict[str, Any]:
    """The problem detail of one of the project's errors (also stored on a failed job)."""
    if isinstance(exc, TooLargeError):
        return problem(
            413, type_="/problems/too-large", title="The input is too large",
            detail="; ".join(str(e) for e in exc.errors), instance=instance, errors=exc.errors,
            limit=exc.limit,
        )  # fmt: skip
    if isinstance(exc, UnsupportedOptionError):
        return problem(
            422, type_="/problems/unsupported-option",
            title="The engine cannot plan this request", detail=str(exc), instance=instance,
            errors=exc.errors,
        )  # fmt: skip
    if isinstance(exc, RequestError):
        return problem(
            422, type_="/problems/invalid-request", title="The plan request is not valid",
            detail=f"{len(exc.errors)} error(s) in the request", instance=instance,
            errors=exc.errors,
        )  # fmt: skip
    if isinstance(exc, ImportRejectedError):
        return problem(
            422, type_="/problems/invalid-orders", title="Some orders are not valid",
            detail=f"{len(exc.report.errors)} error(s); nothing was stored (pass keep_valid=true "
            "to store the valid orders)",
            instance=instance, errors=exc.report.errors, report=exc.report.as_dict(),
        )  # fmt: skip
    if isinstance(exc, UnreadableFileError):
        return problem(
            422, type_="/problems/unreadable-file", title="The file cannot be read",
            detail=str(exc), instance=instance,
        )  # fmt: skip
    if isinstance(exc, InputError):
        return problem(
            422, type_="/problems/invalid-input", title="The input is not valid",
            detail=f"{len(exc.errors)} error(s) in {exc.subject}", instance=instance,
            errors=exc.errors,
        )  # fmt: skip
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 500)
    errors: list[FieldError] = list(getattr(exc, "errors", None) or [])
    return problem(status, detail=str(exc), instance=instance, errors=errors)


def job_problem(exc: Exception) -> dict[str, Any]:
    """The problem a failed planning job keeps: its error's, or "Planning failed" (500) for
    an error the project did not raise on purpose."""
    if isinstance(exc, DispatchError):
        return error_problem(exc)
    return problem(500, title="Planning failed", detail=f"{type(exc).__name__}: {exc}")


_STATUS: dict[type[DispatchError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
}


def field_errors(exc: ValidationError, record: str) -> list[FieldError]:
    """The errors pydantic found in ``record``, each naming its field."""
    return [
        FieldError(
            record,
            ".".join(str(p) for p in e["loc"]),
            str(e["msg"]).removeprefix("Value error, "),
        )
        for e in exc.errors()
    ]


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        loc: Sequence[Any] = err.get("loc", ())
        where, rest = (str(loc[0]), loc[1:]) if loc else ("", ())
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
        message = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
        if err.get("type") == "missing":
            message = "is required"
        out.append(FieldError(where, field, message))
    return out


def install_problem_handlers(app: FastAPI) -> None:
    """Map every exception the service raises to its HTTP status, as a problem detail."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return problem_response(
                request, 400, type_="/problems/malformed-json", title="The body is not valid JSON",
                detail=str(exc.errors()[0].get("ctx", {}).get("error", "JSON decode error")),
            )  # fmt: skip
        errors = _validation_errors(exc)
        return problem_response(
            request, 422, type_="/problems/invalid-input", title="The input is not valid",
            detail=f"{len(errors)} error(s) in the input", errors=errors,
        )  # fmt: skip

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(request, exc.status_code, detail=detail, headers=exc.headers)

    @app.exception_handler(DispatchError)
    async def _refused(request: Request, exc: DispatchError) -> Response:
        if isinstance(exc, AuthenticationError) and wants_page(request):
            return sign_in_redirect(request)
        body = error_problem(exc, redact_path(request.url.path))
        challenge = getattr(exc, "challenge", "Bearer")
        headers = {"WWW-Authenticate": challenge} if body["status"] == 401 else None
        return _respond(body, headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error", extra={"error": str(exc.orig)})
        return problem_response(
            request, 409, detail="a concurrent change touched the same records; try again"
        )

    @app.exception_handler(OperationalError)
    async def _database(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error", extra={"error": str(exc.orig)})
        return problem_response(request, 503, detail="the database is not available; try again")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path_template": _template(request)})
        return problem_response(request, 500, detail="an unexpected error; it has been logged")


def _template(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))
