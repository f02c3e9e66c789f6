"""本人同意: a member's consent to share their own information, scoped to agencies and categories.

A consent is a person's, not a household's: it covers the information of the member it is about
(``member_id``) and no one else's. A child below the ward's age consents through a 親権者; an older
child may consent for themselves; an adult who cannot consent does so through a recorded 成年後見人・
保佐人・補助人, with the member's own view noted. Withdrawal, whole or partial, only ever narrows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.actor import Actor
from domain.calendar import age_on, local_date
from domain.case.base import CaseEvent, CasePart, find, new_id
from domain.errors import InvalidCommand, RuleViolation
from domain.vocabulary import ConsentGiver, ConsentMethod, InformationCategory

ADULT_AGE = 18


class ConsentPart(CasePart):
    consents: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]

    class ConsentGranted(CaseEvent):
        consent_id: str
        member_id: str
        given_by: str
        representative: str
        member_view: str
        agencies: list[str]
        categories: list[str]
        purpose: str
        method: str
        document_ref: str
        heard_by: str
        obtained_by: str
        valid_until: date

        LABEL_JA, LABEL_EN = "同意の取得", "Consent granted"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A consent stored as the household's becomes the giving member's own, and no one else's."""
            state["member_id"] = state.pop("given_by_member")
            state.update(given_by=ConsentGiver.SELF.value, representative="", member_view="", document_ref="")
            state["heard_by"] = state["obtained_by"] if state["method"] == ConsentMethod.ORAL else ""

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return (self.member_id,)

        def apply(self, case: ConsentPart) -> None:
            case.consents[self.consent_id] = {
                "consent_id": self.consent_id, "member_id": self.member_id, "given_by": self.given_by,
                "representative": self.representative, "member_view": self.member_view,
                "agencies": list(self.agencies), "categories": list(self.categories),
                "purpose": self.purpose, "method": self.method, "document_ref": self.document_ref,
                "heard_by": self.heard_by, "obtained_by": self.obtained_by, "recorded_by_agency": self.by_agency,
                "granted_at": self.occurred_at, "valid_until": self.valid_until, "withdrawn_at": None,
                "narrowed": 0, "for_review": self.for_review(), "seq": self.originator_version,
            }

        def for_review(self) -> bool:
            """An oral consent that its recorder's own agency benefits from is flagged for an auditor."""
            return self.method == ConsentMethod.ORAL and self.by_agency in self.agencies

    class ConsentWithdrawn(CaseEvent):
        consent_id: str
        reason: str

        LABEL_JA, LABEL_EN = "同意の撤回", "Consent withdrawn"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return _consent_member(case, self.consent_id)

        def apply(self, case: ConsentPart) -> None:
            case.consents[self.consent_id]["withdrawn_at"] = self.occurred_at

    class ConsentNarrowed(CaseEvent):
        """A partial withdrawal: some agencies or some categories leave the consent's scope."""

        consent_id: str
        agencies: list[str]
        categories: list[str]
        reason: str

        LABEL_JA, LABEL_EN = "同意の一部撤回", "Consent partly withdrawn"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return _consent_member(case, self.consent_id)

        def apply(self, case: ConsentPart) -> None:
            consent = case.consents[self.consent_id]
            consent["agencies"] = [a for a in consent["agencies"] if a not in self.agencies]
            consent["categories"] = [c for c in consent["categories"] if c not in self.categories]
            consent["narrowed"] += 1
            if not consent["agencies"] or not consent["categories"]:
                consent["withdrawn_at"] = self.occurred_at

    def grant_consent(self, actor: Actor, at: datetime, *, member_id: str, given_by: ConsentGiver,
                      representative: str, member_view: str, agencies: list[str],
                      categories: list[InformationCategory], purpose: str, method: ConsentMethod,
                      document_ref: str, heard_by: str, valid_until: date, self_consent_age: int,
                      max_days: int) -> str:
        self.check_open()
        member = find(self.members, member_id, "世帯員", "member")
        if not agencies or not categories:
            raise InvalidCommand("同意の範囲（機関と情報の種類）を一つ以上指定してください。",
                                 "A consent must name at least one agency and one information category.")
        today = local_date(at)
        if valid_until <= today:
            raise InvalidCommand("同意の有効期限は取得日より後にしてください。",
                                 "A consent must be valid until a date after it was given.")
        if valid_until > today + timedelta(days=max_days):
            raise InvalidCommand(f"同意の有効期限は取得日から{max_days}日以内にしてください。",
                                 f"A consent may be valid for at most {max_days} days.")
        self._check_giver(age_on(member["birth_date"], today), given_by, representative, member_view,
                          self_consent_age)
        if method == ConsentMethod.WRITTEN and not document_ref.strip():
            raise InvalidCommand("書面による同意は、同意書の文書番号・保管場所を記録してください。",
                                 "A written consent needs the document's reference.")
        if method == ConsentMethod.ORAL and not heard_by.strip():
            raise InvalidCommand("口頭による同意は、聞き取った職員を記録してください。",
                                 "An oral consent needs the staff member who heard it.")
        consent_id = new_id()
        self._record(self.ConsentGranted, actor, at, consent_id=consent_id, member_id=member_id,
                     given_by=given_by, representative=representative.strip(), member_view=member_view.strip(),
                     agencies=sorted(set(agencies)), categories=sorted(set(categories)), purpose=purpose,
                     method=method, document_ref=document_ref.strip() if method == ConsentMethod.WRITTEN else "",
                     heard_by=heard_by.strip() if method == ConsentMethod.ORAL else "", obtained_by=actor.staff_id,
                     valid_until=valid_until)
        return consent_id

    @staticmethod
    def _check_giver(age: int, given_by: ConsentGiver, representative: str, member_view: str,
                     self_consent_age: int) -> None:
        if age < self_consent_age and given_by != ConsentGiver.PARENT:
            raise InvalidCommand(
                f"{self_consent_age}歳未満の子どもの同意は、親権者から得てください（本人の意見は記録できます）。",
                f"A child under {self_consent_age} consents through a person with parental authority "
                "(the child's own view can be recorded).")
        if age >= ADULT_AGE and given_by == ConsentGiver.PARENT:
            raise InvalidCommand("成人の同意は、本人か成年後見人・保佐人・補助人から得てください。",
                                 "An adult consents themselves, or through a guardian, curator or assistant.")
        if age < ADULT_AGE and given_by == ConsentGiver.GUARDIAN:
            raise InvalidCommand("未成年の同意は、本人か親権者から得てください。",
                                 "A minor consents themselves or through a person with parental authority.")
        if given_by != ConsentGiver.SELF and not representative.strip():
            raise InvalidCommand("代わりに同意した人（氏名と続柄・資格）を記録してください。",
                                 "Record who consented on the member's behalf (name and capacity).")
        if given_by == ConsentGiver.GUARDIAN and not member_view.strip():
            raise InvalidCommand("成年後見人等による同意では、本人の意向も記録してください。",
                                 "When a guardian consents, record the member's own view too.")

    def withdraw_consent(self, actor: Actor, at: datetime, *, consent_id: str, reason: str) -> None:
        consent = find(self.consents, consent_id, "同意", "consent")
        if consent["withdrawn_at"] is not None:
            raise RuleViolation("この同意はすでに撤回されています。", "This consent has already been withdrawn.")
        self._record(self.ConsentWithdrawn, actor, at, consent_id=consent_id, reason=reason)

    def narrow_consent(self, actor: Actor, at: datetime, *, consent_id: str, agencies: list[str],
                       categories: list[InformationCategory], reason: str) -> None:
        consent = find(self.consents, consent_id, "同意", "consent")
        if consent["withdrawn_at"] is not None:
            raise RuleViolation("この同意はすでに撤回されています。", "This consent has already been withdrawn.")
        removed_agencies = sorted(set(agencies) & set(consent["agencies"]))
        removed_categories = sorted(set(categories) & set(consent["categories"]))
        if not removed_agencies and not removed_categories:
            raise InvalidCommand("撤回する機関か情報の種類を、同意の範囲の中から選んでください。",
                                 "Choose agencies or categories within the consent's scope to withdraw.")
        self._record(self.ConsentNarrowed, actor, at, consent_id=consent_id, agencies=removed_agencies,
                     categories=removed_categories, reason=reason)

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
        """An active consent (any member's) that covers the agency (and the category, when one is named).

        For who may *write* and who may be given a role: someone in the household agreed to this
        agency's part. What the agency may *read* is decided per member (``member_consents``).
        """
        for consent in self.active_consents(at):
            if agency_id in consent["agencies"] and (category is None or category in consent["categories"]):
                return consent
        return None


def _consent_member(case: Any, consent_id: str) -> tuple[str, ...]:
    consent = case.consents.get(consent_id)
    return (consent["member_id"],) if consent else ()


def member_consents(case: Any, members: list[str] | tuple[str, ...], agency_id: str,
                    categories: list[InformationCategory] | list[str], at: datetime) -> list[str]:
    """The consents by which every one of ``members`` shares every one of ``categories`` with ``agency_id``
    at ``at`` (the ids, one or more per member), or ``[]`` when any member's consent is missing."""
    if not members:
        return []
    active = [c for c in case.active_consents(at) if agency_id in c["agencies"]]
    grounds: set[str] = set()
    for member in members:
        for category in categories:
            consent = next((c for c in active if c["member_id"] == member and category in c["categories"]), None)
            if consent is None:
                return []
            grounds.add(consent["consent_id"])
    return sorted(grounds)
