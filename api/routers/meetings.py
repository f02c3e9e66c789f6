"""The two meetings: 重層的支援会議 (consent) and 支援会議 (confidentiality, no consent)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import run_command
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.meetings import DecisionCreate, MeetingCreate

router = APIRouter(prefix="/cases/{case_id}/meetings", tags=["meetings"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_meeting(case_id: UUID, body: MeetingCreate, tsunagu: TsunaguDep, actor: ActorDep,
                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Record a meeting. A 重層的支援会議 is refused unless consent covers every participating agency;
    at a 支援会議 every member must have pledged confidentiality."""
    agencies = [p.agency for p in body.participants] + [d.target_agency for d in body.decisions]
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.hold_meeting(
        actor, at, kind=body.kind, held_on=body.held_on, purpose=body.purpose,
        participants=body.participant_records(), decisions=[d.as_record() for d in body.decisions]),
        expected_version=expected, idempotency=idempotency, agencies=agencies)


@router.post("/{meeting_id}/decisions", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_decision(case_id: UUID, meeting_id: str, body: DecisionCreate, tsunagu: TsunaguDep, actor: ActorDep,
                    expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.record_decision(
        actor, at, meeting_id=meeting_id, decision=body.decision.as_record()),
        expected_version=expected, idempotency=idempotency, agencies=[body.decision.target_agency])
