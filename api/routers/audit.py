"""監査: the access trail, the unconsented view, replay verification and the emergency-review queue.

Auditors only. The trail holds who read which case and on what basis; it holds no
personal content of the people the cases are about.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from api.commands import execute
from api.deps import AuditorDep, Fresh, ReadModelsDep, ServicesDep, TsunaguDep
from api.queries.audit import (
    DECISIONS_CSV,
    UNCONSENTED_CSV,
    access_decisions,
    access_log_verification,
    consents,
    emergency_accesses,
    unconsented_accesses,
)
from api.queries.audit_export import access_csv_jst
from api.schemas.audit import AccessFilters, EmergencyReview
from api.schemas.base import CommandResultPublic

router = APIRouter(prefix="/audit", tags=["audit"])

CSV_OR_JSON: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {}},
          "description": "JSON, or a CSV (UTF-8 with BOM) with format=csv"}}


@router.get("/access", dependencies=[Fresh], responses=CSV_OR_JSON)
def read_access_decisions(auditor: AuditorDep, read_models: ReadModelsDep, tsunagu: TsunaguDep,
                          filters: Annotated[AccessFilters, Query()],
                          format: Annotated[Literal["json", "csv"], Query()] = "json",
                          ) -> Any:
    """Access decisions (granted and denied), filtered by case, person, reader, agency, basis, period."""
    rows = access_decisions(read_models, auditor, filters)
    return access_csv_jst(DECISIONS_CSV, rows, tsunagu.registry) if format == "csv" else {"decisions": rows}


@router.get("/unconsented", dependencies=[Fresh], responses=CSV_OR_JSON)
def read_unconsented_accesses(auditor: AuditorDep, read_models: ReadModelsDep, tsunagu: TsunaguDep,
                              filters: Annotated[AccessFilters, Query()],
                              format: Annotated[Literal["json", "csv"], Query()] = "json",
                              ) -> Any:
    """Accesses on SUPPORT_MEETING or EMERGENCY, each with the consents and meeting members of that moment."""
    rows = unconsented_accesses(read_models, auditor, filters)
    return access_csv_jst(UNCONSENTED_CSV, rows, tsunagu.registry) if format == "csv" else {"accesses": rows}


@router.get("/verify")
def verify_access_records(auditor: AuditorDep, services: ServicesDep) -> dict[str, Any]:
    """Check the stored log against its hash chain, and replay every recorded access decision against
    the event log as of its time."""
    return access_log_verification(services, auditor)


@router.get("/emergency-access", dependencies=[Fresh])
def read_emergency_accesses(auditor: AuditorDep, read_models: ReadModelsDep, tsunagu: TsunaguDep,
                            reviewed: bool | None = Query(default=False, description="false: the review queue")
                            ) -> dict[str, Any]:
    """Break-glass accesses; by default those awaiting review. Each with its reason and finding, read from the
    store: a recorded read of each case listed (AUDIT, purpose ``emergency_review``); 503 if it cannot be
    recorded."""
    return {"emergency_accesses": emergency_accesses(read_models, tsunagu, auditor, reviewed)}


@router.get("/consents", dependencies=[Fresh])
def read_consents(auditor: AuditorDep, read_models: ReadModelsDep,
                  case_id: Annotated[UUID | None, Query()] = None,
                  for_review: Annotated[bool | None, Query(description="true: oral consents given to the "
                                                                        "recorder's own agency")] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict[str, Any]:
    """Every consent: whose it is, who gave it, how (書面/口頭), who recorded it, and whether it is flagged."""
    return {"consents": consents(read_models, auditor, case_id=str(case_id) if case_id else None,
                                 for_review=for_review, limit=limit, offset=offset)}


@router.post("/emergency-access/{case_id}/{grant_id}/review", response_model=CommandResultPublic)
def review_emergency_access(case_id: UUID, grant_id: str, body: EmergencyReview, auditor: AuditorDep,
                            tsunagu: TsunaguDep) -> CommandResultPublic:
    """Record the review of a break-glass access (an event on the case)."""
    return execute(tsunagu, auditor, body.to_command(case_id, grant_id))
