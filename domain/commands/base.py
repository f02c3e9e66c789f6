"""Commands as values, and the requirements their rules are made of.

A command is a frozen dataclass named as a verb. Its ``RULE`` is a tuple of requirements, each a
named check with the sentence it stands for, tried in order; the first that refuses decides the
answer. The table in ``docs/access-model.md`` is printed from those sentences
(:func:`domain.commands.rules_table`), so the table and the checks cannot drift apart.

A refusal is a domain error: :class:`~domain.errors.NotFound` with the very answer a missing case
(or a missing item) gets when the actor may not read what the command touches, otherwise
:class:`~domain.errors.NotPermitted` (403) or a rule violation (409) that says why. Every refusal
is recorded (see :mod:`domain.write_refusal`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar
from uuid import UUID

from domain.access import covers_agency, decide_case, write_basis
from domain.actor import Actor
from domain.case import Case
from domain.case.base import missing
from domain.errors import DomainError, NotFound, NotPermitted, RuleViolation
from domain.policy import DateKind, PlausibleDates, Policy
from domain.registry import Registry
from domain.vocabulary import Role, WriteBasis

CASE_NOT_FOUND_JA = "ケースが見つかりません。"
CASE_NOT_FOUND_EN = "Case not found."


def case_not_found() -> NotFound:
    """One answer for a missing case and for a case the asker may not see."""
    return NotFound(CASE_NOT_FOUND_JA, CASE_NOT_FOUND_EN)


@dataclass(frozen=True)
class Context:
    """What a rule may look at: who asks, the case as it stands now, and the ward's registry."""

    actor: Actor
    case: Case | None
    now: datetime
    at: datetime
    """When the recorded thing happened (``occurred_at``); the case's own rules are checked then."""
    registry: Registry
    policy: Policy = Policy()

    @property
    def emergency_ttl(self) -> timedelta:
        return self.policy.emergency_ttl

    @cached_property
    def readable(self) -> frozenset[int]:
        """The entries the actor may read now (the same decision a read would make)."""
        if self.case is None:
            return frozenset()
        return frozenset(d.seq for d in decide_case(self.actor, self.case, self.now) if d.granted)

    @property
    def holds_emergency_grant(self) -> bool:
        return self.case is not None and self.case.emergency_grant_for(self.actor.staff_id, self.now) is not None

    @cached_property
    def basis(self) -> WriteBasis | None:
        return write_basis(self.actor, self.case, self.now) if self.case is not None else None

    @property
    def existing(self) -> Case:
        assert self.case is not None, "a command on a case is only checked once the case is loaded"
        return self.case

    def hidden(self) -> NotFound | None:
        """The missing-case answer, unless the actor may read something of the case."""
        return None if self.readable else case_not_found()


Check = Callable[[Context, Any], DomainError | None]


@dataclass(frozen=True)
class Requirement:
    """One line of a command's rule: the sentence people read, and the check that enforces it."""

    name: str
    text_ja: str
    text_en: str
    check: Check = field(repr=False, compare=False)

    def refusal(self, context: Context, command: Any) -> DomainError | None:
        return self.check(context, command)


def requirement(text_ja: str, text_en: str, *, name: str | None = None) -> Callable[[Check], Requirement]:
    def wrap(check: Check) -> Requirement:
        return Requirement(name or check.__name__, text_ja, text_en, check)

    return wrap


@dataclass(frozen=True, kw_only=True)
class Command:
    """A request to change the record. ``occurred_at`` dates something that already happened."""

    occurred_at: datetime | None = None

    RULE: ClassVar[tuple[Requirement, ...]] = ()
    LABEL_JA: ClassVar[str] = ""

    def agencies_named(self) -> Iterable[str | None]:
        """Agency ids in the command's values: each must be in the registry."""
        return ()

    def validate(self, registry: Registry) -> None:
        """Checks of the values themselves (422), before any rule is tried."""

    def dates(self) -> Iterable[tuple[str, DateKind, date]]:
        """The command's dates (besides ``occurred_at``), each named and with what it stands for."""
        return ()

    def check_dates(self, plausible: PlausibleDates, today: date) -> None:
        """Refuse a date outside the ward's plausible range (422, naming the value), before any rule is tried."""
        for name, kind, day in self.dates():
            if (refused := plausible.refusal(name, kind, day, today)) is not None:
                raise refused

    def refusal(self, context: Context) -> tuple[Requirement, DomainError] | None:
        """The first requirement of the rule that refuses the command, with its answer (None: allowed)."""
        for line in self.RULE:
            refused = line.refusal(context, self)
            if refused is not None:
                return line, refused
        return None


@dataclass(frozen=True, kw_only=True)
class NewCaseCommand(Command):
    """A command that starts a case."""

    def start(self, context: Context) -> Case:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class CaseCommand(Command):
    """A command on an existing case."""

    case_id: UUID

    def references(self, case: Case) -> Iterable[Reference | EntryReference]:
        """The items of the case the command touches: each must exist and be visible to the actor."""
        return ()

    def apply(self, case: Case, context: Context) -> str | None:
        raise NotImplementedError


