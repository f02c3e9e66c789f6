"""Pages for cases: home, search, the case as a story (its full timeline), and break-glass access.

A case page reads through ``Tsunagu.read_case`` and ``Tsunagu.read_timeline`` with
``channel="web"``: both reads are decided and recorded exactly as the API's are, before the
page is rendered. Lists and name search go through ``Tsunagu.case_summaries``: every row is computed
from the reader's granted entries alone (the household's name, open issues) and is a recorded read.
A name is searched by POST only, so it never rides in a URL, a log line or the browser's history;
see ``projections.name_index`` for how a name is found without being stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode
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
from domain.case import Case
from domain.errors import InvalidCommand, NotPermitted
from domain.views import CaseSummary
from domain.vocabulary import Basis, CaseStatus, IssueTag
from projections.name_index import MAX_QUERY_TOKENS, household_tokens, name_tokens, normalise

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
SEARCH_PATH = f"{PREFIX}/cases/search"
MAX_QUERY_CHARS = 100
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
def read_case_list(request: Request, actor: PageActor, services: ServicesDep,
                   district: Annotated[str, Query(max_length=50)] = "",
                   status: Annotated[str, Query(max_length=20)] = "",
                   lead_agency: Annotated[str, Query(max_length=100)] = "",
                   offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                   after: Annotated[int | None, Query(ge=0)] = None,
                   q: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Cases the reader's agency is involved in (auditors: all), by district, status and lead agency.

    Each row is computed from the reader's granted entries alone and is a recorded read (purpose
    ``list``). Names are searched by POST only (``search_cases``): a ``q`` here is refused unread, so
    that no link or bookmark the pages make ever carries a name.
    """
    filters = ListFilters.of(district, status, lead_agency)
    if q and q.strip():  # answered unread, and no link on the page (the language switch) repeats the URL
        return _search_page(request, filters, status_code=400, name_in_url=True, here=filters.list_url())
    caught_up = read_models_caught_up(services, after)
    agency = None if actor.is_auditor else actor.agency_id
    rows = services.read_models.case_state.view.cases(agency=agency, limit=PAGE_SIZE + 1, offset=offset,
                                                      **filters.for_read_model())
    summaries = services.tsunagu.case_summaries(
        actor, [UUID(row["case_id"]) for row in rows[:PAGE_SIZE]], purpose="list", channel="web",
        keep=filters.keep_district)
    return _search_page(request, filters, rows=summaries, more=len(rows) > PAGE_SIZE, offset=offset,
                        caught_up=caught_up)


@router.get(SEARCH_PATH)
def read_search_path() -> RedirectResponse:
    """The search answers POSTs; a GET here (a reload after signing in, the language switch) lists instead."""
    return see_other(f"{PREFIX}/cases")


@router.post(SEARCH_PATH, response_class=HTMLResponse)
def search_cases(request: Request, actor: PageActor, services: ServicesDep, form: CheckedForm) -> Response:
    """Name search, posted so that the name stays out of URLs, logs and history; the results answer the POST.

    Candidates come from the blind name index and the reader's involvement (auditors: all); a row is
    shown only if the query matches a name the reader may see (the household's, or a visible member's),
    so a hit never says "this case has a member called X" to someone who may not know that member.
    Each row shown is a recorded read (purpose ``search``); at most one page is shown.
    """
    values = form_values(form)
    query, district, status, lead_agency = (_one(values, key) for key in ("q", "district", "status", "lead_agency"))
    filters = ListFilters.of(district[:50], status[:20], lead_agency[:100])
    if len(query) > MAX_QUERY_CHARS:
        return _search_page(request, filters, status_code=422, query_error=True)
    if not query:
        return see_other(filters.list_url())
    if _is_case_id(query):
        return see_other(f"{PREFIX}/cases/{UUID(query)}")
    candidates = services.read_models.name_index.search(query)
    if candidates is None:
        return _search_page(request, filters, q=query, searched=True, name_search_off=True)
    agency = None if actor.is_auditor else actor.agency_id
    case_state = services.read_models.case_state.view
    rows = [row for row in (case_state.case(case_id) for case_id in candidates) if row is not None
            and (agency is None or agency in row["agencies"])
            and (filters.status is None or row["status"] == filters.status)
            and (filters.lead_agency is None or row["lead_agency"] == filters.lead_agency)]
    rows.sort(key=lambda row: (row["last_event_at"], row["case_id"]), reverse=True)
    keep = VisibleNameMatch(query, filters, limit=PAGE_SIZE)
    summaries = services.tsunagu.case_summaries(actor, [UUID(row["case_id"]) for row in rows],
                                                purpose="search", channel="web", keep=keep)
    return _search_page(request, filters, q=query, searched=True, rows=summaries, more=keep.more)


