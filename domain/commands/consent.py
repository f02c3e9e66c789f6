"""本人同意 commands (events in :mod:`domain.case.consent`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.case import Case
from domain.commands.base import CaseCommand, Context, basis_on_case, staff_who_record
from domain.vocabulary import ConsentMethod, InformationCategory


@dataclass(frozen=True, kw_only=True)
class GrantConsent(CaseCommand):
    """Record the consent a member gave. Break-glass gives no basis, so its holder cannot record one."""

    given_by_member: str
    agencies: tuple[str, ...]
    categories: tuple[InformationCategory, ...]
    purpose: str
    method: ConsentMethod
    valid_until: date

    LABEL_JA = "同意の取得"
    RULE = (staff_who_record, basis_on_case)

    def agencies_named(self) -> Iterable[str]:
        return self.agencies

    def apply(self, case: Case, context: Context) -> str:
        return case.grant_consent(context.actor, context.at, given_by_member=self.given_by_member,
                                  agencies=list(self.agencies), categories=list(self.categories),
                                  purpose=self.purpose, method=self.method, valid_until=self.valid_until)


@dataclass(frozen=True, kw_only=True)
class WithdrawConsent(CaseCommand):
    """Any agency with a basis on the case may record a withdrawal: the person may tell anyone.

    The consent need not be one the agency can read: a withdrawal only ever narrows access.
    """

    consent_id: str
    reason: str

    LABEL_JA = "同意の撤回"
    RULE = (staff_who_record, basis_on_case)

    def apply(self, case: Case, context: Context) -> None:
        case.withdraw_consent(context.actor, context.at, consent_id=self.consent_id, reason=self.reason)
        return None
