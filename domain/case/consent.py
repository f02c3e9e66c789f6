"""本人同意: the person's consent to share, scoped to agencies and information categories."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.actor import Actor
from domain.calendar import local_date
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.errors import InvalidCommand, RuleViolation
from domain.vocabulary import ConsentMethod, InformationCategory


class ConsentPart(CasePart):
    consents: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]

    class ConsentGranted(CaseEvent):
        consent_id: str
        given_by_member: str
        agencies: list[str]
        categories: list[str]
        purpose: str
        method: str
        obtained_by: str
        valid_until: date

        LABEL_JA, LABEL_EN = "同意の取得", "Consent granted"

        def apply(self, case: ConsentPart) -> None:
            case.consents[self.consent_id] = {
                "consent_id": self.consent_id, "given_by_member": self.given_by_member,
                "agencies": list(self.agencies), "categories": list(self.categories),
                "purpose": self.purpose, "method": self.method, "obtained_by": self.obtained_by,
                "granted_at": self.occurred_at, "valid_until": self.valid_until,
                "withdrawn_at": None, "seq": self.originator_version,
            }

    class ConsentWithdrawn(CaseEvent):
        consent_id: str
        reason: str

        LABEL_JA, LABEL_EN = "同意の撤回", "Consent withdrawn"

        def apply(self, case: ConsentPart) -> None:
            case.consents[self.consent_id]["withdrawn_at"] = self.occurred_at

    def grant_consent(self, actor: Actor, at: datetime, *, given_by_member: str, agencies: list[str],
                      categories: list[InformationCategory], purpose: str, method: ConsentMethod,
                      valid_until: date) -> str:
        self.check_open()
        find(self.members, given_by_member, "世帯員", "member")
        if not agencies or not categories:
            raise InvalidCommand("同意の範囲（機関と情報の種類）を一つ以上指定してください。",
                                 "A consent must name at least one agency and one information category.")
        if valid_until <= local_date(at):
            raise InvalidCommand("同意の有効期限は取得日より後にしてください。",
                                 "A consent must be valid until a date after it was given.")
        consent_id = new_id()
        self._record(self.ConsentGranted, actor, at, consent_id=consent_id,
                     given_by_member=given_by_member, agencies=sorted(set(agencies)),
                     categories=sorted(set(categories)), purpose=purpose, method=method,
                     obtained_by=actor.staff_id, valid_until=valid_until)
        return consent_id

    def withdraw_consent(self, actor: Actor, at: datetime, *, consent_id: str, reason: str) -> None:
        consent = find(self.consents, consent_id, "同意", "consent")
        if consent["withdrawn_at"] is not None:
            raise RuleViolation("この同意はすでに撤回されています。", "This consent has already been withdrawn.")
        self._record(self.ConsentWithdrawn, actor, at, consent_id=consent_id, reason=reason)

    def active_consents(self, at: datetime) -> list[dict[str, Any]]:
        """Consents granted by ``at``, not withdrawn by then, and still valid on that day."""
        return [
            c for c in self.consents.values()
            if c["granted_at"] <= at
            and (c["withdrawn_at"] is None or c["withdrawn_at"] > at)
            and c["valid_until"] >= local_date(at)
        ]

    def consent_covering(self, agency_id: str, category: InformationCategory | None,
                         at: datetime) -> dict[str, Any] | None:
        """The active consent that covers the agency (and the category, when one is named)."""
        for consent in self.active_consents(at):
            if agency_id in consent["agencies"] and (category is None or category in consent["categories"]):
                return consent
        return None
