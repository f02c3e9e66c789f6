"""監査 pages: the unconsented accesses, the replay verification, and the emergency-access review queue.

Auditors only. The access trail shows who read which case, on which basis and grounds, and what
consent stood then. The one piece of case content shown, each emergency grant's reason and its
review's finding, is read from the event store as a recorded read under AUDIT (the page is refused
if it cannot be recorded). The data and checks are the API's own named queries (``api.queries.audit``).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import ServicesDep
from api.pages.form_input import CheckedForm, field_errors, form_values, parse
from api.pages.rendering import read_models_caught_up, render, see_other
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, AuditorPageActor, lang_of
from api.queries.audit import (
    UNCONSENTED_CSV,
    access_log_verification,
    emergency_review_queue,
    unconsented_accesses,
    with_emergency_reasons,
)
from api.queries.audit_export import access_csv_jst
from api.schemas.audit import AccessFilters, EmergencyReview
from domain.calendar import fiscal_year, local_date

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LIMIT = 200

IdFilter = Annotated[str, Query(pattern=r"^[A-Za-z0-9._:-]{0,100}$")]
"""A filter by id (the form's field may be left blank): the API's ``Identifier``, checked as the query is read."""


def _filters(fiscal_year_: int | None, reader_staff: str, case_id: str) -> AccessFilters:
    try:
        return AccessFilters(fiscal_year=fiscal_year_, reader_staff=reader_staff or None, case_id=case_id or None,
                             limit=LIMIT)
    except ValidationError as error:  # answered as unreadable filters (400), never as an error with its input
        raise RequestValidationError(error.errors(include_input=False, include_context=False)) from None


@router.get(f"{PREFIX}/audit", response_class=HTMLResponse)
def read_unconsented_page(request: Request, auditor: AuditorPageActor, services: ServicesDep,
                          year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                          reader_staff: IdFilter = "",
                          case_id: IdFilter = "",
                          after: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    """同意によらない閲覧: reads on a 支援会議 or an emergency, each with the facts as they stood."""
    caught_up = read_models_caught_up(services, after)
    year = year or fiscal_year(local_date(services.tsunagu.clock()))
    accesses = with_emergency_reasons(services.tsunagu, auditor, unconsented_accesses(
        services.read_models, auditor, _filters(year, reader_staff, case_id)), channel="web")
    return render(request, "audit/unconsented.html", nav="audit", tab="unconsented", accesses=accesses, year=year,
                  reader_staff=reader_staff, case_id=case_id, limit=LIMIT, caught_up=caught_up)


@router.get(f"{PREFIX}/audit/unconsented.csv")
def download_unconsented(auditor: AuditorPageActor, services: ServicesDep,
                         year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                         reader_staff: IdFilter = "",
                         case_id: IdFilter = "") -> Response:
    filters = _filters(year, reader_staff, case_id).model_copy(update={"limit": 10_000})
    return access_csv_jst(UNCONSENTED_CSV, unconsented_accesses(services.read_models, auditor, filters),
                          services.tsunagu.registry)


@router.get(f"{PREFIX}/audit/verify", response_class=HTMLResponse)
def read_verify_page(request: Request, auditor: AuditorPageActor, services: ServicesDep,
                     run: Literal["", "1"] = "") -> HTMLResponse:
    """Replays every recorded access decision against the log as of its time (on request: it reads the log)."""
    report = access_log_verification(services, auditor) if run else None
    return render(request, "audit/verify.html", nav="audit", tab="verify", report=report)


@router.get(f"{PREFIX}/audit/emergency", response_class=HTMLResponse)
def read_emergency_queue(request: Request, auditor: AuditorPageActor, services: ServicesDep,
                         after: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    return _emergency_queue(request, auditor, services, caught_up=read_models_caught_up(services, after))


def _emergency_queue(request: Request, auditor: AuditorPageActor, services: ServicesDep, *, caught_up: bool = True,
                     errors: dict[str, dict[str, str]] | None = None, values: dict[str, object] | None = None,
                     status_code: int = 200) -> HTMLResponse:
    pending, reviewed = emergency_review_queue(services.read_models, services.tsunagu, auditor)
    return render(request, "audit/emergency.html", nav="audit", tab="emergency", pending=pending,
                  reviewed=reviewed, caught_up=caught_up, errors=errors or {}, values=values or {},
                  status_code=status_code)


@router.post(f"{PREFIX}/audit/emergency/{{case_id}}/{{grant_id}}", response_class=HTMLResponse)
def review_emergency_page(request: Request, case_id: UUID, grant_id: str, auditor: AuditorPageActor,
                          services: ServicesDep, form: CheckedForm) -> Response:
    values = form_values(form)
    try:
        body = parse(EmergencyReview, {"justified": values.get("justified"), "finding": values.get("finding")})
    except ValidationError as error:
        return _emergency_queue(request, auditor, services, errors={grant_id: field_errors(error, lang_of(request))},
                                values={grant_id: values}, status_code=422)
    result = services.tsunagu.execute(auditor, body.to_command(case_id, grant_id))
    return see_other(f"{PREFIX}/audit/emergency?after={result.position}")
