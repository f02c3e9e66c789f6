"""制度切替: the responsible agency changes at the ward's transition ages (18, 40, 65 …); the record follows."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Fresh, Idempotency, ServicesDep, TsunaguDep
from api.queries.transitions import transitions
from api.schemas.base import CommandResultPublic, RecordDate
from api.schemas.handovers import HandoverCompletion, HandoverCreate, TransitionListPublic

router = APIRouter(tags=["handovers"])


@router.post("/cases/{case_id}/handovers", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_handover(case_id: UUID, body: HandoverCreate, tsunagu: TsunaguDep, actor: ActorDep,
                    expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Plan a handover at a transition age: the receiving agency must be covered by the member's consent (basic
    information and support record) or by a current support meeting that tabled the member (else 409)."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/cases/{case_id}/handovers/{handover_id}/completion", response_model=CommandResultPublic)
def complete_handover(case_id: UUID, handover_id: str, body: HandoverCompletion, tsunagu: TsunaguDep,
                      actor: ActorDep, expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Complete a handover (the handing-over or the receiving agency), while the receiving agency still has its
    basis; the lead moves with it when the handing-over agency led the case."""
    return execute(tsunagu, actor, body.to_command(case_id, handover_id),
                   expected_version=expected, idempotency=idempotency)


@router.get("/transitions", response_model=TransitionListPublic, dependencies=[Fresh])
def read_transitions(
    actor: ActorDep, services: ServicesDep,
    within: Annotated[int | None, Query(ge=1, le=366, description="Days ahead (default: the ward's notice period, "
                                                                  "30).")] = None,
    as_of: Annotated[RecordDate | None, Query(description="As of this day (default: today, JST).")] = None,
) -> TransitionListPublic:
    """Members reaching one of the ward's transition ages within ``within`` days, and those past one without a
    completed handover: your agency's cases as lead agency, or (coordinators) any case you may read. Only
    members you may see are listed; each case listed is a recorded read."""
    return transitions(services, actor, within_days=within, as_of=as_of)
