"""Per-agency workload: cases led, referrals waiting (overdue after N business days), visits, reviews."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from api.deps import ActorDep, Fresh, ServicesDep
from api.errors import problem
from domain.calendar import local_date
from domain.vocabulary import Role

router = APIRouter(prefix="/workloads", tags=["workloads"])

OVERSEEING = (Role.COORDINATOR, Role.ADMIN, Role.AUDITOR)


class WorkloadPublic(BaseModel):
    agency: str
    agency_name_ja: str
    as_of: date
    cases_led: int
    referrals_in: list[dict[str, Any]]
    referrals_out: list[dict[str, Any]]
    overdue_in: int
    visits_this_month: int
    meetings_this_fiscal_year: int
    plans_due_for_review: list[dict[str, Any]]


@router.get("/{agency_id}", response_model=WorkloadPublic, dependencies=[Fresh])
def read_workload(agency_id: str, actor: ActorDep, services: ServicesDep,
                  as_of: Annotated[date | None, Query(description="Count as of this day (default: today, JST).")] = None,
                  ) -> WorkloadPublic:
    """Your agency's workload; coordinators, administrators and auditors may see any agency's."""
    if agency_id != actor.agency_id and not any(actor.has_role(r) for r in OVERSEEING):
        raise problem(status.HTTP_403_FORBIDDEN, "other_agency",
                      "他機関の業務量は、コーディネーター・管理者・監査担当のみ閲覧できます。",
                      "Only coordinators, administrators and auditors see other agencies' workloads.")
    agency = services.tsunagu.registry.agency(agency_id)
    day = as_of or local_date(services.tsunagu.clock())
    workload = services.read_models.workload.view.workload(
        agency_id, day, overdue_after_business_days=services.settings.referral_overdue_business_days)
    return WorkloadPublic(agency=agency_id, agency_name_ja=agency.name_ja, as_of=day, cases_led=workload.cases_led,
                          referrals_in=workload.referrals_in, referrals_out=workload.referrals_out,
                          overdue_in=workload.overdue_in, visits_this_month=workload.visits_this_month,
                          meetings_this_fiscal_year=workload.meetings_this_fiscal_year,
                          plans_due_for_review=workload.plans_due_for_review)
