"""支援プラン of several kinds (総合的な支援プラン, アウトリーチ支援プラン, 参加支援プラン).

A plan is adopted at a 重層的支援会議 (an アウトリーチ支援プラン also at a 支援会議, art. 106-6), with the
person's wishes (本人の意向); the municipality decides it (支援決定); it is reviewed while monitoring,
may be suspended (中断) and resumed, and is evaluated: the support ends (終結) or a new cycle begins
(再プラン: the next plan of the kind names the one it follows). :func:`next_review_after` is the one
rule of when a plan is due for review, which the case, its list rows and the workload all follow.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.actor import Actor
from domain.calendar import local_date
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.case.transitions import TransitionsPart
from domain.errors import InvalidCommand, NotPermitted, RuleViolation
from domain.vocabulary import EvaluationOutcome, MeetingKind, PlanKind, Role


def _upcast_plan_adopted(state: dict[str, Any]) -> None:
    """A plan adopted before plans had kinds was the case's one (総合的な) plan."""
    state.setdefault("plan_kind", PlanKind.COMPREHENSIVE.value)
    state.setdefault("wishes", "")
    state.setdefault("replan_of", None)


class PlanPart(CasePart):
    plan: dict[str, Any] | None
    """The plan adopted last, of any kind (what a one-plan view shows)."""
    plans: dict[str, dict[str, Any]]
    meetings: dict[str, dict[str, Any]]

    class PlanAdopted(CaseEvent):
        plan_id: str
        meeting_id: str
        goals: list[str]
        roles: list[dict[str, str]]
        next_review_on: date
        plan_kind: str
        """:class:`PlanKind` (``kind`` is every event's class name)."""
        wishes: str
        """本人の意向: the person's own wishes, in their words (personal content: encrypted at rest)."""
        replan_of: str | None
        """The evaluated plan of the same kind this one follows (再プラン), or None (新規)."""

        LABEL_JA, LABEL_EN = "支援プランの決定", "Support plan adopted"
        class_version = 2
        upcast_v1_v2 = staticmethod(_upcast_plan_adopted)

        def apply(self, case: PlanPart) -> None:
            plan = {"plan_id": self.plan_id, "kind": self.plan_kind, "goals": list(self.goals), "wishes": self.wishes,
                    "roles": [dict(r) for r in self.roles], "next_review_on": self.next_review_on,
                    "adopted_on": self.occurred_at, "meeting_id": self.meeting_id, "replan_of": self.replan_of,
                    "revisions": 0, "decided_at": None, "suspended": False, "evaluated": False, "outcome": None,
                    "seq": self.originator_version}
            case.plans[self.plan_id] = plan
            case.plan = plan

    class PlanRevised(CaseEvent):
        plan_id: str
        meeting_id: str
        goals: list[str]
        roles: list[dict[str, str]]
        next_review_on: date
        reason: str
        wishes: str | None
        """The person's wishes as they now are (None: unchanged)."""

        LABEL_JA, LABEL_EN = "支援プランの見直し", "Support plan revised"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("wishes", None)

        def apply(self, case: PlanPart) -> None:
            plan = case.plans[self.plan_id]
            plan.update(goals=list(self.goals), roles=[dict(r) for r in self.roles],
                        next_review_on=next_review_after(self, plan["next_review_on"]),
                        revisions=plan["revisions"] + 1, seq=self.originator_version)
            if self.wishes is not None:
                plan["wishes"] = self.wishes

    class PlanDecided(CaseEvent):
        """支援決定: the municipality decides the plan (support under the 重層的支援体制整備事業 begins)."""

        plan_id: str
        note: str

        LABEL_JA, LABEL_EN = "支援決定", "Support decided by the municipality"

        def apply(self, case: PlanPart) -> None:
            case.plans[self.plan_id]["decided_at"] = self.occurred_at

    class PlanReviewed(CaseEvent):
        plan_id: str
        findings: str
        next_review_on: date

        LABEL_JA, LABEL_EN = "モニタリング", "Support plan reviewed"

        def apply(self, case: PlanPart) -> None:
            plan = case.plans[self.plan_id]
            plan["next_review_on"] = next_review_after(self, plan["next_review_on"])

    class PlanSuspended(CaseEvent):
        """中断: the plan is on hold (a hospital stay, the person asked for a pause); no review is due."""

        plan_id: str
        reason: str

        LABEL_JA, LABEL_EN = "支援プランの中断", "Support plan suspended"

        def apply(self, case: PlanPart) -> None:
            plan = case.plans[self.plan_id]
            plan.update(suspended=True, next_review_on=next_review_after(self, plan["next_review_on"]))

    class PlanResumed(CaseEvent):
        plan_id: str
        note: str
        next_review_on: date

        LABEL_JA, LABEL_EN = "支援プランの再開", "Support plan resumed"

        def apply(self, case: PlanPart) -> None:
            plan = case.plans[self.plan_id]
            plan.update(suspended=False, next_review_on=next_review_after(self, plan["next_review_on"]))

    class PlanEvaluated(CaseEvent):
        plan_id: str
        meeting_id: str
        evaluation: str
        goals_met: bool
        outcome: str
        """終結 (the support ends) or 再プラン (a new cycle follows): :class:`EvaluationOutcome`."""

        LABEL_JA, LABEL_EN = "終結評価", "Support plan evaluated"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("outcome", EvaluationOutcome.CLOSE.value)  # evaluations were all 終結評価

        def apply(self, case: PlanPart) -> None:
            plan = case.plans[self.plan_id]
            plan.update(evaluated=True, outcome=self.outcome,
                        next_review_on=next_review_after(self, plan["next_review_on"]))

    class RoleAssigned(CaseEvent):
        plan_id: str
        agency: str
        role: str

        LABEL_JA, LABEL_EN = "役割分担", "Role assigned"

        def apply(self, case: PlanPart) -> None:
            plan = case.plans[self.plan_id]
            plan["roles"] = [r for r in plan["roles"] if r["agency"] != self.agency]
            plan["roles"].append({"agency": self.agency, "role": self.role})

    # ----- the case's rules about plans -----------------------------------------------------------

    def plans_in_progress(self) -> list[dict[str, Any]]:
        """The plans adopted and not yet evaluated (suspended ones included), oldest first."""
        return sorted((p for p in self.plans.values() if not p["evaluated"]), key=lambda p: p["seq"])

    def plan_in_progress(self, plan_id: str | None = None) -> dict[str, Any]:
        """The plan a command is about: the one named, or the only one in progress."""
        if plan_id is not None:
            plan = find(self.plans, plan_id, "支援プラン", "support plan")
            if plan["evaluated"]:
                raise RuleViolation("この支援プランは評価済みです。", "This support plan has been evaluated.")
            return plan
        in_progress = self.plans_in_progress()
        if not in_progress:
            raise RuleViolation("進行中の支援プランがありません。", "There is no support plan in progress.")
        if len(in_progress) > 1:
            raise InvalidCommand("進行中の支援プランが複数あります。どのプランかを指定してください（plan_id）。",
                                 "Several support plans are in progress: name one (plan_id).")
        return in_progress[0]

    def plans_evaluated_for_closing(self) -> bool:
        """Whether the case has its plans' 終結評価: it has a plan, and the latest plan of each kind is
        evaluated with the outcome 終結 (not 再プラン, not still in progress)."""
        latest: dict[str, dict[str, Any]] = {}
        for plan in sorted(self.plans.values(), key=lambda p: p["seq"]):
            latest[plan["kind"]] = plan
        return bool(latest) and all(p["evaluated"] and p["outcome"] == EvaluationOutcome.CLOSE
                                    for p in latest.values())

    def clear_reviews(self, event: CaseEvent) -> None:
        """No plan is due for review after ``event`` (the case's closure), by :func:`next_review_after`."""
        for plan in self.plans.values():
            plan["next_review_on"] = next_review_after(event, plan["next_review_on"])

    # ----- commands ---------------------------------------------------------------------------------

    def _check_coordinator(self, actor: Actor) -> None:
        if not actor.has_role(Role.COORDINATOR):
            raise NotPermitted("支援プランを決めるのは相談支援包括化推進員（コーディネーター）です。",
                               "Only a coordinator can adopt, revise or evaluate a support plan.")

    def _plan_meeting(self, meeting_id: str, kind: str) -> dict[str, Any]:
        """A plan is decided at a 重層的支援会議; an アウトリーチ支援プラン may also come from a 支援会議."""
        meeting = find(self.meetings, meeting_id, "会議", "meeting")
        allowed = {MeetingKind.MULTI_LAYERED} | ({MeetingKind.SUPPORT} if kind == PlanKind.OUTREACH else set())
        if meeting["kind"] not in allowed:
            raise RuleViolation("支援プランは本人同意のもとで開く重層的支援会議で決めます。支援会議で決められるのは"
                                "アウトリーチ支援プランだけです。",
                                "A support plan is decided at a multi-layered support meeting (with consent); a "
                                "support meeting (art. 106-6) may only decide an outreach support plan.")
        return meeting

    @staticmethod
    def _check_review_date(next_review_on: date, at: datetime) -> None:
        if next_review_on <= local_date(at):
            raise InvalidCommand("次回のモニタリング日は今日より後にしてください。",
                                 "The next review date must be after today.")

    def adopt_plan(self, actor: Actor, at: datetime, *, meeting_id: str, goals: list[str],
                   roles: list[dict[str, str]], next_review_on: date, kind: PlanKind = PlanKind.COMPREHENSIVE,
                   wishes: str = "") -> str:
        self.check_open()
        self._check_coordinator(actor)
        self._plan_meeting(meeting_id, kind)
        if any(p["kind"] == kind for p in self.plans_in_progress()):
            raise RuleViolation(f"{PlanKind(kind).label_ja}はすでに進行中です。見直しとして記録してください。",
                                f"A {PlanKind(kind).label_en.lower()} is already in progress; record a revision.")
        if not goals:
            raise InvalidCommand("支援プランの目標を一つ以上入力してください。",
                                 "A support plan needs at least one goal.")
        self._check_review_date(next_review_on, at)
        earlier = [p for p in self.plans.values() if p["kind"] == kind]
        replan_of = max(earlier, key=lambda p: p["seq"])["plan_id"] if earlier else None
        plan_id = new_id()
        self._record(self.PlanAdopted, actor, at, plan_id=plan_id, meeting_id=meeting_id, goals=goals,
                     roles=roles, next_review_on=next_review_on, plan_kind=kind, wishes=wishes,
                     replan_of=replan_of)
        return plan_id

    def revise_plan(self, actor: Actor, at: datetime, *, meeting_id: str, goals: list[str],
                    roles: list[dict[str, str]], next_review_on: date, reason: str, plan_id: str | None = None,
                    wishes: str | None = None) -> None:
        self.check_open()
        self._check_coordinator(actor)
        plan = self.plan_in_progress(plan_id)
        self._plan_meeting(meeting_id, plan["kind"])
        self._check_review_date(next_review_on, at)
        self._record(self.PlanRevised, actor, at, plan_id=plan["plan_id"], meeting_id=meeting_id, goals=goals,
                     roles=roles, next_review_on=next_review_on, reason=reason, wishes=wishes)

    def decide_plan(self, actor: Actor, at: datetime, *, plan_id: str | None = None, note: str = "") -> None:
        """支援決定 (who may: the command's rule, the ward's office for it)."""
        self.check_open()
        plan = self.plan_in_progress(plan_id)
        if plan["decided_at"] is not None:
            raise RuleViolation("この支援プランはすでに支援決定されています。", "This plan has already been decided.")
        self._record(self.PlanDecided, actor, at, plan_id=plan["plan_id"], note=note)

    def review_plan(self, actor: Actor, at: datetime, *, findings: str, next_review_on: date,
                    plan_id: str | None = None) -> None:
        self.check_open()
        plan = self._running(plan_id)
        self._check_review_date(next_review_on, at)
        self._record(self.PlanReviewed, actor, at, plan_id=plan["plan_id"], findings=findings,
                     next_review_on=next_review_on)

    def suspend_plan(self, actor: Actor, at: datetime, *, reason: str, plan_id: str | None = None) -> None:
        self.check_open()
        self._check_coordinator(actor)
        plan = self._running(plan_id)
        if not reason.strip():
            raise InvalidCommand("中断の理由を記入してください。", "Suspending a plan needs a reason.")
        self._record(self.PlanSuspended, actor, at, plan_id=plan["plan_id"], reason=reason)

    def resume_plan(self, actor: Actor, at: datetime, *, next_review_on: date, note: str = "",
                    plan_id: str | None = None) -> None:
        self.check_open()
        self._check_coordinator(actor)
        plan = self.plan_in_progress(plan_id)
        if not plan["suspended"]:
            raise RuleViolation("この支援プランは中断していません。", "This support plan is not suspended.")
        self._check_review_date(next_review_on, at)
        self._record(self.PlanResumed, actor, at, plan_id=plan["plan_id"], note=note, next_review_on=next_review_on)

    def evaluate_plan(self, actor: Actor, at: datetime, *, meeting_id: str, evaluation: str, goals_met: bool,
                      outcome: EvaluationOutcome = EvaluationOutcome.CLOSE, plan_id: str | None = None) -> None:
        self.check_open()
        self._check_coordinator(actor)
        plan = self.plan_in_progress(plan_id)
        self._plan_meeting(meeting_id, plan["kind"])
        self._record(self.PlanEvaluated, actor, at, plan_id=plan["plan_id"], meeting_id=meeting_id,
                     evaluation=evaluation, goals_met=goals_met, outcome=outcome)

    def assign_role(self, actor: Actor, at: datetime, *, agency: str, role: str, plan_id: str | None = None) -> None:
        self.check_open()
        self._check_coordinator(actor)
        plan = self.plan_in_progress(plan_id)
        self._record(self.RoleAssigned, actor, at, plan_id=plan["plan_id"], agency=agency, role=role)

    def _running(self, plan_id: str | None) -> dict[str, Any]:
        plan = self.plan_in_progress(plan_id)
        if plan["suspended"]:
            raise RuleViolation("この支援プランは中断中です。先に再開してください。",
                                "This support plan is suspended: resume it first.")
        return plan


SETS_REVIEW = (PlanPart.PlanAdopted, PlanPart.PlanRevised, PlanPart.PlanReviewed, PlanPart.PlanResumed)
CLEARS_REVIEW = (PlanPart.PlanEvaluated, PlanPart.PlanSuspended, TransitionsPart.CaseClosed)


def next_review_after(event: Any, current: date | None) -> date | None:
    """When a plan is next due for review after ``event`` (the one rule; read models call it too).

    Adopting, revising, reviewing and resuming a plan set the date; evaluating or suspending it clears
    it, and so does closing the case (no review is due on a closed case: a reopened case's plan is
    reviewed again from a new date); nothing else changes it.
    """
    if isinstance(event, SETS_REVIEW):
        return event.next_review_on
    if isinstance(event, CLEARS_REVIEW):
        return None
    return current
