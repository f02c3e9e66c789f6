"""Break-glass access to protect life or body: a written reason, an expiry, and a review."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.actor import Actor
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.errors import InvalidCommand, NotPermitted, RuleViolation
from domain.vocabulary import Role

MIN_REASON_LENGTH = 10


class EmergencyPart(CasePart):
    emergency_grants: dict[str, dict[str, Any]]

    class EmergencyAccessGranted(CaseEvent):
        grant_id: str
        reason: str
        expires_at: datetime

        LABEL_JA, LABEL_EN = "緊急時アクセス", "Emergency access granted"

        def apply(self, case: EmergencyPart) -> None:
            case.emergency_grants[self.grant_id] = {
                "grant_id": self.grant_id, "staff": self.by_staff, "agency": self.by_agency,
                "reason": self.reason, "granted_at": self.occurred_at, "expires_at": self.expires_at,
                "review": None, "seq": self.originator_version}

    class EmergencyAccessReviewed(CaseEvent):
        grant_id: str
        justified: bool
        finding: str

        LABEL_JA, LABEL_EN = "緊急時アクセスの検証", "Emergency access reviewed"

        def apply(self, case: EmergencyPart) -> None:
            case.emergency_grants[self.grant_id]["review"] = {
                "justified": self.justified, "finding": self.finding, "by": self.by_staff}

    def grant_emergency_access(self, actor: Actor, at: datetime, *, reason: str, ttl: timedelta) -> str:
        if actor.is_auditor:
            raise NotPermitted("監査担当は緊急時アクセスを使えません。", "Auditors cannot use emergency access.")
        if len(reason.strip()) < MIN_REASON_LENGTH:
            raise InvalidCommand(
                f"緊急時アクセスには、生命・身体を守るために必要な理由を{MIN_REASON_LENGTH}文字以上で記入してください。",
                f"Emergency access needs a written reason (at least {MIN_REASON_LENGTH} characters) "
                "saying why life or body must be protected.")
        grant_id = new_id()
        self._record(self.EmergencyAccessGranted, actor, at, grant_id=grant_id, reason=reason.strip(),
                     expires_at=at + ttl)
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
        """The reader's own unexpired emergency grant (emergency access is personal, not per agency)."""
        for grant in self.emergency_grants.values():
            if grant["staff"] == staff_id and grant["granted_at"] <= at < grant["expires_at"]:
                return grant
        return None
