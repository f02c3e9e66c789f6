"""The signed-in session: the API's own JWT in a cookie, the page's actor, and the reader's language.

The browser holds the API's JWT in an HttpOnly, SameSite=Strict cookie scoped to the pages
(Secure over https). It is verified by the API's ``get_actor`` on every request (rate limits and
the deny-list of signed-out tokens included), so a page sees exactly the actor the API would.
Signing out revokes the token in the store's deny-list: a copied cookie dies with the session.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from api.deps import get_actor, get_services, get_token_issuer, require_role
from domain.actor import Actor
from domain.vocabulary import Role
from infra.auth import AuthenticationError

PREFIX = "/ui"
"""Where the pages live; the session's cookies are scoped to it."""
SESSION_COOKIE = "tsunagu_session"
PRESESSION_COOKIE = "tsunagu_presession"
LANG_COOKIE = "tsunagu_lang"


class SignInRequired(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="strict",
                        secure=is_https(request))


def start_session(response: Response, request: Request, token: str) -> None:
    """Hand the browser a signed-in session: the API's JWT, in a cookie scripts cannot read.

    Any way of obtaining a token for a staff member (the demo's pick list, a pasted token, an
    OIDC callback exchanging its code for one) ends here.
    """
    services = get_services(request)
    set_cookie(response, request, SESSION_COOKIE, token, services.settings.token_ttl_minutes * 60)
    response.delete_cookie(PRESESSION_COOKIE, path=PREFIX, httponly=True, samesite="strict")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=PREFIX, httponly=True, samesite="strict")


def revoke_session(request: Request) -> None:
    """Sign the session's token out in the deny-list (nothing to do if it is already invalid)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            get_token_issuer(request).revoke(token)
        except AuthenticationError:
            pass


def verify_token(request: Request, token: str) -> Actor:
    """The API's own check of a bearer token (raises its 401, or 429 over a rate limit)."""
    return get_actor(request=request, issuer=get_token_issuer(request),
                     credentials=HTTPAuthorizationCredentials(scheme="Bearer", credentials=token))


def current_actor(request: Request) -> Actor | None:
    if hasattr(request.state, "actor"):
        return request.state.actor
    token = request.cookies.get(SESSION_COOKIE)
    actor = None
    if token:
        try:
            actor = verify_token(request, token)
        except HTTPException as error:
            if error.status_code != status.HTTP_401_UNAUTHORIZED:
                raise  # over a rate limit: answered as such, not as a sign-in
            actor = None
    request.state.actor = actor
    return actor


def require_actor(request: Request) -> Actor:
    actor = current_actor(request)
    if actor is None:
        raise SignInRequired
    return actor


PageActor = Annotated[Actor, Depends(require_actor)]


def require_auditor(actor: PageActor) -> Actor:
    """The API's own role check, on the page's actor."""
    return require_role(Role.AUDITOR)(actor)


AuditorPageActor = Annotated[Actor, Depends(require_auditor)]


def lang_of(request: Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "ja"
