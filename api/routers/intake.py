"""Intake: household members, consultations and issues."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import run_command
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.intake import ConsultationCreate, IssueCreate, IssueResolution, MemberCorrection, MemberCreate
from domain.vocabulary import IssueTag

router = APIRouter(prefix="/cases/{case_id}", tags=["intake"])


@router.post("/members", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_member(case_id: UUID, body: MemberCreate, tsunagu: TsunaguDep, actor: ActorDep,
                  expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.add_member(
        actor, at, name=body.name, name_kana=body.name_kana, birth_date=body.birth_date,
        relationship=body.relationship, is_principal=body.is_principal), expected_version=expected, idempotency=idempotency)


@router.post("/members/{member_id}/corrections", response_model=CommandResultPublic)
def correct_member(case_id: UUID, member_id: str, body: MemberCorrection, tsunagu: TsunaguDep, actor: ActorDep,
                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.correct_member_details(
        actor, at, member_id=member_id, corrections=body.corrections(), reason=body.reason),
        expected_version=expected, idempotency=idempotency)


@router.post("/consultations", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_consultation(case_id: UUID, body: ConsultationCreate, tsunagu: TsunaguDep, actor: ActorDep,
                        expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Record a consultation. Any agency involved may (断らない相談支援)."""
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.record_consultation(
        actor, at, field=body.field, category=body.category, channel=body.channel, summary=body.summary),
        expected_version=expected, idempotency=idempotency)


@router.post("/issues", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_issue(case_id: UUID, body: IssueCreate, tsunagu: TsunaguDep, actor: ActorDep,
                 expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.identify_issue(
        actor, at, tag=body.tag, note=body.note), expected_version=expected, idempotency=idempotency)


@router.post("/issues/{tag}/resolution", response_model=CommandResultPublic)
def resolve_issue(case_id: UUID, tag: IssueTag, body: IssueResolution, tsunagu: TsunaguDep, actor: ActorDep,
                  expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return run_command(tsunagu, actor, case_id, body, lambda case, at: case.resolve_issue(
        actor, at, tag=tag, note=body.note), expected_version=expected, idempotency=idempotency)
