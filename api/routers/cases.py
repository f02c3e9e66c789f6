"""Cases: open, read (state and timeline, every read recorded), close, reopen, correct, break glass."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Fresh, Idempotency, ReadModelsDep, TsunaguDep
from api.schemas.base import CommandResultPublic, Identifier
from api.schemas.cases import (
    CaseClosure,
    CaseCreate,
    CaseListPublic,
    CasePublic,
    CaseReopening,
    CaseSummaryPublic,
    EmergencyAccessCreate,
    EntryCorrection,
    EntryVoid,
    InvolvementEnding,
    StaffInChargeAssignment,
    TimelinePublic,
)
from domain.vocabulary import CaseStatus

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_case(body: CaseCreate, tsunagu: TsunaguDep, actor: ActorDep,
                idempotency: Idempotency) -> CommandResultPublic:
    """Open a case for a household. Any agency may (断らない相談支援); it becomes the lead agency."""
    return execute(tsunagu, actor, body.to_command(),
                   idempotency=idempotency)


@router.get("", response_model=CaseListPublic, dependencies=[Fresh])
def read_cases(actor: ActorDep, read_models: ReadModelsDep, tsunagu: TsunaguDep,
               status: Annotated[CaseStatus | None, Query()] = None,
               district: Annotated[Identifier | None, Query()] = None,
               lead_agency: Annotated[Identifier | None, Query()] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> CaseListPublic:
    """The cases your agency is involved in (auditors: all), newest activity first.

    Each row shows only what your granted entries say (the household's name, open issues, counts) and
    is a recorded read, like opening the case; a case you may see nothing of is not listed.
    """
    agency = None if actor.is_auditor else actor.agency_id
    rows = read_models.case_state.view.cases(agency=agency, status=status, district=district,
                                              lead_agency=lead_agency, limit=limit, offset=offset)
    summaries = tsunagu.case_summaries(actor, [UUID(row["case_id"]) for row in rows], purpose="list")
    return CaseListPublic(cases=[CaseSummaryPublic.model_validate(asdict(summary)) for summary in summaries])


@router.get("/{case_id}", response_model=CasePublic)
def read_case(case_id: UUID, tsunagu: TsunaguDep, actor: ActorDep, response: Response) -> CasePublic:
    """The case's current state, with only the parts you may see. The read is recorded."""
    view = tsunagu.read_case(actor, case_id)
    response.headers["ETag"] = f'"{view.version}"'
    return CasePublic.model_validate(asdict(view))


@router.get("/{case_id}/timeline", response_model=TimelinePublic)
def read_timeline(case_id: UUID, tsunagu: TsunaguDep, actor: ActorDep, response: Response) -> TimelinePublic:
    """Every entry in order; entries you may not see are listed as withheld. The read is recorded."""
    timeline = tsunagu.read_timeline(actor, case_id)
    response.headers["ETag"] = f'"{timeline.version}"'
    return TimelinePublic.model_validate(timeline, from_attributes=True)


@router.post("/{case_id}/closure", response_model=CommandResultPublic)
def close_case(case_id: UUID, body: CaseClosure, tsunagu: TsunaguDep, actor: ActorDep,
               expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{case_id}/reopening", response_model=CommandResultPublic)
def reopen_case(case_id: UUID, body: CaseReopening, tsunagu: TsunaguDep, actor: ActorDep,
                expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{case_id}/involvement-ending", response_model=CommandResultPublic)
def end_involvement(case_id: UUID, body: InvolvementEnding, tsunagu: TsunaguDep, actor: ActorDep,
                    expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """関与終了: your agency ends its own part in the case; the case stays open for the others."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{case_id}/staff-in-charge", response_model=CommandResultPublic)
def assign_staff_in_charge(case_id: UUID, body: StaffInChargeAssignment, tsunagu: TsunaguDep, actor: ActorDep,
                           expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """担当者の決定: the lead agency puts one of the staff of an agency with a basis on the case in charge of it
    (again: the new one replaces the old)."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{case_id}/corrections", response_model=CommandResultPublic)
def correct_entry(case_id: UUID, body: EntryCorrection, tsunagu: TsunaguDep, actor: ActorDep,
                  expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Add a correction to an entry your agency wrote. Nothing is edited in place."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{case_id}/voids", response_model=CommandResultPublic)
def void_entry(case_id: UUID, body: EntryVoid, tsunagu: TsunaguDep, actor: ActorDep,
               expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """取消: void a counted entry your agency recorded by mistake, with the reason. It stays in the timeline and
    the audit, marked, and no indicator counts it."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{case_id}/emergency-access", status_code=status.HTTP_201_CREATED,
             response_model=CommandResultPublic)
def create_emergency_access(case_id: UUID, body: EmergencyAccessCreate, tsunagu: TsunaguDep,
                            actor: ActorDep, idempotency: Idempotency) -> CommandResultPublic:
    """Break-glass access to protect life or body: needs a written reason, expires, and is reviewed."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   idempotency=idempotency)
