"""業務量: one agency's workload, and every active agency's for those who oversee them.

Your own agency's workload is yours to see; coordinators, administrators and auditors oversee
every agency's. Counts come from the workload read model (no personal content).
"""

from __future__ import annotations

from datetime import date

from fastapi import status

from api.errors import implausible_date, problem
from api.schemas.workloads import WorkloadPublic
from domain.actor import Actor
from domain.calendar import local_date
from domain.policy import DateKind
from domain.vocabulary import Role
from infra.bootstrap import Services

OVERSEEING = (Role.COORDINATOR, Role.ADMIN, Role.AUDITOR)
"""The roles that see any agency's workload, not only their own."""


def oversees_workloads(actor: Actor) -> bool:
    return any(actor.has_role(role) for role in OVERSEEING)


def agency_workload(services: Services, actor: Actor, agency_id: str, as_of: date | None = None) -> WorkloadPublic:
    """The agency's workload as of a day (default: today in Japan); another agency's only for overseers."""
    if agency_id != actor.agency_id and not oversees_workloads(actor):
        raise problem(status.HTTP_403_FORBIDDEN, "other_agency",
                      "他機関の業務量は、コーディネーター・管理者・監査担当のみ閲覧できます。",
                      "Only coordinators, administrators and auditors see other agencies' workloads.")
    agency = services.tsunagu.registry.agency(agency_id)
    today = local_date(services.tsunagu.clock())
    if as_of is not None and (refused := services.tsunagu.policy.dates.refusal(
            "as_of", DateKind.PLANNED, as_of, today)) is not None:  # the count walks the days up to it
        raise implausible_date("query", refused)
    day = as_of or today
    workload = services.read_models.workload.view.workload(
        agency_id, day, overdue_after_business_days=services.settings.referral_overdue_business_days)
    return WorkloadPublic(agency=agency_id, agency_name_ja=agency.name_ja, as_of=day, cases_led=workload.cases_led,
                          referrals_in=workload.referrals_in, referrals_out=workload.referrals_out,
                          overdue_in=workload.overdue_in, visits_this_month=workload.visits_this_month,
                          meetings_this_fiscal_year=workload.meetings_this_fiscal_year,
                          plans_due_for_review=workload.plans_due_for_review)


def active_workloads(services: Services, actor: Actor) -> list[WorkloadPublic]:
    """Every agency with something on its plate today, side by side: for overseers only (others: none)."""
    if not oversees_workloads(actor):
        return []
    workloads = [agency_workload(services, actor, agency.id) for agency in services.tsunagu.registry.agencies]
    return [w for w in workloads if w.cases_led or w.referrals_in or w.referrals_out or w.visits_this_month
            or w.meetings_this_fiscal_year]
