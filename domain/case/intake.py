"""Intake: members of the household, consultations, issues, and corrections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.actor import Actor
from domain.calendar import local_date
from domain.case.base import CaseEvent, CasePart, add_household_wide_subjects, find, new_id
from domain.errors import InvalidCommand, NotPermitted, RuleViolation
from domain.indicators import COUNTED_EVENTS
from domain.vocabulary import Field, InformationCategory, IssueTag


class IntakePart(CasePart):
    members: dict[str, dict[str, Any]]
    issues: dict[str, dict[str, Any]]
    consultation_count: int
    voided: dict[int, dict[str, Any]]
    """Voided entries by number: the voiding entry's number, its reason and agency."""

    class MemberAdded(CaseEvent):
        member_id: str
        name: str
        name_kana: str
        birth_date: date
        relationship: str
        is_principal: bool

        CATEGORY = InformationCategory.BASIC
        LABEL_JA, LABEL_EN = "世帯員の追加", "Member added"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return (self.member_id,)

        def apply(self, case: IntakePart) -> None:
            case.members[self.member_id] = {
                "member_id": self.member_id, "name": self.name, "name_kana": self.name_kana,
                "birth_date": self.birth_date, "relationship": self.relationship,
                "is_principal": self.is_principal, "seq": self.originator_version,
            }

    class MemberDetailsCorrected(CaseEvent):
        member_id: str
        corrections: dict[str, Any]
        reason: str

        CATEGORY = InformationCategory.BASIC
        LABEL_JA, LABEL_EN = "世帯員情報の訂正", "Member details corrected"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return (self.member_id,)

        def apply(self, case: IntakePart) -> None:
            case.members[self.member_id].update(self.corrections)

    class ConsultationRecorded(CaseEvent):
        consultation_id: str
        field: str
        category: str
        channel: str
        summary: str
        subjects: list[str]

        LABEL_JA, LABEL_EN = "相談の記録", "Consultation recorded"
        class_version = 2
        upcast_v1_v2 = staticmethod(add_household_wide_subjects)

        def information_category(self) -> InformationCategory:
            return InformationCategory(self.category)

        def apply(self, case: IntakePart) -> None:
            case.consultation_count += 1

    class IssueIdentified(CaseEvent):
        tag: str
        note: str
        subjects: list[str]

        CATEGORY = InformationCategory.CONSULTATION
        LABEL_JA, LABEL_EN = "課題の把握", "Issue identified"
        class_version = 2
        upcast_v1_v2 = staticmethod(add_household_wide_subjects)

        def apply(self, case: IntakePart) -> None:
            case.issues[self.tag] = {"tag": self.tag, "note": self.note, "subjects": list(self.subjects),
                                     "seq": self.originator_version}

    class IssueResolved(CaseEvent):
        tag: str
        note: str

        CATEGORY = InformationCategory.CONSULTATION
        LABEL_JA, LABEL_EN = "課題の解消", "Issue resolved"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            issue = case.issues.get(self.tag)
            return tuple(issue.get("subjects", ())) if issue else ()

        def apply(self, case: IntakePart) -> None:
            case.issues.pop(self.tag, None)

    class EntryCorrected(CaseEvent):
        """A correction note on an earlier entry; the entry itself is never edited."""

        corrects_seq: int
        category: str
        correction: str

        LABEL_JA, LABEL_EN = "記録の訂正", "Entry corrected"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return case.entries[self.corrects_seq - 1].subjects

        def information_category(self) -> InformationCategory:
            return InformationCategory(self.category)

    class EntryVoided(CaseEvent):
        """A counted entry recorded by mistake (the wrong case, twice …) is voided: it stays in the log, the
        timeline and the audit, marked 取消, and no indicator counts it."""

        voids_seq: int
        category: str
        reason: str

        LABEL_JA, LABEL_EN = "記録の取消（無効）", "Entry voided"

        def subject_ids(self, case: Any) -> tuple[str, ...]:
            return case.entries[self.voids_seq - 1].subjects

        def information_category(self) -> InformationCategory:
            return InformationCategory(self.category)

        def apply(self, case: IntakePart) -> None:
            case.voided[self.voids_seq] = {"seq": self.originator_version, "reason": self.reason,
                                           "by_agency": self.by_agency}

    def add_member(self, actor: Actor, at: datetime, *, name: str, name_kana: str, birth_date: date,
                   relationship: str, is_principal: bool = False) -> str:
        self.check_open()
        if birth_date > local_date(at):
            raise InvalidCommand("生年月日が未来の日付です。", "The birth date is in the future.")
        if is_principal and any(m["is_principal"] for m in self.members.values()):
            raise InvalidCommand("本人はすでに登録されています。", "The household already has a principal person.")
        member_id = new_id()
        self._record(self.MemberAdded, actor, at, member_id=member_id, name=name, name_kana=name_kana,
                     birth_date=birth_date, relationship=relationship, is_principal=is_principal)
        return member_id

    def correct_member_details(self, actor: Actor, at: datetime, *, member_id: str,
                               corrections: dict[str, Any], reason: str) -> None:
        find(self.members, member_id, "世帯員", "member")
        allowed = {"name", "name_kana", "birth_date", "relationship"}
        unknown = set(corrections) - allowed
        if not corrections or unknown:
            raise InvalidCommand("訂正できるのは氏名・ふりがな・生年月日・続柄です。",
                                 "Only name, name_kana, birth_date and relationship can be corrected.")
        self._record(self.MemberDetailsCorrected, actor, at, member_id=member_id,
                     corrections=corrections, reason=reason)

    def record_consultation(self, actor: Actor, at: datetime, *, field: Field,
                            category: InformationCategory, channel: str, summary: str,
                            subjects: tuple[str, ...] = ()) -> str:
        """Any agency may take any consultation (断らない相談支援). ``subjects``: the members it is about."""
        self.check_open()
        consultation_id = new_id()
        self._record(self.ConsultationRecorded, actor, at, consultation_id=consultation_id,
                     field=field, category=category, channel=channel, summary=summary,
                     subjects=self.check_subjects(subjects))
        return consultation_id

    def identify_issue(self, actor: Actor, at: datetime, *, tag: IssueTag, note: str = "",
                       subjects: tuple[str, ...] = ()) -> None:
        self.check_open()
        self._record(self.IssueIdentified, actor, at, tag=tag, note=note, subjects=self.check_subjects(subjects))

    def resolve_issue(self, actor: Actor, at: datetime, *, tag: IssueTag, note: str = "") -> None:
        self.check_open()
        find(self.issues, tag, "未解決の課題", "open issue")
        self._record(self.IssueResolved, actor, at, tag=tag, note=note)

    def correct_entry(self, actor: Actor, at: datetime, *, seq: int, correction: str) -> None:
        """Add a correction to an entry; it shares the entry's information category."""
        if not 1 <= seq <= len(self.entries):
            raise InvalidCommand(f"訂正する記録（{seq}番）がありません。", f"There is no entry {seq} to correct.")
        original = self.entries[seq - 1]
        if original.agency != actor.agency_id:
            raise NotPermitted("記録を訂正できるのは、その記録を書いた機関です。",
                               "Only the agency that wrote an entry can correct it.")
        self._record(self.EntryCorrected, actor, at, corrects_seq=seq, category=original.category,
                     correction=correction)

    def void_entry(self, actor: Actor, at: datetime, *, seq: int, reason: str) -> None:
        """Void a counted entry the actor's agency wrote by mistake; it is kept, marked, and no longer counted."""
        if not 1 <= seq <= len(self.entries):
            raise InvalidCommand(f"取り消す記録（{seq}番）がありません。", f"There is no entry {seq} to void.")
        original = self.entries[seq - 1]
        if original.agency != actor.agency_id:
            raise NotPermitted("記録を取り消せるのは、その記録を書いた機関です。",
                               "Only the agency that wrote an entry can void it.")
        if original.kind not in COUNTED_EVENTS:
            raise InvalidCommand("取り消せるのは、実績として集計される記録（相談・訪問・会議・プラン・つなぎ等）です。"
                                 "その他の誤りは「記録の訂正」で直してください。",
                                 "Only entries that indicators count (consultations, visits, meetings, plans, "
                                 "referrals …) can be voided; correct other mistakes with a correction.")
        if seq in self.voided:
            raise RuleViolation(f"記録（{seq}番）はすでに取り消されています。", f"Entry {seq} is already voided.")
        if not reason.strip():
            raise InvalidCommand("取り消す理由を書いてください。", "Give the reason for voiding the entry.")
        self._record(self.EntryVoided, actor, at, voids_seq=seq, category=original.category, reason=reason)
