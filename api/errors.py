"""Domain errors and bad input become 4xx answers a person can read; nothing else leaks."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
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

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error: %s", type(error).__name__)
        return JSONResponse(status_code=status.HTTP_500_INTERNAL_SERVER_ERROR, content={"detail": {
            "code": "internal_error", "message": "システムエラーが発生しました。管理者に連絡してください。",
            "message_en": "An internal error occurred. Please contact the administrator."}})
