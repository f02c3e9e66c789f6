"""The home page (わたしの仕事), 業務量 and アウトプット指標.

The home page is ``api.queries.desk``: what this person has to do next, the households named as far as they
may know them (each case shown a recorded read). Workloads and indicators are the API's own named queries
(``api.queries.workloads``, ``api.queries.indicators``: same permission checks, same numbers), from read
models that hold no personal content.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, TypedDict

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ServicesDep
from api.exports import Encoding
from api.pages.rendering import read_models_caught_up, render
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor
from api.queries.desk import Desk, desk
from api.queries.indicators import indicators_spreadsheet, yearly_indicators
from api.queries.workloads import active_workloads, agency_workload, oversees_workloads
from domain.calendar import fiscal_year, local_date
from domain.vocabulary import Field

router = APIRouter(route_class=PageRoute, include_in_schema=False)


class HomeContext(TypedDict, total=False):
    """What home.html shows besides the page's frame: an auditor's reviews, or a member of staff's desk."""

    today: date
    caught_up: bool
    pending_reviews: int
    unconsented_this_year: int
    desk: Desk


@router.get(f"{PREFIX}/", response_class=HTMLResponse)
def read_home(request: Request, actor: PageActor, services: ServicesDep,
              after: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    """What needs doing today: for staff their desk, for auditors the reviews and the unconsented reads."""
    caught_up = read_models_caught_up(services, after)
    today = local_date(services.tsunagu.clock())
    context: HomeContext = {"today": today, "caught_up": caught_up}
    if actor.is_auditor:
        audit = services.read_models.access_audit.view
        context["pending_reviews"] = len(audit.emergency_grants(reviewed=False, limit=1000))
        context["unconsented_this_year"] = len(audit.decisions(unconsented=True, fiscal_year=fiscal_year(today),
                                                               limit=10_000))
    elif actor.may_record:
        context["desk"] = desk(services, actor)
    return render(request, "home.html", nav="home", live=not actor.is_auditor, **context)

FiscalYear = Annotated[int, Query(ge=2000, le=2100)]


@router.get(f"{PREFIX}/workloads", response_class=HTMLResponse)
def read_workloads_page(request: Request, actor: PageActor, services: ServicesDep,
                        agency: Annotated[str, Query(max_length=100)] = "",
                        after: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    """The agency's workload; coordinators, administrators and auditors also see every agency side by side."""
    caught_up = read_models_caught_up(services, after)
    overseeing = oversees_workloads(actor)
    overview = active_workloads(services, actor)
    selected = agency or ("" if overseeing else actor.agency_id)
    detail = agency_workload(services, actor, selected) if selected else None
    return render(request, "workloads.html", nav="workloads", overview=overview, detail=detail,
                  overseeing=overseeing, selected=selected, caught_up=caught_up,
                  overdue_days=services.settings.referral_overdue_business_days)


@router.get(f"{PREFIX}/indicators", response_class=HTMLResponse)
def read_indicators_page(request: Request, actor: PageActor, services: ServicesDep,
                         year: FiscalYear | None = None) -> HTMLResponse:
    current = fiscal_year(local_date(services.tsunagu.clock()))
    year = year or current
    years = sorted({*services.read_models.indicators.view.years(), current, year}, reverse=True)
    table = yearly_indicators(services.read_models, services.tsunagu, year)
    by_field = {row.key: row.value for row in table.rows if row.indicator == "consultations"}
    consultations = [(field, by_field.get(field.value, 0)) for field in Field]
    return render(request, "indicators.html", nav="indicators", table=table, year=year, years=years,
                  consultations=consultations)


@router.get(f"{PREFIX}/indicators/{{year}}/download")
def download_indicators_page(year: Annotated[int, Path(ge=2000, le=2100)], actor: PageActor, services: ServicesDep,
                             format: Literal["csv", "xlsx"] = "csv", encoding: Encoding = "utf-8") -> Response:
    return indicators_spreadsheet(services.read_models, services.tsunagu, year, format, encoding)
