"""What a reader is shown: entries under their basis, and the rest as withheld."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.access import Decision
from domain.case import Case, CaseEvent
from domain.vocabulary import Basis, InformationCategory


@dataclass(frozen=True)
class VisibleEntry:
    seq: int
    kind: str
    label_ja: str
    label_en: str
    occurred_at: datetime
    recorded_at: datetime
    agency: str
    staff: str
    category: InformationCategory
    basis: Basis
    content: dict[str, Any]
    withheld: bool = False


@dataclass(frozen=True)
class WithheldEntry:
    """An entry the reader may not see: they learn that it exists, not what it says."""

    seq: int
    kind: str
    label_ja: str
    label_en: str
    occurred_at: datetime
    agency: str
    category: InformationCategory
    reason_ja: str
    reason_en: str
    withheld: bool = True


@dataclass(frozen=True)
class Timeline:
    case_id: str
    version: int
    access_record_id: str
    entries: list[VisibleEntry | WithheldEntry]


@dataclass(frozen=True)
class CaseView:
    """The current state of a case, each part shown only if the entry it comes from is visible."""

    case_id: str
    version: int
    access_record_id: str
    status: str
    lead_agency: str
    opened_at: datetime
    household: dict[str, Any] | None
    members: list[dict[str, Any]]
    issues: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    plan: dict[str, Any] | None
    withheld_entries: int
    bases: list[Basis] = field(default_factory=list)


@dataclass(frozen=True)
class CaseSummary:
    """One row of a case list or a search result, computed from the reader's granted entries only."""

    case_id: str
    version: int
    access_record_id: str
    status: str
    lead_agency: str
    opened_at: datetime
    closed_at: datetime | None
    last_event_at: datetime
    household_name: str | None
    household_name_kana: str | None
    district: str | None
    member_count: int
    consultation_count: int
    issue_tags: list[str]
    plan_status: str | None
    next_review_on: Any
    active_consents: int
    withheld_entries: int


@dataclass(frozen=True)
class EmergencyGrantView:
    """A break-glass grant as its reader may know it: the reason given for it, and its review if one was
    recorded (for an auditor every entry is granted, on AUDIT)."""

    case_id: str
    grant_id: str
    access_record_id: str
    staff: str
    agency: str
    legal_ground: str
    repeated: bool
    granted_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    reason: str
    reviewed: bool
    justified: bool | None
    finding: str | None
    reviewed_by: str | None


def emergency_grant_views(case: Case, known: Case, access_record_id: str) -> list[EmergencyGrantView]:
    """The grants of the case as the reader may know it (``known`` is ``Case.from_granted`` for the reader)."""
    views = []
    for grant in sorted(known.emergency_grants.values(), key=lambda g: g["seq"]):
        review = grant["review"] or {}
        views.append(EmergencyGrantView(
            case_id=str(case.id), grant_id=grant["grant_id"], access_record_id=access_record_id,
            staff=grant["staff"], agency=grant["agency"], legal_ground=grant["legal_ground"],
            repeated=grant["repeated"], granted_at=grant["granted_at"], expires_at=grant["expires_at"],
            ended_at=grant["ended_at"], reason=grant["reason"], reviewed=bool(review),
            justified=review.get("justified"), finding=review.get("finding"), reviewed_by=review.get("by")))
    return views


def case_summary(case: Case, known: Case, decisions: list[Decision], access_record_id: str,
                 at: datetime) -> CaseSummary:
    """The list row of a case as the reader may know it: ``known`` is ``Case.from_granted`` for the reader."""
    visible = {d.seq for d in decisions if d.granted}
    plan = known.plan
    return CaseSummary(
        case_id=str(case.id), version=case.version, access_record_id=access_record_id, status=case.status,
        lead_agency=case.lead_agency, opened_at=case.opened_at, closed_at=case.closed_at,
        last_event_at=max(e.occurred_at for e in case.entries), household_name=known.household_name,
        household_name_kana=known.household_name_kana, district=known.district, member_count=len(known.members),
        consultation_count=known.consultation_count, issue_tags=sorted(known.issues),
        plan_status=None if plan is None else ("evaluated" if plan["evaluated"] else "active"),
        next_review_on=None if plan is None else plan["next_review_on"],
        active_consents=len(known.active_consents(at)), withheld_entries=len(decisions) - len(visible))


def timeline_entry(event: CaseEvent, decision: Decision) -> VisibleEntry | WithheldEntry:
    common: dict[str, Any] = {"seq": event.originator_version, "kind": event.kind, "label_ja": event.LABEL_JA,
              "label_en": event.LABEL_EN, "occurred_at": event.occurred_at, "agency": event.by_agency,
              "category": event.information_category()}
    if decision.basis is None:
        return WithheldEntry(**common, reason_ja=decision.reason_ja, reason_en=decision.reason_en)
    return VisibleEntry(**common, recorded_at=event.timestamp, staff=event.by_staff, basis=decision.basis,
                        content=event.content())


def case_view(case: Case, events: Iterable[CaseEvent], decisions: list[Decision],
              access_record_id: str) -> CaseView:
    """The current state of the case as the reader may know it: computed from their granted entries only
    (``Case.from_granted``), so nothing of a withheld entry — a corrected name, a tag, a later decision —
    can reach any field."""
    visible = {d.seq for d in decisions if d.granted}
    known = Case.from_granted(case, events, visible)

    def listed(items: Any) -> list[dict[str, Any]]:
        return [dict(item) for item in items]

    household = None
    if known.household_name is not None:
        household = {"name": known.household_name, "name_kana": known.household_name_kana,
                     "district": known.district, "summary": known.summary}
    return CaseView(
        case_id=str(case.id), version=case.version, access_record_id=access_record_id, status=case.status,
        lead_agency=case.lead_agency, opened_at=case.opened_at, household=household,
        members=listed(known.members.values()), issues=listed(known.issues.values()),
        consents=listed(known.consents.values()), referrals=listed(known.referrals.values()),
        meetings=listed(known.meetings.values()), plan=dict(known.plan) if known.plan is not None else None,
        withheld_entries=len(decisions) - len(visible),
        bases=sorted({d.basis for d in decisions if d.basis is not None}),
    )
