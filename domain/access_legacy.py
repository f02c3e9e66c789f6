"""The reading rules of version 1 (before 2026-12), kept only to replay the decisions made under them.

Version 1 read consent per household (one member's consent opened every member's entries) and let a
支援会議 open the whole case until the person consented afterwards. Those rules over-shared and are not
used to decide any read now; ``tsunagu audit verify`` replays each access record under the rules it was
decided by (``AccessRecord.rules``), so that a record made then is checked against what was the rule
then. Frozen: do not change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.access import BREAK_GLASS_KINDS, WITHHELD_EN, WITHHELD_JA, Decision
from domain.actor import Actor
from domain.case import Case, EntryRef
from domain.vocabulary import Basis, MeetingKind


def decide_case_v1(reader: Actor, case: Case, at: datetime) -> list[Decision]:
    view = _ReaderViewV1(reader, case, at)
    return [view.decide(entry) for entry in case.entries]


class _ReaderViewV1:
    def __init__(self, reader: Actor, case: Case, at: datetime) -> None:
        self.reader = reader
        self.case = case
        active = case.active_consents(at)
        covering = [c for c in active if reader.agency_id in c["agencies"]]
        self.consent_by_category: dict[str, str] = {}
        for consent in covering:
            for category in consent["categories"]:
                self.consent_by_category.setdefault(category, consent["consent_id"])
        self.covering_ids = {c["consent_id"] for c in covering}
        meeting = _support_meeting_for(case, reader.agency_id, at, active)
        self.meeting_id = meeting["meeting_id"] if meeting is not None else None
        grant = next((g for g in case.emergency_grants.values()
                      if g["staff"] == reader.staff_id and g["granted_at"] <= at < g["expires_at"]), None)
        self.grant_id = grant["grant_id"] if grant is not None else None

    def decide(self, entry: EntryRef) -> Decision:
        reader = self.reader
        if reader.is_auditor:
            return Decision(entry.seq, Basis.AUDIT)
        if entry.agency == reader.agency_id and (entry.kind not in BREAK_GLASS_KINDS
                                                  or entry.staff == reader.staff_id):
            return Decision(entry.seq, Basis.OWN_RECORD)
        consent_id = self.consent_by_category.get(entry.category)
        if consent_id is not None:
            return Decision(entry.seq, Basis.CONSENT, consent_id)
        referral = self.case.referrals.get(entry.referral_id) if entry.referral_id else None
        if referral is not None and referral["to_agency"] == reader.agency_id:
            kind, _, ground = referral["authorised_by"].partition(":")
            if kind == "consent" and ground in self.covering_ids:
                return Decision(entry.seq, Basis.CONSENT, ground)
            if kind != "consent" and self.meeting_id is not None:
                return Decision(entry.seq, Basis.SUPPORT_MEETING, self.meeting_id)
        if self.meeting_id is not None:
            return Decision(entry.seq, Basis.SUPPORT_MEETING, self.meeting_id)
        if self.grant_id is not None:
            return Decision(entry.seq, Basis.EMERGENCY, self.grant_id)
        return Decision(entry.seq, None, reason_ja=WITHHELD_JA, reason_en=WITHHELD_EN)


def _support_meeting_for(case: Case, agency_id: str, at: datetime,
                         active: list[dict[str, Any]]) -> dict[str, Any] | None:
    for meeting in sorted(case.meetings.values(), key=lambda m: m["held_at"], reverse=True):
        if meeting["kind"] != MeetingKind.SUPPORT or meeting["held_at"] > at:
            continue
        pledged = {p["agency"] for p in meeting["participants"] if p.get("pledged")}
        referred = {r["to_agency"] for r in case.referrals.values()
                    if r["authorised_by"] == f"support_meeting:{meeting['meeting_id']}"}
        if agency_id not in pledged | referred:
            continue
        if case.closed_at is not None and case.closed_at <= at:
            continue
        if any(c["granted_at"] > meeting["held_at"] for c in active):
            continue
        return meeting
    return None
