"""支援プラン of several kinds: adopt, revise and evaluate at a 重層的支援会議 (an outreach plan also at a 支援会議);
the municipality's 支援決定; review while monitoring; suspend and resume. ``plan_id`` names the plan when the case
has several in progress."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.plans import (
    PlanCreate,
    PlanDecision,
    PlanEvaluation,
    PlanResumption,
    PlanReview,
    PlanRevision,
    PlanSuspension,
    RoleAssignment,
)

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


@router.post("/decision", response_model=CommandResultPublic)
def decide_plan(case_id: UUID, body: PlanDecision, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """支援決定: the municipality decides the plan (a coordinator of the ward's office)."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/suspension", response_model=CommandResultPublic)
def suspend_plan(case_id: UUID, body: PlanSuspension, tsunagu: TsunaguDep, actor: ActorDep,
                 expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """中断: the plan is on hold; no review is due until it resumes."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/resumption", response_model=CommandResultPublic)
def resume_plan(case_id: UUID, body: PlanResumption, tsunagu: TsunaguDep, actor: ActorDep,
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
