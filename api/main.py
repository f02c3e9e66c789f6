"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import pages
from api.caching import NoStore
from api.errors import ERROR_RESPONSES, ErrorPublic, install_error_handlers
from api.limits import BodySizeLimit
from api.pages.session import PREFIX
from api.rate_limits import RateLimiter
from api.routers import (
    audit,
    auth,
    cases,
    consents,
    handovers,
    health,
    indicators,
    intake,
    meetings,
    outreach,
    plans,
    referrals,
    refused_writes,
    subscriptions,
    workloads,
)
from infra.bootstrap import Services

DESCRIPTION = """
Tsunagu（つなぐ）は、重層的支援体制整備事業のための事例タイムラインです。
相談・つなぎ・同意・会議・訪問のすべてを変更できない出来事として記録し、
個人情報の閲覧はすべて、根拠（自機関の記録・本人同意・支援会議・緊急時・監査）を判定して記録します。

Every read of personal data is decided and recorded before anything is shown; entries you may
not see are listed as withheld. Sign in with a bearer token (`tsunagu token STAFF_ID`);
`POST /auth/sign-out` revokes it. Sign-in, break-glass and reads are rate-limited (429 with
`Retry-After`); no response may be cached (`Cache-Control: no-store`).
Every write answers its log `position`; list endpoints take `?after=<position>` to wait (bounded)
until the read models include it.
"""

ROUTERS = (health, auth, cases, intake, consents, referrals, meetings, plans, outreach, handovers, workloads,
           indicators, audit, refused_writes, subscriptions)

DOCS_STATIC_URL = "/docs-static"
LIMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    408: {"model": ErrorPublic, "description": "The request body did not arrive in time"},
    429: {"model": ErrorPublic, "description": "Too many requests: see Retry-After"},
}


def create_app(services: Services) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if services.settings.projections_in_process:
            services.runner.start()
        try:
            yield
        finally:
            services.runner.stop()

    settings = services.settings
    app = _new_app(docs=settings.docs, title="Tsunagu つなぐ", version="0.1.0", description=DESCRIPTION,
                   lifespan=lifespan)
    app.state.services = services
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    install_error_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router, responses={**ERROR_RESPONSES, **LIMIT_RESPONSES})
    pages.install(app)  # the web pages at / (under /ui), through the same use cases
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout_seconds)
    app.add_middleware(NoStore, static_prefixes=(f"{PREFIX}/static/", f"{DOCS_STATIC_URL}/"))
    return app


def _new_app(*, docs: bool, **options: Any) -> FastAPI:
    """With ``docs``, /docs and /redoc load their scripts from the pinned ``fastapi-offline`` package
    (served here), never from a CDN; without, there are none."""
    if docs:
        return FastAPIOffline(static_url=DOCS_STATIC_URL, **options)
    return FastAPI(docs_url=None, redoc_url=None, **options)
