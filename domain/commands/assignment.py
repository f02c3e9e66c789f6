"""担当者 (staff in charge) commands (events in :mod:`domain.case.assignment`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.access import write_basis
from domain.case import Case
from domain.commands.base import CaseCommand, Context, basis_on_case, requirement, staff_who_record
from domain.errors import DomainError, InvalidCommand, NotPermitted, RuleViolation
from domain.registry import Registry
from domain.vocabulary import Role


@requirement("主担当機関の職員、またはコーディネーターであること", "Staff of the lead agency, or a coordinator")
def assigner_leads_or_coordinates(context: Context, command: Any) -> DomainError | None:
    if context.actor.agency_id == context.existing.lead_agency or context.actor.has_role(Role.COORDINATOR):
        return None
    lead = context.registry.agency(context.existing.lead_agency)
    return context.hidden() or NotPermitted(
        f"担当者を決めるのは、主担当機関（{lead.name_ja}）の職員かコーディネーターです。",
        f"Only staff of the lead agency ({lead.name_en}) or a coordinator assign the staff in charge.")


@requirement("担当者は、ケースに関与する根拠のある機関の、記録する職員であること",
             "The assignee records on cases and their agency has a basis on the case")
def assignee_has_basis(context: Context, command: Any) -> DomainError | None:
    staff = context.registry.staff_member(command.staff)
    agency = context.registry.agency(staff.agency)
    assignee = staff.as_actor()
    if not assignee.may_record:
        return context.hidden() or RuleViolation(
            f"{staff.name}さん（{agency.name_ja}）はケースに記録する職員ではないため、担当者にできません。",
            f"{staff.name} ({agency.name_en}) does not record on cases, so cannot be in charge of one.")
    if write_basis(assignee, context.existing, context.now) is None:
        return context.hidden() or RuleViolation(
            f"{agency.name_ja}はこのケースに関与する根拠（自機関の記録・本人同意・支援会議・つなぎ）がないため、"
            f"{staff.name}さんを担当者にできません。",
            f"{agency.name_en} has no basis on this case (own records, consent, support meeting or referral), "
            f"so {staff.name} cannot be put in charge of it.")
    return None


@dataclass(frozen=True, kw_only=True)
class AssignStaffInCharge(CaseCommand):
    """Make a staff member the case's 担当者 (replacing the one before)."""

    staff: str
    note: str = ""

    LABEL_JA = "担当者の決定"
    RULE = (staff_who_record, basis_on_case, assigner_leads_or_coordinates, assignee_has_basis)

    def validate(self, registry: Registry) -> None:
        if not any(member.id == self.staff for member in registry.staff):
            raise InvalidCommand("担当者に選んだ職員は名簿に登録されていません。",
                                 "The staff member chosen is not in the ward's registry.")

    def agencies_named(self) -> Iterable[str | None]:
        return ()

    def apply(self, case: Case, context: Context) -> None:
        agency = context.registry.staff_member(self.staff).agency
        case.assign_staff_in_charge(context.actor, context.at, staff=self.staff, agency=agency, note=self.note)
        return None
