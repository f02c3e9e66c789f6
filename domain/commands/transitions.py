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
    staff_who_record,
    to_covered_agencies,
    touches_only_visible,
)
from domain.commands.intake import ON_THE_CASE, member_reference
from domain.policy import DateKind


@dataclass(frozen=True, kw_only=True)
class PlanHandover(CaseCommand):
    member_id: str
    at_age: int
    to_agency: str
    due_on: date

    LABEL_JA = "制度切替の計画"
    RULE = (*ON_THE_CASE, touches_only_visible, to_covered_agencies(lambda command: [command.to_agency]))

    def agencies_named(self) -> Iterable[str]:
        return [self.to_agency]

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("due_on", DateKind.PLANNED, self.due_on)]

    def references(self, case: Case) -> Iterable[Reference]:
        return [member_reference(case, self.member_id)]

    def apply(self, case: Case, context: Context) -> str:
        return case.plan_handover(context.actor, context.at, member_id=self.member_id, at_age=self.at_age,
                                  to_agency=self.to_agency, due_on=self.due_on)


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
        "Only the handing-over or the receiving agency can complete a handover."))

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


@dataclass(frozen=True, kw_only=True)
class CloseCase(CaseCommand):
    evaluation: str
    outcome: str

    LABEL_JA = "ケースの終結"
    RULE = (*ON_THE_CASE, lead_agency_or_coordinator)

    def apply(self, case: Case, context: Context) -> None:
        case.close(context.actor, context.at, evaluation=self.evaluation, outcome=self.outcome)
        return None


@dataclass(frozen=True, kw_only=True)
class ReopenCase(CaseCommand):
    reason: str

    LABEL_JA = "ケースの再開"
    RULE = (*ON_THE_CASE, lead_agency_or_coordinator)

    def apply(self, case: Case, context: Context) -> None:
        case.reopen(context.actor, context.at, reason=self.reason)
        return None
