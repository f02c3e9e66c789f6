"""業務量 and アウトプット指標: per-agency workloads with charts, and the yearly indicators with downloads.

Both come through the API's own route functions (same permission checks, same numbers), from
read models that hold no personal content.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ServicesDep
from api.pages.web import PREFIX, PageActor, PageRoute, read_models_caught_up, render
from api.routers.indicators import download_indicators, read_indicators
from api.routers.workloads import OVERSEEING, read_workload
from domain.calendar import fiscal_year, local_date
from domain.vocabulary import Field

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FiscalYear = Annotated[int, Query(ge=2000, le=2100)]


@router.get(f"{PREFIX}/workloads", response_class=HTMLResponse)
def read_workloads_page(request: Request, actor: PageActor, services: ServicesDep,
                        agency: Annotated[str, Query(max_length=100)] = "",
                        after: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    """The agency's workload; coordinators, administrators and auditors also see every agency side by side."""
    caught_up = read_models_caught_up(services, after)
    overseeing = any(actor.has_role(role) for role in OVERSEEING)
    registry = services.tsunagu.registry
    overview = []
    if overseeing:
        overview = [read_workload(agency_id=a.id, actor=actor, services=services, as_of=None)
                    for a in registry.agencies]
        overview = [w for w in overview if w.cases_led or w.referrals_in or w.referrals_out
                    or w.visits_this_month or w.meetings_this_fiscal_year]
    selected = agency or ("" if overseeing else actor.agency_id)
    detail = read_workload(agency_id=selected, actor=actor, services=services, as_of=None) if selected else None
    return render(request, "workloads.html", nav="workloads", overview=overview, detail=detail,
                  overseeing=overseeing, selected=selected, caught_up=caught_up,
                  overdue_days=services.settings.referral_overdue_business_days)


@router.get(f"{PREFIX}/indicators", response_class=HTMLResponse)
def read_indicators_page(request: Request, actor: PageActor, services: ServicesDep,
                         year: FiscalYear | None = None) -> HTMLResponse:
    current = fiscal_year(local_date(services.tsunagu.clock()))
    year = year or current
    years = sorted({*services.read_models.indicators.view.years(), current, year}, reverse=True)
    table = read_indicators(fiscal_year=year, actor=actor, read_models=services.read_models, tsunagu=services.tsunagu)
    by_field = {row.key: row.value for row in table.rows if row.indicator == "consultations"}
    consultations = [(field, by_field.get(field.value, 0)) for field in Field]
    return render(request, "indicators.html", nav="indicators", table=table, year=year, years=years,
                  consultations=consultations)


@router.get(f"{PREFIX}/indicators/{{year}}/download")
def download_indicators_page(year: Annotated[int, Path(ge=2000, le=2100)], actor: PageActor, services: ServicesDep,
                             format: Literal["csv", "xlsx"] = "csv") -> Response:  # noqa: A002
    return download_indicators(fiscal_year=year, actor=actor, read_models=services.read_models,
                               tsunagu=services.tsunagu, format=format)
