"""Pages for cases: home, search, the case as a story (its full timeline), and break-glass access.

A case page reads through ``Tsunagu.read_case`` and ``Tsunagu.read_timeline`` with
``channel="web"``: both reads are decided and recorded exactly as the API's are, before the
page is rendered. The search lists only what the read models hold (no names): see
``projections.name_index`` for how a name is searched without being stored.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import ServicesDep
from api.pages.entries import GROUPS, KIND_GROUP, entry_fields
from api.pages.form_input import CheckedForm, field_errors, form_idempotency, form_values, parse, refusal_message
from api.pages.forms import FORMS
from api.pages.names import Names
from api.pages.rendering import read_models_caught_up, render, see_other
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor, lang_of
from api.schemas.cases import EmergencyAccessCreate
from domain.calendar import fiscal_year, local_date
from domain.errors import InvalidCommand, NotPermitted
from domain.vocabulary import Basis, CaseStatus, IssueTag

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
DONE_MESSAGES = {"emergency": ("緊急時アクセスを記録しました。監査担当が検証します。",
                               "Emergency access recorded. An auditor will review it.")}


@router.get("/")
def read_root() -> RedirectResponse:
    return see_other(f"{PREFIX}/")


@router.get(f"{PREFIX}/", response_class=HTMLResponse)
def read_home(request: Request, actor: PageActor, services: ServicesDep) -> HTMLResponse:
    """What needs attention today: referrals waiting for the agency, plans due for review, audits pending."""
    today = local_date(services.tsunagu.clock())
    context: dict[str, object] = {"today": today}
    if actor.is_auditor:
        audit = services.read_models.access_audit.view
        context["pending_reviews"] = len(audit.emergency_grants(reviewed=False, limit=1000))
        context["unconsented_this_year"] = len(audit.decisions(unconsented=True, fiscal_year=fiscal_year(today),
                                                               limit=10_000))
    else:
        context["workload"] = services.read_models.workload.view.workload(
            actor.agency_id, today, overdue_after_business_days=services.settings.referral_overdue_business_days)
    return render(request, "home.html", nav="home", **context)


@router.get(f"{PREFIX}/cases", response_class=HTMLResponse)
def read_case_search(request: Request, actor: PageActor, services: ServicesDep,
                     q: Annotated[str, Query(max_length=100)] = "",
                     district: Annotated[str, Query(max_length=50)] = "",
                     status: Annotated[str, Query(max_length=20)] = "",
                     lead_agency: Annotated[str, Query(max_length=100)] = "",
                     offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                     after: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """Cases the reader's agency is involved in (auditors: all), by name, district, status, lead agency."""
    query = q.strip()
    if _is_case_id(query):
        return see_other(f"{PREFIX}/cases/{UUID(query)}")
    caught_up = read_models_caught_up(services, after)
    filters = {"district": district or None, "status": status if status in set(CaseStatus) else None,
               "lead_agency": lead_agency or None}
    agency = None if actor.is_auditor else actor.agency_id
    case_state = services.read_models.case_state.view
    name_search_off = False
    if query:
        matches = services.read_models.name_index.search(query)
        name_search_off = matches is None
        rows = [row for row in (case_state.case(case_id) for case_id in sorted(matches or ())) if row is not None
                and (agency is None or agency in row["agencies"])
                and all(value is None or row[key] == value for key, value in filters.items())]
        rows.sort(key=lambda row: row["last_event_at"], reverse=True)
        rows = rows[offset:offset + PAGE_SIZE]
    else:
        rows = case_state.cases(agency=agency, limit=PAGE_SIZE + 1, offset=offset, **filters)
    return render(request, "search.html", nav="cases", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE,
                  q=q, district=district, status=status, lead_agency=lead_agency, offset=offset,
                  page_size=PAGE_SIZE, name_search_off=name_search_off, caught_up=caught_up,
                  statuses=list(CaseStatus), issue_tag=_issue_tag)


