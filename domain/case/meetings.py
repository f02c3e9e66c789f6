"""The two meetings: 重層的支援会議 (with consent) and 支援会議 (without, under confidentiality)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.actor import Actor
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.errors import ConsentRequired, InvalidCommand
from domain.vocabulary import DecisionKind, MeetingKind


class MeetingsPart(CasePart):
    meetings: dict[str, dict[str, Any]]
    referrals: dict[str, dict[str, Any]]
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

        LABEL_JA, LABEL_EN = "会議の開催", "Meeting held"

        def apply(self, case: MeetingsPart) -> None:
            case.meetings[self.meeting_id] = {
                "meeting_id": self.meeting_id, "kind": self.meeting_kind, "held_on": self.held_on,
                "held_at": self.occurred_at, "purpose": self.purpose,
                "participants": [dict(p) for p in self.participants],
                "decisions": [dict(d) for d in self.decisions], "seq": self.originator_version,
            }

    class DecisionRecorded(CaseEvent):
        meeting_id: str
        decision: dict[str, Any]

        LABEL_JA, LABEL_EN = "会議決定の記録", "Decision recorded"

        def apply(self, case: MeetingsPart) -> None:
            case.meetings[self.meeting_id]["decisions"].append(dict(self.decision))

    def hold_meeting(self, actor: Actor, at: datetime, *, kind: MeetingKind, held_on: date, purpose: str,
                     participants: list[dict[str, Any]], decisions: list[dict[str, Any]]) -> str:
        """Record a meeting held on this case.

        ``participants`` are ``{"agency", "staff", "pledged"}``; ``decisions`` are
        ``{"kind", "text", "target_agency"}``.
        """
        self.check_open()
        if not participants:
            raise InvalidCommand("会議の参加者を入力してください。", "A meeting needs participants.")
        if kind == MeetingKind.MULTI_LAYERED:
            self._check_consent_covers_participants([*participants, {"agency": actor.agency_id}], at)
        else:
            self._check_every_member_pledged(participants)
        for decision in decisions:
            self._check_decision(decision)
        meeting_id = new_id()
        self._record(self.MeetingHeld, actor, at, meeting_id=meeting_id, meeting_kind=kind,
                     held_on=held_on, purpose=purpose, participants=participants, decisions=decisions)
        return meeting_id

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
        unpledged = sorted({p["staff"] for p in participants if not p.get("pledged")})
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

    def support_meeting_for(self, agency_id: str, at: datetime) -> dict[str, Any] | None:
        """The 支援会議 under which ``agency_id`` may read without consent at ``at``, if any.

        Its members are the agencies that took part under a pledge, and the agencies the
        meeting decided to refer to once that referral was made. The basis lasts from the
        meeting until the person consents afterwards (then their consent's scope governs)
        or the case is closed; a later 支援会議 starts it again.
        """
        for meeting in sorted(self.meetings.values(), key=lambda m: m["held_at"], reverse=True):
            if (meeting["kind"] == MeetingKind.SUPPORT and meeting["held_at"] <= at
                    and agency_id in self._support_meeting_members(meeting)
                    and not self._support_meeting_superseded(meeting, at)):
                return meeting
        return None

    def _support_meeting_members(self, meeting: dict[str, Any]) -> set[str]:
        pledged = {p["agency"] for p in meeting["participants"] if p.get("pledged")}
        referred = {r["to_agency"] for r in self.referrals.values()
                    if r["authorised_by"] == f"support_meeting:{meeting['meeting_id']}"}
        return pledged | referred

    def _support_meeting_superseded(self, meeting: dict[str, Any], at: datetime) -> bool:
        if self.closed_at is not None and self.closed_at <= at:
            return True
        return any(c["granted_at"] > meeting["held_at"] for c in self.active_consents(at))

    def meeting_decided_referral_to(self, agency_id: str) -> dict[str, Any] | None:
        """A 支援会議 whose decision names ``agency_id`` as where to refer or escalate."""
        for meeting in self.meetings.values():
            if meeting["kind"] != MeetingKind.SUPPORT:
                continue
            for decision in meeting["decisions"]:
                if (decision["kind"] in (DecisionKind.REFER, DecisionKind.ESCALATE)
                        and decision.get("target_agency") == agency_id):
                    return meeting
        return None
