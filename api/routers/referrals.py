"""つなぎ: referrals between agencies and escalation to 多機関協働."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from api.commands import execute
from api.deps import ActorDep, ExpectedVersion, Idempotency, TsunaguDep
from api.schemas.base import CommandResultPublic
from api.schemas.referrals import (
    EscalationCreate,
    ReferralAcceptance,
    ReferralCompletion,
    ReferralCreate,
    ReferralDecline,
    ReferralRevocation,
)

router = APIRouter(prefix="/cases/{case_id}", tags=["referrals"])


@router.post("/referrals", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_referral(case_id: UUID, body: ReferralCreate, tsunagu: TsunaguDep, actor: ActorDep,
                    expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Refer the case to another agency: needs consent covering it, or a 支援会議 decision."""
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/referrals/{referral_id}/acceptance", response_model=CommandResultPublic)
def accept_referral(case_id: UUID, referral_id: str, body: ReferralAcceptance, tsunagu: TsunaguDep,
                    actor: ActorDep, expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id, referral_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/referrals/{referral_id}/decline", response_model=CommandResultPublic)
def decline_referral(case_id: UUID, referral_id: str, body: ReferralDecline, tsunagu: TsunaguDep,
                     actor: ActorDep, expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    """Decline with a reason and an alternative: another agency, or escalation to 多機関協働."""
    return execute(tsunagu, actor, body.to_command(case_id, referral_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/referrals/{referral_id}/completion", response_model=CommandResultPublic)
def complete_referral(case_id: UUID, referral_id: str, body: ReferralCompletion, tsunagu: TsunaguDep,
                      actor: ActorDep, expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id, referral_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/referrals/{referral_id}/revocation", response_model=CommandResultPublic)
def revoke_referral(case_id: UUID, referral_id: str, body: ReferralRevocation, tsunagu: TsunaguDep,
                    actor: ActorDep, expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id, referral_id),
                   expected_version=expected, idempotency=idempotency)


@router.post("/escalations", status_code=status.HTTP_201_CREATED, response_model=CommandResultPublic)
def create_escalation(case_id: UUID, body: EscalationCreate, tsunagu: TsunaguDep, actor: ActorDep,
                      expected: ExpectedVersion, idempotency: Idempotency) -> CommandResultPublic:
    return execute(tsunagu, actor, body.to_command(case_id),
                   expected_version=expected, idempotency=idempotency)
