"""Domain errors and bad input become 4xx answers a person can read; nothing else leaks.

An unexpected error is logged by an error id, with its type, the route's template and where in the
code it was raised — never its message, the request's values or a traceback's locals, which may
quote what a caller sent — and answered 500 with that id (:class:`UnexpectedErrors`). The server's
access log names paths without their query strings (:class:`QueryStringsOutOfAccessLog`).
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import MutableMapping
from pathlib import PurePath
from typing import Any

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.limits import BodyRefused
from domain.errors import (
    AccessNotRecorded,
    DomainError,
    InvalidCommand,
    NotFound,
    NotPermitted,
    RuleViolation,
    VersionConflict,
)
from domain.policy import ImplausibleDate

log = logging.getLogger("tsunagu.api")


class ErrorDetail(BaseModel):
    code: str
    message: str = Field(description="日本語のメッセージ")
    message_en: str
    fields: list[dict[str, Any]] | None = Field(default=None, description="Per-field messages (422 only)")
    error_id: str | None = Field(default=None, description="500 only: the id under which the error was logged")


class ErrorPublic(BaseModel):
    detail: ErrorDetail


def problem(status_code: int, code: str, message_ja: str, message_en: str,
            headers: dict[str, str] | None = None) -> HTTPException:
    """An HTTP error in the API's one error shape: code, Japanese message, English message."""
    return HTTPException(status_code, detail={"code": code, "message": message_ja, "message_en": message_en},
                         headers=headers)


def implausible_date(location: str, error: ImplausibleDate) -> HTTPException:
    """A date outside the ward's range (the domain's ``Policy.dates``) as a 422 naming the field where it
    came (``location``: ``query``, ``body``), in the shape of the schema's own refusals."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=_implausible_date(location, error))


def _implausible_date(location: str, error: ImplausibleDate) -> dict[str, Any]:
    return {"code": error.code, "message": error.message_ja, "message_en": error.message_en, "fields": [
        {"field": f"{location}.{error.field}", "message": f"{error.message_ja} / {error.message_en}",
         "type": error.code}]}


def _invalid_input(fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {"code": "invalid_input", "message": "入力内容に誤りがあります。各項目のメッセージを確認してください。",
            "message_en": "Some fields are invalid; see each field's message.", "fields": fields}


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _error("No valid bearer token"),
    403: _error("Your role may not do this"),
    404: _error("Not found — or not yours to see (the same answer)"),
    409: _error("Conflicts with the case as it stands, or with a newer version"),
    413: _error("Request body too large"),
    422: _error("Invalid input (see fields)"),
    500: _error("An internal error, logged under the answered error_id (nothing of the request is logged)"),
    503: _error("Not available now (access could not be recorded, or read models behind)"),
}

BODY_PARSE_ERROR = "There was an error parsing the body"  # FastAPI's detail for undecodable bodies

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (NotFound, status.HTTP_404_NOT_FOUND),
    (VersionConflict, status.HTTP_409_CONFLICT),
    (RuleViolation, status.HTTP_409_CONFLICT),
    (InvalidCommand, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (NotPermitted, status.HTTP_403_FORBIDDEN),
    (AccessNotRecorded, status.HTTP_503_SERVICE_UNAVAILABLE),
]


def status_for(error: DomainError) -> int:
    for error_type, code in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return code
    return status.HTTP_400_BAD_REQUEST


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in the API's one shape, catch what no handler answers (:class:`UnexpectedErrors`),
    and keep query strings out of the server's access log."""
    app.add_middleware(UnexpectedErrors)
    logging.getLogger("uvicorn.access").addFilter(ACCESS_LOG_FILTER)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        if isinstance(error, AccessNotRecorded):
            log.error("access record could not be written; read refused: %s", type(error.__cause__).__name__)
        content = _implausible_date("body", error) if isinstance(error, ImplausibleDate) else {
            "code": error.code, "message": error.message_ja, "message_en": error.message_en}
        return JSONResponse(status_code=status_for(error), content={"detail": content})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse | Response:
        if any(e["type"] == "json_invalid" for e in error.errors()) and (
                refused := await _unauthenticated_answer(request)) is not None:
            return refused
        fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
                  for e in error.errors()]
        return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                            content={"detail": _invalid_input(fields)})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse | Response:
        if error.status_code == status.HTTP_400_BAD_REQUEST and error.detail == BODY_PARSE_ERROR:
            if (refused := await _unauthenticated_answer(request)) is not None:
                return refused
            return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": {
                "code": "invalid_body", "message": "送信データを読み取れません（UTF-8 の JSON で送ってください）。",
                "message_en": "The body could not be read: send UTF-8 encoded JSON."}})
        return await http_exception_handler(request, error)

    @app.exception_handler(PersistenceError)
    async def store_unavailable(_: Request, error: PersistenceError) -> JSONResponse:
        log.warning("event store unavailable: %s", type(error).__name__)
        return JSONResponse(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "2"},
                            content={"detail": {
                                "code": "store_unavailable",
                                "message": "データベースに接続できません。少し待ってから、同じ Idempotency-Key で"
                                           "再送してください（二重に記録されることはありません）。",
                                "message_en": "The database is unavailable. Retry shortly with the same "
                                              "Idempotency-Key (it will not be recorded twice)."}})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        """The last resort (an error in a middleware outside :class:`UnexpectedErrors`)."""
        return internal_error(report_unexpected(request.scope, error))


