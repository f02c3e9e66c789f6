"""つなぎ受付: the agency's referral inbox, from the workload read model (no personal content).

Each row names the case, the referring agency and how long it has waited (business days,
overdue after the configured number); answering opens the case's referral form, where the
referral's reason is read through the recorded access decision.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import ServicesDep
from api.pages.rendering import read_models_caught_up, render
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor
from domain.calendar import local_date

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get(f"{PREFIX}/inbox", response_class=HTMLResponse)
def read_inbox(request: Request, actor: PageActor, services: ServicesDep,
               after: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    caught_up = read_models_caught_up(services, after)
    workload = services.read_models.workload.view.workload(
        actor.agency_id, local_date(services.tsunagu.clock()),
        overdue_after_business_days=services.settings.referral_overdue_business_days)
    return render(request, "inbox.html", nav="inbox", workload=workload, caught_up=caught_up,
                  overdue_days=services.settings.referral_overdue_business_days)
