"""The two meetings: 重層的支援会議 (consent) and 支援会議 (confidentiality, no consent)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.meetings import DecisionCreate, MeetingCreate

router = APIRouter(prefix="/cases/{case_id}/meetings", tags=["meetings"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_meeting(case_id: UUID, body: MeetingCreate, tsunagu: TsunaguDep, actor: ActorDep,
                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Record a meeting. A 支援会議 is convened by the ward's office for it, its members registered staff who
    pledged confidentiality; a 重層的支援会議 is refused unless consent covers every participant and the convener."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{meeting_id}/decisions", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_decision(case_id: UUID, meeting_id: str, body: DecisionCreate, tsunagu: TsunaguDep, actor: ActorDep,
                    expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id, meeting_id),
                   expected_version=expected, idempotency=idempotency)