@dataclass(frozen=True)
class Reference:
    """An item a command touches, with the words for it when it is missing (or not the actor's to see)."""

    items: dict[str, dict[str, Any]]
    item_id: str
    what_ja: str
    what_en: str

    @property
    def seq(self) -> int | None:
        item = self.items.get(self.item_id)
        return None if item is None else int(item["seq"])


@dataclass(frozen=True)
class EntryReference:
    """A timeline entry a command touches, by its number."""

    seq: int


# ----- the requirements commands are made of ---------------------------------------------------

@requirement("事例に記録する職員（相談支援員・相談支援包括化推進員）であること",
             "A staff member who records on cases (caseworker or coordinator)")
def staff_who_record(context: Context, command: Any) -> DomainError | None:
    if context.actor.may_record:
        return None
    if context.case is not None and not context.readable:
        return case_not_found()
    return NotPermitted("この役割ではケースに記録できません（監査担当・管理者は閲覧・検証のみ）。",
                        "Your role does not record on cases (auditors and administrators only read or review).")


@requirement("ケースに関与する根拠があること（自機関の記録・本人同意・支援会議・つなぎ先）。緊急時アクセスは閲覧のみ",
             "A basis on the case: own records, the person's consent, a support meeting, or a referral to "
             "the agency. Break-glass is read-only")
def basis_on_case(context: Context, command: Any) -> DomainError | None:
    if context.basis is not None:
        return None
    if (hidden := context.hidden()) is not None:
        return hidden
    if context.holds_emergency_grant:
        return NotPermitted("緊急時アクセスは閲覧のみです。記録するには、本人同意か支援会議などの根拠が必要です。",
                            "Emergency access is read-only. Recording needs a basis such as the person's "
                            "consent or a support meeting.")
    return NotPermitted("このケースに記録する根拠（自機関の記録・本人同意・支援会議・つなぎ）がありません。",
                        "Your agency has no basis to record on this case (own records, consent, support "
                        "meeting or referral).")


@requirement("触れる記録（世帯員・課題・つなぎ等）を閲覧できること。できなければ存在しない場合と同じ応答",
             "The items it touches (member, issue, referral, …) are visible to the actor; otherwise the "
             "answer is the same as for a missing item")
def touches_only_visible(context: Context, command: Any) -> DomainError | None:
    if (hidden := context.hidden()) is not None:
        return hidden
    for reference in command.references(context.existing):
        if isinstance(reference, EntryReference):
            if reference.seq not in context.readable:
                return missing(str(reference.seq), "記録", "entry")
        elif reference.seq is None or reference.seq not in context.readable:
            return missing(reference.item_id, reference.what_ja, reference.what_en)
    return None


@requirement("相談支援包括化推進員（コーディネーター）であること", "A coordinator")
def coordinator(context: Context, command: Any) -> DomainError | None:
    if context.actor.has_role(Role.COORDINATOR):
        return None
    return context.hidden() or NotPermitted(
        "この操作は相談支援包括化推進員（コーディネーター）が行います。", "Only a coordinator can do this.")


@requirement("主担当機関、またはコーディネーター", "The lead agency, or a coordinator")
def lead_agency_or_coordinator(context: Context, command: Any) -> DomainError | None:
    if context.actor.agency_id == context.existing.lead_agency or context.actor.has_role(Role.COORDINATOR):
        return None
    return context.hidden() or NotPermitted(
        "ケースの終結・再開は主担当機関かコーディネーターが行います。自機関の関与を終える場合は「関与終了」を記録してください。",
        "Only the lead agency or a coordinator closes or reopens a case. To end your own agency's part, "
        "record that it ends its involvement.")


def to_covered_agencies(agencies_of: Callable[[Any], Iterable[str]]) -> Requirement:
    @requirement("宛先の機関が本人同意か支援会議の範囲に含まれること",
                 "The agencies it is addressed to are covered by an active consent or a current support meeting",
                 name="to_covered_agencies")
    def check(context: Context, command: Any) -> DomainError | None:
        uncovered = sorted({a for a in agencies_of(command) if not covers_agency(context.existing, a, context.now)})
        if not uncovered:
            return None
        return context.hidden() or RuleViolation(
            f"次の機関は本人同意・支援会議の範囲に含まれていないため、役割や引継ぎを割り当てられません：{'、'.join(uncovered)}。",
            f"These agencies are not covered by the person's consent or a support meeting, so no role or "
            f"handover can go to them: {', '.join(uncovered)}.")

    return check


def by_agency_of(name: str, agencies_of: Callable[[Context, Any], Iterable[str]], text_ja: str, text_en: str,
                 refusal_ja: str, refusal_en: str) -> Requirement:
    """The actor's agency is one of those the command's subject names (its author, its receiver, …)."""

    @requirement(text_ja, text_en, name=name)
    def check(context: Context, command: Any) -> DomainError | None:
        if context.actor.agency_id in set(agencies_of(context, command)):
            return None
        return context.hidden() or NotPermitted(refusal_ja, refusal_en)

    return check
