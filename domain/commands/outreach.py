"""アウトリーチ and 参加支援 commands (events in :mod:`domain.case.outreach`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.case import Case
from domain.commands.base import CaseCommand, Context, Reference, touches_only_visible
from domain.commands.intake import ON_THE_CASE, member_reference
from domain.policy import DateKind
from domain.vocabulary import ResourceKind, VisitOutcome

ABOUT_A_MEMBER = (*ON_THE_CASE, touches_only_visible)


def _members(case: Case, *member_ids: str | None) -> list[Reference]:
    return [member_reference(case, member_id) for member_id in member_ids if member_id is not None]


@dataclass(frozen=True, kw_only=True)
class PlanOutreach(CaseCommand):
    member_id: str | None
    approach: str
    planned_on: date

    LABEL_JA = "アウトリーチの計画"
    RULE = ABOUT_A_MEMBER

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("planned_on", DateKind.PLANNED, self.planned_on)]

    def references(self, case: Case) -> Iterable[Reference]:
        return _members(case, self.member_id)

    def apply(self, case: Case, context: Context) -> str:
        return case.plan_outreach(context.actor, context.at, member_id=self.member_id, approach=self.approach,
                                  planned_on=self.planned_on)


@dataclass(frozen=True, kw_only=True)
class RecordVisit(CaseCommand):
    outreach_id: str | None
    member_id: str | None
    outcome: VisitOutcome
    notes: str

    LABEL_JA = "訪問の記録"
    RULE = ABOUT_A_MEMBER

    def references(self, case: Case) -> Iterable[Reference]:
        plans = [] if self.outreach_id is None else [
            Reference(case.outreach, self.outreach_id, "アウトリーチ計画", "outreach plan")]
        return [*plans, *_members(case, self.member_id)]

    def apply(self, case: Case, context: Context) -> None:
        case.record_visit(context.actor, context.at, outreach_id=self.outreach_id, member_id=self.member_id,
                          outcome=self.outcome, notes=self.notes)
        return None


@dataclass(frozen=True, kw_only=True)
class RecordSupportRefusal(CaseCommand):
    member_id: str | None
    reason: str

    LABEL_JA = "支援拒否の記録"
    RULE = ABOUT_A_MEMBER

    def references(self, case: Case) -> Iterable[Reference]:
        return _members(case, self.member_id)

    def apply(self, case: Case, context: Context) -> None:
        case.record_support_refusal(context.actor, context.at, member_id=self.member_id, reason=self.reason)
        return None


@dataclass(frozen=True, kw_only=True)
class MatchParticipation(CaseCommand):
    member_id: str
    resource_name: str
    resource_kind: ResourceKind
    starts_on: date

    LABEL_JA = "参加支援のマッチング"
    RULE = ABOUT_A_MEMBER

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("starts_on", DateKind.PLANNED, self.starts_on)]

    def references(self, case: Case) -> Iterable[Reference]:
        return _members(case, self.member_id)

    def apply(self, case: Case, context: Context) -> str:
        return case.match_participation(context.actor, context.at, member_id=self.member_id,
                                        resource_name=self.resource_name, resource_kind=self.resource_kind,
                                        starts_on=self.starts_on)


@dataclass(frozen=True, kw_only=True)
class FollowUpParticipation(CaseCommand):
    match_id: str
    continuing: bool
    note: str

    LABEL_JA = "定着支援"
    RULE = ABOUT_A_MEMBER

    def references(self, case: Case) -> Iterable[Reference]:
        return [Reference(case.participation, self.match_id, "参加支援", "participation match")]

    def apply(self, case: Case, context: Context) -> None:
        case.follow_up_participation(context.actor, context.at, match_id=self.match_id,
                                     continuing=self.continuing, note=self.note)
        return None
