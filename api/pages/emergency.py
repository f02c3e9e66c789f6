"""Break-glass (緊急時アクセス) from the pages: reason first, then the household, then the grant and its expiry.

Two ways in: from a case's page (its id is known), or from a name — the written reason comes first, then a
name search among every case of the ward (the candidates of the blind name index). A candidate shows no
personal content, only the case's own facts (district, status, lead agency, when it opened), and each one
shown is recorded as a lookup by this reader (purpose ``emergency_search``) before the page is answered. The
grant itself is the ``RequestEmergencyAccess`` command, as the API's; the case page then shows until when it
runs.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import ServicesDep
from api.pages.form_input import CheckedForm, field_errors, form_idempotency, form_values, parse, refusal_message
from api.pages.rendering import render, see_other
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor, lang_of
from api.schemas.cases import EmergencyAccessCreate
from domain.case.emergency import meaningful_reason
from domain.errors import InvalidCommand, NotPermitted

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_CANDIDATES = 20
MAX_QUERY_CHARS = 100


@router.get(f"{PREFIX}/cases/{{case_id}}/emergency", response_class=HTMLResponse)
def read_emergency_form(request: Request, case_id: UUID, actor: PageActor, services: ServicesDep) -> HTMLResponse:
    """Break-glass: asks for the written reason first; nothing of the case is read before it is granted."""
    return _emergency_form(request, str(case_id), actor.is_auditor, services)


def _emergency_form(request: Request, case_id: str | None, auditor: bool, services: ServicesDep, *,
                    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                    candidates: list[dict[str, Any]] | None = None, searched: bool = False,
                    status_code: int = 200) -> HTMLResponse:
    return render(request, "emergency.html", nav="cases", case_id=case_id, auditor=auditor,
                  values=values or {}, errors=errors or {}, status_code=status_code, candidates=candidates or [],
                  searched=searched, ttl_hours=services.settings.emergency_ttl_hours, max_candidates=MAX_CANDIDATES)


@router.post(f"{PREFIX}/cases/{{case_id}}/emergency", response_class=HTMLResponse)
def create_emergency_access_page(request: Request, case_id: UUID, actor: PageActor, services: ServicesDep,
                                 form: CheckedForm) -> Response:
    values = form_values(form)
    idempotency = form_idempotency(request, actor, values)
    try:
        body = parse(EmergencyAccessCreate, {"reason": values.get("reason")} if values.get("reason") else {})
        services.tsunagu.execute(actor, body.to_command(case_id), idempotency=idempotency)
    except ValidationError as error:
        return _emergency_form(request, str(case_id), actor.is_auditor, services, values=values,
                               errors=field_errors(error, lang_of(request)), status_code=422)
    except (InvalidCommand, NotPermitted) as error:
        return _emergency_form(request, str(case_id), actor.is_auditor, services, values=values,
                               errors={"reason": refusal_message(error, lang_of(request))}, status_code=422)
    return see_other(f"{PREFIX}/cases/{case_id}?done=emergency")


@router.get(f"{PREFIX}/emergency", response_class=HTMLResponse)
def read_emergency_search(request: Request, actor: PageActor, services: ServicesDep) -> HTMLResponse:
    """Break-glass by name: the reason first (nothing is searched before it is written)."""
    return _emergency_form(request, None, actor.is_auditor, services)


@router.post(f"{PREFIX}/emergency", response_class=HTMLResponse)
def search_for_emergency(request: Request, actor: PageActor, services: ServicesDep, form: CheckedForm) -> Response:
    """The reason is checked as the grant will check it; then the name is looked up among every case, and the
    candidates shown (no personal content) are recorded as this reader's lookups."""
    values = form_values(form)
    values.pop("form_key", None)
    reason, query = str(values.get("reason") or ""), str(values.get("q") or "")
    en = lang_of(request) == "en"
    errors: dict[str, str] = {}
    try:
        meaningful_reason(reason)
    except InvalidCommand as error:
        errors["reason"] = error.message_en if en else error.message_ja
    if not query.strip() or len(query) > MAX_QUERY_CHARS:
        errors["q"] = ("Type the household's or a member's name (up to 100 characters)." if en
                       else "世帯または世帯員の氏名を入力してください（100文字以内）。")
    if actor.is_auditor or errors:
        return _emergency_form(request, None, actor.is_auditor, services, values=values, errors=errors,
                               status_code=422 if errors else 403)
    found = services.read_models.name_index.search(query)
    state = services.read_models.case_state.view
    rows = [row for row in (state.case(case_id) for case_id in (found or [])) if row and row["status"] == "open"]
    rows.sort(key=lambda row: (row["last_event_at"], row["case_id"]), reverse=True)
    rows = rows[:MAX_CANDIDATES]
    recorded = set(services.tsunagu.record_lookups(actor, [UUID(row["case_id"]) for row in rows],
                                                   purpose="emergency_search", channel="web"))
    candidates = [row for row in rows if row["case_id"] in recorded]
    return _emergency_form(request, None, False, services, values=values, candidates=candidates, searched=True)
