"""Web pages for the ward's staff, served by the API's own app under ``/ui`` (``/`` leads there).

Server-rendered (Jinja2) with a little vanilla JavaScript; Japanese first, English on request.
Every page goes through the same access decisions, records, schemas and route functions as
the API: a page is another entrypoint, never a side door. One router module per page group:
``auth`` (sign-in, language), ``cases`` (home, search, case timeline, break glass), ``forms``
(commands on a case), ``referrals`` (inbox), ``dashboard`` (workloads, indicators), ``audit``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.pages import audit, auth, cases, dashboard, forms, referrals
from api.pages.web import PREFIX, PageRoute, error_page

STATIC = Path(__file__).resolve().parent.parent / "static"

fallback = APIRouter(route_class=PageRoute, include_in_schema=False)


@fallback.get(f"{PREFIX}/{{path:path}}", response_class=HTMLResponse)
def read_unknown_page(request: Request, path: str) -> HTMLResponse:
    return error_page(request, 404, "ページが見つかりません。", "There is no such page.")


def install(app: FastAPI) -> None:
    """Mount the static files and the page routers (the catch-all 404 page last)."""
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, cases, forms, referrals, dashboard, audit):
        app.include_router(module.router)
    app.include_router(fallback)
