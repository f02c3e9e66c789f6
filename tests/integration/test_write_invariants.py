"""Who may write, as invariants over random histories of commands, on both stores.

Each example opens a case and then lets random staff (caseworkers of several agencies, the 支援会議
office's coordinator, a health worker who may break glass, an auditor) issue random commands. After
every command:

1. a refused command wrote nothing on the case (and left at most one recorded refusal: one when its rule
   refused it, none when the case's own rules or its values did);
2. an accepted command on an existing case came from an actor who had a basis on the case just
   before it (``write_basis``), unless it is one of the commands whose rule needs none: a 支援会議 convened
   by the ward's office (or a body's sitting held only without consent, by its office), a break-glass
   request, an auditor's review of one;
3. no break-glass holder without another basis, and no auditor, ever wrote anything else;
4. an accepted sitting of a body (``HoldSitting``) with a part held without consent came from a coordinator
   of that body's office, and one with a consented part from an actor with a basis on the case.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.access import decide_case, write_basis
from domain.application import Tsunagu
from domain.commands import (
    AcceptReferral,
    AddMember,
    CloseCase,
    Command,
    CompleteReferral,
    CorrectEntry,
    CorrectMemberDetails,
    DeclineReferral,
    EndInvolvement,
    GrantConsent,
    HoldSitting,
    HoldSupportMeeting,
    IdentifyIssue,
    MeetingPart,
    NarrowConsent,
    OpenCase,
    Participant,
    RecordConsultation,
    ReopenCase,
    RequestEmergencyAccess,
    RequestReferral,
    ResolveIssue,
    ReviewEmergencyAccess,
    VoidEntry,
    WithdrawConsent,
)
from domain.errors import DomainError
from domain.meeting_kinds import needs_consent
from domain.registry import Registry
from domain.vocabulary import (
    CaseStatus,
    ClosureReason,
    ConsentMethod,
    Field,
    InformationCategory,
    IssueTag,
    MeetingKind,
    Role,
)
from tests.support import write_refusals
from tests.unit.test_meetings import CARE_OFFICE, ward_with_bodies

pytestmark = pytest.mark.integration

STAFF = ("suzuki-kenta", "takahashi-aoi", "inoue-kazuki", "tanaka-yui", "ishikawa-mayumi", "watanabe-makoto")
NEEDS_NO_BASIS = (HoldSupportMeeting, RequestEmergencyAccess, ReviewEmergencyAccess)
CATEGORIES = (InformationCategory.BASIC, InformationCategory.CONSULTATION, InformationCategory.HEALTH)

step = st.tuples(st.sampled_from(STAFF), st.integers(0, 11), st.integers(0, 5), st.integers(0, 5))


@pytest.fixture(scope="module")
def registry(registry: Registry) -> Registry:  # the demo ward, with meeting bodies of several statutory kinds
    return ward_with_bodies(registry)


def sitting_for(a: int, b: int, case_id: UUID, members: list[str]) -> HoldSitting:
    """A sitting of one of the ward's bodies: a 地域ケア会議 (its office is a 地域包括支援センター), a 生活困窮
    支援会議, or an Ota sitting with a 106-6 part (and a consented part)."""
    tabled = dict(tabled_subjects=tuple(members[: 1 + a % 3]), tabled_categories=CATEGORIES[: 1 + b % 3])
    seats = (Participant("coordination", "tanaka-yui", True), Participant("livelihood", "inoue-kazuki", True))
    held = dict(case_id=case_id, held_on=date(2026, 6, 1), next_on=date(2026, 6, 1) + timedelta(days=30 * (1 + a % 3)))
    if b % 3 == 0:
        care = MeetingPart(kind=MeetingKind.COMMUNITY_CARE, purpose="個別ケース検討", **tabled,
                           participants=(Participant("elderly-shiba", CARE_OFFICE, True),))
        return HoldSitting(body_id="shiba-care", parts=(care,), **held)
    if b % 3 == 1:
        return HoldSitting(body_id="kakei", parts=(MeetingPart(kind=MeetingKind.POVERTY_SUPPORT, purpose="支援調整",
                                                               participants=seats, **tabled),), **held)
    outreach = MeetingPart(kind=MeetingKind.SUPPORT, purpose="アウトリーチ支援等調整", participants=seats, **tabled)
    team = MeetingPart(kind=MeetingKind.MULTI_LAYERED, purpose="チームづくり", participants=seats[:1])
    return HoldSitting(body_id="ota-style", parts=(team, outreach) if a % 2 else (outreach,), **held)


def needs_no_basis(command: Command) -> bool:
    """The commands whose rule needs no basis on the case: a meeting held without consent only, convened by its
    office; a break-glass request; an auditor's review of one."""
    if isinstance(command, HoldSitting):
        return not any(needs_consent(part.kind) for part in command.parts)
    return isinstance(command, NEEDS_NO_BASIS)


