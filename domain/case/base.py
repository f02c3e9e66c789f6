"""What every case event carries, and the helpers the case's parts share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import uuid4

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import CaseClosedError, NotFound
from domain.vocabulary import CaseStatus, InformationCategory


@dataclass(frozen=True)
class EntryRef:
    """What the access rules need to know of an entry, without its personal content."""

    seq: int
    kind: str
    agency: str
    category: InformationCategory
    occurred_at: datetime
    staff: str = ""
    referral_id: str | None = None
    """For a referral's lifecycle entries: which referral they belong to."""
    subjects: tuple[str, ...] = ()
    """The members the entry concerns; empty: the whole household (every member)."""
    meeting_id: str | None = None
    """For a meeting's record and its later decisions: which meeting."""


class CaseEvent(Aggregate.Event):
    """Base of every event on a case: who did it, for which agency, and when it happened.

    ``occurred_at`` is when it happened in the world (a visit on Tuesday recorded on
    Thursday); ``timestamp`` is when the store recorded it.
    """

    by_staff: str
    by_agency: str
    occurred_at: datetime

    CATEGORY: ClassVar[InformationCategory] = InformationCategory.SUPPORT
    LABEL_JA: ClassVar[str] = ""
    LABEL_EN: ClassVar[str] = ""

    def information_category(self) -> InformationCategory:
        return self.CATEGORY

    @property
    def kind(self) -> str:
        return type(self).__name__

    def subject_ids(self, case: Any) -> tuple[str, ...]:
        """The members this entry concerns, given the case just before it (empty: the household).

        Events that carry ``subjects`` name them; events about one member name that member; events
        that continue something (a referral's answer, a correction) concern what they continue.
        """
        return tuple(sorted(set(getattr(self, "subjects", ()) or ())))

    def mutate(self, aggregate: Any) -> Any:
        """Apply the event, then index it as a timeline entry of the case."""
        subjects = self.subject_ids(aggregate) if aggregate is not None else ()
        aggregate = super().mutate(aggregate)
        aggregate.entries.append(EntryRef(seq=self.originator_version, kind=self.kind, agency=self.by_agency,
                                          category=self.information_category(), occurred_at=self.occurred_at,
                                          staff=self.by_staff, referral_id=getattr(self, "referral_id", None),
                                          subjects=subjects, meeting_id=getattr(self, "meeting_id", None)))
        return aggregate

    def content(self) -> dict[str, Any]:
        """The entry's own fields: the personal content a reader may or may not see."""
        hidden = {"originator_id", "originator_version", "timestamp", "originator_topic",
                  "by_staff", "by_agency", "occurred_at"}
        return {k: v for k, v in vars(self).items() if k not in hidden}


def add_household_wide_subjects(state: dict[str, Any]) -> None:
    """Upcast an entry stored before entries named their subjects: it concerns the whole household
    (the reading that asks most: every member's consent)."""
    state.setdefault("subjects", [])


def one_member(member_id: str | None) -> tuple[str, ...]:
    return () if member_id is None else (member_id,)


def new_id() -> str:
    return uuid4().hex[:12]


class CasePart:
    """Shared behaviour of the case's parts (mixins of :class:`domain.case.Case`)."""

    id: Any
    version: int
    status: CaseStatus
    entries: list[EntryRef]

    trigger_event: Any  # provided by eventsourcing's Aggregate

    def _record(self, event_class: type[CaseEvent], actor: Actor, at: datetime, **fields: Any) -> None:
        self.trigger_event(event_class, by_staff=actor.staff_id, by_agency=actor.agency_id,
                           occurred_at=at, **fields)

    def check_subjects(self, subjects: tuple[str, ...] | list[str]) -> list[str]:
        """The members an entry concerns, each a member of this household (none: the whole household)."""
        members: dict[str, Any] = getattr(self, "members", {})
        unknown = sorted(set(subjects) - set(members))
        if unknown:
            raise NotFound(f"この事例に世帯員「{unknown[0]}」はありません。",
                           f"This case has no member {unknown[0]!r}.")
        return sorted(set(subjects))

    def check_open(self) -> None:
        if self.status == CaseStatus.CLOSED:
            raise CaseClosedError(
                "このケースは終結しています。記録するには、先にケースを再開してください。",
                "This case is closed. Reopen it before recording anything new.",
            )


def missing(item_id: str, what_ja: str, what_en: str) -> NotFound:
    """The one answer for an item the case does not have, or that the asker may not see."""
    return NotFound(f"この事例に{what_ja}「{item_id}」はありません。", f"This case has no {what_en} {item_id!r}.")


def find(items: dict[str, Any], item_id: str, what_ja: str, what_en: str) -> Any:
    try:
        return items[item_id]
    except KeyError:
        raise missing(item_id, what_ja, what_en) from None
