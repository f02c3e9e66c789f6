"""Typed dependencies: the application, the authenticated actor, the expected version."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain.actor import Actor
from domain.application import Tsunagu
from infra.auth import AuthenticationError, TokenIssuer

_bearer = HTTPBearer(auto_error=False, description="A JWT from `tsunagu token STAFF_ID`.")


def get_tsunagu(request: Request) -> Tsunagu:
    return request.app.state.tsunagu


def get_token_issuer(request: Request) -> TokenIssuer:
    return request.app.state.token_issuer


def get_actor(
    issuer: Annotated[TokenIssuer, Depends(get_token_issuer)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthenticated("ログインが必要です（Bearer トークン）。 / A bearer token is required.")
    try:
        return issuer.verify(credentials.credentials)
    except AuthenticationError:
        raise _unauthenticated("トークンが無効か期限切れです。 / The token is invalid or expired.") from None


def _unauthenticated(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail={"code": "unauthenticated", "message": message},
                         headers={"WWW-Authenticate": "Bearer"})


def get_expected_version(
    if_match: Annotated[str | None, Header(description='The case version you last read, e.g. `"7"`.')] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit() or len(raw) > 9:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail={
            "code": "invalid_if_match",
            "message": "If-Match にはケースの版番号を指定してください（例: \"7\"）。 / If-Match must be a case version."})
    return int(raw)


TsunaguDep = Annotated[Tsunagu, Depends(get_tsunagu)]
ActorDep = Annotated[Actor, Depends(get_actor)]
ExpectedVersion = Annotated[int | None, Depends(get_expected_version)]
