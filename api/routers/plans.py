"""支援プラン: adopt, revise and evaluate at a 重層的支援会議; review while monitoring."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.plans import PlanCreate, PlanEvaluation, PlanReview, PlanRevision, RoleAssignment

router = APIRouter(prefix="/cases/{case_id}/plan", tags=["plans"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_plan(case_id: UUID, body: PlanCreate, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/revisions", response_model=CommandResultPublic)
def revise_plan(case_id: UUID, body: PlanRevision, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/reviews", response_model=CommandResultPublic)
def review_plan(case_id: UUID, body: PlanReview, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/evaluation", response_model=CommandResultPublic)
def evaluate_plan(case_id: UUID, body: PlanEvaluation, tsunagu: TsunaguDep, actor: ActorDep,
                  expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/roles", response_model=CommandResultPublic)
def assign_role(case_id: UUID, body: RoleAssignment, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)
