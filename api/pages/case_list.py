"""The case list and the name search: households by name, with their members' ages, sorted, counted, paged.

Rows come from ``api.queries.case_rows`` (``Tsunagu.read_cases``): each is built from the reader's granted
entries alone and is a recorded read (purpose ``list`` or ``search``); a household the reader may not know is
「非表示」. Candidates and counts come from the case-state read model (no personal content). A name is
searched by POST only, so it never rides in a URL, a log line or the browser's history; see
``projections.name_index`` for how a name is found without being stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ServicesDep, get_services
from api.pages.form_input import CheckedForm, form_values
from api.pages.rendering import read_models_caught_up, render, see_other
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor
from api.queries.case_rows import CaseRow, case_rows, with_withheld
from domain.calendar import local_date
from domain.case import Case
from domain.vocabulary import CaseStatus, IssueTag
from projections.case_state import ORDERS
from projections.name_index import MAX_QUERY_TOKENS, household_tokens, name_tokens, normalise

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
SEARCH_PATH = f"{PREFIX}/cases/search"
MAX_QUERY_CHARS = 100
SORTS = {"last_event": ("最終記録が新しい順", "Latest record first"), "opened": ("開始が新しい順", "Newest first"),
         "opened_oldest": ("開始が古い順", "Oldest first"), "review": ("モニタリング日が近い順", "Next review first")}


@router.get(f"{PREFIX}/cases", response_class=HTMLResponse)
def read_case_list(request: Request, actor: PageActor, services: ServicesDep,
                   district: Annotated[str, Query(max_length=50)] = "",
                   status: Annotated[str, Query(max_length=20)] = "",
                   lead_agency: Annotated[str, Query(max_length=100)] = "",
                   mine: Annotated[str, Query(max_length=1)] = "",
                   sort: Annotated[str, Query(max_length=20)] = "",
                   offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                   after: Annotated[int | None, Query(ge=0)] = None,
                   q: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Cases the reader's agency is involved in (auditors: all), by district, status, lead agency and 担当者,
    in the order asked for, with how many there are in all.

    Names are searched by POST only (``search_cases``): a ``q`` here is refused unread, so that no link or
    bookmark the pages make ever carries a name.
    """
    filters = ListFilters.of(district, status, lead_agency, mine=mine == "1", sort=sort)
    if q and q.strip():  # answered unread, and no link on the page (the language switch) repeats the URL
        return _search_page(request, filters, status_code=400, name_in_url=True, here=filters.list_url())
    caught_up = read_models_caught_up(services, after)
    view = services.read_models.case_state.view
    criteria = filters.for_read_model(actor)
    rows = view.cases(**criteria, order=filters.sort, limit=PAGE_SIZE + 1, offset=offset)
    total = view.count(**criteria)
    page = rows[:PAGE_SIZE]
    shown = case_rows(services.tsunagu, actor, [row["case_id"] for row in page], purpose="list",
                      keep=filters.keep_district)
    if filters.district is None:  # a district filter is the reader's only where they may see it: no blind rows
        shown = with_withheld(shown, page)
    return _search_page(request, filters, rows=shown, more=len(rows) > PAGE_SIZE, offset=offset,
                        caught_up=caught_up, total=total)


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
    filters = ListFilters.of(district[:50], status[:20], lead_agency[:100], mine=_one(values, "mine") == "1")
    if len(query) > MAX_QUERY_CHARS:
        return _search_page(request, filters, status_code=422, query_error=True)
    if not query:
        return see_other(filters.list_url())
    if _is_case_id(query):
        return see_other(f"{PREFIX}/cases/{UUID(query)}")
    candidates = services.read_models.name_index.search(query)
    if candidates is None:
        return _search_page(request, filters, q=query, searched=True, name_search_off=True)
    rows = involved_candidates(services, actor, candidates, filters)
    keep = VisibleNameMatch(query, filters, limit=PAGE_SIZE)
    shown = case_rows(services.tsunagu, actor, [row["case_id"] for row in rows], purpose="search", keep=keep)
    return _search_page(request, filters, q=query, searched=True, rows=shown, more=keep.more, total=len(shown))


def involved_candidates(services: ServicesDep, actor: Any, candidates: Iterable[str],
                        filters: ListFilters) -> list[dict[str, Any]]:
    """The name index's candidates the reader's agency is involved in (auditors: all), by the list's filters,
    the latest record first (read-model rows: no personal content)."""
    agency = None if actor.is_auditor else actor.agency_id
    case_state = services.read_models.case_state.view
    rows = [row for row in (case_state.case(case_id) for case_id in candidates) if row is not None
            and (agency is None or agency in row["agencies"])
            and (filters.status is None or row["status"] == filters.status)
            and (filters.lead_agency is None or row["lead_agency"] == filters.lead_agency)
            and (not filters.mine or row.get("staff_in_charge") == actor.staff_id)]
    rows.sort(key=lambda row: (row["last_event_at"], row["case_id"]), reverse=True)
    return rows


def _one(values: dict[str, Any], key: str) -> str:
    value = values.get(key)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class ListFilters:
    """The list's non-personal filters and order: they may ride in a URL."""

    district: str | None
    status: str | None
    lead_agency: str | None
    mine: bool = False
    sort: str = "last_event"

    @classmethod
    def of(cls, district: str, status: str, lead_agency: str, *, mine: bool = False, sort: str = "") -> ListFilters:
        return cls(district=district or None, status=status if status in set(CaseStatus) else None,
                   lead_agency=lead_agency or None, mine=mine, sort=sort if sort in ORDERS else "last_event")

    def for_read_model(self, actor: Any) -> dict[str, str | None]:
        return {"agency": None if actor.is_auditor else actor.agency_id, "district": self.district,
                "status": self.status, "lead_agency": self.lead_agency,
                "staff_in_charge": actor.staff_id if self.mine else None}

    def query(self, **changes: Any) -> str:
        values = {"district": self.district, "status": self.status, "lead_agency": self.lead_agency,
                  "mine": "1" if self.mine else None, "sort": None if self.sort == "last_event" else self.sort}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})

    def list_url(self) -> str:
        query = self.query()
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

    def __init__(self, query: str, filters: ListFilters | None = None, *, limit: int) -> None:
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
        if self.more or (self.filters and not self.filters.keep_district(known)) or not self.matches(known):
            return False
        if self.kept == self.limit:
            self.more = True
            return False
        self.kept += 1
        return True


def _search_page(request: Request, filters: ListFilters, *, rows: list[CaseRow] | None = None,
                 more: bool = False, offset: int = 0, q: str = "", searched: bool = False, total: int | None = None,
                 caught_up: bool = True, name_search_off: bool = False, name_in_url: bool = False,
                 query_error: bool = False, status_code: int = 200, **context: Any) -> HTMLResponse:
    today = local_date(get_services(request).tsunagu.clock())
    return render(request, "search.html", nav="cases", status_code=status_code, rows=rows or [], more=more,
                  q=q, searched=searched, filters=filters, district=filters.district or "",
                  status=filters.status or "", lead_agency=filters.lead_agency or "", total=total,
                  offset=offset, page_size=PAGE_SIZE, name_search_off=name_search_off, name_in_url=name_in_url,
                  query_error=query_error, caught_up=caught_up, statuses=list(CaseStatus), issue_tag=_issue_tag,
                  sorts=SORTS, today=today, **context)


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
