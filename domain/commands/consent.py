"""本人同意 commands (events in :mod:`domain.case.consent`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.case import Case
from domain.commands.base import (
    CaseCommand,
    Context,
    Reference,
    basis_on_case,
    staff_who_record,
    touches_only_visible,
)
from domain.commands.intake import member_reference
from domain.errors import InvalidCommand
from domain.policy import DateKind
from domain.registry import Registry
from domain.vocabulary import ConsentGiver, ConsentMethod, InformationCategory


@dataclass(frozen=True, kw_only=True)
class GrantConsent(CaseCommand):
    """Record the consent a member gave. Break-glass gives no basis, so its holder cannot record one."""

    member_id: str
    """Whose information the consent covers (and no one else's)."""
    agencies: tuple[str, ...]
    categories: tuple[InformationCategory, ...]
    purpose: str
    method: ConsentMethod
    valid_until: date
    given_by: ConsentGiver = ConsentGiver.SELF
    representative: str = ""
    """Who consented on the member's behalf (a 親権者, or a 成年後見人・保佐人・補助人), with their capacity."""
    member_view: str = ""
    """The member's own view, when a representative consented (required for a guardian)."""
    document_ref: str = ""
    """書面: the consent form's reference (number, where it is kept)."""
    heard_by: str = ""
    """口頭: the staff member who heard it."""

    LABEL_JA = "同意の取得"
    RULE = (staff_who_record, basis_on_case, touches_only_visible)

    def agencies_named(self) -> Iterable[str]:
        return self.agencies

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("valid_until", DateKind.PLANNED, self.valid_until)]

    def validate(self, registry: Registry) -> None:
        if self.method == ConsentMethod.ORAL and self.heard_by and not any(
                s.id == self.heard_by for s in registry.staff):
            raise InvalidCommand(f"聞き取った職員「{self.heard_by}」は名簿にいません。",
                                 f"The staff member who heard it, {self.heard_by!r}, is not registered.")

    def references(self, case: Case) -> Iterable[Reference]:
        return [member_reference(case, self.member_id)]

    def apply(self, case: Case, context: Context) -> str:
        return case.grant_consent(
            context.actor, context.at, member_id=self.member_id, given_by=self.given_by,
            representative=self.representative, member_view=self.member_view, agencies=list(self.agencies),
            categories=list(self.categories), purpose=self.purpose, method=self.method,
            document_ref=self.document_ref, heard_by=self.heard_by, valid_until=self.valid_until,
            self_consent_age=context.policy.self_consent_age, max_days=context.policy.consent_max_days)


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


@dataclass(frozen=True, kw_only=True)
class NarrowConsent(CaseCommand):
    """A partial withdrawal (some agencies or categories); like a withdrawal, any agency on the case records it."""

    consent_id: str
    agencies: tuple[str, ...] = ()
    categories: tuple[InformationCategory, ...] = ()
    reason: str

    LABEL_JA = "同意の一部撤回"
    RULE = (staff_who_record, basis_on_case)

    def apply(self, case: Case, context: Context) -> None:
        case.narrow_consent(context.actor, context.at, consent_id=self.consent_id, agencies=list(self.agencies),
                            categories=list(self.categories), reason=self.reason)
        return None