def _is_case_id(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return len(text) >= 32


def _issue_tag(tag: str) -> IssueTag | None:
    try:
        return IssueTag(tag)
    except ValueError:
        return None


@router.get(f"{PREFIX}/cases/{{case_id}}", response_class=HTMLResponse)
def read_case_page(request: Request, case_id: UUID, actor: PageActor, services: ServicesDep,
                   group: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006 - FastAPI's list default
                   done: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    """The case as a story: its current state, then every entry in order, each with its basis or why withheld."""
    tsunagu = services.tsunagu
    view = tsunagu.read_case(actor, case_id, channel="web")
    timeline = tsunagu.read_timeline(actor, case_id, channel="web")
    en = lang_of(request) == "en"
    names = Names(tsunagu.registry, en, view.members)
    shown_groups = [g for g in group if g in GROUPS] or list(GROUPS)
    entries = []
    for entry in timeline.entries:
        item = {"entry": entry, "group": KIND_GROUP.get(entry.kind, "intake")}
        if not entry.withheld:
            item["fields"] = entry_fields(entry.content, names)
        entries.append(item)
    bases = Counter(e.basis for e in timeline.entries if not e.withheld)
    groups_present = Counter(item["group"] for item in entries)
    return render(
        request, "case.html", nav="cases", members=view.members, view=view, timeline=timeline, entries=entries,
        shown_groups=shown_groups, groups_present=groups_present, bases=bases,
        withheld=sum(1 for e in timeline.entries if e.withheld),
        unconsented=[b for b in bases if b.is_unconsented], may_write=services.tsunagu.may_record_on(actor, case_id),
        done=present_done(done), agencies_in_timeline=sorted({e.agency for e in timeline.entries}),
        Basis=Basis)


def present_done(done: str) -> tuple[str, str] | None:
    if done in DONE_MESSAGES:
        return DONE_MESSAGES[done]
    form = FORMS.get(done)
    if form is None:
        return None
    return (f"「{form.title[0]}」を記録しました。", f"Recorded: {form.title[1]}.")


@router.get(f"{PREFIX}/cases/{{case_id}}/emergency", response_class=HTMLResponse)
def read_emergency_form(request: Request, case_id: UUID, actor: PageActor, services: ServicesDep) -> HTMLResponse:
    """Break-glass: asks for the written reason first; nothing of the case is read before it is granted."""
    return _emergency_form(request, case_id, actor.is_auditor, services)


def _emergency_form(request: Request, case_id: UUID, auditor: bool, services: ServicesDep, *,
                    values: dict[str, object] | None = None, errors: dict[str, str] | None = None,
                    status_code: int = 200) -> HTMLResponse:
    return render(request, "emergency.html", nav="cases", case_id=str(case_id), auditor=auditor,
                  values=values or {}, errors=errors or {}, status_code=status_code,
                  ttl_hours=services.settings.emergency_ttl_hours)


@router.post(f"{PREFIX}/cases/{{case_id}}/emergency", response_class=HTMLResponse)
def create_emergency_access_page(request: Request, case_id: UUID, actor: PageActor, services: ServicesDep,
                                 form: CheckedForm) -> Response:
    values = form_values(form)
    idempotency = form_idempotency(request, actor, values)
    try:
        body = parse(EmergencyAccessCreate, values)
        services.tsunagu.execute(actor, body.to_command(case_id), idempotency=idempotency)
    except ValidationError as error:
        return _emergency_form(request, case_id, actor.is_auditor, services, values=values,
                               errors=field_errors(error, lang_of(request)), status_code=422)
    except (InvalidCommand, NotPermitted) as error:
        return _emergency_form(request, case_id, actor.is_auditor, services, values=values,
                               errors={"reason": refusal_message(error, lang_of(request))}, status_code=422)
    return see_other(f"{PREFIX}/cases/{case_id}?done=emergency")
