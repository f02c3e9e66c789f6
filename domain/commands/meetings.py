"""Meeting commands: the two kinds are two commands with two rules (events in :mod:`domain.case.meetings`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.case import Case
from domain.commands.base import (
    CaseCommand,
    Context,
    Reference,
    basis_on_case,
    requirement,
    staff_who_record,
    touches_only_visible,
)
from domain.errors import DomainError, InvalidCommand, NotPermitted
from domain.policy import DateKind
from domain.registry import Registry
from domain.vocabulary import DecisionKind, InformationCategory, MeetingKind, Role


@dataclass(frozen=True)
class Participant:
    agency: str
    staff: str
    pledged: bool = False

    def as_record(self) -> dict[str, Any]:
        return {"agency": self.agency, "staff": self.staff, "pledged": self.pledged}


@dataclass(frozen=True)
class MeetingDecision:
    kind: DecisionKind
    text: str
    target_agency: str | None = None
    categories: tuple[InformationCategory, ...] = ()
    """For a decision to refer: the information categories the referred agency may then see."""

    def as_record(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "target_agency": self.target_agency,
                "categories": sorted(self.categories)}


@dataclass(frozen=True)
class ExternalMember:
    """A 支援会議 member who is not registry staff (民生委員, 医療機関, 地域住民 …), by name and organisation."""

    name: str
    organisation: str
    pledged: bool = False

    def as_record(self) -> dict[str, Any]:
        return {"name": self.name, "organisation": self.organisation, "pledged": self.pledged}


def check_participants_registered(registry: Registry, participants: Iterable[Participant]) -> None:
    """Each participant is a registry staff member of the agency they sit for."""
    strangers = sorted({f"{p.staff}（{p.agency}）" for p in participants if not registry.works_for(p.staff, p.agency)})
    if strangers:
        raise InvalidCommand(
            f"会議の参加者は、名簿に登録された、その機関の職員である必要があります。該当しない参加者：{'、'.join(strangers)}。",
            "Every participant must be a registered staff member of the agency they sit for. Not so: "
            + ", ".join(s.replace("（", " (").replace("）", ")") for s in strangers) + ".")


@requirement("区が支援会議の事務局に定めた機関のコーディネーターであること（ケースへの関与は問わない）",
             "A coordinator of the agency the ward named to convene support meetings (no basis on the case needed)")
def support_meeting_office(context: Context, command: Any) -> DomainError | None:
    office = context.registry.support_meeting_office
    if context.actor.has_role(Role.COORDINATOR) and context.actor.agency_id == office:
        return None
    return context.hidden() or NotPermitted(
        "支援会議を招集できるのは、区が定めた事務局のコーディネーターです。",
        "Only a coordinator of the office the ward named for support meetings can convene one.")


@requirement("参加者はそれぞれ、名簿上その機関の職員であること",
             "Each participant is registered staff of the agency they sit for")
def registered_participants(context: Context, command: Any) -> DomainError | None:
    try:
        check_participants_registered(context.registry, command.participants)
    except InvalidCommand as refused:
        return refused
    return None


@dataclass(frozen=True, kw_only=True)
class _HoldMeeting(CaseCommand):
    held_on: date
    purpose: str
    participants: tuple[Participant, ...]
    decisions: tuple[MeetingDecision, ...] = ()
    tabled_subjects: tuple[str, ...] = ()
    """支援会議: the members whose information it discusses (only theirs is shared)."""
    tabled_categories: tuple[InformationCategory, ...] = ()
    """支援会議: the information categories it discusses."""
    until: date | None = None
    """支援会議: until when its sharing lasts (the next sitting; at most the ward's maximum)."""
    external_members: tuple[ExternalMember, ...] = ()

    KIND = MeetingKind.SUPPORT

    def agencies_named(self) -> Iterable[str | None]:
        return [*(p.agency for p in self.participants), *(d.target_agency for d in self.decisions)]

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        until = [] if self.until is None else [("until", DateKind.PLANNED, self.until)]
        return [("held_on", DateKind.PLANNED, self.held_on), *until]

    def apply(self, case: Case, context: Context) -> str:
        return case.hold_meeting(context.actor, context.at, kind=self.KIND, held_on=self.held_on,
                                 purpose=self.purpose, participants=[p.as_record() for p in self.participants],
                                 decisions=[d.as_record() for d in self.decisions],
                                 tabled_subjects=self.tabled_subjects, tabled_categories=self.tabled_categories,
                                 until=self.until, external_members=tuple(m.as_record() for m in self.external_members),
                                 max_days=context.policy.support_meeting_max_days)


@dataclass(frozen=True, kw_only=True)
class HoldSupportMeeting(_HoldMeeting):
    """支援会議 (art. 106-6): held without consent, its members under a duty of confidentiality."""

    KIND = MeetingKind.SUPPORT
    LABEL_JA = "支援会議の開催"
    RULE = (staff_who_record, support_meeting_office, registered_participants)


@dataclass(frozen=True, kw_only=True)
class HoldMultiLayeredMeeting(_HoldMeeting):
    """重層的支援会議: the case's own consent must cover every participant and the convener (checked by the case)."""

    KIND = MeetingKind.MULTI_LAYERED
    LABEL_JA = "重層的支援会議の開催"
    RULE = (staff_who_record, basis_on_case, registered_participants)


def hold_meeting(kind: MeetingKind, **values: Any) -> _HoldMeeting:
    """The command for a meeting of ``kind`` (for entry points that take the kind as a value)."""
    command = HoldSupportMeeting if kind == MeetingKind.SUPPORT else HoldMultiLayeredMeeting
    return command(**values)


@requirement("支援会議の決定を後から記録するのは事務局のコーディネーター", "A support meeting's later decision: only "
             "its office's coordinator records it")
def later_support_meeting_decisions_by_office(context: Context, command: Any) -> DomainError | None:
    meeting = context.existing.meetings[command.meeting_id]
    if meeting["kind"] != MeetingKind.SUPPORT:
        return None
    return support_meeting_office.refusal(context, command)


@dataclass(frozen=True, kw_only=True)
class RecordDecision(CaseCommand):
    meeting_id: str
    decision: MeetingDecision

    LABEL_JA = "会議決定の記録"
    RULE = (staff_who_record, basis_on_case, touches_only_visible, later_support_meeting_decisions_by_office)

    def agencies_named(self) -> Iterable[str | None]:
        return [self.decision.target_agency]

    def references(self, case: Case) -> Iterable[Reference]:
        return [Reference(case.meetings, self.meeting_id, "会議", "meeting")]

    def apply(self, case: Case, context: Context) -> None:
        case.record_decision(context.actor, context.at, meeting_id=self.meeting_id,
                             decision=self.decision.as_record())
        return None
