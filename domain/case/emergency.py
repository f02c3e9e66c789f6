"""Break-glass access to protect life, body or property: read-only, short, exceptional, always reviewed.

A grant records its exact legal ground — for a ward division 個人情報保護法 第69条第2項, for a private
operator (委託法人) 第27条第1項第2号 (the registry says which an agency is) — and a reason with real
content. One active grant per staff member and case; a repeated grant for the same agency and case is
flagged; a grant ends at its expiry or when the case closes.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any

from domain.actor import Actor
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.errors import InvalidCommand, NotPermitted, RuleViolation
from domain.vocabulary import LegalGround, Role

MIN_REASON_LENGTH = 10
MIN_DISTINCT_CHARACTERS = 5


def meaningful_reason(reason: str) -> str:
    """The reason with invisible characters removed, or an error if it says nothing real."""
    visible = "".join(ch for ch in reason if unicodedata.category(ch) not in ("Cf", "Zs", "Zl", "Zp", "Cc")
                      or ch in "\n")
    text = " ".join(visible.split())
    compact = text.replace(" ", "")
    if len(compact) < MIN_REASON_LENGTH or len(set(compact)) < MIN_DISTINCT_CHARACTERS:
        raise InvalidCommand(
            f"緊急時アクセスには、生命・身体・財産を守るために必要な理由を具体的に（{MIN_REASON_LENGTH}文字以上）記入してください。",
            f"Emergency access needs a real written reason (at least {MIN_REASON_LENGTH} characters) saying why "
            "life, body or property must be protected.")
    return text


class EmergencyPart(CasePart):
    emergency_grants: dict[str, dict[str, Any]]

    class EmergencyAccessGranted(CaseEvent):
        grant_id: str
        reason: str
        expires_at: datetime
        legal_ground: str
        repeated: bool
        """Another grant was made before to the same agency on this case (flagged for the reviewer)."""

        LABEL_JA, LABEL_EN = "緊急時アクセス", "Emergency access granted"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(legal_ground=LegalGround.UNRECORDED.value, repeated=False)

        def apply(self, case: EmergencyPart) -> None:
            case.emergency_grants[self.grant_id] = {
                "grant_id": self.grant_id, "staff": self.by_staff, "agency": self.by_agency,
                "reason": self.reason, "granted_at": self.occurred_at, "expires_at": self.expires_at,
                "legal_ground": self.legal_ground, "repeated": self.repeated, "ended_at": None,
                "review": None, "seq": self.originator_version}

    class EmergencyAccessReviewed(CaseEvent):
        grant_id: str
        justified: bool
        finding: str

        LABEL_JA, LABEL_EN = "緊急時アクセスの検証", "Emergency access reviewed"

        def apply(self, case: EmergencyPart) -> None:
            case.emergency_grants[self.grant_id]["review"] = {
                "justified": self.justified, "finding": self.finding, "by": self.by_staff}

    def grant_emergency_access(self, actor: Actor, at: datetime, *, reason: str, ttl: timedelta,
                               legal_ground: LegalGround) -> str:
        if actor.is_auditor:
            raise NotPermitted("監査担当は緊急時アクセスを使えません。", "Auditors cannot use emergency access.")
        text = meaningful_reason(reason)
        if self.emergency_grant_for(actor.staff_id, at) is not None:
            raise RuleViolation("このケースへの緊急時アクセスはすでに有効です。",
                                "You already hold an emergency access to this case.")
        repeated = any(g["agency"] == actor.agency_id for g in self.emergency_grants.values())
        grant_id = new_id()
        self._record(self.EmergencyAccessGranted, actor, at, grant_id=grant_id, reason=text, expires_at=at + ttl,
                     legal_ground=legal_ground, repeated=repeated)
        return grant_id

    def review_emergency_access(self, actor: Actor, at: datetime, *, grant_id: str, justified: bool,
                                finding: str) -> None:
        if not actor.has_role(Role.AUDITOR):
            raise NotPermitted("緊急時アクセスの検証は監査担当が行います。",
                               "Only an auditor reviews emergency access.")
        grant = find(self.emergency_grants, grant_id, "緊急時アクセス", "emergency access")
        if grant["review"] is not None:
            raise RuleViolation("この緊急時アクセスは検証済みです。", "This emergency access was already reviewed.")
        self._record(self.EmergencyAccessReviewed, actor, at, grant_id=grant_id, justified=justified,
                     finding=finding)

    def emergency_grant_for(self, staff_id: str, at: datetime) -> dict[str, Any] | None:
        """The reader's own current grant: personal, not per agency; ended by expiry or the case's closure."""
        for grant in self.emergency_grants.values():
            if (grant["staff"] == staff_id and grant["granted_at"] <= at < grant["expires_at"]
                    and (grant["ended_at"] is None or grant["ended_at"] > at)):
                return grant
        return None

    def end_emergency_grants(self, at: datetime) -> None:
        """Closing the case ends every grant still running."""
        for grant in self.emergency_grants.values():
            if grant["ended_at"] is None and grant["expires_at"] > at:
                grant["ended_at"] = at