async def _unauthenticated_answer(request: Request) -> Response | None:
    """FastAPI reads a JSON body before it resolves a route's dependencies, so an unreadable body would be
    answered before the caller is known. On a route that needs a signed-in caller, the caller's token is
    checked first, as ``get_actor`` checks it (rate limits included): its 401 or 429, or None."""
    from api.deps import refuse_anonymous  # deps builds on this module's ``problem``

    try:
        await refuse_anonymous(request)
    except HTTPException as refused:
        return await http_exception_handler(request, refused)
    return None


# ----- unexpected errors ----------------------------------------------------------------------


def report_unexpected(scope: MutableMapping[str, Any], error: BaseException) -> str:
    """Log an unexpected error under a new id and answer the id. The log line holds the error's type (and
    its causes' types), the method and route template, and the code locations of the traceback; never
    the error's message, the request's path, query, headers or body, or any frame's local values."""
    error_id = secrets.token_hex(6)
    route = getattr(scope.get("route"), "path", None) or "(no route)"
    types = [type(error).__name__]
    cause = error.__cause__ or error.__context__
    while cause is not None and len(types) < 5:
        types.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    frames = traceback.extract_tb(error.__traceback__)[-6:]
    where = " < ".join(f"{PurePath(frame.filename).name}:{frame.lineno} {frame.name}" for frame in reversed(frames))
    log.error("unexpected error %s: %s on %s %s at %s", error_id, " from ".join(types), scope.get("method", "-"),
              route, where or "-")
    return error_id


def internal_error_messages(error_id: str) -> tuple[str, str]:
    return (f"システムエラーが発生しました（エラーID: {error_id}）。このIDを管理者に伝えてください。",
            f"An internal error occurred (error id {error_id}). Please give this id to the administrator.")


def internal_error(error_id: str) -> JSONResponse:
    message_ja, message_en = internal_error_messages(error_id)
    return JSONResponse(status_code=status.HTTP_500_INTERNAL_SERVER_ERROR, content={"detail": {
        "code": "internal_error", "message": message_ja, "message_en": message_en, "error_id": error_id}})


class UnexpectedErrors:
    """Pure ASGI middleware around the routes: an exception no handler answered is reported by id
    (:func:`report_unexpected`) and answered 500 with the id, and goes no further. (Starlette's own
    last-resort handler re-raises to the server, which logs the traceback with the error's message.)
    A body refused by :class:`~api.limits.BodySizeLimit` passes on to it: it has answered already."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except BodyRefused:
            raise
        except Exception as error:
            error_id = report_unexpected(scope, error)
            if not started:  # else the response is cut short: the client sees it end early
                await internal_error(error_id)(scope, receive, send)


class QueryStringsOutOfAccessLog(logging.Filter):
    """uvicorn's access log records ``"GET /path?query HTTP/1.1" 200``; a query string may carry whatever a
    caller typed (a name, a date of birth), so the line keeps the path and drops the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (args[0], args[1], args[2].split("?", 1)[0] + "?(query omitted)", args[3], args[4])
        return True


ACCESS_LOG_FILTER = QueryStringsOutOfAccessLog()
