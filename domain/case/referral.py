"""つなぎ: referrals between agencies, and escalation to 多機関協働."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.actor import Actor
from domain.case.base import CaseEvent, CasePart, add_household_wide_subjects, find, new_id
from domain.case.consent import member_consents
from domain.errors import ConsentRequired, InvalidCommand, NotPermitted, RuleViolation
from domain.vocabulary import InformationCategory, ReferralStatus


def _referral_subjects(case: Any, referral_id: str | None) -> tuple[str, ...]:
    referral = case.referrals.get(referral_id) if referral_id else None
    return tuple(referral.get("subjects", ())) if referral else ()


class ReferralPart(CasePart):
    referrals: dict[str, dict[str, Any]]
    members: dict[str, dict[str, Any]]
    consent_covering: Any  # from ConsentPart
    meeting_decided_referral_to: Any  # from MeetingsPart

    class ReferralRequested(CaseEvent):
        referral_id: str
        from_agency: str
        to_agency: str
        categories: list[str]
        reason: str
        authorised_by: str  # "consent:<id>[+<id>…]" (one per member concerned) or "support_meeting:<id>"
        subjects: list[str]

        LABEL_JA, LABEL_EN = "つなぎの依頼", "Referral requested"
        class_version = 2
        upcast_v1_v2 = staticmethod(add_household_wide_subjects)

        def apply(self, case: ReferralPart) -> None:
            case.referrals[self.referral_id] = {
                "referral_id": self.referral_id, "from_agency": self.from_agency,
                "to_agency": self.to_agency, "categories": list(self.categories), "reason": self.reason,
                "authorised_by": self.authorised_by, "subjects": list(self.subjects),
                "status": ReferralStatus.REQUESTED, "requested_at": self.occurred_at,
                "answered_at": None, "seq": self.originator_version,
            }

    class ReferralAccepted(CaseEvent):
        referral_id: str
        note: str

        LABEL_JA, LABEL_EN = "つなぎの受理", "Referral accepted"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return _referral_subjects(case, self.referral_id)

        def apply(self, case: ReferralPart) -> None:
            case.referrals[self.referral_id].update(status=ReferralStatus.ACCEPTED, answered_at=self.occurred_at)

    class ReferralDeclined(CaseEvent):
        referral_id: str
        reason: str
        alternative_agency: str | None
        escalate: bool

        LABEL_JA, LABEL_EN = "つなぎの辞退", "Referral declined"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return _referral_subjects(case, self.referral_id)

        def apply(self, case: ReferralPart) -> None:
            case.referrals[self.referral_id].update(status=ReferralStatus.DECLINED, answered_at=self.occurred_at)

    class ReferralCompleted(CaseEvent):
        referral_id: str
        outcome: str

        LABEL_JA, LABEL_EN = "つなぎの完了", "Referral completed"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return _referral_subjects(case, self.referral_id)

        def apply(self, case: ReferralPart) -> None:
            case.referrals[self.referral_id]["status"] = ReferralStatus.COMPLETED

    class ReferralRevoked(CaseEvent):
        referral_id: str
        reason: str

        LABEL_JA, LABEL_EN = "つなぎの取り下げ", "Referral revoked"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return _referral_subjects(case, self.referral_id)

        def apply(self, case: ReferralPart) -> None:
            case.referrals[self.referral_id]["status"] = ReferralStatus.REVOKED

    class EscalatedToMultiAgency(CaseEvent):
        referral_id: str | None
        reason: str

        LABEL_JA, LABEL_EN = "多機関協働への引継ぎ", "Escalated to multi-agency coordination"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return _referral_subjects(case, self.referral_id)

    def request_referral(self, actor: Actor, at: datetime, *, to_agency: str,
                         categories: list[InformationCategory], reason: str, subjects: tuple[str, ...] = ()) -> str:
        self.check_open()
        if to_agency == actor.agency_id:
            raise InvalidCommand("自機関へのつなぎはできません。", "An agency cannot refer a case to itself.")
        if not categories:
            raise InvalidCommand("共有する情報の種類を一つ以上選んでください。",
                                 "Choose at least one information category to share.")
        if any(r["to_agency"] == to_agency and r["status"] in (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED)
               for r in self.referrals.values()):
            raise RuleViolation("この機関へのつなぎはすでに進行中です。",
                                "A referral to this agency is already in progress.")
        concerned = self.check_subjects(subjects)
        authorised_by = self._referral_authority(to_agency, categories, concerned, at)
        referral_id = new_id()
        self._record(self.ReferralRequested, actor, at, referral_id=referral_id, from_agency=actor.agency_id,
                     to_agency=to_agency, categories=sorted(set(categories)), reason=reason,
                     authorised_by=authorised_by, subjects=concerned)
        return referral_id

    def _referral_authority(self, to_agency: str, categories: list[InformationCategory], subjects: list[str],
                            at: datetime) -> str:
        """What allows sharing these categories of these members with ``to_agency``: each member's own
        consent (one per member), or a current 支援会議's decision to refer there."""
        grounds = member_consents(self, subjects or list(self.members), to_agency, categories, at)
        if grounds:
            return "consent:" + "+".join(grounds)
        meeting = self.meeting_decided_referral_to(to_agency, list(categories), at)
        if meeting is not None:
            return f"support_meeting:{meeting['meeting_id']}"
        raise ConsentRequired(
            f"本人の同意が「{to_agency}」への情報提供を含んでいないため、つなぐことができません。"
            "同意の範囲を広げるか、支援会議で検討してください。",
            f"The person's consent does not cover sharing this information with {to_agency!r}, so the "
            "referral cannot be made. Extend the consent, or take the case to a support meeting.",
        )

    def _referral_for_receiver(self, actor: Actor, referral_id: str, *expected: ReferralStatus) -> dict[str, Any]:
        self.check_open()
        referral = find(self.referrals, referral_id, "つなぎ", "referral")
        if referral["to_agency"] != actor.agency_id:
            raise NotPermitted("つなぎ先の機関だけが応答できます。",
                               "Only the agency the case was referred to can answer this referral.")
        self._check_status(referral, *expected)
        return referral

    @staticmethod
    def _check_status(referral: dict[str, Any], *expected: ReferralStatus) -> None:
        if referral["status"] not in expected:
            status = ReferralStatus(referral["status"])
            raise RuleViolation(f"このつなぎは「{status.label_ja}」の状態のため、この操作はできません。",
                                f"This referral is {status.label_en.lower()}; that action is not possible.")

    def accept_referral(self, actor: Actor, at: datetime, *, referral_id: str, note: str = "") -> None:
        self._referral_for_receiver(actor, referral_id, ReferralStatus.REQUESTED)
        self._record(self.ReferralAccepted, actor, at, referral_id=referral_id, note=note)

    def decline_referral(self, actor: Actor, at: datetime, *, referral_id: str, reason: str,
                         alternative_agency: str | None = None, escalate: bool = False) -> None:
        """A decline must say why and where to instead: another agency, or 多機関協働."""
        self._referral_for_receiver(actor, referral_id, ReferralStatus.REQUESTED)
        if not reason.strip():
            raise InvalidCommand("辞退の理由を記入してください。", "A decline must give a reason.")
        if not alternative_agency and not escalate:
            raise InvalidCommand(
                "辞退するときは、代わりのつなぎ先か多機関協働への引継ぎを指定してください（断らない相談支援）。",
                "A decline must name an alternative agency or escalate to multi-agency coordination.")
        self._record(self.ReferralDeclined, actor, at, referral_id=referral_id, reason=reason,
                     alternative_agency=alternative_agency, escalate=escalate)
        if escalate:
            self._record(self.EscalatedToMultiAgency, actor, at, referral_id=referral_id, reason=reason)

    def complete_referral(self, actor: Actor, at: datetime, *, referral_id: str, outcome: str) -> None:
        self._referral_for_receiver(actor, referral_id, ReferralStatus.ACCEPTED)
        self._record(self.ReferralCompleted, actor, at, referral_id=referral_id, outcome=outcome)

    def revoke_referral(self, actor: Actor, at: datetime, *, referral_id: str, reason: str) -> None:
        self.check_open()
        referral = find(self.referrals, referral_id, "つなぎ", "referral")
        if referral["from_agency"] != actor.agency_id:
            raise NotPermitted("依頼した機関だけが取り下げられます。",
                               "Only the agency that made the referral can revoke it.")
        self._check_status(referral, ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED)
        self._record(self.ReferralRevoked, actor, at, referral_id=referral_id, reason=reason)

    def escalate_to_multi_agency(self, actor: Actor, at: datetime, *, reason: str) -> None:
        self.check_open()
        self._record(self.EscalatedToMultiAgency, actor, at, referral_id=None, reason=reason)
