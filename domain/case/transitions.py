"""制度切替 at 18/40/65, one agency's exit (関与終了), and the case's closure and reopening."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.actor import Actor
from domain.calendar import age_on
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.errors import InvalidCommand, RuleViolation
from domain.vocabulary import TRANSITION_AGES, CaseStatus


class TransitionsPart(CasePart):
    handovers: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]
    lead_agency: str
    closed_at: datetime | None
    end_emergency_grants: Any  # from EmergencyPart
    end_support_meetings: Any  # from MeetingsPart
    ended_involvement: dict[str, int]
    """Agency id -> the entry (seq) where it ended its involvement."""

    class HandoverPlanned(CaseEvent):
        handover_id: str
        member_id: str
        at_age: int
        from_agency: str
        to_agency: str
        due_on: date

        LABEL_JA, LABEL_EN = "制度切替の計画", "Handover planned"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return (self.member_id,)

        def apply(self, case: TransitionsPart) -> None:
            case.handovers[self.handover_id] = {
                "handover_id": self.handover_id, "member_id": self.member_id, "at_age": self.at_age,
                "from_agency": self.from_agency, "to_agency": self.to_agency, "due_on": self.due_on,
                "completed": False, "seq": self.originator_version}

    class HandoverCompleted(CaseEvent):
        handover_id: str
        note: str

        LABEL_JA, LABEL_EN = "制度切替の完了", "Handover completed"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            handover = case.handovers.get(self.handover_id)
            return (handover["member_id"],) if handover else ()

        def apply(self, case: TransitionsPart) -> None:
            handover = case.handovers[self.handover_id]
            handover["completed"] = True
            if case.lead_agency == handover["from_agency"]:
                case.lead_agency = handover["to_agency"]

    class InvolvementEnded(CaseEvent):
        """One agency ends its own involvement (関与終了); the case goes on for the others."""

        reason: str

        LABEL_JA, LABEL_EN = "関与終了", "Involvement ended"

        def apply(self, case: TransitionsPart) -> None:
            case.ended_involvement[self.by_agency] = self.originator_version

    class CaseClosed(CaseEvent):
        evaluation: str
        outcome: str

        LABEL_JA, LABEL_EN = "ケースの終結", "Case closed"

        def apply(self, case: TransitionsPart) -> None:
            case.status = CaseStatus.CLOSED
            case.closed_at = self.occurred_at
            case.end_emergency_grants(self.occurred_at)
            case.end_support_meetings(self.occurred_at)

    class CaseReopened(CaseEvent):
        reason: str

        LABEL_JA, LABEL_EN = "ケースの再開", "Case reopened"

        def apply(self, case: TransitionsPart) -> None:
            case.status = CaseStatus.OPEN
            case.closed_at = None

    def plan_handover(self, actor: Actor, at: datetime, *, member_id: str, at_age: int, to_agency: str,
                      due_on: date) -> str:
        """Plan the move of a member's support to the agency responsible after ``at_age``."""
        self.check_open()
        member = find(self.members, member_id, "世帯員", "member")
        if at_age not in TRANSITION_AGES:
            raise InvalidCommand("制度切替の年齢は18歳・40歳・65歳のいずれかです。",
                                 "A handover happens at age 18, 40 or 65.")
        if age_on(member["birth_date"], due_on) < at_age:
            raise InvalidCommand(f"切替日にこの世帯員はまだ{at_age}歳になっていません。",
                                 f"On the due date this member is not yet {at_age}.")
        if to_agency == actor.agency_id:
            raise InvalidCommand("引継ぎ先は別の機関にしてください。", "Hand over to another agency.")
        handover_id = new_id()
        self._record(self.HandoverPlanned, actor, at, handover_id=handover_id, member_id=member_id, at_age=at_age,
                     from_agency=actor.agency_id, to_agency=to_agency, due_on=due_on)
        return handover_id

    def complete_handover(self, actor: Actor, at: datetime, *, handover_id: str, note: str = "") -> None:
        self.check_open()
        handover = find(self.handovers, handover_id, "制度切替", "handover")
        if handover["completed"]:
            raise RuleViolation("この制度切替はすでに完了しています。", "This handover is already completed.")
        if actor.agency_id not in (handover["from_agency"], handover["to_agency"]):
            raise RuleViolation("引継ぎ元か引継ぎ先の機関が完了を記録します。",
                                "Only the handing-over or the receiving agency can complete a handover.")
        self._record(self.HandoverCompleted, actor, at, handover_id=handover_id, note=note)

    def end_involvement(self, actor: Actor, at: datetime, *, reason: str) -> None:
        """Record that the actor's agency ends its part; the lead agency hands the lead over first."""
        self.check_open()
        if actor.agency_id == self.lead_agency:
            raise RuleViolation("主担当機関は関与を終了できません。先に主担当を引き継ぐか、ケースを終結してください。",
                                "The lead agency cannot end its involvement: hand the lead over, or close the case.")
        if not reason.strip():
            raise InvalidCommand("関与終了の理由を記入してください。", "Ending involvement needs a reason.")
        self._record(self.InvolvementEnded, actor, at, reason=reason)

    def close(self, actor: Actor, at: datetime, *, evaluation: str, outcome: str) -> None:
        self.check_open()
        if not evaluation.strip():
            raise InvalidCommand("終結するときは評価を記入してください。", "Closing a case needs an evaluation.")
        self._record(self.CaseClosed, actor, at, evaluation=evaluation, outcome=outcome)

    def reopen(self, actor: Actor, at: datetime, *, reason: str) -> None:
        if self.status != CaseStatus.CLOSED:
            raise RuleViolation("このケースは終結していません。", "This case is not closed.")
        self._record(self.CaseReopened, actor, at, reason=reason)
