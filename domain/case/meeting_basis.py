"""The basis of the meetings held without consent (支援会議 art. 106-6 and every other unconsented kind of
:mod:`domain.meeting_kinds`): bounded to what each exchanged, for its pledged attendees, until its stated end
or the case's closure. One place for the rule, used by reading, writing and the audit trail alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from domain.calendar import JST
from domain.case.base import EntryRef
from domain.meeting_kinds import needs_consent
from domain.vocabulary import DecisionKind


@dataclass(frozen=True)
class MeetingScope:
    """The entries one unconsented meeting covers: what it exchanged — recorded up to it (or its own record
    and decisions), of a tabled category, about tabled members only (``MeetingBasisPart.meeting_scope``)."""

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
    """The agencies that sat in an unconsented meeting under a pledge: the members its basis is for (the one
    rule, used by the reading decisions and by the audit trail alike)."""
    return sorted({p["agency"] for p in participants if p.get("agency") and p.get("pledged")})


class MeetingBasisPart:
    """The reading side of a case's meetings (a mixin of :class:`domain.case.meetings.MeetingsPart`)."""

    meetings: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]

    def support_meeting_current(self, meeting: dict[str, Any], at: datetime) -> bool:
        """Whether an unconsented meeting's basis holds at ``at``: held by then, before its stated end and the
        case's closure (the name is the 支援会議's, whose rules every unconsented kind follows)."""
        if needs_consent(meeting["kind"]) or meeting["held_at"] > at:
            return False
        if meeting["until"] is None or at >= datetime.combine(meeting["until"] + timedelta(days=1), time(), JST):
            return False
        return meeting.get("ended_at") is None or meeting["ended_at"] > at

    def end_support_meetings(self, at: datetime) -> None:
        """Closing the case ends every unconsented meeting's basis still running (reopening does not revive it)."""
        for meeting in self.meetings.values():
            if not needs_consent(meeting["kind"]) and meeting.get("ended_at") is None:
                meeting["ended_at"] = at

    def support_meetings_referring(self, agency_id: str, at: datetime) -> list[tuple[dict[str, Any], list[str]]]:
        """The current unconsented meetings that decided to refer to ``agency_id``, each with the categories its
        decision names: the referred agency sees those, of what the meeting exchanged (decided at the sitting)."""
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
        """The current unconsented meetings that ``agency_id`` attended under a pledge, latest first."""
        return [m for m in sorted(self.meetings.values(), key=lambda m: m["seq"], reverse=True)
                if self.support_meeting_current(m, at) and agency_id in pledged_agencies(m["participants"])]

    def support_meeting_for(self, agency_id: str, at: datetime) -> dict[str, Any] | None:
        """A current unconsented meeting that ``agency_id`` sits in (its standing to act on its decisions)."""
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
        """The latest current unconsented meeting that decided to refer to ``agency_id`` with every one of
        ``categories``."""
        for meeting, decided in self.support_meetings_referring(agency_id, at):
            if set(categories) <= set(decided):
                return meeting
        return None
