"""つなぎ commands (events in :mod:`domain.case.referral`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.case import Case
from domain.commands.base import (
    CaseCommand,
    Context,
    Reference,
    basis_on_case,
    by_agency_of,
    staff_who_record,
    touches_only_visible,
)
from domain.commands.intake import member_reference
from domain.vocabulary import InformationCategory


def _referral(case: Case, referral_id: str) -> Reference:
    return Reference(case.referrals, referral_id, "つなぎ", "referral")


def _receiver(context: Context, command: Any) -> list[str]:
    return [context.existing.referrals[command.referral_id]["to_agency"]]


def _referrer(context: Context, command: Any) -> list[str]:
    return [context.existing.referrals[command.referral_id]["from_agency"]]


TO_RECEIVER = by_agency_of("by_receiver", _receiver, "つなぎ先の機関であること", "The agency the referral was made to",
                           "つなぎ先の機関だけが応答できます。",
                           "Only the agency the case was referred to can answer this referral.")
ANSWER_RULE = (staff_who_record, touches_only_visible, TO_RECEIVER)


@dataclass(frozen=True, kw_only=True)
class RequestReferral(CaseCommand):
    to_agency: str
    categories: tuple[InformationCategory, ...]
    reason: str
    subjects: tuple[str, ...] = ()
    """The members whose information is shared (none: the household — every member's consent is needed)."""

    LABEL_JA = "つなぎの依頼"
    RULE = (staff_who_record, basis_on_case, touches_only_visible)

    def agencies_named(self) -> Iterable[str]:
        return [self.to_agency]

    def references(self, case: Case) -> Iterable[Reference]:
        return [member_reference(case, member) for member in self.subjects]

    def apply(self, case: Case, context: Context) -> str:
        return case.request_referral(context.actor, context.at, to_agency=self.to_agency,
                                     categories=list(self.categories), reason=self.reason, subjects=self.subjects)


@dataclass(frozen=True, kw_only=True)
class _AnswerReferral(CaseCommand):
    referral_id: str

    RULE = ANSWER_RULE

    def references(self, case: Case) -> Iterable[Reference]:
        return [_referral(case, self.referral_id)]


@dataclass(frozen=True, kw_only=True)
class AcceptReferral(_AnswerReferral):
    note: str = ""

    LABEL_JA = "つなぎの受理"

    def apply(self, case: Case, context: Context) -> None:
        case.accept_referral(context.actor, context.at, referral_id=self.referral_id, note=self.note)
        return None


@dataclass(frozen=True, kw_only=True)
class DeclineReferral(_AnswerReferral):
    reason: str
    alternative_agency: str | None = None
    escalate: bool = False

    LABEL_JA = "つなぎの辞退"

    def agencies_named(self) -> Iterable[str | None]:
        return [self.alternative_agency]

    def apply(self, case: Case, context: Context) -> None:
        case.decline_referral(context.actor, context.at, referral_id=self.referral_id, reason=self.reason,
                              alternative_agency=self.alternative_agency, escalate=self.escalate)
        return None


@dataclass(frozen=True, kw_only=True)
class CompleteReferral(_AnswerReferral):
    outcome: str

    LABEL_JA = "つなぎの完了"

    def apply(self, case: Case, context: Context) -> None:
        case.complete_referral(context.actor, context.at, referral_id=self.referral_id, outcome=self.outcome)
        return None


@dataclass(frozen=True, kw_only=True)
class RevokeReferral(CaseCommand):
    referral_id: str
    reason: str

    LABEL_JA = "つなぎの取り下げ"
    RULE = (staff_who_record, basis_on_case, touches_only_visible, by_agency_of(
        "by_referrer", _referrer, "つなぎを依頼した機関であること", "The agency that made the referral",
        "依頼した機関だけが取り下げられます。", "Only the agency that made the referral can revoke it."))

    def references(self, case: Case) -> Iterable[Reference]:
        return [_referral(case, self.referral_id)]

    def apply(self, case: Case, context: Context) -> None:
        case.revoke_referral(context.actor, context.at, referral_id=self.referral_id, reason=self.reason)
        return None


@dataclass(frozen=True, kw_only=True)
class EscalateToMultiAgency(CaseCommand):
    reason: str

    LABEL_JA = "多機関協働への引継ぎ"
    RULE = (staff_who_record, basis_on_case)

    def apply(self, case: Case, context: Context) -> None:
        case.escalate_to_multi_agency(context.actor, context.at, reason=self.reason)
        return None
