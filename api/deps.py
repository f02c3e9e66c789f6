"""Typed dependencies: the application, the authenticated actor, the expected version.

Authentication comes before any other check: every dependency that looks at what the caller sent
(``?after=``, ``If-Match``, ``Idempotency-Key``) depends on :func:`get_actor`, so an anonymous caller
is answered 401 whatever else is wrong (FastAPI solves a dependency's own dependencies before it
validates its parameters). A body is read before any dependency; ``api.errors`` answers an unreadable
one on such a route with :func:`refuse_anonymous` first.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from contextlib import suppress
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.errors import problem
from api.rate_limits import RateLimited, RateLimiter, RatePolicy, client_address, policy_for
from domain.actor import Actor
from domain.application import Tsunagu
from domain.idempotency import IdempotencyKey
from domain.vocabulary import Role
from infra.auth import AuthenticationError, TokenIssuer
from infra.bootstrap import Services
from projections import ReadModels

_bearer = HTTPBearer(auto_error=False, description="A JWT from `tsunagu token STAFF_ID`.")


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_tsunagu(request: Request) -> Tsunagu:
    return get_services(request).tsunagu


def get_read_models(request: Request) -> ReadModels:
    return get_services(request).read_models


def get_token_issuer(request: Request) -> TokenIssuer:
    issuer = get_services(request).token_issuer
    assert issuer is not None, "the API needs a token issuer"
    return issuer


def get_rate_limiter(request: Request) -> RateLimiter:
    return request.app.state.rate_limiter


def get_actor(
    request: Request,
    issuer: Annotated[TokenIssuer, Depends(get_token_issuer)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The verified staff member, counted against the route's rate limits (per address before the
    token is checked, per staff member after); a failed token counts against the address's sign-ins."""
    limiter, address = get_rate_limiter(request), client_address(request)
    policy = policy_for(request)
    first_check = not getattr(request.state, "rate_counted", False)  # a page may verify twice per request
    request.state.rate_counted = True
    if policy is not None and first_check:
        _within_limits(limiter, policy, address=address)
    token = get_bearer_token(credentials)
    try:
        actor = issuer.verify(token)
    except AuthenticationError:
        if policy is not RatePolicy.SIGN_IN:
            _within_limits(limiter, RatePolicy.SIGN_IN, address=address)
        raise _unauthenticated("トークンが無効か期限切れです。", "The token is invalid or expired.") from None
    if policy is not None and first_check:
        _within_limits(limiter, policy, staff=actor.staff_id)
    return actor


def needs_actor(dependant: Dependant) -> bool:
    """Whether a route (or dependency) needs the signed-in actor, somewhere in its dependencies."""
    return any(sub.call is get_actor or needs_actor(sub) for sub in dependant.dependencies)


async def refuse_anonymous(request: Request) -> None:
    """Raise what :func:`get_actor` raises (401, or 429 over a limit) if the request's route needs a
    signed-in caller and the request has no valid token; nothing otherwise."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute) and needs_actor(route.dependant):
        credentials = await _bearer(request)
        await run_in_threadpool(get_actor, request, get_token_issuer(request), credentials)  # it may ask the store


def _within_limits(limiter: RateLimiter, policy: RatePolicy, *, address: str | None = None,
                   staff: str | None = None) -> None:
    try:
        limiter.hit(policy, address=address, staff=staff)
    except RateLimited as limited:
        raise problem(status.HTTP_429_TOO_MANY_REQUESTS, "rate_limited",
                      f"短時間のリクエストが多すぎます。{limited.retry_after} 秒後にもう一度お試しください。",
                      f"Too many requests: try again in {limited.retry_after} seconds.",
                      headers={"Retry-After": str(limited.retry_after)}) from None


def get_bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthenticated("ログインが必要です（Bearer トークン）。", "A bearer token is required.")
    return credentials.credentials


def get_optional_actor(
    request: Request,
    issuer: Annotated[TokenIssuer, Depends(get_token_issuer)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor | None:
    """The staff member if a valid token came, else None (for answers that only add detail). A failed
    token still counts against the address's sign-ins."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        return None
    try:
        return issuer.verify(credentials.credentials)
    except AuthenticationError:
        with suppress(RateLimited):
            get_rate_limiter(request).hit(RatePolicy.SIGN_IN, address=client_address(request))
        return None


