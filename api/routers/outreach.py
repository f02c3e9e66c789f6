"""アウトリーチ and 参加支援: visits, refusals, matches to local resources and their follow-up."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.outreach import (
    OutreachCreate,
    ParticipationCreate,
    ParticipationFollowUpCreate,
    SupportRefusalCreate,
    VisitCreate,
)

router = APIRouter(prefix="/cases/{case_id}", tags=["outreach"])


@router.post("/outreach", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_outreach(case_id: UUID, body: OutreachCreate, tsunagu: TsunaguDep, actor: ActorDep,
                    expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/visits", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_visit(case_id: UUID, body: VisitCreate, tsunagu: TsunaguDep, actor: ActorDep,
                 expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/support-refusals", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_support_refusal(case_id: UUID, body: SupportRefusalCreate, tsunagu: TsunaguDep, actor: ActorDep,
                           expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/participation", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_participation(case_id: UUID, body: ParticipationCreate, tsunagu: TsunaguDep, actor: ActorDep,
                         expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/participation/{match_id}/follow-ups", status_code=status.HTTP_201_CREATED,
             response_model=CommandResultPublic)
def create_participation_follow_up(case_id: UUID, match_id: str, body: ParticipationFollowUpCreate,
                                   tsunagu: TsunaguDep, actor: ActorDep,
                                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id, match_id),
                   expected_version=expected, idempotency=idempotency)
