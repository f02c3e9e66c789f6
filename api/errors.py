"""Domain errors and bad input become 4xx answers a person can read; nothing else leaks."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import (
    AccessNotRecorded,
    DomainError,
    InvalidCommand,
    NotFound,
    NotPermitted,
    RuleViolation,
    VersionConflict,
)

log = logging.getLogger("tsunagu.api")


class ErrorDetail(BaseModel):
    code: str
    message: str = Field(description="日本語のメッセージ")
    message_en: str
    fields: list[dict[str, Any]] | None = Field(default=None, description="Per-field messages (422 only)")


class ErrorPublic(BaseModel):
    detail: ErrorDetail


def problem(status_code: int, code: str, message_ja: str, message_en: str,
            headers: dict[str, str] | None = None) -> HTTPException:
    """An HTTP error in the API's one error shape: code, Japanese message, English message."""
    return HTTPException(status_code, detail={"code": code, "message": message_ja, "message_en": message_en},
                         headers=headers)


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _error("No valid bearer token"),
    403: _error("Your role may not do this"),
    404: _error("Not found — or not yours to see (the same answer)"),
    409: _error("Conflicts with the case as it stands, or with a newer version"),
    413: _error("Request body too large"),
    422: _error("Invalid input (see fields)"),
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
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        if isinstance(error, AccessNotRecorded):
            log.error("access record could not be written; read refused: %s", type(error.__cause__).__name__)
        return JSONResponse(status_code=status_for(error), content={"detail": {
            "code": error.code, "message": error.message_ja, "message_en": error.message_en}})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
                  for e in error.errors()]
        return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": {
            "code": "invalid_input", "message": "入力内容に誤りがあります。各項目のメッセージを確認してください。",
            "message_en": "Some fields are invalid; see each field's message.", "fields": fields}})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse | Response:
        if error.status_code == status.HTTP_400_BAD_REQUEST and error.detail == BODY_PARSE_ERROR:
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
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error: %s", type(error).__name__)
        return JSONResponse(status_code=status.HTTP_500_INTERNAL_SERVER_ERROR, content={"detail": {
            "code": "internal_error", "message": "システムエラーが発生しました。管理者に連絡してください。",
            "message_en": "An internal error occurred. Please contact the administrator."}})
