"""How a page answers: the templates and what every template is given (the reader, the navigation,
names, the form's CSRF token and one-time key, the template helpers), redirects, and errors as pages."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment

from api.deps import get_services, wait_for_position
from api.pages import labels
from api.pages.entries import GROUPS
from api.pages.form_input import CSRF_FIELD, FORM_KEY_FIELD, csrf_token
from api.pages.names import Names, agency_colours, working_agencies
from api.pages.session import PREFIX, PRESESSION_COOKIE, SESSION_COOKIE, current_actor, lang_of, set_cookie
from domain.actor import Actor
from domain.errors import NotFound
from domain.indicators import COUNTED_EVENTS
from domain.vocabulary import Basis, Role
from infra.bootstrap import Services


def _install_helpers(env: Environment) -> None:
    """Filters and globals the templates use."""
    env.globals.update(tr=labels.tr, label=labels.label, vocab=labels.vocab, options=labels.options,
                       BASIS_SHORT=labels.BASIS_SHORT, GROUPS=GROUPS, Basis=Basis)
    env.filters.update(date=labels.in_reader_language(labels.format_date),
                       datetime=labels.in_reader_language(labels.format_datetime),
                       fiscal_year=labels.in_reader_language(labels.fiscal_year_label),
                       fiscal_year_short=labels.in_reader_language(labels.fiscal_year_short),
                       wareki=labels.format_wareki)


templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
_install_helpers(templates.env)


def nav_items(actor: Actor | None) -> list[tuple[str, str, str, str]]:
    """(key, path, Japanese, English) for the header's navigation."""
    if actor is None:
        return []
    items = [("home", f"{PREFIX}/", "ホーム", "Home"), ("cases", f"{PREFIX}/cases", "ケース検索", "Case search")]
    if not actor.is_auditor:
        items.append(("inbox", f"{PREFIX}/inbox", "つなぎ受付", "Referral inbox"))
    items += [("workloads", f"{PREFIX}/workloads", "業務量", "Workloads"),
              ("indicators", f"{PREFIX}/indicators", "アウトプット指標", "Indicators")]
    if actor.is_auditor:
        items.append(("audit", f"{PREFIX}/audit", "監査", "Audit"))
    return items


def render(request: Request, template: str, *, status_code: int = 200, nav: str = "",
           **context: Any) -> HTMLResponse:
    services = get_services(request)
    actor = current_actor(request)
    registry = services.tsunagu.registry
    lang = lang_of(request)
    staff = registry.staff_member(actor.staff_id) if actor else None
    names = Names(registry, lang == "en", context.pop("members", ()))
    inbox_count = waiting_referrals(services, actor) if actor is not None and not actor.is_auditor else None
    response = templates.TemplateResponse(request, template, {
        "lang": lang, "actor": actor, "staff": staff, "nav": nav, "nav_items": nav_items(actor),
        "names": names, "registry": registry, "demo": services.demo_sign_in, "prefix": PREFIX,
        "csrf_field": CSRF_FIELD, "csrf": csrf_token(request), "Role": Role, "form_key_field": FORM_KEY_FIELD,
        "counted_kinds": COUNTED_EVENTS,
        "form_key": secrets.token_urlsafe(18),
        "agency_colour": agency_colours(registry), "working_agencies": working_agencies(registry),
        "here": here(request), "inbox_count": inbox_count, **context,
    }, status_code=status_code)
    new_presession = getattr(request.state, "new_presession", None)
    if new_presession and PRESESSION_COOKIE not in request.cookies and SESSION_COOKIE not in request.cookies:
        set_cookie(response, request, PRESESSION_COOKIE, new_presession, 60 * 60)
    return response


def waiting_referrals(services: Services, actor: Actor) -> int:
    """How many referrals wait for the actor's agency to answer (the header's badge; no personal content)."""
    rows = services.read_models.workload.view.query(
        "SELECT COUNT(*) AS n FROM {wl_referral} WHERE to_agency = %(a)s AND status = 'requested'",
        {"a": actor.agency_id})
    return int(rows[0]["n"])


PERSONAL_PARAMETERS = frozenset({"q"})
"""Query parameters that may hold a name: never carried into a link or a redirect (a sign-in's ``next``)."""


def here(request: Request) -> str:
    """This page's path and query, to come back to — without any parameter that may hold a name."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in PERSONAL_PARAMETERS]
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def local_path(candidate: str | None, default: str = f"{PREFIX}/") -> str:
    """A redirect target that stays on this site's pages (never an open redirect)."""
    if candidate and candidate.startswith(f"{PREFIX}/") and not candidate.startswith("//") and "\\" not in candidate:
        return candidate
    return default


def error_page(request: Request, status_code: int, message_ja: str, message_en: str, *,
               title: tuple[str, str] | None = None, case_id: str | None = None) -> HTMLResponse:
    if title is None:
        title = {404: ("見つかりません", "Not found"), 403: ("利用できません", "Not allowed"),
                 409: ("記録できませんでした", "Could not be recorded"),
                 503: ("ただいま表示できません", "Temporarily unavailable")}.get(
            status_code, ("エラー", "Error"))
    return render(request, "error.html", status_code=status_code, title=title, message_ja=message_ja,
                  message_en=message_en, status=status_code, case_id=case_id)


def not_found_page(request: Request, case_id: str | None = None) -> HTMLResponse:
    """One page for a case that does not exist and a case the reader may not see."""
    error = NotFound("ケースが見つかりません。", "Case not found.")
    return error_page(request, 404, error.message_ja, error.message_en, case_id=case_id)


def read_models_caught_up(services: Services, after: int | None) -> bool:
    """Read-your-writes for pages that show read models (the API's own bounded wait)."""
    try:
        wait_for_position(services, after)
    except HTTPException:
        return False
    return True
