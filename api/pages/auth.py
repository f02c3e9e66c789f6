"""Signing in and out, and the language switch.

In the demo (``tsunagu serve --demo`` with the demo's own secret signing the tokens,
``services.demo_sign_in``; never from configuration) the sign-in page lists the ward's staff to
pick from. Otherwise it takes a bearer token issued for the person (``tsunagu token STAFF_ID``, or
in future an OIDC provider's callback, which would end in the same ``start_session``). Either way
the browser then holds the API's own JWT; signing out revokes it. Sign-in attempts are
rate-limited per address and per staff member (429).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ServicesDep, get_token_issuer
from api.pages.form_input import CheckedForm
from api.pages.rendering import local_path, render, see_other
from api.pages.routing import PageRoute
from api.pages.session import (
    LANG_COOKIE,
    PREFIX,
    current_actor,
    end_session,
    revoke_session,
    set_cookie,
    start_session,
    verify_token,
)
from domain.errors import NotFound
from domain.registry import Staff
from domain.vocabulary import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ROLE_ORDER = (Role.COORDINATOR, Role.AUDITOR, Role.ADMIN, Role.CASEWORKER)


@router.get(f"{PREFIX}/signin", response_class=HTMLResponse)
def read_sign_in(request: Request, services: ServicesDep,
                 next: Annotated[str, Query(max_length=500)] = "") -> HTMLResponse:
    return _sign_in_page(request, services, next)


def _sign_in_page(request: Request, services: ServicesDep, next_path: str, *, error: tuple[str, str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    groups: dict[Role, list[Staff]] = {}
    for member in services.tsunagu.registry.staff:
        groups.setdefault(min(member.roles, key=ROLE_ORDER.index), []).append(member)
    demo_staff = [(role, groups[role]) for role in ROLE_ORDER if role in groups] if services.demo_sign_in else []
    return render(request, "signin.html", next=local_path(next_path), demo_staff=demo_staff,
                  error=error, status_code=status_code, signed_in=current_actor(request))


@router.post(f"{PREFIX}/signin", response_class=HTMLResponse)
def sign_in(request: Request, services: ServicesDep, form: CheckedForm) -> Response:
    next_path = local_path(str(form.get("next", "")))
    staff_id, token = str(form.get("staff_id", "")).strip(), str(form.get("token", "")).strip()
    if staff_id and services.demo_sign_in:
        try:
            token = get_token_issuer(request).issue(services.tsunagu.registry.staff_member(staff_id))
        except NotFound:
            token = ""
    try:
        verify_token(request, token)
    except HTTPException as error:
        if error.status_code != status.HTTP_401_UNAUTHORIZED:
            raise  # over a rate limit: the 429 page, with Retry-After
        return _sign_in_page(request, services, next_path, status_code=401, error=(
            "サインインできませんでした。トークンが正しいか、有効期限が切れていないか確認してください。",
            "Could not sign in: check that the token is correct and has not expired."))
    response = see_other(next_path)
    start_session(response, request, token)
    return response


@router.post(f"{PREFIX}/signout")
def sign_out(request: Request, form: CheckedForm) -> RedirectResponse:
    revoke_session(request)
    response = see_other(f"{PREFIX}/signin")
    end_session(response)
    return response


@router.get(f"{PREFIX}/language")
def switch_language(request: Request, to: Annotated[str, Query(pattern="^(ja|en)$")] = "ja",
                    next: Annotated[str, Query(max_length=500)] = "") -> RedirectResponse:
    response = see_other(local_path(next))
    set_cookie(response, request, LANG_COOKIE, to, 365 * 24 * 3600)
    return response
