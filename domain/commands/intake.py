"""Intake commands: members, consultations, issues, corrections (events in :mod:`domain.case.intake`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.case import Case
from domain.commands.base import (
    CaseCommand,
    Context,
    EntryReference,
    NewCaseCommand,
    Reference,
    basis_on_case,
    by_agency_of,
    staff_who_record,
    touches_only_visible,
)
from domain.errors import InvalidCommand
from domain.policy import DateKind
from domain.registry import Registry
from domain.vocabulary import Field, InformationCategory, IssueTag

ON_THE_CASE = (staff_who_record, basis_on_case)


@dataclass(frozen=True, kw_only=True)
class OpenCase(NewCaseCommand):
    """Any agency may open a case (断らない相談支援); the opening agency leads it."""

    household_name: str
    household_name_kana: str
    district: str | None
    summary: str

    LABEL_JA = "ケースの開始"
    RULE = (staff_who_record,)

    def validate(self, registry: Registry) -> None:
        if self.district is not None and self.district not in {d.id for d in registry.districts}:
            raise InvalidCommand(f"地区「{self.district}」は登録されていません。",
                                 f"Unknown district {self.district!r}.")

    def start(self, context: Context) -> Case:
        return Case.open(context.actor, context.at, household_name=self.household_name,
                         household_name_kana=self.household_name_kana, district=self.district,
                         summary=self.summary)


def member_reference(case: Case, member_id: str) -> Reference:
    return Reference(case.members, member_id, "世帯員", "member")


@dataclass(frozen=True, kw_only=True)
class AddMember(CaseCommand):
    name: str
    name_kana: str
    birth_date: date
    relationship: str
    is_principal: bool = False

    LABEL_JA = "世帯員の追加"
    RULE = ON_THE_CASE

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        return [("birth_date", DateKind.BIRTH, self.birth_date)]

    def apply(self, case: Case, context: Context) -> str:
        return case.add_member(context.actor, context.at, name=self.name, name_kana=self.name_kana,
                               birth_date=self.birth_date, relationship=self.relationship,
                               is_principal=self.is_principal)


def _member_author(context: Context, command: Any) -> list[str]:
    member = context.existing.members[command.member_id]
    return [context.existing.entries[member["seq"] - 1].agency]


@dataclass(frozen=True, kw_only=True)
class CorrectMemberDetails(CaseCommand):
    member_id: str
    corrections: dict[str, Any]
    reason: str

    LABEL_JA = "世帯員情報の訂正"
    RULE = (*ON_THE_CASE, touches_only_visible, by_agency_of(
        "by_member_author", _member_author, "その世帯員を登録した機関であること", "The agency that added the member",
        "世帯員の情報を訂正できるのは、その世帯員を登録した機関です。",
        "Only the agency that added a member can correct the member's details."))

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        birth_date = self.corrections.get("birth_date")
        return [("birth_date", DateKind.BIRTH, birth_date)] if isinstance(birth_date, date) else []

    def references(self, case: Case) -> Iterable[Reference]:
        return [member_reference(case, self.member_id)]

    def apply(self, case: Case, context: Context) -> None:
        case.correct_member_details(context.actor, context.at, member_id=self.member_id,
                                    corrections=self.corrections, reason=self.reason)
        return None


@dataclass(frozen=True, kw_only=True)
class RecordConsultation(CaseCommand):
    field: Field
    category: InformationCategory
    channel: str
    summary: str
    subjects: tuple[str, ...] = ()
    """The members it concerns (none: the whole household — then every member's consent is needed to share it)."""

    LABEL_JA = "相談の記録"
    RULE = (*ON_THE_CASE, touches_only_visible)

    def references(self, case: Case) -> Iterable[Reference]:
        return [member_reference(case, member) for member in self.subjects]

    def apply(self, case: Case, context: Context) -> str:
        return case.record_consultation(context.actor, context.at, field=self.field, category=self.category,
                                        channel=self.channel, summary=self.summary, subjects=self.subjects)


@dataclass(frozen=True, kw_only=True)
class IdentifyIssue(CaseCommand):
    tag: IssueTag
    note: str = ""
    subjects: tuple[str, ...] = ()

    LABEL_JA = "課題の把握"
    RULE = (*ON_THE_CASE, touches_only_visible)

    def references(self, case: Case) -> Iterable[Reference]:
        return [member_reference(case, member) for member in self.subjects]

    def apply(self, case: Case, context: Context) -> None:
        case.identify_issue(context.actor, context.at, tag=self.tag, note=self.note, subjects=self.subjects)
        return None


@dataclass(frozen=True, kw_only=True)
class ResolveIssue(CaseCommand):
    tag: IssueTag
    note: str = ""

    LABEL_JA = "課題の解消"
    RULE = (*ON_THE_CASE, touches_only_visible)

    def references(self, case: Case) -> Iterable[Reference]:
        return [Reference(case.issues, self.tag, "未解決の課題", "open issue")]

    def apply(self, case: Case, context: Context) -> None:
        case.resolve_issue(context.actor, context.at, tag=self.tag, note=self.note)
        return None


def _entry_author(context: Context, command: Any) -> list[str]:
    entries = context.existing.entries
    return [entries[command.seq - 1].agency] if 1 <= command.seq <= len(entries) else []


BY_ENTRY_AUTHOR = by_agency_of(
    "by_entry_author", _entry_author, "訂正・取消する記録を書いた機関であること",
    "The agency that wrote the entry corrected or voided",
    "記録を訂正・取消できるのは、その記録を書いた機関です。",
    "Only the agency that wrote an entry can correct or void it.")


@dataclass(frozen=True, kw_only=True)
class CorrectEntry(CaseCommand):
    seq: int
    correction: str

    LABEL_JA = "記録の訂正"
    RULE = (*ON_THE_CASE, touches_only_visible, BY_ENTRY_AUTHOR)

    def references(self, case: Case) -> Iterable[EntryReference]:
        return [EntryReference(self.seq)]

    def apply(self, case: Case, context: Context) -> None:
        case.correct_entry(context.actor, context.at, seq=self.seq, correction=self.correction)
        return None


@dataclass(frozen=True, kw_only=True)
class VoidEntry(CaseCommand):
    """取消: a counted entry recorded by mistake stops counting; it stays in the log, the timeline and the audit."""

    seq: int
    reason: str

    LABEL_JA = "記録の取消（無効）"
    RULE = (*ON_THE_CASE, touches_only_visible, BY_ENTRY_AUTHOR)

    def validate(self, registry: Registry) -> None:
        if not self.reason.strip():
            raise InvalidCommand("取り消す理由を書いてください。", "Give the reason for voiding the entry.")

    def references(self, case: Case) -> Iterable[EntryReference]:
        return [EntryReference(self.seq)]

    def apply(self, case: Case, context: Context) -> None:
        case.void_entry(context.actor, context.at, seq=self.seq, reason=self.reason)
        return None
