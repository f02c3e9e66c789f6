"""Per-agency workload: cases led, referrals waiting (overdue after N business days), visits, reviews."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, Fresh, ServicesDep
from api.queries.workloads import agency_workload
from api.schemas.base import RecordDate
from api.schemas.workloads import WorkloadPublic

router = APIRouter(prefix="/workloads", tags=["workloads"])


@router.get("/{agency_id}", response_model=WorkloadPublic, dependencies=[Fresh])
def read_workload(
    agency_id: str, actor: ActorDep, services: ServicesDep,
    as_of: Annotated[RecordDate | None, Query(description="Count as of this day (default: today, JST), within the "
                                                          "ward's plausible range (not years ahead).")] = None,
) -> WorkloadPublic:
    """Your agency's workload; coordinators, administrators and auditors may see any agency's."""
    return agency_workload(services, actor, agency_id, as_of)