def _one(values: dict[str, Any], key: str) -> str:
    value = values.get(key)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class ListFilters:
    """The list's non-personal filters: they may ride in a URL."""

    district: str | None
    status: str | None
    lead_agency: str | None

    @classmethod
    def of(cls, district: str, status: str, lead_agency: str) -> ListFilters:
        return cls(district=district or None, status=status if status in set(CaseStatus) else None,
                   lead_agency=lead_agency or None)

    def for_read_model(self) -> dict[str, str | None]:
        return {"district": self.district, "status": self.status, "lead_agency": self.lead_agency}

    def list_url(self) -> str:
        query = urlencode({k: v for k, v in self.for_read_model().items() if v})
        return f"{PREFIX}/cases" + (f"?{query}" if query else "")

    def keep_district(self, known: Case) -> bool:
        """The district is the reader's to filter by only where the reader may see it."""
        return self.district is None or known.district == self.district


class VisibleNameMatch:
    """``keep`` for a name search: the query matches the names the reader may see, as the index matches.

    Every token of the query must be among the visible names' tokens (or the tokens joined, e.g.
    さとう いちろう for 佐藤一郎), the same rule as ``projections.name_index``, but over the household's
    name and the members the reader may see only. Rows past ``limit`` are not kept; ``more`` says
    whether there were any.
    """

    def __init__(self, query: str, filters: ListFilters, *, limit: int) -> None:
        self.parts = normalise(query).split()[:MAX_QUERY_TOKENS]
        self.filters = filters
        self.limit = limit
        self.kept = 0
        self.more = False

    def matches(self, known: Case) -> bool:
        tokens: set[str] = set()
        if known.household_name or known.household_name_kana:
            tokens |= household_tokens(known.household_name or "", known.household_name_kana or "")
        for member in known.members.values():
            tokens |= name_tokens(str(member.get("name") or ""), str(member.get("name_kana") or ""))
        return bool(self.parts) and (all(part in tokens for part in self.parts)
                                     or (len(self.parts) > 1 and "".join(self.parts) in tokens))

    def __call__(self, known: Case) -> bool:
        if self.more or not self.filters.keep_district(known) or not self.matches(known):
            return False
        if self.kept == self.limit:
            self.more = True
            return False
        self.kept += 1
        return True


def _search_page(request: Request, filters: ListFilters, *, rows: list[CaseSummary] | None = None,
                 more: bool = False, offset: int = 0, q: str = "", searched: bool = False,
                 caught_up: bool = True, name_search_off: bool = False, name_in_url: bool = False,
                 query_error: bool = False, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(request, "search.html", nav="cases", status_code=status_code, rows=rows or [], more=more,
                  q=q, searched=searched, district=filters.district or "", status=filters.status or "",
                  lead_agency=filters.lead_agency or "", filter_query=filters.list_url().partition("?")[2],
                  offset=offset, page_size=PAGE_SIZE, name_search_off=name_search_off, name_in_url=name_in_url,
                  query_error=query_error, caught_up=caught_up, statuses=list(CaseStatus), issue_tag=_issue_tag,
                  **context)


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
        today=local_date(tsunagu.clock()), Basis=Basis)


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
