"""Case meetings: each case's record of a sitting (開催) of a meeting body, one part per kind of meeting.

A sitting of a body on a date (and time) may discuss several cases; each case records its own part(s) of
it — a ``MeetingHeld`` per kind, all naming the sitting — so counts are by sitting and by case. A meeting
recorded without a body is a sitting of an ad-hoc body with one case. The kinds are
:mod:`domain.meeting_kinds`: the 重層的支援会議 needs consent covering every participant; every other kind
(支援会議 art. 106-6, 地域ケア会議, 要保護児童対策地域協議会 …) shares without consent and is bounded to what
it exchanged: the members and information categories it tabled, as recorded up to the sitting, for the
registered members who attended under a pledge, until its stated end (the next sitting, at most the ward's
maximum) or the case's closure. Consent neither ends nor widens it. External participants (民生委員,
医療機関 …) are recorded with their pledge; they never become readers of the system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.actor import Actor
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.case.meeting_basis import MeetingBasisPart, MeetingScope, pledged_agencies
from domain.errors import ConsentRequired, InvalidCommand, RuleViolation
from domain.meeting_kinds import needs_consent
from domain.vocabulary import DecisionKind, ExternalRole, InformationCategory, MeetingKind

__all__ = ["LEGACY_SUPPORT_MEETING_DAYS", "MeetingScope", "MeetingsPart", "Part", "Sitting", "pledged_agencies",
           "sitting_id_for"]

LEGACY_SUPPORT_MEETING_DAYS = 92
"""A 支援会議 stored before meetings stated their end is read as ending this many days after it."""


def sitting_id_for(body_id: str, held_on: date, start_time: time | None) -> str:
    """A body's sitting is named by the body and when it starts, so every case discussed at it names the
    same sitting (a body without a start time sits once that day)."""
    return f"{body_id}:{held_on.isoformat()}" + ("" if start_time is None else f"T{start_time:%H:%M}")


@dataclass(frozen=True)
class Sitting:
    """The sitting a case's meeting record belongs to: shared by every case discussed at it."""

    sitting_id: str
    held_on: date
    body_id: str | None = None
    start_time: time | None = None
    place: str = ""
    next_on: date | None = None
    """次回開催予定日: also the default end of an unconsented part's sharing."""

    @classmethod
    def of(cls, held_on: date, *, body_id: str | None = None, start_time: time | None = None, place: str = "",
           next_on: date | None = None) -> Sitting:
        sitting_id = sitting_id_for(body_id, held_on, start_time) if body_id else new_id()
        return cls(sitting_id, held_on, body_id, start_time, place, next_on)


@dataclass(frozen=True)
class Part:
    """One kind of meeting held for a case at a sitting (an Ota sitting holds a consented and a 106-6 part)."""

    kind: MeetingKind
    purpose: str
    participants: list[dict[str, Any]]
    """``{"agency", "staff", "pledged"}``: registry staff, each for their agency."""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    tabled_subjects: Sequence[str] = ()
    tabled_categories: Sequence[str] = ()
    until: date | None = None
    external_members: Sequence[dict[str, Any]] = ()
    """``{"name", "organisation", "role", "pledged"}``: not registry staff; never readers of the system."""
    minutes: str = ""