def _unauthenticated(message_ja: str, message_en: str) -> HTTPException:
    return problem(status.HTTP_401_UNAUTHORIZED, "unauthenticated", message_ja, message_en,
                   headers={"WWW-Authenticate": "Bearer"})


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


async def get_idempotency_key(
    request: Request,
    actor: Annotated[Actor, Depends(get_actor)],
    idempotency_key: Annotated[str | None, Header(description="Any unique string (e.g. a UUID) per command: a retry "
                                                              "with the same key returns the first result and "
                                                              "records nothing new.")] = None,
) -> IdempotencyKey | None:
    if idempotency_key is None:
        return None
    if not IDEMPOTENCY_KEY.match(idempotency_key):
        raise problem(status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid_idempotency_key",
                      "Idempotency-Key は1〜200文字の英数字・記号で指定してください。",
                      "Idempotency-Key must be 1-200 visible ASCII characters.")
    body = await request.body()
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False) if body else ""
    except ValueError:
        canonical = body.hex()  # not JSON: the body's validation answers 422 anyway
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n{canonical}".encode()).hexdigest()
    return IdempotencyKey(staff_id=actor.staff_id, key=idempotency_key, request_digest=digest)


def get_expected_version(
    _: Annotated[Actor, Depends(get_actor)],
    if_match: Annotated[str | None, Header(description='The case version you last read, e.g. `"7"`.')] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit() or len(raw) > 9:
        raise problem(status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid_if_match",
                      "If-Match にはケースの版番号を指定してください（例: \"7\"）。",
                      "If-Match must be a case version.")
    return int(raw)


def wait_for_position(services: Services, after: int | None) -> None:
    """Read-your-writes: wait, bounded, until the read models have caught up with ``after``."""
    if after is None:
        return
    if after > (services.tsunagu.recorder.max_notification_id() or 0):
        raise problem(status.HTTP_422_UNPROCESSABLE_CONTENT, "position_not_written",
                      "指定された位置（after）はまだ記録されていません。", "No write has reached that position yet.")
    if not services.runner.wait(after, timeout=services.settings.read_wait_seconds):
        raise problem(status.HTTP_503_SERVICE_UNAVAILABLE, "read_models_behind",
                      "集計がまだ最新の記録に追いついていません。少し待ってから再度お試しください。",
                      "The read models have not caught up with that write yet; retry shortly.",
                      headers={"Retry-After": "1"})


def read_your_writes(
    _: Annotated[Actor, Depends(get_actor)],
    services: Annotated[Services, Depends(get_services)],
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="Wait until the read models include this log "
                                                                      "position (the `position` a write answered).")
                     ] = None,
) -> None:
    """:func:`wait_for_position` for a route, once the caller is known (the log's head is not for anonymous
    callers to probe)."""
    wait_for_position(services, after)


def require_role(*roles: Role) -> Callable[[Actor], Actor]:
    def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        if not any(actor.has_role(role) for role in roles):
            names = "、".join(role.label_ja for role in roles)
            raise problem(status.HTTP_403_FORBIDDEN, "role_required", f"この操作には次の役割が必要です：{names}。",
                          f"This needs one of the roles: {', '.join(roles)}.")
        return actor

    return check


ServicesDep = Annotated[Services, Depends(get_services)]
TsunaguDep = Annotated[Tsunagu, Depends(get_tsunagu)]
ReadModelsDep = Annotated[ReadModels, Depends(get_read_models)]
Fresh = Depends(read_your_writes)
AuditorDep = Annotated[Actor, Depends(require_role(Role.AUDITOR))]
ActorDep = Annotated[Actor, Depends(get_actor)]
OptionalActorDep = Annotated[Actor | None, Depends(get_optional_actor)]
BearerToken = Annotated[str, Depends(get_bearer_token)]
ExpectedVersion = Annotated[int | None, Depends(get_expected_version)]
Idempotency = Annotated[IdempotencyKey | None, Depends(get_idempotency_key)]
