"""制度切替 at the ward's transition ages, one agency's exit (関与終了), and the case's closure and reopening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.actor import Actor
from domain.calendar import age_on, local_date
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.case.consent import member_consents
from domain.errors import DomainError, InvalidCommand, RuleViolation
from domain.vocabulary import TRANSITION_AGES, CaseStatus, ClosureReason, InformationCategory, Role

HANDOVER_CATEGORIES = (InformationCategory.BASIC, InformationCategory.SUPPORT)
"""What a receiving agency must be able to read of the member it takes over: who they are, and their support."""


@dataclass(frozen=True)
class TransitionDue:
    """A member reaching one of the ward's transition ages soon, or past it without a completed handover.
    Ids, an age and a day: nothing that names anyone."""

    member_id: str
    at_age: int
    due_on: date
    """The day the member reaches ``at_age``."""
    overdue: bool
    """Past ``due_on`` (reached while the case was open) with no completed handover at that age."""
    handover_id: str | None
    """A handover planned at that age and not yet completed."""


def reaches_age_on(birth_date: date, age: int) -> date:
    """The day someone born on ``birth_date`` turns ``age`` (born on 29 February: 1 March, as :func:`age_on`)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return date(birth_date.year + age, 3, 1)


def transition_state(due_on: date, *, opened_on: date, as_of: date, within_days: int,
                     handed_over: bool) -> bool | None:
    """Whether a transition on ``due_on`` is listed as of ``as_of``: False (upcoming) within the next
    ``within_days`` days, True (overdue) when it passed while the case was open; None: not listed, and never
    once the handover at that age is completed. The one rule; the transitions read model calls it too."""
    if handed_over:
        return None
    if as_of <= due_on <= as_of + timedelta(days=within_days):
        return False
    if opened_on <= due_on < as_of:
        return True
    return None


def sees_transitions(reader: Actor, lead_agency: str) -> bool:
    """A case's transitions are shown to its lead agency and to coordinators (who still read only what the
    access rules grant them, each case a recorded read)."""
    return reader.may_record and (reader.agency_id == lead_agency or reader.has_role(Role.COORDINATOR))


class TransitionsPart(CasePart):
    handovers: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]
    lead_agency: str
    opened_at: datetime
    closed_at: datetime | None
    end_emergency_grants: Any  # from EmergencyPart
    end_support_meetings: Any  # from MeetingsPart
    support_meetings_attended: Any  # from MeetingsPart
    support_meetings_referring: Any  # from MeetingsPart
    plans_evaluated_for_closing: Any  # from PlanPart
    clear_reviews: Any  # from PlanPart
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
        reason: str | None
        """Why the case closes without its plans' 終結評価 (:class:`ClosureReason`), or None: it has one."""
        reason_note: str

        LABEL_JA, LABEL_EN = "ケースの終結", "Case closed"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("reason", None)
            state.setdefault("reason_note", "")

        def apply(self, case: TransitionsPart) -> None:
            case.status = CaseStatus.CLOSED
            case.closed_at = self.occurred_at
            case.end_emergency_grants(self.occurred_at)
            case.end_support_meetings(self.occurred_at)
            case.clear_reviews(self)

    class CaseReopened(CaseEvent):
        reason: str

        LABEL_JA, LABEL_EN = "ケースの再開", "Case reopened"

        def apply(self, case: TransitionsPart) -> None:
            case.status = CaseStatus.OPEN
            case.closed_at = None

    # ----- the case's rules -------------------------------------------------------------------------

    def handover_basis(self, member_id: str, agency_id: str, at: datetime) -> str | None:
        """What lets ``agency_id`` take over ``member_id``'s support, so that it can read what it is handed:
        the member's own consent sharing who they are and their support record with it (``consent:<ids>``),
        or a current 支援会議 that tabled the member and that the agency sat in or was referred by
        (``meeting:<id>``). None: nothing, and the handover would hand it a case it cannot open."""
        consents = member_consents(self, [member_id], agency_id, list(HANDOVER_CATEGORIES), at)
        if consents:
            return "consent:" + "+".join(consents)
        meetings = [*self.support_meetings_attended(agency_id, at),
                    *(meeting for meeting, _ in self.support_meetings_referring(agency_id, at))]
        for meeting in meetings:
            if member_id in meeting.get("tabled_subjects", ()):
                return f"meeting:{meeting['meeting_id']}"
        return None

    def closure_refusal(self, reason: ClosureReason | str | None) -> DomainError | None:
        """Why the case may not close as asked (None: it may). A case closes on its plans' 終結評価 (the
        latest plan of each kind evaluated with the outcome 終結) or on a recorded reason why there is none."""
        if reason is not None or self.plans_evaluated_for_closing():
            return None
        return RuleViolation(
            "終結するには、支援プランの終結評価（結論「終結」）を記録するか、評価をしない理由"
            "（転出・死亡・本人の拒否・支援の必要なし など）を選んでください。",
            "Closing a case needs its support plan's closing evaluation, or the reason why there is none "
            "(moved out, died, refused, no further need, …).")

    def transitions_due(self, ages: tuple[int, ...], as_of: date, within_days: int) -> list[TransitionDue]:
        """The members of an open case reaching one of ``ages`` soon, or past it without a handover
        (:func:`transition_state`), soonest first."""
        if self.status == CaseStatus.CLOSED:
            return []
        completed = {(h["member_id"], h["at_age"]) for h in self.handovers.values() if h["completed"]}
        planned = {(h["member_id"], h["at_age"]): h["handover_id"] for h in self.handovers.values()
                   if not h["completed"]}
        due = []
        for member_id, member in self.members.items():
            for age in ages:
                day = reaches_age_on(member["birth_date"], age)
                overdue = transition_state(day, opened_on=local_date(self.opened_at), as_of=as_of,
                                           within_days=within_days, handed_over=(member_id, age) in completed)
                if overdue is not None:
                    due.append(TransitionDue(member_id, age, day, overdue, planned.get((member_id, age))))
        return sorted(due, key=lambda t: (t.due_on, t.member_id, t.at_age))

    # ----- commands ---------------------------------------------------------------------------------

    def plan_handover(self, actor: Actor, at: datetime, *, member_id: str, at_age: int, to_agency: str,
                      due_on: date, ages: tuple[int, ...] = TRANSITION_AGES) -> str:
        """Plan the move of a member's support to the agency responsible after ``at_age`` (one of ``ages``)."""
        self.check_open()
        member = find(self.members, member_id, "世帯員", "member")
        if at_age not in ages:
            listed = "・".join(f"{age}歳" for age in ages)
            raise InvalidCommand(f"制度切替の年齢は{listed}のいずれかです。",
                                 f"A handover happens at one of the ward's ages: {', '.join(map(str, ages))}.")
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

    def close(self, actor: Actor, at: datetime, *, evaluation: str, outcome: str,
              reason: ClosureReason | None = None, reason_note: str = "") -> None:
        """Close the case for everyone: on its plans' 終結評価, or with the reason why there is none."""
        self.check_open()
        if not evaluation.strip():
            raise InvalidCommand("終結するときは評価を記入してください。", "Closing a case needs an evaluation.")
        if (refused := self.closure_refusal(reason)) is not None:
            raise refused
        self._record(self.CaseClosed, actor, at, evaluation=evaluation, outcome=outcome, reason=reason,
                     reason_note=reason_note)

    def reopen(self, actor: Actor, at: datetime, *, reason: str) -> None:
        if self.status != CaseStatus.CLOSED:
            raise RuleViolation("このケースは終結していません。", "This case is not closed.")
        self._record(self.CaseReopened, actor, at, reason=reason)
