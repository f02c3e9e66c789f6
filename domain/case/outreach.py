"""アウトリーチ and 参加支援: visits to people who do not come, and matches to local resources."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.actor import Actor
from domain.case.base import CaseEvent, CasePart, find, new_id, one_member
from domain.vocabulary import ResourceKind, VisitOutcome


class OutreachPart(CasePart):
    outreach: dict[str, dict[str, Any]]
    participation: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]

    class OutreachPlanned(CaseEvent):
        outreach_id: str
        member_id: str | None
        approach: str
        planned_on: date

        LABEL_JA, LABEL_EN = "アウトリーチの計画", "Outreach planned"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return one_member(self.member_id)

        def apply(self, case: OutreachPart) -> None:
            case.outreach[self.outreach_id] = {"outreach_id": self.outreach_id, "member_id": self.member_id,
                                               "approach": self.approach, "planned_on": self.planned_on,
                                               "visits": 0, "seq": self.originator_version}

    class OutreachVisitRecorded(CaseEvent):
        outreach_id: str | None
        member_id: str | None
        outcome: str
        notes: str

        LABEL_JA, LABEL_EN = "訪問の記録", "Outreach visit recorded"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return one_member(self.member_id)

        def apply(self, case: OutreachPart) -> None:
            if self.outreach_id:
                case.outreach[self.outreach_id]["visits"] += 1

    class SupportRefused(CaseEvent):
        member_id: str | None
        reason: str

        LABEL_JA, LABEL_EN = "支援の拒否", "Support refused"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return one_member(self.member_id)

    class ParticipationMatched(CaseEvent):
        match_id: str
        member_id: str
        resource_name: str
        resource_kind: str
        starts_on: date

        LABEL_JA, LABEL_EN = "参加支援のマッチング", "Participation matched"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return one_member(self.member_id)

        def apply(self, case: OutreachPart) -> None:
            case.participation[self.match_id] = {"match_id": self.match_id, "member_id": self.member_id,
                                                 "resource_name": self.resource_name,
                                                 "resource_kind": self.resource_kind,
                                                 "starts_on": self.starts_on, "follow_ups": 0,
                                                 "seq": self.originator_version}

    class ParticipationFollowedUp(CaseEvent):
        match_id: str
        continuing: bool
        note: str

        LABEL_JA, LABEL_EN = "定着支援", "Participation followed up"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            match = case.participation.get(self.match_id)
            return one_member(match["member_id"]) if match else ()

        def apply(self, case: OutreachPart) -> None:
            case.participation[self.match_id]["follow_ups"] += 1

    def _check_member(self, member_id: str | None) -> None:
        if member_id is not None:
            find(self.members, member_id, "世帯員", "member")

    def plan_outreach(self, actor: Actor, at: datetime, *, member_id: str | None, approach: str,
                      planned_on: date) -> str:
        self.check_open()
        self._check_member(member_id)
        outreach_id = new_id()
        self._record(self.OutreachPlanned, actor, at, outreach_id=outreach_id, member_id=member_id,
                     approach=approach, planned_on=planned_on)
        return outreach_id

    def record_visit(self, actor: Actor, at: datetime, *, outreach_id: str | None, member_id: str | None,
                     outcome: VisitOutcome, notes: str) -> None:
        self.check_open()
        if outreach_id is not None:
            find(self.outreach, outreach_id, "アウトリーチ計画", "outreach plan")
        self._check_member(member_id)
        self._record(self.OutreachVisitRecorded, actor, at, outreach_id=outreach_id, member_id=member_id,
                     outcome=outcome, notes=notes)

    def record_support_refusal(self, actor: Actor, at: datetime, *, member_id: str | None, reason: str) -> None:
        self.check_open()
        self._check_member(member_id)
        self._record(self.SupportRefused, actor, at, member_id=member_id, reason=reason)

    def match_participation(self, actor: Actor, at: datetime, *, member_id: str, resource_name: str,
                            resource_kind: ResourceKind, starts_on: date) -> str:
        self.check_open()
        self._check_member(member_id)
        match_id = new_id()
        self._record(self.ParticipationMatched, actor, at, match_id=match_id, member_id=member_id,
                     resource_name=resource_name, resource_kind=resource_kind, starts_on=starts_on)
        return match_id

    def follow_up_participation(self, actor: Actor, at: datetime, *, match_id: str, continuing: bool,
                                note: str) -> None:
        self.check_open()
        find(self.participation, match_id, "参加支援", "participation match")
        self._record(self.ParticipationFollowedUp, actor, at, match_id=match_id, continuing=continuing, note=note)
