"""Who may read, as invariants over random histories of commands, on both stores.

Random staff issue random commands on one household's case (members added, consultations about
some of them, consents given, narrowed and withdrawn, 支援会議 held and ending, referrals — among them
the ones a 支援会議 decided, read on after its sharing ends — break-glass, closure and reopening) while
time passes, by hours or by days. After every command, for every reader:

(a) no event other than a new consent, a new 支援会議 sitting (or a decision recorded for it) or a new
    break-glass grant makes any (reader, entry) pair visible that was not visible just before it;
(b) an entry shown on CONSENT has an active consent *of every member it concerns* covering the
    reader's agency and the entry's category — checked here by brute force over the case's consents;
(c) no value of the case view a reader gets comes from anything but the reader's granted entries;
(d) every entry granted on a consent, a meeting or a grant names its ground, and replaying the log
    (``verify_access_log``) re-derives every recorded basis and ground;
(e) a 支援会議 grants nothing after its stated end, and neither a meeting nor a break-glass grant
    grants anything once the case is closed (reopening does not revive them);
(f) no meeting held without consent — a 支援会議, or a sitting of a ward's body of another statutory kind
    (地域ケア会議, 生活困窮者自立支援法の支援会議, an Ota sitting's 106-6 part) — widens beyond its tabled members ×
    tabled categories × pledged attendees (or the categories its decision referred) × its period.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, time, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.access import decide_case
from domain.actor import Actor
from domain.application import Tsunagu
from domain.audit import verify_access_log
from domain.calendar import local_date
from domain.case import Case
from domain.case.meetings import pledged_agencies
from domain.commands import (
    AddMember,
    CloseCase,
    Command,
    ExternalMember,
    GrantConsent,
    HoldSitting,
    HoldSupportMeeting,
    MeetingDecision,
    MeetingPart,
    NarrowConsent,
    OpenCase,
    Participant,
    RecordConsultation,
    ReopenCase,
    RequestEmergencyAccess,
    RequestReferral,
    WithdrawConsent,
)
from domain.errors import DomainError, NotFound
from domain.meeting_kinds import needs_consent
from domain.registry import Registry
from domain.vocabulary import (
    Basis,
    ClosureReason,
    ConsentGiver,
    ConsentMethod,
    DecisionKind,
    Field,
    InformationCategory,
    MeetingKind,
)
from tests.unit.test_meetings import CARE_OFFICE, ward_with_bodies

pytestmark = pytest.mark.integration

READERS = ("suzuki-kenta", "takahashi-aoi", "inoue-kazuki", "ishikawa-mayumi", "tanaka-yui", "murakami-kaori",
           CARE_OFFICE)
AGENCIES = ("hikikomori", "livelihood", "health-center", "coordination", "child-guidance")
CATEGORIES = (InformationCategory.BASIC, InformationCategory.CONSULTATION, InformationCategory.HEALTH,
              InformationCategory.FAMILY)
WIDENING = (Case.ConsentGranted, Case.MeetingHeld, Case.DecisionRecorded, Case.EmergencyAccessGranted)

step = st.tuples(st.integers(0, 14), st.integers(0, 63), st.integers(0, 63), st.integers(0, 63))


@pytest.fixture(scope="module")
def registry(registry: Registry) -> Registry:  # the demo ward, with meeting bodies of several statutory kinds
    return ward_with_bodies(registry)


def pick(items: list[Any], index: int) -> Any:
    return items[index % len(items)] if items else None


def subset(items: tuple[Any, ...] | list[Any], bits: int) -> tuple[Any, ...]:
    return tuple(item for n, item in enumerate(items) if bits >> n & 1)


def command_for(kind: int, a: int, b: int, c: int, case: Any, case_id: UUID, today: date) -> tuple[str, Command]:
    members = sorted(case.members)
    if kind == 0 or not members:
        birth = date(2016, 4, 1) if a % 3 == 0 else date(1950 + a % 40, 5, 1)
        return "suzuki-kenta", AddMember(case_id=case_id, name=f"世帯員{a}", name_kana="せたいいん", birth_date=birth,
                                         relationship="家族")
    if kind in (1, 2):
        return "suzuki-kenta", RecordConsultation(
            case_id=case_id, field=Field.ELDERLY, category=pick(list(CATEGORIES), a), channel="来所",
            summary=f"相談{b}", subjects=subset(members, b))
    if kind in (3, 4):
        member = pick(members, a)
        child = case.members[member]["birth_date"] > date(2010, 1, 1)
        return "suzuki-kenta", GrantConsent(
            case_id=case_id, member_id=member, agencies=subset(AGENCIES, b) or AGENCIES[:1],
            categories=subset(CATEGORIES, c) or CATEGORIES[:1], purpose="支援のため", method=ConsentMethod.WRITTEN,
            document_ref=f"同意書{a}", valid_until=today + timedelta(days=30 + a),
            given_by=ConsentGiver.PARENT if child else ConsentGiver.SELF, representative="母" if child else "")
    if kind == 5:
        consents = sorted(case.consents)
        if b % 2:
            return "suzuki-kenta", NarrowConsent(case_id=case_id, consent_id=pick(consents, a) or "none",
                                                 agencies=subset(AGENCIES, b), categories=subset(CATEGORIES, c),
                                                 reason="一部撤回")
        return "suzuki-kenta", WithdrawConsent(case_id=case_id, consent_id=pick(consents, a) or "none", reason="撤回")
    if kind in (6, 7):
        seats = [Participant("coordination", "tanaka-yui", True), Participant("elderly-shiba", "suzuki-kenta", True)]
        if b % 2:
            seats.append(Participant("hikikomori", "takahashi-aoi", True))
        decisions = (MeetingDecision(DecisionKind.REFER, "つなぐ", "livelihood", subset(CATEGORIES, c)),) if c % 2 \
            else ()
        return "tanaka-yui", HoldSupportMeeting(
            case_id=case_id, held_on=today, purpose="情報共有", participants=tuple(seats), decisions=decisions,
            tabled_subjects=subset(members, a) or tuple(members[:1]), tabled_categories=subset(CATEGORIES, c)
            or CATEGORIES[:1], until=today + timedelta(days=1 + a % 20))
    if kind in (8, 14):
        decided = [(d["target_agency"], tuple(d["categories"])) for m in case.meetings.values()
                   for d in m["decisions"] if d.get("target_agency") and d.get("categories")]
        if decided and kind == 14:  # the referral a meeting decided (its ground then ends with the meeting)
            agency, categories = pick(decided, a)
            return "suzuki-kenta", RequestReferral(case_id=case_id, to_agency=agency,
                                                   categories=subset(categories, c) or categories[:1],
                                                   reason="会議の決定によるつなぎ")
        return "suzuki-kenta", RequestReferral(case_id=case_id, to_agency=pick(list(AGENCIES), a),
                                               categories=subset(CATEGORIES, c) or CATEGORIES[:1],
                                               reason="つなぎ", subjects=subset(members, b))
    if kind == 9:
        return pick(["ishikawa-mayumi", "murakami-kaori"], a), RequestEmergencyAccess(
            case_id=case_id, reason="安否確認のため服薬状況を至急確認する必要がある")
    if kind == 10:
        return "suzuki-kenta", (CloseCase(case_id=case_id, evaluation="評価", outcome="終結",
                                          reason=ClosureReason.NO_NEED) if a % 2
                                else ReopenCase(case_id=case_id, reason="再相談"))
    if kind in (12, 13):
        return sitting_for(kind, a, b, c, members, case_id, today)
    return "", RecordConsultation(case_id=case_id, field=Field.GENERAL, category=InformationCategory.BASIC,
                                  channel="", summary="")  # kind 11: time passes (not issued)


def sitting_for(kind: int, a: int, b: int, c: int, members: list[str], case_id: UUID,
                today: date) -> tuple[str, Command]:
    """A sitting of one of the ward's bodies: a 地域ケア会議 (its 地域包括 office convenes it), or one the
    coordination office convenes — an Ota sitting with a consented and a 106-6 part, or a 生活困窮 支援会議."""
    tabled = dict(tabled_subjects=subset(members, a) or tuple(members[:1]),
                  tabled_categories=subset(CATEGORIES, c) or CATEGORIES[:1])
    refer = (MeetingDecision(DecisionKind.REFER, "つなぐ", "livelihood", tabled["tabled_categories"][:1]),) \
        if c % 2 else ()  # of what it tabled, the referred agency gets only the category decided
    held = dict(case_id=case_id, held_on=today, start_time=time(9 + a % 8, 0), place="会議室",
                next_on=today + timedelta(days=1 + a % 20))
    if kind == 12:
        seats = [Participant("elderly-shiba", CARE_OFFICE, True), Participant("health-center", "ishikawa-mayumi", True)]
        if b % 2:
            seats.append(Participant("child-guidance", "murakami-kaori", True))
        part = MeetingPart(kind=MeetingKind.COMMUNITY_CARE, purpose="個別ケースの検討", participants=tuple(seats),
                           decisions=refer, external_members=(ExternalMember("民生委員", "芝地区", True),), **tabled)
        return CARE_OFFICE, HoldSitting(body_id="shiba-care", parts=(part,), **held)
    seats = [Participant("coordination", "tanaka-yui", True), Participant("hikikomori", "takahashi-aoi", True)]
    if b % 3 == 0:
        part = MeetingPart(kind=MeetingKind.POVERTY_SUPPORT, purpose="生活困窮の支援調整", decisions=refer,
                           participants=(*seats, Participant("livelihood", "inoue-kazuki", True)), **tabled)
        return "tanaka-yui", HoldSitting(body_id="kakei", parts=(part,), **held)
    outreach = MeetingPart(kind=MeetingKind.SUPPORT, purpose="アウトリーチ支援等調整", participants=tuple(seats),
                           decisions=refer, **tabled)
    team = MeetingPart(kind=MeetingKind.MULTI_LAYERED, purpose="チームづくり",
                       participants=(Participant("coordination", "tanaka-yui"),))
    return "tanaka-yui", HoldSitting(body_id="ota-style", parts=(team, outreach) if b % 3 == 1 else (outreach,),
                                     **held)


def check_unconsented_bounds(case: Case, actor: Actor, at: Any) -> None:
    """(f), by brute force: an entry shown on a meeting held without consent is one that meeting tabled (or
    its own record), to an agency that sat in it under a pledge (or that its decision referred, for the
    categories decided), while it is current."""
    closed = case.closed_at is not None and case.closed_at <= at
    for decision in decide_case(actor, case, at):
        if decision.basis != Basis.SUPPORT_MEETING:
            continue
        meeting, entry = case.meetings[decision.ground], case.entries[decision.seq - 1]
        assert not needs_consent(meeting["kind"]), f"a {meeting['kind']} granted without consent"
        assert meeting["held_at"] <= at and local_date(at) <= meeting["until"] and not closed, (
            f"a {meeting['kind']} granted entry {entry.seq} outside its period")
        referral = case.referrals.get(entry.referral_id) if entry.referral_id else None
        if referral is not None and referral["to_agency"] == actor.agency_id \
                and referral["authorised_by"] == f"support_meeting:{decision.ground}":
            continue  # a referral's own entries, shown to the agency the meeting referred
        pledged = actor.agency_id in pledged_agencies(meeting["participants"])
        referred = {cat for d in meeting["decisions"] if d.get("target_agency") == actor.agency_id
                    for cat in d.get("categories", ())}
        assert pledged or referred, f"a {meeting['kind']} granted {actor.agency_id}, which neither sat nor was referred"
        if pledged and entry.meeting_id == meeting["meeting_id"]:
            continue  # the attendees' own meeting record and its decisions
        categories = set(meeting["tabled_categories"]) if pledged else set(meeting["tabled_categories"]) & referred
        assert entry.seq <= meeting["seq"] and entry.category in categories, (
            f"a {meeting['kind']} granted entry {entry.seq} it did not table")
        assert set(entry.subjects or case.members) <= set(meeting["tabled_subjects"] or case.members), (
            f"a {meeting['kind']} granted entry {entry.seq} about members it did not table")


def visible(readers: dict[str, Actor], case: Case, at: Any) -> dict[str, set[int]]:
    return {staff: {d.seq for d in decide_case(actor, case, at) if d.granted} for staff, actor in readers.items()}


def strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple | set):
        return set().union(*(strings(v) for v in value)) if value else set()
    return set()


def check_consent_basis(case: Case, actor: Actor, at: Any) -> None:
    """(b), by brute force: every member the entry concerns has a consent of their own that covers it."""
    for decision in decide_case(actor, case, at):
        if decision.basis != Basis.CONSENT:
            continue
        entry = case.entries[decision.seq - 1]
        if entry.referral_id is not None and entry.referral_id in case.referrals \
                and case.referrals[entry.referral_id]["to_agency"] == actor.agency_id:
            continue  # a referral's own entries, shown to the agency it was made to on its consents
        concerned = entry.subjects or tuple(case.members)
        assert concerned, "a consent cannot open an entry of a household with no members"
        for member in concerned:
            assert any(c["member_id"] == member and actor.agency_id in c["agencies"]
                       and entry.category in c["categories"] and c["granted_at"] <= at
                       and (c["withdrawn_at"] is None or c["withdrawn_at"] > at)
                       and c["valid_until"] >= local_date(at) for c in case.consents.values()), (
                f"entry {entry.seq} shown to {actor.staff_id} on CONSENT without {member}'s consent")


def check_view(app: Tsunagu, actor: Actor, case_id: UUID, case: Case) -> None:
    """(c): every text of the view the reader gets is text of an entry granted to them."""
    try:
        view = app.read_case(actor, case_id)
    except NotFound:
        return
    record = app.access_record(UUID(view.access_record_id))
    granted = {seq for seqs in record.shown.values() for seq in seqs}
    events = list(app.events.get(case_id, lte=view.version))
    allowed = set().union(*(strings(vars(e)) for e in events if e.originator_version in granted))
    shown = strings({k: v for k, v in asdict(view).items()
                     if k in ("household", "members", "issues", "consents", "referrals", "meetings", "plan")})
    derived = {"requested", "accepted", "declined", "completed", "revoked"}  # a referral's status, from its events
    leaked = shown - allowed - derived
    assert not leaked, f"the view for {actor.staff_id} holds {sorted(leaked)[:3]} from entries it may not see"


def check_history(app: Tsunagu, registry: Registry, steps: list[tuple[int, int, int, int]]) -> None:
    readers = {staff: registry.staff_member(staff).as_actor() for staff in READERS}
    opener = readers["suzuki-kenta"]
    case_id = UUID(app.execute(opener, OpenCase(household_name="世帯", household_name_kana="せたい", district=None,
                                                summary="相談")).case_id)
    for kind, a, b, c in steps:
        # time passes: hours between most commands, days when nothing is issued (kind 11), so that consents,
        # meetings and what they decided run out while the history goes on
        app.clock.advance(hours=1 + a % 48 + (24 * (b % 30) if kind == 11 else 0))  # type: ignore[attr-defined]
        now = app.clock()
        before = app.repository.get(case_id)
        staff, command = command_for(kind, a, b, c, before, case_id, local_date(now))
        if not staff:
            continue
        try:
            app.execute(registry.staff_member(staff).as_actor(), command)
        except DomainError:
            continue
        after = app.repository.get(case_id)
        new_events = list(app.events.get(case_id, gt=before.version))
        was, now_visible = visible(readers, before, now), visible(readers, after, now)
        if not any(isinstance(e, WIDENING) for e in new_events):
            for reader in readers:
                widened = {seq for seq in now_visible[reader] - was[reader] if seq <= before.version}
                assert not widened, (f"{type(command).__name__} made entries {sorted(widened)} visible to "
                                     f"{reader} (only a consent, a 支援会議 sitting or a grant may)")
        closures = [e for e in app.events.get(case_id) if isinstance(e, Case.CaseClosed)]
        for actor in readers.values():
            check_consent_basis(after, actor, now)
            check_unconsented_bounds(after, actor, now)
            for decision in decide_case(actor, after, now):
                if decision.basis in (Basis.CONSENT, Basis.SUPPORT_MEETING, Basis.EMERGENCY):
                    assert decision.ground, f"entry {decision.seq} granted on {decision.basis} with no ground"
                if decision.basis == Basis.SUPPORT_MEETING:
                    meeting = after.meetings[decision.ground]
                    assert local_date(now) <= meeting["until"], "a 支援会議 granted a read after its stated end"
                    assert not any(c.occurred_at >= meeting["held_at"] for c in closures), (
                        "a 支援会議 granted a read after the case was closed")
                if decision.basis == Basis.EMERGENCY:
                    grant = after.emergency_grants[decision.ground]
                    assert not any(c.occurred_at >= grant["granted_at"] for c in closures), (
                        "a break-glass grant granted a read after the case was closed")
        check_view(app, pick(list(readers.values()), a), case_id, after)
        app.read_timeline(readers["tanaka-yui"], case_id) if now_visible["tanaka-yui"] else None
    report = verify_access_log(app)
    assert report.ok, report.findings[:2]


WITHDRAWAL_AFTER_MEETING = [(0, 1, 0, 0), (1, 1, 1, 0), (6, 1, 1, 3), (3, 0, 2, 1), (5, 0, 0, 0)]
"""A 支援会議 with the hikikomori desk, a consent for another agency, then its withdrawal (the reported bug:
withdrawing consent once widened the meeting members' access)."""

SITTINGS_OF_EVERY_KIND = [(0, 1, 0, 0), (1, 1, 1, 1), (3, 0, 8, 15), (13, 1, 4, 3), (12, 2, 1, 5), (13, 3, 0, 7),
                          (1, 3, 1, 2), (11, 40, 0, 0), (10, 1, 0, 0), (11, 47, 0, 0)]
"""A consent for the coordination office, an Ota sitting (a consented and a 106-6 part, deciding a referral), a
地域ケア会議 with the child guidance centre, a 生活困窮 支援会議, a later consultation, time, the case's closure."""

REFERRAL_OUTLIVING_ITS_MEETING = [(0, 1, 0, 0), (1, 1, 1, 0), (6, 1, 1, 3), (14, 0, 1, 3), (11, 0, 10, 0),
                                  (1, 1, 1, 0)]
"""A 支援会議 deciding to refer to the livelihood office, the referral it decided (no consent), ten days, and a
consultation: the livelihood office must no longer read the referral once the meeting's sharing has ended."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(steps=WITHDRAWAL_AFTER_MEETING)
@example(steps=SITTINGS_OF_EVERY_KIND)
@example(steps=REFERRAL_OUTLIVING_ITS_MEETING)
@given(steps=st.lists(step, min_size=3, max_size=24))
def test_reading_never_widens_without_consent_meeting_or_grant_and_every_basis_has_its_ground(
        tsunagu: Tsunagu, registry: Registry, steps: list[tuple[int, int, int, int]]) -> None:
    check_history(tsunagu, registry, steps)