class MeetingsPart(MeetingBasisPart, CasePart):
    meetings: dict[str, dict[str, Any]]
    referrals: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]
    closed_at: datetime | None
    consent_covering: Any  # from ConsentPart
    active_consents: Any  # from ConsentPart

    class MeetingHeld(CaseEvent):
        meeting_id: str
        meeting_kind: str
        held_on: date
        purpose: str
        participants: list[dict[str, Any]]
        decisions: list[dict[str, Any]]
        tabled_subjects: list[str]
        """The members whose information the meeting was convened to discuss (empty: the household)."""
        tabled_categories: list[str]
        until: date | None
        """An unconsented meeting's stated end (its basis ends with that day)."""
        external_members: list[dict[str, Any]]
        """Members who are not registry staff: ``{"name", "organisation", "role", "pledged"}``."""
        sitting_id: str
        """The sitting (開催) this is a case's part of; an ad-hoc meeting is a sitting of its own."""
        body_id: str | None
        start_time: str | None
        """HH:MM (JST), when given."""
        place: str
        next_on: date | None
        minutes: str
        """議事録 for this case (personal content: in the encrypted store only, never in a read model)."""

        LABEL_JA, LABEL_EN = "会議の開催", "Meeting held"
        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A meeting stored before meetings were bounded: it tabled the household and every category,
            and (a 支援会議) ends a fixed time after it was held."""
            state.update(tabled_subjects=[], tabled_categories=[c.value for c in InformationCategory],
                         external_members=[])
            support = state["meeting_kind"] == MeetingKind.SUPPORT
            state["until"] = state["held_on"] + timedelta(days=LEGACY_SUPPORT_MEETING_DAYS) if support else None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """A meeting stored before sittings: a sitting of an ad-hoc body of its own, with no time, place,
            minutes or next date; its external members sat as 'other'."""
            state.update(sitting_id=state["meeting_id"], body_id=None, start_time=None, place="", next_on=None,
                         minutes="", external_members=[{"role": ExternalRole.OTHER.value, **m}
                                                       for m in state["external_members"]])

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return tuple(sorted(self.tabled_subjects))

        def apply(self, case: MeetingsPart) -> None:
            case.meetings[self.meeting_id] = {
                "meeting_id": self.meeting_id, "kind": self.meeting_kind, "held_on": self.held_on,
                "held_at": self.occurred_at, "purpose": self.purpose, "sitting_id": self.sitting_id,
                "body_id": self.body_id, "start_time": self.start_time, "place": self.place,
                "next_on": self.next_on, "minutes": self.minutes,
                "participants": [dict(p) for p in self.participants],
                "external_members": [dict(m) for m in self.external_members],
                "decisions": [dict(d) for d in self.decisions], "tabled_subjects": list(self.tabled_subjects),
                "tabled_categories": list(self.tabled_categories), "until": self.until, "ended_at": None,
                "seq": self.originator_version,
            }

    class DecisionRecorded(CaseEvent):
        meeting_id: str
        decision: dict[str, Any]

        LABEL_JA, LABEL_EN = "会議決定の記録", "Decision recorded"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            meeting = case.meetings.get(self.meeting_id)
            return tuple(meeting["tabled_subjects"]) if meeting else ()

        def apply(self, case: MeetingsPart) -> None:
            case.meetings[self.meeting_id]["decisions"].append(dict(self.decision))

    def hold_meeting(self, actor: Actor, at: datetime, *, kind: MeetingKind, held_on: date, purpose: str,
                     participants: list[dict[str, Any]], decisions: list[dict[str, Any]],
                     tabled_subjects: tuple[str, ...] = (), tabled_categories: tuple[str, ...] = (),
                     until: date | None = None, external_members: tuple[dict[str, Any], ...] = (),
                     max_days: int = LEGACY_SUPPORT_MEETING_DAYS, sitting: Sitting | None = None,
                     minutes: str = "") -> str:
        """Record one meeting on this case: a sitting (of an ad-hoc body unless ``sitting`` names one) with
        one part. An unconsented kind states what it tables (members, categories) and until when."""
        part = Part(kind, purpose, participants, decisions, tabled_subjects, tabled_categories, until,
                    external_members, minutes)
        return self.hold_sitting(actor, at, sitting or Sitting.of(held_on), [part], max_days=max_days)[0]

    def hold_sitting(self, actor: Actor, at: datetime, sitting: Sitting, parts: Sequence[Part], *,
                     max_days: int = LEGACY_SUPPORT_MEETING_DAYS) -> list[str]:
        """Record this case's parts of ``sitting``, one meeting per kind, all checked before any is recorded."""
        self.check_open()
        kinds = [MeetingKind(p.kind) for p in parts]
        if not parts or len(set(kinds)) != len(kinds):
            raise InvalidCommand("開催ごとに、会議の種類を一つずつ（重複なく）指定してください。",
                                 "Name each kind of meeting held at the sitting once.")
        recorded = {m["kind"] for m in self.meetings.values() if m["sitting_id"] == sitting.sitting_id}
        if recorded & set(kinds):
            raise RuleViolation("この開催でのこのケースの会議はすでに記録されています。"
                                "決定は「会議決定の記録」で追加してください。",
                                "This case's meeting at this sitting is already recorded; add decisions to it.")
        checked = [self._checked_part(actor, at, sitting, part, max_days) for part in parts]
        meeting_ids = []
        for part, subjects, until in checked:
            meeting_ids.append(meeting_id := new_id())
            self._record(self.MeetingHeld, actor, at, meeting_id=meeting_id, meeting_kind=MeetingKind(part.kind),
                         held_on=sitting.held_on, purpose=part.purpose, participants=list(part.participants),
                         decisions=list(part.decisions), tabled_subjects=subjects,
                         tabled_categories=sorted(set(part.tabled_categories)), until=until,
                         external_members=[dict(m) for m in part.external_members], sitting_id=sitting.sitting_id,
                         body_id=sitting.body_id, place=sitting.place, next_on=sitting.next_on,
                         start_time=None if sitting.start_time is None else f"{sitting.start_time:%H:%M}",
                         minutes=part.minutes)
        return meeting_ids

    def _checked_part(self, actor: Actor, at: datetime, sitting: Sitting, part: Part,
                      max_days: int) -> tuple[Part, list[str], date | None]:
        if not part.participants:
            raise InvalidCommand("会議の参加者を入力してください。", "A meeting needs participants.")
        subjects = self.check_subjects(tuple(part.tabled_subjects))
        for decision in part.decisions:
            self._check_decision(decision)
        self._check_every_member_pledged(list(part.external_members))  # at any kind: consent covers agencies
        if needs_consent(part.kind):
            self._check_consent_covers_participants([*part.participants, {"agency": actor.agency_id}], at)
            return part, subjects, None
        self._check_every_member_pledged(part.participants)
        until = part.until if part.until is not None else sitting.next_on
        self._check_support_meeting_scope(subjects, tuple(part.tabled_categories), sitting.held_on, until, max_days)
        return part, subjects, until

    @staticmethod
    def _check_support_meeting_scope(subjects: list[str], categories: tuple[str, ...], held_on: date,
                                     until: date | None, max_days: int) -> None:
        if not subjects or not categories:
            raise InvalidCommand(
                "同意によらない会議（支援会議など）では、検討する世帯員と情報の種類を指定してください（共有できるのはその範囲だけです）。",
                "A meeting held without consent (a support meeting, …) names the members and the information "
                "categories it discusses (only those are shared).")
        if until is None or not held_on < until <= held_on + timedelta(days=max_days):
            raise InvalidCommand(f"同意によらない会議の情報共有の期限（次回の開催日など）を、開催日から"
                                 f"{max_days}日以内で指定してください。",
                                 f"State until when the meeting's sharing without consent lasts (e.g. the next "
                                 f"sitting), at most {max_days} days after it.")

    def record_decision(self, actor: Actor, at: datetime, *, meeting_id: str, decision: dict[str, Any]) -> None:
        self.check_open()
        find(self.meetings, meeting_id, "会議", "meeting")
        self._check_decision(decision)
        self._record(self.DecisionRecorded, actor, at, meeting_id=meeting_id, decision=decision)

    def _check_consent_covers_participants(self, participants: list[dict[str, Any]], at: datetime) -> None:
        uncovered = sorted({p["agency"] for p in participants
                            if self.consent_covering(p["agency"], None, at) is None})
        if uncovered:
            names = "、".join(uncovered)
            raise ConsentRequired(
                f"重層的支援会議は本人同意が必要です。次の参加機関は同意の範囲に含まれていません：{names}。"
                "同意を得るか、支援会議（守秘義務による情報共有）として開催してください。",
                f"A multi-layered support meeting needs the person's consent; it does not cover: "
                f"{', '.join(uncovered)}. Obtain consent or hold a support meeting (art. 106-6) instead.",
            )

    @staticmethod
    def _check_every_member_pledged(participants: list[dict[str, Any]]) -> None:
        unpledged = sorted({p.get("staff") or p.get("name", "") for p in participants if not p.get("pledged")})
        if unpledged:
            raise InvalidCommand(
                f"同意によらない会議の構成員と外部の出席者は全員、守秘義務を誓約する必要があります。未誓約：{'、'.join(unpledged)}。",
                f"Every member of a meeting held without consent, and every external attendee, must pledge "
                f"confidentiality. Not pledged: {', '.join(unpledged)}.",
            )

    @staticmethod
    def _check_decision(decision: dict[str, Any]) -> None:
        if decision["kind"] == DecisionKind.REFER and not decision.get("target_agency"):
            raise InvalidCommand("つなぎの決定には、つなぎ先の機関を指定してください。",
                                 "A referral decision must name the agency to refer to.")
