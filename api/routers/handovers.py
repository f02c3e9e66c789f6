"""制度切替: the responsible agency changes at 18, 40 and 65; the record follows."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.handovers import HandoverCompletion, HandoverCreate

router = APIRouter(prefix="/cases/{case_id}/handovers", tags=["handovers"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_handover(case_id: UUID, body: HandoverCreate, tsunagu: TsunaguDep, actor: ActorDep,
                    expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{handover_id}/completion", response_model=CommandResultPublic)
def complete_handover(case_id: UUID, handover_id: str, body: HandoverCompletion, tsunagu: TsunaguDep,
                      actor: ActorDep, expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id, handover_id),
                   expected_version=expected, idempotency=idempotency)
