"""The two meetings: 重層的支援会議 (with consent) and 支援会議 (without, under confidentiality).

A 支援会議 (art. 106-6) is bounded to what it exchanged: the members it tabled and the information
categories it was convened to discuss, as recorded up to the meeting, for the members who attended
under a pledge, until its stated end (the next sitting, at most the ward's maximum) or the case's
closure. Consent neither ends nor widens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.actor import Actor
from domain.calendar import JST
from domain.case.base import CaseEvent, CasePart, EntryRef, find, new_id
from domain.errors import ConsentRequired, InvalidCommand
from domain.vocabulary import DecisionKind, InformationCategory, MeetingKind

LEGACY_SUPPORT_MEETING_DAYS = 92
"""A 支援会議 stored before meetings stated their end is read as ending this many days after it."""


@dataclass(frozen=True)
class MeetingScope:
    """The entries one 支援会議 covers: what it exchanged — recorded up to it (or its own record and
    decisions), of a tabled category, about tabled members only (``MeetingsPart.meeting_scope``)."""

    meeting_id: str
    seq: int
    categories: frozenset[str]
    subjects: frozenset[str]
    household: tuple[str, ...]
    own_record: bool

    def covers(self, entry: EntryRef) -> bool:
        if self.own_record and entry.meeting_id == self.meeting_id and entry.kind in ("MeetingHeld",
                                                                                      "DecisionRecorded"):
            return True  # the attendees' own meeting (a referred agency gets only the categories decided)
        if entry.seq > self.seq or entry.category not in self.categories:
            return False
        if not self.subjects:
            return True
        return self.subjects.issuperset(entry.subjects or self.household)


def pledged_agencies(participants: list[dict[str, Any]]) -> list[str]:
    """The agencies that sat in a 支援会議 under a pledge: the members its basis is for (the one rule,
    used by the reading decisions and by the audit trail alike)."""
    return sorted({p["agency"] for p in participants if p.get("agency") and p.get("pledged")})


class MeetingsPart(CasePart):
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
        """A 支援会議's stated end (its basis ends with that day)."""
        external_members: list[dict[str, Any]]
        """Members who are not registry staff (民生委員, 医療機関 …): ``{"name", "organisation", "pledged"}``."""

        LABEL_JA, LABEL_EN = "会議の開催", "Meeting held"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A meeting stored before meetings were bounded: it tabled the household and every category,
            and (a 支援会議) ends a fixed time after it was held."""
            state.update(tabled_subjects=[], tabled_categories=[c.value for c in InformationCategory],
                         external_members=[])
            support = state["meeting_kind"] == MeetingKind.SUPPORT
            state["until"] = state["held_on"] + timedelta(days=LEGACY_SUPPORT_MEETING_DAYS) if support else None

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return tuple(sorted(self.tabled_subjects))

        def apply(self, case: MeetingsPart) -> None:
            case.meetings[self.meeting_id] = {
                "meeting_id": self.meeting_id, "kind": self.meeting_kind, "held_on": self.held_on,
                "held_at": self.occurred_at, "purpose": self.purpose,
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
                     max_days: int = LEGACY_SUPPORT_MEETING_DAYS) -> str:
        """Record a meeting held on this case.

        ``participants`` are ``{"agency", "staff", "pledged"}``; ``decisions`` are
        ``{"kind", "text", "target_agency", "categories"}``. A 支援会議 states what it tables (members,
        categories) and until when its basis lasts.
        """
        self.check_open()
        if not participants:
            raise InvalidCommand("会議の参加者を入力してください。", "A meeting needs participants.")
        subjects = self.check_subjects(tabled_subjects)
        if kind == MeetingKind.MULTI_LAYERED:
            self._check_consent_covers_participants([*participants, {"agency": actor.agency_id}], at)
            until = None
        else:
            self._check_every_member_pledged([*participants, *external_members])
            self._check_support_meeting_scope(subjects, tabled_categories, held_on, until, max_days)
        for decision in decisions:
            self._check_decision(decision)
        meeting_id = new_id()
        self._record(self.MeetingHeld, actor, at, meeting_id=meeting_id, meeting_kind=kind,
                     held_on=held_on, purpose=purpose, participants=participants, decisions=decisions,
                     tabled_subjects=subjects, tabled_categories=sorted(set(tabled_categories)), until=until,
                     external_members=[dict(m) for m in external_members])
        return meeting_id

    @staticmethod
    def _check_support_meeting_scope(subjects: list[str], categories: tuple[str, ...], held_on: date,
                                     until: date | None, max_days: int) -> None:
        if not subjects or not categories:
            raise InvalidCommand(
                "支援会議では、検討する世帯員と情報の種類を指定してください（共有できるのはその範囲だけです）。",
                "A support meeting names the members and the information categories it discusses "
                "(only those are shared).")
        if until is None or not held_on < until <= held_on + timedelta(days=max_days):
            raise InvalidCommand(f"支援会議の情報共有の期限（次回の開催日など）を、開催日から{max_days}日以内で"
                                 "指定してください。",
                                 f"State until when the support meeting's sharing lasts (e.g. the next sitting), "
                                 f"at most {max_days} days after it.")

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
                f"支援会議の構成員は全員、守秘義務を誓約する必要があります。未誓約：{'、'.join(unpledged)}。",
                f"Every member of a support meeting must pledge confidentiality. Not pledged: "
                f"{', '.join(unpledged)}.",
            )

    @staticmethod
    def _check_decision(decision: dict[str, Any]) -> None:
        if decision["kind"] == DecisionKind.REFER and not decision.get("target_agency"):
            raise InvalidCommand("つなぎの決定には、つなぎ先の機関を指定してください。",
                                 "A referral decision must name the agency to refer to.")

    # ----- the 支援会議 basis --------------------------------------------------------------

    def support_meeting_current(self, meeting: dict[str, Any], at: datetime) -> bool:
        """Whether a 支援会議's basis holds at ``at``: held by then, before its stated end and the closure."""
        if meeting["kind"] != MeetingKind.SUPPORT or meeting["held_at"] > at:
            return False
        if meeting["until"] is None or at >= datetime.combine(meeting["until"] + timedelta(days=1), time(), JST):
            return False
        return meeting.get("ended_at") is None or meeting["ended_at"] > at

    def end_support_meetings(self, at: datetime) -> None:
        """Closing the case ends every 支援会議 basis still running (reopening does not revive it)."""
        for meeting in self.meetings.values():
            if meeting["kind"] == MeetingKind.SUPPORT and meeting.get("ended_at") is None:
                meeting["ended_at"] = at

    def support_meetings_referring(self, agency_id: str, at: datetime) -> list[tuple[dict[str, Any], list[str]]]:
        """The current 支援会議 that decided to refer to ``agency_id``, each with the categories its decision
        names: the referred agency sees those, of what the meeting exchanged (decided at the sitting)."""
        found = []
        for meeting in sorted(self.meetings.values(), key=lambda m: m["seq"], reverse=True):
            if not self.support_meeting_current(meeting, at):
                continue
            categories = sorted({c for d in meeting["decisions"]
                                 if d["kind"] in (DecisionKind.REFER, DecisionKind.ESCALATE)
                                 and d.get("target_agency") == agency_id for c in d.get("categories", ())})
            if categories:
                found.append((meeting, categories))
        return found

    def support_meetings_attended(self, agency_id: str, at: datetime) -> list[dict[str, Any]]:
        """The current 支援会議 that ``agency_id`` attended under a pledge, latest first."""
        return [m for m in sorted(self.meetings.values(), key=lambda m: m["seq"], reverse=True)
                if self.support_meeting_current(m, at) and agency_id in pledged_agencies(m["participants"])]

    def support_meeting_for(self, agency_id: str, at: datetime) -> dict[str, Any] | None:
        """A current 支援会議 that ``agency_id`` sits in (its standing to act on the meeting's decisions)."""
        attended = self.support_meetings_attended(agency_id, at)
        return attended[0] if attended else None

    def meeting_scope(self, meeting: dict[str, Any], categories: list[str] | None = None) -> MeetingScope:
        """What ``meeting`` exchanged, worked out once to decide many entries (``categories``: a referred
        agency's, which get only those of the tabled categories and not the meeting's own record)."""
        allowed = set(meeting["tabled_categories"])
        if categories is not None:
            allowed &= set(categories)
        return MeetingScope(meeting_id=meeting["meeting_id"], seq=meeting["seq"], categories=frozenset(allowed),
                            subjects=frozenset(meeting["tabled_subjects"]), household=tuple(self.members),
                            own_record=categories is None)

    def meeting_decided_referral_to(self, agency_id: str, categories: list[str],
                                    at: datetime) -> dict[str, Any] | None:
        """The latest current 支援会議 that decided to refer to ``agency_id`` with every one of ``categories``."""
        for meeting, decided in self.support_meetings_referring(agency_id, at):
            if set(categories) <= set(decided):
                return meeting
        return None
