"""Intake: household members, consultations and issues."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.intake import ConsultationCreate, IssueCreate, IssueResolution, MemberCorrection, MemberCreate
from domain.vocabulary import IssueTag

router = APIRouter(prefix="/cases/{case_id}", tags=["intake"])


@router.post("/members", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_member(case_id: UUID, body: MemberCreate, tsunagu: TsunaguDep, actor: ActorDep,
                  expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/members/{member_id}/corrections", response_model=CommandResultPublic)
def correct_member(case_id: UUID, member_id: str, body: MemberCorrection, tsunagu: TsunaguDep, actor: ActorDep,
                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Correct a member's details. Only the agency that added the member may."""
    return execute(tsunagu, actor, body.to_command(case_id, member_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/consultations", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_consultation(case_id: UUID, body: ConsultationCreate, tsunagu: TsunaguDep, actor: ActorDep,
                        expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Record a consultation. Any agency with a basis on the case may; any agency may open a new case."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/issues", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_issue(case_id: UUID, body: IssueCreate, tsunagu: TsunaguDep, actor: ActorDep,
                 expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/issues/{tag}/resolution", response_model=CommandResultPublic)
def resolve_issue(case_id: UUID, tag: IssueTag, body: IssueResolution, tsunagu: TsunaguDep, actor: ActorDep,
                  expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Resolve an open issue you can see (one you cannot see answers like a missing one)."""
    return execute(tsunagu, actor, body.to_command(case_id, tag),
                   expected_version=expected, idempotency=idempotency)
