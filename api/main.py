"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import pages
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.limits import BodySizeLimit
from api.routers import (
    audit,
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
not see are listed as withheld. Sign in with a bearer token (`tsunagu token STAFF_ID`).
Every write answers its log `position`; list endpoints take `?after=<position>` to wait (bounded)
until the read models include it.
"""

ROUTERS = (health, cases, intake, consents, referrals, meetings, plans, outreach, handovers, workloads, indicators,
           audit, refused_writes, subscriptions)


def create_app(services: Services) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if services.settings.projections_in_process:
            services.runner.start()
        try:
            yield
        finally:
            services.runner.stop()

    app = FastAPI(title="Tsunagu つなぐ", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.services = services
    install_error_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router, responses=ERROR_RESPONSES)
    pages.install(app)  # the web pages at / (under /ui), through the same use cases
    app.add_middleware(BodySizeLimit, max_bytes=services.settings.max_body_bytes)
    return app
