"""制度切替, 関与終了, closure and reopening (events in :mod:`domain.case.transitions`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.case import Case
from domain.commands.base import (
    CaseCommand,
    Context,
    Reference,
    by_agency_of,
    lead_agency_or_coordinator,
    requirement,
    staff_who_record,
    touches_only_visible,
)
from domain.commands.intake import ON_THE_CASE, member_reference
from domain.errors import DomainError, InvalidCommand, RuleViolation
from domain.policy import DateKind
from domain.registry import Registry
from domain.vocabulary import ClosureReason


def _handed_over(context: Context, command: Any) -> tuple[str, str]:
    """The member and the receiving agency of the handover a command plans or completes."""
    if isinstance(command, PlanHandover):
        return command.member_id, command.to_agency
    handover = context.existing.handovers[command.handover_id]
    return handover["member_id"], handover["to_agency"]


@requirement("引継ぎ先の機関が、その世帯員の本人同意（基本情報・支援経過）か、その世帯員を扱った支援会議の範囲に"
             "含まれること",
             "The receiving agency is covered by the member's own consent (basic information and support record) "
             "or by a current support meeting that tabled the member")
def to_agency_with_basis(context: Context, command: Any) -> DomainError | None:
    member_id, to_agency = _handed_over(context, command)
    if context.existing.handover_basis(member_id, to_agency, context.now) is not None:
        return None
    agency = context.registry.agency(to_agency)
    return context.hidden() or RuleViolation(
        f"{agency.name_ja}は、この世帯員の本人同意（基本情報・支援経過）にも、この世帯員を扱った支援会議にも含まれて"
        "いないため、引き継いでもケースを開けません。先に本人同意を得るか、支援会議で扱ってください。",
        f"{agency.name_en} is covered neither by this member's consent (basic information and support record) nor "
        "by a support meeting that tabled the member, so it could not open the case it is handed. Obtain the "
        "member's consent, or table the member at a support meeting, first.")


@dataclass(frozen=True, kw_only=True)
class PlanHandover(CaseCommand):
    member_id: str
    at_age: int
    to_agency: str
    due_on: date

    LABEL_JA = "制度切替の計画"
    RULE = (*ON_THE_CASE, touches_only_visible, to_agency_with_basis)

    def agencies_named(self) -> Iterable[str]:
        return [self.to_agency]

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("due_on", DateKind.PLANNED, self.due_on)]

    def references(self, case: Case) -> Iterable[Reference]:
        return [member_reference(case, self.member_id)]

    def apply(self, case: Case, context: Context) -> str:
        return case.plan_handover(context.actor, context.at, member_id=self.member_id, at_age=self.at_age,
                                  to_agency=self.to_agency, due_on=self.due_on,
                                  ages=context.policy.transition_ages)


def _handover_parties(context: Context, command: Any) -> list[str]:
    handover = context.existing.handovers[command.handover_id]
    return [handover["from_agency"], handover["to_agency"]]


@dataclass(frozen=True, kw_only=True)
class CompleteHandover(CaseCommand):
    handover_id: str
    note: str = ""

    LABEL_JA = "制度切替の完了"
    RULE = (staff_who_record, touches_only_visible, by_agency_of(
        "by_handover_party", _handover_parties, "引継ぎ元か引継ぎ先の機関であること",
        "The handing-over or the receiving agency",
        "引継ぎ元か引継ぎ先の機関が完了を記録します。",
        "Only the handing-over or the receiving agency can complete a handover."), to_agency_with_basis)

    def references(self, case: Case) -> Iterable[Reference]:
        return [Reference(case.handovers, self.handover_id, "制度切替", "handover")]

    def apply(self, case: Case, context: Context) -> None:
        case.complete_handover(context.actor, context.at, handover_id=self.handover_id, note=self.note)
        return None


@dataclass(frozen=True, kw_only=True)
class EndInvolvement(CaseCommand):
    """関与終了: the actor's agency ends its own part; the case stays open for the others."""

    reason: str

    LABEL_JA = "関与終了"
    RULE = ON_THE_CASE

    def apply(self, case: Case, context: Context) -> None:
        case.end_involvement(context.actor, context.at, reason=self.reason)
        return None


@requirement("支援プランの終結評価があるか、評価をしない理由（転出・死亡・本人の拒否・支援の必要なし等）を記録すること",
             "The support plan's closing evaluation (終結評価), or a recorded reason why there is none (moved out, "
             "died, refused, no further need, …)")
def evaluated_or_reason(context: Context, command: Any) -> DomainError | None:
    refused = context.existing.closure_refusal(command.reason)
    return None if refused is None else (context.hidden() or refused)


@dataclass(frozen=True, kw_only=True)
class CloseCase(CaseCommand):
    """終結: the case closes for everyone (an agency leaving it records 関与終了 instead)."""

    evaluation: str
    outcome: str
    reason: ClosureReason | None = None
    """Why there is no 終結評価 of the plan (None: the plan's closing evaluation is recorded)."""
    reason_note: str = ""

    LABEL_JA = "ケースの終結"
    RULE = (*ON_THE_CASE, lead_agency_or_coordinator, evaluated_or_reason)

    def validate(self, registry: Registry) -> None:
        if self.reason == ClosureReason.OTHER and not self.reason_note.strip():
            raise InvalidCommand("理由が「その他」のときは、理由を記入してください。",
                                 "With the reason 'other', note the reason.")

    def apply(self, case: Case, context: Context) -> None:
        case.close(context.actor, context.at, evaluation=self.evaluation, outcome=self.outcome, reason=self.reason,
                   reason_note=self.reason_note)
        return None


@dataclass(frozen=True, kw_only=True)
class ReopenCase(CaseCommand):
    reason: str

    LABEL_JA = "ケースの再開"
    RULE = (*ON_THE_CASE, lead_agency_or_coordinator)

    def apply(self, case: Case, context: Context) -> None:
        case.reopen(context.actor, context.at, reason=self.reason)
        return None

