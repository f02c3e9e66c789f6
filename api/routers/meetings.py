"""Meetings: a case's record of a meeting or of a sitting of a body (one part per kind), decisions, and the
year's counts by sitting and by case."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Fresh, Idempotency, ReadModelsDep, TsunaguDep
from api.queries.meetings import sitting_counts
from api.schemas.base import CommandResultPublic
from api.schemas.meetings import DecisionCreate, MeetingCreate, SittingCountsPublic, SittingCreate

router = APIRouter(tags=["meetings"])

FiscalYear = Annotated[int, Path(ge=2000, le=2100, description="The fiscal year (年度), e.g. 2026 = 令和8年度.")]


@router.post("/cases/{case_id}/meetings", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_meeting(case_id: UUID, body: MeetingCreate, tsunagu: TsunaguDep, actor: ActorDep,
                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Record a meeting of one kind. Without consent (支援会議 and the other statutory kinds) it is convened by its
    office's coordinator, its members registered staff who pledged confidentiality, bounded to what it tabled; a
    重層的支援会議 is refused unless consent covers every participant and the convener. A kind other than those
    two is a sitting of the body the ward configured for it (``body_id``)."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/cases/{case_id}/sittings", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_sitting(case_id: UUID, body: SittingCreate, tsunagu: TsunaguDep, actor: ActorDep,
                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Record this case's parts of a sitting (開催) of a body: one per kind of meeting held for it, each under
    its kind's rule. Every case discussed at the sitting is recorded on its own case; the answer's ``id`` lists
    the parts' meeting ids, comma-separated, in the order given."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/cases/{case_id}/meetings/{meeting_id}/decisions", status_code=status.HTTP_201_CREATED,
             response_model=CommandResultPublic)
def create_decision(case_id: UUID, meeting_id: str, body: DecisionCreate, tsunagu: TsunaguDep, actor: ActorDep,
                    expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id, meeting_id),
                   expected_version=expected, idempotency=idempotency)


@router.get("/meetings/counts/{fiscal_year}", response_model=SittingCountsPublic, dependencies=[Fresh])
def read_meeting_counts(fiscal_year: FiscalYear, actor: ActorDep, read_models: ReadModelsDep) -> SittingCountsPublic:
    """The year's meetings by the day held: sittings (開催回数, each once) and case discussions (検討件数, each case
    once per sitting), per kind and per body. No personal data."""
    return sitting_counts(read_models, fiscal_year)
