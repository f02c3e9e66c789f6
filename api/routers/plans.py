"""支援プラン: adopt, revise and evaluate at a 重層的支援会議; review while monitoring."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import run_command
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.plans import PlanCreate, PlanEvaluation, PlanReview, PlanRevision, RoleAssignment

router = APIRouter(prefix="/cases/{case_id}/plan", tags=["plans"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_plan(case_id: UUID, body: PlanCreate, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.adopt_plan(
        actor, at, meeting_id=body.meeting_id, goals=body.goals, roles=[r.model_dump() for r in body.roles],
        next_review_on=body.next_review_on), expected_version=expected, idempotency=idempotency, agencies=[r.agency for r in body.roles])


@router.post("/revisions", response_model=CommandResultPublic)
def revise_plan(case_id: UUID, body: PlanRevision, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.revise_plan(
        actor, at, meeting_id=body.meeting_id, goals=body.goals, roles=[r.model_dump() for r in body.roles],
        next_review_on=body.next_review_on, reason=body.reason),
        expected_version=expected, idempotency=idempotency, agencies=[r.agency for r in body.roles])


@router.post("/reviews", response_model=CommandResultPublic)
def review_plan(case_id: UUID, body: PlanReview, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.review_plan(
        actor, at, findings=body.findings, next_review_on=body.next_review_on), expected_version=expected, idempotency=idempotency)


@router.post("/evaluation", response_model=CommandResultPublic)
def evaluate_plan(case_id: UUID, body: PlanEvaluation, tsunagu: TsunaguDep, actor: ActorDep,
                  expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.evaluate_plan(
        actor, at, meeting_id=body.meeting_id, evaluation=body.evaluation, goals_met=body.goals_met),
        expected_version=expected, idempotency=idempotency)


@router.post("/roles", response_model=CommandResultPublic)
def assign_role(case_id: UUID, body: RoleAssignment, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.assign_role(
        actor, at, agency=body.agency, role=body.role), expected_version=expected, idempotency=idempotency, agencies=[body.agency])
