"""支援プラン: adopted, revised and evaluated at a 重層的支援会議; reviewed while monitoring."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.actor import Actor
from domain.calendar import local_date
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.errors import InvalidCommand, NotPermitted, RuleViolation
from domain.vocabulary import MeetingKind, Role


class PlanPart(CasePart):
    plan: dict[str, Any] | None
    meetings: dict[str, dict[str, Any]]

    class PlanAdopted(CaseEvent):
        plan_id: str
        meeting_id: str
        goals: list[str]
        roles: list[dict[str, str]]
        next_review_on: date

        LABEL_JA, LABEL_EN = "支援プランの決定", "Support plan adopted"

        def apply(self, case: PlanPart) -> None:
            case.plan = {"plan_id": self.plan_id, "goals": list(self.goals),
                         "roles": [dict(r) for r in self.roles], "next_review_on": self.next_review_on,
                         "adopted_on": self.occurred_at, "revisions": 0, "evaluated": False,
                         "seq": self.originator_version}

    class PlanRevised(CaseEvent):
        plan_id: str
        meeting_id: str
        goals: list[str]
        roles: list[dict[str, str]]
        next_review_on: date
        reason: str

        LABEL_JA, LABEL_EN = "支援プランの見直し", "Support plan revised"

        def apply(self, case: PlanPart) -> None:
            assert case.plan is not None
            case.plan.update(goals=list(self.goals), roles=[dict(r) for r in self.roles],
                             next_review_on=self.next_review_on, revisions=case.plan["revisions"] + 1,
                             seq=self.originator_version)

    class PlanReviewed(CaseEvent):
        plan_id: str
        findings: str
        next_review_on: date

        LABEL_JA, LABEL_EN = "モニタリング", "Support plan reviewed"

        def apply(self, case: PlanPart) -> None:
            assert case.plan is not None
            case.plan["next_review_on"] = self.next_review_on

    class PlanEvaluated(CaseEvent):
        plan_id: str
        meeting_id: str
        evaluation: str
        goals_met: bool

        LABEL_JA, LABEL_EN = "終結評価", "Support plan evaluated"

        def apply(self, case: PlanPart) -> None:
            assert case.plan is not None
            case.plan.update(evaluated=True, next_review_on=None)

    class RoleAssigned(CaseEvent):
        plan_id: str
        agency: str
        role: str

        LABEL_JA, LABEL_EN = "役割分担", "Role assigned"

        def apply(self, case: PlanPart) -> None:
            assert case.plan is not None
            case.plan["roles"] = [r for r in case.plan["roles"] if r["agency"] != self.agency]
            case.plan["roles"].append({"agency": self.agency, "role": self.role})

    def _check_coordinator(self, actor: Actor) -> None:
        if not actor.has_role(Role.COORDINATOR):
            raise NotPermitted("支援プランを決めるのは相談支援包括化推進員（コーディネーター）です。",
                               "Only a coordinator can adopt, revise or evaluate a support plan.")

    def _multi_layered_meeting(self, meeting_id: str) -> dict[str, Any]:
        meeting = find(self.meetings, meeting_id, "会議", "meeting")
        if meeting["kind"] != MeetingKind.MULTI_LAYERED:
            raise RuleViolation("支援プランは本人同意のもとで開く重層的支援会議で決めます。"
                                "支援会議では決められません。",
                                "A support plan is decided at a multi-layered support meeting (with consent), "
                                "not at a support meeting.")
        return meeting

    def _active_plan(self) -> dict[str, Any]:
        if self.plan is None or self.plan["evaluated"]:
            raise RuleViolation("進行中の支援プランがありません。", "There is no support plan in progress.")
        return self.plan

    @staticmethod
    def _check_review_date(next_review_on: date, at: datetime) -> None:
        if next_review_on <= local_date(at):
            raise InvalidCommand("次回のモニタリング日は今日より後にしてください。",
                                 "The next review date must be after today.")

    def adopt_plan(self, actor: Actor, at: datetime, *, meeting_id: str, goals: list[str],
                   roles: list[dict[str, str]], next_review_on: date) -> str:
        self.check_open()
        self._check_coordinator(actor)
        self._multi_layered_meeting(meeting_id)
        if self.plan is not None and not self.plan["evaluated"]:
            raise RuleViolation("支援プランはすでに進行中です。見直しとして記録してください。",
                                "A support plan is already in progress; record a revision instead.")
        if not goals:
            raise InvalidCommand("支援プランの目標を一つ以上入力してください。",
                                 "A support plan needs at least one goal.")
        self._check_review_date(next_review_on, at)
        plan_id = new_id()
        self._record(self.PlanAdopted, actor, at, plan_id=plan_id, meeting_id=meeting_id, goals=goals,
                     roles=roles, next_review_on=next_review_on)
        return plan_id

    def revise_plan(self, actor: Actor, at: datetime, *, meeting_id: str, goals: list[str],
                    roles: list[dict[str, str]], next_review_on: date, reason: str) -> None:
        self.check_open()
        self._check_coordinator(actor)
        self._multi_layered_meeting(meeting_id)
        plan = self._active_plan()
        self._check_review_date(next_review_on, at)
        self._record(self.PlanRevised, actor, at, plan_id=plan["plan_id"], meeting_id=meeting_id, goals=goals,
                     roles=roles, next_review_on=next_review_on, reason=reason)

    def review_plan(self, actor: Actor, at: datetime, *, findings: str, next_review_on: date) -> None:
        self.check_open()
        plan = self._active_plan()
        self._check_review_date(next_review_on, at)
        self._record(self.PlanReviewed, actor, at, plan_id=plan["plan_id"], findings=findings,
                     next_review_on=next_review_on)

    def evaluate_plan(self, actor: Actor, at: datetime, *, meeting_id: str, evaluation: str,
                      goals_met: bool) -> None:
        self.check_open()
        self._check_coordinator(actor)
        self._multi_layered_meeting(meeting_id)
        plan = self._active_plan()
        self._record(self.PlanEvaluated, actor, at, plan_id=plan["plan_id"], meeting_id=meeting_id,
                     evaluation=evaluation, goals_met=goals_met)

    def assign_role(self, actor: Actor, at: datetime, *, agency: str, role: str) -> None:
        self.check_open()
        self._check_coordinator(actor)
        plan = self._active_plan()
        self._record(self.RoleAssigned, actor, at, plan_id=plan["plan_id"], agency=agency, role=role)
