"""Meeting commands: the values a meeting is made of, the requirements of who may hold one, and the two
one-part commands (a 重層的支援会議, a 支援会議). A sitting with several parts or another statutory kind is
:mod:`domain.commands.sittings`; the events are in :mod:`domain.case.meetings`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, time
from typing import Any, ClassVar

from domain.case import Case
from domain.case.meetings import Part, Sitting
from domain.commands.base import (
    CaseCommand,
    Context,
    Reference,
    basis_on_case,
    requirement,
    staff_who_record,
    touches_only_visible,
)
from domain.errors import DomainError, InvalidCommand, NotFound, NotPermitted
from domain.meeting_kinds import needs_consent, statutory_kind
from domain.policy import DateKind
from domain.registry import Registry
from domain.vocabulary import DecisionKind, ExternalRole, InformationCategory, MeetingKind, Role


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
    """A participant who is not registry staff (民生委員, 医療機関 …), by name, organisation and role, who sits on
    a recorded pledge of confidentiality. Never a reader of the system."""

    name: str
    organisation: str
    pledged: bool = False
    role: ExternalRole = ExternalRole.OTHER

    def as_record(self) -> dict[str, Any]:
        return {"name": self.name, "organisation": self.organisation, "role": self.role, "pledged": self.pledged}


@dataclass(frozen=True, kw_only=True)
class PartContent:
    """What one meeting held for the case says: its members, scope, decisions and minutes. A part of a sitting
    adds its kind; a one-part command (:class:`HoldSupportMeeting`, :class:`HoldMultiLayeredMeeting`) has the
    kind in its class."""

    purpose: str
    participants: tuple[Participant, ...]
    decisions: tuple[MeetingDecision, ...] = ()
    tabled_subjects: tuple[str, ...] = ()
    """Without consent: the members whose information it discusses (only theirs is shared)."""
    tabled_categories: tuple[InformationCategory, ...] = ()
    """Without consent: the information categories it discusses."""
    until: date | None = None
    """Without consent: until when its sharing lasts (default: the next sitting; at most the ward's maximum)."""
    external_members: tuple[ExternalMember, ...] = ()
    minutes: str = ""

    def as_part(self, kind: MeetingKind) -> MeetingPart:
        return MeetingPart(kind=kind, **{f.name: getattr(self, f.name) for f in fields(PartContent)})


@dataclass(frozen=True, kw_only=True)
class MeetingPart(PartContent):
    """One kind of meeting held for the case at a sitting, with its own members, scope, decisions and minutes."""

    kind: MeetingKind

    def value(self) -> Part:
        return Part(kind=self.kind, purpose=self.purpose, participants=[p.as_record() for p in self.participants],
                    decisions=[d.as_record() for d in self.decisions], tabled_subjects=self.tabled_subjects,
                    tabled_categories=self.tabled_categories, until=self.until, minutes=self.minutes,
                    external_members=[m.as_record() for m in self.external_members])


HELD_WITHOUT_A_BODY = (MeetingKind.MULTI_LAYERED, MeetingKind.SUPPORT)
"""The two kinds of the 重層的支援体制 may meet for one case alone; every other statutory kind sits as a body the
ward configured for it."""


def kinds_held(registry: Registry) -> list[MeetingKind]:
    """The kinds of meeting the ward can record: the two of the 重層的支援体制, and those its bodies hold."""
    return [kind for kind in MeetingKind if kind in HELD_WITHOUT_A_BODY or registry.bodies_of_kind(kind)]


def convening_office(registry: Registry, body_id: str | None) -> str | None:
    """The agency whose coordinators convene meetings without consent: the body's office (事務局), or, for a
    支援会議 of no body, the ward's ``support_meeting_office`` (None: nobody may)."""
    if body_id is None:
        return registry.support_meeting_office
    try:
        return registry.meeting_body(body_id).office
    except NotFound:
        return None


def check_participants_registered(registry: Registry, participants: Iterable[Participant]) -> None:
    """Each participant is a registry staff member of the agency they sit for."""
    strangers = sorted({f"{p.staff}（{p.agency}）" for p in participants if not registry.works_for(p.staff, p.agency)})
    if strangers:
        raise InvalidCommand(
            f"会議の参加者は、名簿に登録された、その機関の職員である必要があります。該当しない参加者：{'、'.join(strangers)}。",
            "Every participant must be a registered staff member of the agency they sit for. Not so: "
            + ", ".join(s.replace("（", " (").replace("）", ")") for s in strangers) + ".")


def _by_office(context: Context, body_id: str | None) -> DomainError | None:
    office = convening_office(context.registry, body_id)
    if office is not None and context.actor.has_role(Role.COORDINATOR) and context.actor.agency_id == office:
        return None
    return context.hidden() or NotPermitted(
        "同意によらない会議（支援会議など）を招集できるのは、その会議体の事務局（会議体のない支援会議は区が定めた事務局）の"
        "コーディネーターです。",
        "Only a coordinator of the convening office (the body's, or for a support meeting of no body the ward's) "
        "can hold a meeting without consent.")


@requirement("同意によらない会議は、会議体の事務局（会議体のない支援会議は区が定めた事務局）のコーディネーターが開く"
             "（ケースへの関与は問わない）",
             "A meeting held without consent: a coordinator of the convening office — the body's, or for a support "
             "meeting of no body the ward's (no basis on the case needed)")
def support_meeting_office(context: Context, command: Any) -> DomainError | None:
    if all(needs_consent(part.kind) for part in command.meeting_parts()):
        return None
    return _by_office(context, command.body_id)


@requirement("同意による会議（重層的支援会議）は、ケースに関与する根拠があること（同意が参加者と招集者を含むかはケースが確かめる）",
             "A meeting held with consent: a basis on the case (the case checks that consent covers every "
             "participant and the convener)")
def basis_for_consented_parts(context: Context, command: Any) -> DomainError | None:
    if not any(needs_consent(part.kind) for part in command.meeting_parts()):
        return None
    return basis_on_case.refusal(context, command)


@requirement("参加者はそれぞれ、名簿上その機関の職員であること",
             "Each participant is registered staff of the agency they sit for")
def registered_participants(context: Context, command: Any) -> DomainError | None:
    try:
        check_participants_registered(context.registry, (p for part in command.meeting_parts()
                                                         for p in part.participants))
    except InvalidCommand as refused:
        return refused
    return None


@dataclass(frozen=True, kw_only=True)
class SittingCommand(CaseCommand):
    """A case's record of a sitting (開催): of a registered body (``body_id``), or of an ad-hoc one."""

    held_on: date
    body_id: str | None = None
    """The meeting body (会議体) that sat; none: an ad-hoc meeting for this case alone."""
    start_time: time | None = None
    place: str = ""
    next_on: date | None = None
    """次回開催予定日 (and the default end of sharing without consent)."""

    def meeting_parts(self) -> tuple[MeetingPart, ...]:
        raise NotImplementedError

    def agencies_named(self) -> Iterable[str | None]:
        return [agency for part in self.meeting_parts()
                for agency in (*(p.agency for p in part.participants), *(d.target_agency for d in part.decisions))]

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        named = [("held_on", DateKind.PLANNED, self.held_on)]
        named += [] if self.next_on is None else [("next_on", DateKind.PLANNED, self.next_on)]
        parts = self.meeting_parts() or ()
        return named + [("until", DateKind.PLANNED, p.until) for p in parts if p.until is not None]

    def validate(self, registry: Registry) -> None:
        """A body is registered and holds every kind recorded at its sitting; a statutory kind other than the
        two of the 重層的支援体制 is held only by a body the ward configured for it."""
        kinds = [MeetingKind(p.kind) for p in self.meeting_parts()]
        if self.body_id is not None:
            body = registry.meeting_body(self.body_id)
            foreign = [k for k in kinds if k not in set(body.kinds)]
            if foreign:
                raise InvalidCommand(f"会議体「{body.name_ja}」は{foreign[0].label_ja}を開きません。",
                                     f"The body {self.body_id!r} does not hold a {foreign[0].label_en}.")
            return
        bodiless = [k for k in kinds if k not in HELD_WITHOUT_A_BODY]
        if bodiless:
            spec = statutory_kind(bodiless[0])
            raise InvalidCommand(f"{bodiless[0].label_ja}（{spec.basis_ja}）は、区が設定した会議体の開催として"
                                 "記録してください。",
                                 f"A {bodiless[0].label_en} is recorded as a sitting of the body the ward configured "
                                 "for it.")

    def sitting(self) -> Sitting:
        return Sitting.of(self.held_on, body_id=self.body_id, start_time=self.start_time, place=self.place,
                          next_on=self.next_on)

    def hold(self, case: Case, context: Context) -> list[str]:
        return case.hold_sitting(context.actor, context.at, self.sitting(), [p.value() for p in self.meeting_parts()],
                                 max_days=context.policy.support_meeting_max_days)


@dataclass(frozen=True, kw_only=True)
class _HoldMeeting(SittingCommand, PartContent):
    KIND: ClassVar[MeetingKind] = MeetingKind.SUPPORT

    def meeting_parts(self) -> tuple[MeetingPart, ...]:
        return (self.as_part(self.KIND),)

    def apply(self, case: Case, context: Context) -> str:
        return self.hold(case, context)[0]


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


@requirement("同意によらない会議の決定を後から記録するのは、その事務局のコーディネーター",
             "A later decision of a meeting held without consent: only its convening office's coordinator records it")
def later_support_meeting_decisions_by_office(context: Context, command: Any) -> DomainError | None:
    meeting = context.existing.meetings[command.meeting_id]
    if needs_consent(meeting["kind"]):
        return None
    return _by_office(context, meeting.get("body_id"))


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
