"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.limits import BodySizeLimit
from api.routers import cases, consents, handovers, health, intake, meetings, outreach, plans, referrals
from domain.application import Tsunagu
from infra.auth import TokenIssuer

DESCRIPTION = """
Tsunagu（つなぐ）は、重層的支援体制整備事業のための事例タイムラインです。
相談・つなぎ・同意・会議・訪問のすべてを変更できない出来事として記録し、
個人情報の閲覧はすべて、根拠（自機関の記録・本人同意・支援会議・緊急時・監査）を判定して記録します。

Every read of personal data is decided and recorded before anything is shown; entries you may
not see are listed as withheld. Sign in with a bearer token (`tsunagu token STAFF_ID`).
"""


def create_app(tsunagu: Tsunagu, token_issuer: TokenIssuer, *, max_body_bytes: int = 1_000_000) -> FastAPI:
    app = FastAPI(title="Tsunagu つなぐ", version="0.1.0", description=DESCRIPTION)
    app.state.tsunagu = tsunagu
    app.state.token_issuer = token_issuer
    install_error_handlers(app)
    for module in (health, cases, intake, consents, referrals, meetings, plans, outreach, handovers):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    return app