def check_convened_by_office(actor: Any, command: Command, basis: Any, registry: Registry) -> None:
    """4: who held an accepted sitting."""
    if not isinstance(command, HoldSitting):
        return
    if not all(needs_consent(part.kind) for part in command.parts):
        assert command.body_id is not None and actor.has_role(Role.COORDINATOR) \
            and actor.agency_id == registry.meeting_body(command.body_id).office, (
                f"{actor.staff_id} held a sitting of {command.body_id} without consent, not being its office")
    if any(needs_consent(part.kind) for part in command.parts):
        assert basis is not None, f"{actor.staff_id} held a consented part without a basis on the case"


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
    if kind == 11:
        return sitting_for(a, b, case_id, members)
    if kind == 10 and b % 2:  # voiding a mistaken record: any entry, only counted ones by their author succeed
        return VoidEntry(case_id=case_id, seq=1 + a % len(case.entries), reason="誤登録")
    if a % 2:
        return ReviewEmergencyAccess(case_id=case_id, grant_id=pick(grants, b), justified=True, finding="妥当")
    return CloseCase(case_id=case_id, evaluation="評価", outcome="終結", reason=ClosureReason.NO_NEED)


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
        check_convened_by_office(actor, command, basis, registry)
        if not needs_no_basis(command):
            assert basis is not None, f"{staff_id} wrote {type(command).__name__} without a basis on the case"
            assert part_of(before, actor.agency_id), f"{staff_id} wrote {type(command).__name__} on a case " \
                                                     "that names its agency nowhere"
        if actor.is_auditor:
            assert isinstance(command, ReviewEmergencyAccess)
        app.clock.advance(minutes=5)  # type: ignore[attr-defined]


SITTINGS = [("suzuki-kenta", 1, 0, 0), ("takahashi-aoi", 11, 1, 1), ("tanaka-yui", 11, 0, 0),
            ("tanaka-yui", 11, 1, 2), ("tanaka-yui", 11, 0, 2), ("tanaka-yui", 11, 0, 1), ("suzuki-kenta", 11, 1, 2)]
"""Sittings held by the wrong office, by a caseworker, and by the coordination office (an Ota 106-6 part, a 生活困窮
支援会議), and the 地域ケア会議 of an office whose coordinator is not among these staff."""


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(steps=SITTINGS)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_nobody_writes_without_a_basis_and_a_refused_write_writes_nothing(
        tsunagu: Tsunagu, registry: Registry, steps: list[tuple[str, int, int, int]]) -> None:
    check_history(tsunagu, registry, steps)


# ----- closure and 関与終了 ---------------------------------------------------------------------------

WRITES_ON_A_CLOSED_CASE = (ReopenCase, CorrectEntry, VoidEntry, CorrectMemberDetails, WithdrawConsent, NarrowConsent,
                           AcceptReferral, DeclineReferral, CompleteReferral, RequestEmergencyAccess,
                           ReviewEmergencyAccess)
"""What a closed case still accepts: reopening, corrections, the person narrowing their consent, answers to a
referral already made, and break-glass with its review. Everything else waits for the case to reopen."""

closing_step = st.tuples(st.sampled_from(("suzuki-kenta", "suzuki-kenta", *STAFF)), st.integers(0, 13),
                         st.integers(0, 5), st.integers(0, 5))


def closing_command_for(kind: int, a: int, b: int, case_id: UUID, case: Any, registry: Registry) -> Command:
    """The commands of ``command_for``, with closing (on a recorded reason), reopening and 関与終了 more often."""
    if kind == 11:
        return CloseCase(case_id=case_id, evaluation="評価", outcome="終結", reason=ClosureReason.NO_NEED)
    if kind == 12:
        return ReopenCase(case_id=case_id, reason="再相談")
    if kind == 13:
        return EndInvolvement(case_id=case_id, reason="終了")
    return command_for(kind, a, b, case_id, case, registry)


def check_closure_and_involvement(app: Tsunagu, registry: Registry, steps: list[tuple[str, int, int, int]]) -> None:
    actor = registry.staff_member("suzuki-kenta").as_actor()
    case_id = UUID(app.execute(actor, OpenCase(household_name="世帯", household_name_kana="せたい",
                                               district=None, summary="相談")).case_id)
    member = app.execute(actor, AddMember(case_id=case_id, name="本人", name_kana="ほんにん",
                                          birth_date=date(1960, 1, 1), relationship="本人")).created_id
    app.execute(actor, GrantConsent(case_id=case_id, member_id=member, categories=CATEGORIES, purpose="支援",
                                    agencies=("hikikomori", "livelihood", "coordination"),  # the lead: own records
                                    method=ConsentMethod.WRITTEN, document_ref="同意書", valid_until=date(2027, 3, 31)))
    others = {staff_id: registry.staff_member(staff_id).as_actor() for staff_id in STAFF}
    for staff_id, kind, a, b in steps:
        actor = others[staff_id]
        before = app.repository.get(case_id)
        command = closing_command_for(kind, a, b, case_id, before, registry)
        now = app.clock()
        seen = {s: ({d.seq for d in decide_case(o, before, now) if d.granted}, write_basis(o, before, now))
                for s, o in others.items() if o.agency_id != actor.agency_id}
        try:
            app.execute(actor, command)
        except DomainError:
            continue
        after = app.repository.get(case_id)
        if before.status == CaseStatus.CLOSED:
            assert isinstance(command, WRITES_ON_A_CLOSED_CASE), \
                f"a closed case accepted {type(command).__name__}"
        if isinstance(command, EndInvolvement):
            assert after.status == before.status == CaseStatus.OPEN, "ending involvement closed the case"
            for other, (readable, basis) in seen.items():
                now_readable = {d.seq for d in decide_case(others[other], after, now) if d.granted}
                assert readable <= now_readable, f"{staff_id}'s 関与終了 took entries away from {other}"
                assert basis is None or write_basis(others[other], after, now) is not None, \
                    f"{staff_id}'s 関与終了 took {other}'s basis to write away"
        app.clock.advance(minutes=5)  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(closing_step, min_size=1, max_size=14))
def test_a_closed_case_accepts_only_its_allowed_writes_and_ending_involvement_takes_nothing_from_others(
        tsunagu: Tsunagu, registry: Registry, steps: list[tuple[str, int, int, int]]) -> None:
    check_closure_and_involvement(tsunagu, registry, steps)
