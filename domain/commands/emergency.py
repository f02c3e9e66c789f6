"""Break-glass commands (events in :mod:`domain.case.emergency`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.case import Case
from domain.case.emergency import meaningful_reason
from domain.commands.base import CaseCommand, Context, requirement, staff_who_record
from domain.errors import DomainError, NotPermitted
from domain.registry import Registry
from domain.vocabulary import Role


@dataclass(frozen=True, kw_only=True)
class RequestEmergencyAccess(CaseCommand):
    """Break-glass: any staff member who records on cases may ask, with a written reason; it is read-only."""

    reason: str

    LABEL_JA = "緊急時アクセス"
    RULE = (staff_who_record,)

    def validate(self, registry: Registry) -> None:
        meaningful_reason(self.reason)  # before the case is looked up: the same answer for any case id

    def apply(self, case: Case, context: Context) -> str:
        legal_ground = context.registry.agency(context.actor.agency_id).legal_ground
        return case.grant_emergency_access(context.actor, context.now, reason=self.reason, ttl=context.emergency_ttl,
                                           legal_ground=legal_ground)


@requirement("監査担当であること", "An auditor")
def auditor(context: Context, command: Any) -> DomainError | None:
    if context.actor.has_role(Role.AUDITOR):
        return None
    return context.hidden() or NotPermitted("緊急時アクセスの検証は監査担当が行います。",
                                            "Only an auditor reviews emergency access.")


@dataclass(frozen=True, kw_only=True)
class ReviewEmergencyAccess(CaseCommand):
    grant_id: str
    justified: bool
    finding: str

    LABEL_JA = "緊急時アクセスの検証"
    RULE = (auditor,)

    def apply(self, case: Case, context: Context) -> None:
        case.review_emergency_access(context.actor, context.now, grant_id=self.grant_id, justified=self.justified,
                                     finding=self.finding)
        return None
