"""Who may write, as invariants over random histories of commands, on both stores.

Each example opens a case and then lets random staff (caseworkers of several agencies, the 支援会議
office's coordinator, a health worker who may break glass, an auditor) issue random commands. After
every command:

1. a refused command wrote nothing on the case (and left at most one recorded refusal: one when its rule
   refused it, none when the case's own rules or its values did);
2. an accepted command on an existing case came from an actor who had a basis on the case just
   before it (``write_basis``), unless it is one of the three commands whose rule needs none:
   a 支援会議 convened by the ward's office, a break-glass request, an auditor's review of one;
3. no break-glass holder without another basis, and no auditor, ever wrote anything else.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.access import write_basis
from domain.application import Tsunagu
from domain.commands import (
    AddMember,
    CloseCase,
    Command,
    CorrectMemberDetails,
    EndInvolvement,
    GrantConsent,
    HoldSupportMeeting,
    IdentifyIssue,
    OpenCase,
    Participant,
    RecordConsultation,
    RequestEmergencyAccess,
    RequestReferral,
    ResolveIssue,
    ReviewEmergencyAccess,
    WithdrawConsent,
)
from domain.errors import DomainError
from domain.registry import Registry
from domain.vocabulary import ConsentMethod, Field, InformationCategory, IssueTag
from tests.support import write_refusals

pytestmark = pytest.mark.integration

STAFF = ("suzuki-kenta", "takahashi-aoi", "inoue-kazuki", "tanaka-yui", "ishikawa-mayumi", "watanabe-makoto")
NEEDS_NO_BASIS = (HoldSupportMeeting, RequestEmergencyAccess, ReviewEmergencyAccess)
CATEGORIES = (InformationCategory.BASIC, InformationCategory.CONSULTATION, InformationCategory.HEALTH)

step = st.tuples(st.sampled_from(STAFF), st.integers(0, 10), st.integers(0, 5), st.integers(0, 5))


def command_for(kind: int, a: int, b: int, case_id: UUID, case: Any, registry: Registry) -> Command:
    members, consents = sorted(case.members), sorted(case.consents)
    grants = sorted(case.emergency_grants)
    agencies = ("elderly-shiba", "hikikomori", "livelihood", "coordination", "health-center")
    pick = lambda items, i, default="none": items[i % len(items)] if items else default  # noqa: E731
    subjects = (pick(members, b),) if members and b % 2 else ()  # none: the household
    if kind == 0:
        return RecordConsultation(case_id=case_id, field=Field.GENERAL, category=CATEGORIES[a % 3],
                                  channel="来所", summary="相談", subjects=subjects)
    if kind == 1:
        return AddMember(case_id=case_id, name="家族", name_kana="かぞく", birth_date=date(1950 + a, 1, 1),
                         relationship="家族")
    if kind == 2:
        return GrantConsent(case_id=case_id, member_id=pick(members, a), agencies=(agencies[b % 5],),
                            categories=CATEGORIES[: 1 + a % 3], purpose="支援", method=ConsentMethod.WRITTEN,
                            document_ref="同意書", valid_until=date(2027, 3, 31))
    if kind == 3:
        return WithdrawConsent(case_id=case_id, consent_id=pick(consents, a), reason="本人の申し出")
    if kind == 4:
        return IdentifyIssue(case_id=case_id, tag=(IssueTag.ABUSE, IssueTag.POVERTY)[a % 2])
    if kind == 5:
        return ResolveIssue(case_id=case_id, tag=(IssueTag.ABUSE, IssueTag.POVERTY)[a % 2])
    if kind == 6:
        return CorrectMemberDetails(case_id=case_id, member_id=pick(members, a), corrections={"name": "訂正"},
                                    reason="誤記")
    if kind == 7:
        seats = [Participant("coordination", "tanaka-yui", True),
                 Participant(agencies[b % 5], next(s.id for s in registry.staff if s.agency == agencies[b % 5]), True)]
        return HoldSupportMeeting(case_id=case_id, held_on=date(2026, 6, 1), purpose="情報共有",
                                  participants=tuple(seats), tabled_subjects=tuple(members[: 1 + a % 3]),
                                  tabled_categories=CATEGORIES[: 1 + b % 3],
                                  until=date(2026, 6, 1) + timedelta(days=30 * (1 + a % 3)))
    if kind == 8:
        return RequestEmergencyAccess(case_id=case_id, reason="安否確認のため服薬状況を至急確認する")
    if kind == 9:
        if a % 2:
            return RequestReferral(case_id=case_id, to_agency=agencies[b % 5], categories=(CATEGORIES[a % 3],),
                                   reason="支援のため", subjects=subjects)
        return EndInvolvement(case_id=case_id, reason="終了")
    if a % 2:
        return ReviewEmergencyAccess(case_id=case_id, grant_id=pick(grants, b), justified=True, finding="妥当")
    return CloseCase(case_id=case_id, evaluation="評価", outcome="終結")


def part_of(case: Any, agency: str) -> bool:
    """An independent, generous reading of "part of the case": anything on it names the agency."""
    return (any(e.agency == agency and e.kind not in ("EmergencyAccessGranted", "EmergencyAccessReviewed")
                for e in case.entries)
            or any(agency in c["agencies"] for c in case.consents.values())
            or any(p["agency"] == agency for m in case.meetings.values() for p in m["participants"])
            or any(r["to_agency"] == agency for r in case.referrals.values()))


def check_history(app: Tsunagu, registry: Registry, steps: list[tuple[str, int, int, int]]) -> None:
    actor = registry.staff_member("suzuki-kenta").as_actor()
    case_id = UUID(app.execute(actor, OpenCase(household_name="世帯", household_name_kana="せたい",
                                               district=None, summary="相談")).case_id)
    for staff_id, kind, a, b in steps:
        actor = registry.staff_member(staff_id).as_actor()
        before = app.repository.get(case_id)
        command = command_for(kind, a, b, case_id, before, registry)
        refusals = len(write_refusals(app))
        basis = write_basis(actor, before, app.clock())
        try:
            app.execute(actor, command)
        except DomainError:
            after = app.repository.get(case_id)
            assert after.version == before.version, f"{type(command).__name__} was refused but wrote"
            assert len(write_refusals(app)) - refusals <= 1
            continue
        if not isinstance(command, NEEDS_NO_BASIS):
            assert basis is not None, f"{staff_id} wrote {type(command).__name__} without a basis on the case"
            assert part_of(before, actor.agency_id), f"{staff_id} wrote {type(command).__name__} on a case " \
                                                     "that names its agency nowhere"
        if actor.is_auditor:
            assert isinstance(command, ReviewEmergencyAccess)
        app.clock.advance(minutes=5)  # type: ignore[attr-defined]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_nobody_writes_without_a_basis_and_a_refused_write_writes_nothing(
        tsunagu: Tsunagu, registry: Registry, steps: list[tuple[str, int, int, int]]) -> None:
    check_history(tsunagu, registry, steps)
