"""Web pages for the ward's staff, served by the API's own app under ``/ui`` (``/`` leads there).

Server-rendered (Jinja2) with a little vanilla JavaScript; Japanese first, English on request.
Every page goes through the same access decisions, records, schemas, named commands and named
queries (``api.queries``) as the API: a page is another entrypoint, never a side door, and never
calls a route function. One router module per page group: ``auth`` (sign-in, language),
``cases`` (the case page; with ``case_list`` for lists and name search, ``new_case`` for opening one and
``emergency`` for break-glass), ``forms`` (every command on a case, listed in ``form_specs``), ``printing``
(the case summary and meeting sheet), ``referrals`` (the inbox and its live stream), ``dashboard`` (the home
page, workloads, indicators), ``audit``. What they share:
``session`` (the signed-in actor), ``form_input`` (CSRF, form values and errors), ``rendering``
(templates, redirects, error pages), ``routing`` (``PageRoute``: failures as pages), and the words
of the pages: ``labels`` (vocabularies, dates), ``names`` (agencies, staff, members), ``entries``
(timeline entries' fields)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.pages import audit, auth, cases, dashboard, forms, printing, referrals
from api.pages.rendering import error_page
from api.pages.routing import PageRoute
from api.pages.session import PREFIX

STATIC = Path(__file__).resolve().parent.parent / "static"

fallback = APIRouter(route_class=PageRoute, include_in_schema=False)


@fallback.get(f"{PREFIX}/{{path:path}}", response_class=HTMLResponse)
def read_unknown_page(request: Request, path: str) -> HTMLResponse:
    return error_page(request, 404, "ページが見つかりません。", "There is no such page.")


def install(app: FastAPI) -> None:
    """Mount the static files and the page routers (the catch-all 404 page last)."""
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, cases, forms, printing, referrals, dashboard, audit):
        app.include_router(module.router)
    app.include_router(fallback)
