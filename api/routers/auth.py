"""Signing out: the bearer token is revoked (its id joins the deny-list in the store)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from api.deps import BearerToken, get_token_issuer
from api.errors import problem
from infra.auth import AuthenticationError, TokenIssuer

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def sign_out(token: BearerToken, issuer: Annotated[TokenIssuer, Depends(get_token_issuer)]) -> Response:
    """Revoke this bearer token: every later request with it is refused (401), on every API process."""
    try:
        issuer.revoke(token)
    except AuthenticationError:
        raise problem(status.HTTP_401_UNAUTHORIZED, "unauthenticated", "トークンが無効か期限切れです。",
                      "The token is invalid or expired.", headers={"WWW-Authenticate": "Bearer"}) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
