"""本人同意: grant and withdraw the person's consent to share."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.consents import ConsentCreate, ConsentNarrowing, ConsentWithdrawal

router = APIRouter(prefix="/cases/{case_id}/consents", tags=["consents"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_consent(case_id: UUID, body: ConsentCreate, tsunagu: TsunaguDep, actor: ActorDep,
                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Record consent: which agencies may see which categories, for what purpose, until when."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{consent_id}/withdrawal", response_model=CommandResultPublic)
def withdraw_consent(case_id: UUID, consent_id: str, body: ConsentWithdrawal, tsunagu: TsunaguDep,
                     actor: ActorDep, expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Withdraw consent: from now on, the agencies it covered see only what else allows."""
    return execute(tsunagu, actor, body.to_command(case_id, consent_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/{consent_id}/narrowing", response_model=CommandResultPublic)
def narrow_consent(case_id: UUID, consent_id: str, body: ConsentNarrowing, tsunagu: TsunaguDep, actor: ActorDep,
                   expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Withdraw part of a consent (some agencies or categories): from now on they see only what else allows."""
    return execute(tsunagu, actor, body.to_command(case_id, consent_id),
                   expected_version=expected, idempotency=idempotency)
