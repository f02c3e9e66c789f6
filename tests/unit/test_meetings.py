"""Meetings as sittings of a ward's bodies, one part per statutory kind: who may hold them, what a case's
record of a sitting keeps, and whom each kind lets read what (through the application, in memory)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from domain.access import decide_case
from domain.actor import Actor
from domain.application import Tsunagu
from domain.case import Case
from domain.commands import (
    AddMember,
    CloseCase,
    ExternalMember,
    GrantConsent,
    HoldMultiLayeredMeeting,
    HoldSitting,
    HoldSupportMeeting,
    MeetingDecision,
    MeetingPart,
    OpenCase,
    Participant,
    RecordConsultation,
    RecordDecision,
    hold_meeting,
)
from domain.errors import DomainError, InvalidCommand, NotFound, RuleViolation
from domain.meeting_kinds import MEETING_KINDS, UNCONSENTED_KINDS
from domain.registry import Registry
from domain.vocabulary import (
    Basis,
    ClosureReason,
    ConsentMethod,
    DecisionKind,
    ExternalRole,
    Field,
    InformationCategory,
    MeetingKind,
)
from tests.conftest import Clock
from tests.support import write_refusals

HEALTH, BASIC, FINANCE = InformationCategory.HEALTH, InformationCategory.BASIC, InformationCategory.FINANCE
BODIES = [
    {"id": "shiba-care", "name_ja": "芝地区地域ケア会議", "name_en": "Shiba community care meeting",
     "kinds": ["community_care"], "office": "elderly-shiba", "members": ["elderly-shiba", "health-center"]},
    {"id": "ota-style", "name_ja": "重層的支援会議", "name_en": "Multi-layered support meeting",
     "kinds": ["multi_layered", "support"], "office": "coordination"},
    {"id": "bukai", "name_ja": "福祉包括化推進部会", "name_en": "Welfare integration subcommittee",
     "kinds": ["support"], "office": "coordination"},
    {"id": "kakei", "name_ja": "生活困窮者支援会議", "name_en": "Support meeting for needy persons",
     "kinds": ["poverty_support"], "office": "coordination", "members": ["livelihood"]},
]
CARE_OFFICE = "sato-mika"
"""A coordinator of the 地域包括支援センター that runs the 地域ケア会議 (added to the demo ward for these tests)."""


def ward_with_bodies(registry: Registry) -> Registry:
    """The demo ward with a 地域ケア会議 run by a 地域包括支援センター, an Ota-style body with both functions and a
    Toshima-style 部会 that discusses several cases per sitting."""
    data = registry.model_dump(mode="json")
    data["staff"] = [*data["staff"], {"id": CARE_OFFICE, "name": "佐藤 美香", "name_kana": "さとう みか",
                                      "agency": "elderly-shiba", "roles": ["coordinator"]}]
    data["meeting_bodies"] = BODIES
    return Registry.model_validate(data)


@pytest.fixture
def bodies_registry(registry: Registry) -> Registry:
    return ward_with_bodies(registry)


@pytest.fixture
def app(bodies_registry: Registry, clock: Clock) -> Iterator[Tsunagu]:
    tsunagu = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=bodies_registry, clock=clock)
    yield tsunagu
    tsunagu.close()


def actor(app: Tsunagu, staff_id: str) -> Actor:
    return app.registry.staff_member(staff_id).as_actor()


def open_household(app: Tsunagu, name: str = "佐藤家") -> tuple[UUID, str]:
    """A case with one member and a consultation about their health (entries 1–3)."""
    elderly = actor(app, "suzuki-kenta")
    case_id = UUID(app.execute(elderly, OpenCase(household_name=name, household_name_kana="さとうけ",
                                                 district="shiba", summary="相談")).case_id)
    member = app.execute(elderly, AddMember(case_id=case_id, name=f"{name} 一郎", name_kana="いちろう",
                                            birth_date=date(1944, 5, 1), relationship="本人")).created_id
    assert member is not None
    app.execute(elderly, RecordConsultation(case_id=case_id, field=Field.ELDERLY, category=HEALTH, channel="来所",
                                            summary="通院をやめている", subjects=(member,)))
    return case_id, member


def seat(staff_id: str, agency: str) -> Participant:
    return Participant(agency=agency, staff=staff_id, pledged=True)


def unconsented_part(kind: MeetingKind, member: str, *seats: Participant, until: date | None = None,
                     **extra: Any) -> MeetingPart:
    return MeetingPart(kind=kind, purpose="見守り体制の検討", participants=seats, tabled_subjects=(member,),
                       tabled_categories=(HEALTH,), until=until, **extra)


def care_meeting(case_id: UUID, member: str, held_on: date, **extra: Any) -> HoldSitting:
    return HoldSitting(case_id=case_id, body_id="shiba-care", held_on=held_on, start_time=time(14, 0),
                       place="芝地区総合支所 会議室", next_on=held_on + timedelta(days=30), parts=(unconsented_part(
                           MeetingKind.COMMUNITY_CARE, member, seat(CARE_OFFICE, "elderly-shiba"),
                           seat("ishikawa-mayumi", "health-center"), **extra),))


def case(app: Tsunagu, case_id: UUID) -> Case:
    return app.repository.get(case_id)


def shown(app: Tsunagu, staff_id: str, case_id: UUID) -> dict[int, tuple[Basis, str | None]]:
    return {d.seq: (d.basis, d.ground) for d in decide_case(actor(app, staff_id), case(app, case_id), app.clock())
            if d.basis is not None}


# ----- the kinds, as data ---------------------------------------------------------------------

def test_every_kind_names_its_law_and_article_and_only_the_multi_layered_meeting_needs_consent() -> None:
    assert set(MEETING_KINDS) == set(MeetingKind)
    assert {k.value for k in UNCONSENTED_KINDS} == {"support", "community_care", "child_protection",
                                                    "poverty_support", "public_assistance"}
    articles = {k.value: (s.law_ja, s.article_ja) for k, s in MEETING_KINDS.items() if not s.needs_consent}
    assert articles == {"support": ("社会福祉法", "第106条の6"), "community_care": ("介護保険法", "第115条の48"),
                        "child_protection": ("児童福祉法", "第25条の2"),
                        "poverty_support": ("生活困窮者自立支援法", "第9条"),
                        "public_assistance": ("生活保護法", "第27条の3")}
    assert all(s.confidentiality_ja and s.covers_ja and s.covers_en for s in MEETING_KINDS.values())


# ----- sittings -----------------------------------------------------------------------------

def test_three_cases_discussed_at_one_sitting_each_keep_their_own_record_of_the_same_sitting(app) -> None:
    office = actor(app, "tanaka-yui")
    records = []
    for name in ("佐藤家", "鈴木家", "高橋家"):
        case_id, member = open_household(app, name)
        app.execute(office, HoldSitting(case_id=case_id, body_id="bukai", held_on=date(2026, 6, 1),
                                        start_time=time(10, 0), place="区役所 4階", next_on=date(2026, 7, 6),
                                        parts=(unconsented_part(
                                            MeetingKind.SUPPORT, member, seat("tanaka-yui", "coordination"),
                                            seat("suzuki-kenta", "elderly-shiba"), until=date(2026, 7, 1),
                                            minutes=f"{name}の状況を共有"),)))
        [meeting] = case(app, case_id).meetings.values()
        records.append(meeting)
    assert {m["sitting_id"] for m in records} == {"bukai:2026-06-01T10:00"}
    assert [m["minutes"] for m in records] == ["佐藤家の状況を共有", "鈴木家の状況を共有", "高橋家の状況を共有"]
    assert {(m["body_id"], m["start_time"], m["place"], m["next_on"]) for m in records} == {
        ("bukai", "10:00", "区役所 4階", date(2026, 7, 6))}


def test_an_ota_sitting_records_its_consented_part_and_its_106_6_part_as_one_sitting(app) -> None:
    case_id, member = open_household(app)
    office = actor(app, "tanaka-yui")
    app.execute(actor(app, "suzuki-kenta"), GrantConsent(
        case_id=case_id, member_id=member, agencies=("coordination", "elderly-shiba"), categories=(BASIC,),
        purpose="支援プランの作成", method=ConsentMethod.WRITTEN, document_ref="同意書1",
        valid_until=date(2027, 3, 31)))
    team = MeetingPart(kind=MeetingKind.MULTI_LAYERED, purpose="チームづくり（支援プランの作成）",
                       participants=(seat("tanaka-yui", "coordination"), seat("suzuki-kenta", "elderly-shiba")))
    outreach = unconsented_part(MeetingKind.SUPPORT, member, seat("tanaka-yui", "coordination"),
                                seat("takahashi-aoi", "hikikomori"), until=date(2026, 7, 1),
                                decisions=(MeetingDecision(DecisionKind.OUTREACH, "訪問を続ける"),))
    result = app.execute(office, HoldSitting(case_id=case_id, body_id="ota-style", held_on=date(2026, 6, 1),
                                             parts=(team, outreach)))
    parts = case(app, case_id).meetings
    assert result.created_id == ",".join(parts)
    assert {m["sitting_id"] for m in parts.values()} == {"ota-style:2026-06-01"}
    assert sorted(m["kind"] for m in parts.values()) == ["multi_layered", "support"]
    consented, unconsented = (next(m for m in parts.values() if m["kind"] == k) for k in ("multi_layered", "support"))
    assert consented["until"] is None and unconsented["until"] == date(2026, 7, 1)
    # The hikikomori desk sat only in the 106-6 part: it reads what that part tabled, on that part.
    assert shown(app, "takahashi-aoi", case_id)[3] == (Basis.SUPPORT_MEETING, unconsented["meeting_id"])


def test_a_part_of_each_kind_is_recorded_once_per_sitting_and_case(app) -> None:
    case_id, member = open_household(app)
    sitting = dict(case_id=case_id, body_id="bukai", held_on=date(2026, 6, 1), next_on=date(2026, 6, 29))
    part = unconsented_part(MeetingKind.SUPPORT, member, seat("tanaka-yui", "coordination"))
    app.execute(actor(app, "tanaka-yui"), HoldSitting(**sitting, parts=(part,)))
    assert case(app, case_id).meetings.popitem()[1]["until"] == date(2026, 6, 29)  # the next sitting, by default
    with pytest.raises(RuleViolation):
        app.execute(actor(app, "tanaka-yui"), HoldSitting(**sitting, parts=(part,)))


def test_a_statutory_kind_other_than_the_two_is_a_sitting_of_a_body_that_holds_it(app) -> None:
    case_id, member = open_household(app)
    values = dict(case_id=case_id, held_on=date(2026, 6, 1), purpose="検討",
                  participants=(seat(CARE_OFFICE, "elderly-shiba"),), tabled_subjects=(member,),
                  tabled_categories=(HEALTH,), until=date(2026, 6, 30))
    with pytest.raises(InvalidCommand, match="care"):
        app.execute(actor(app, CARE_OFFICE), hold_meeting(MeetingKind.COMMUNITY_CARE, **values))
    with pytest.raises(InvalidCommand, match="bukai"):
        app.execute(actor(app, "tanaka-yui"), hold_meeting(MeetingKind.COMMUNITY_CARE, body_id="bukai", **values))
    with pytest.raises(NotFound):
        app.execute(actor(app, CARE_OFFICE), hold_meeting(MeetingKind.COMMUNITY_CARE, body_id="nowhere", **values))
    app.execute(actor(app, CARE_OFFICE), hold_meeting(MeetingKind.COMMUNITY_CARE, body_id="shiba-care", **values))
    assert [m["kind"] for m in case(app, case_id).meetings.values()] == ["community_care"]


def test_only_the_body_s_office_convenes_it_not_the_ward_s_support_meeting_office(app) -> None:
    case_id, member = open_household(app)
    with pytest.raises(DomainError):
        app.execute(actor(app, "tanaka-yui"), care_meeting(case_id, member, date(2026, 6, 1)))
    assert write_refusals(app)[-1].refused_by == "support_meeting_office"
    with pytest.raises(DomainError):  # a caseworker of the office is not its coordinator
        app.execute(actor(app, "suzuki-kenta"), care_meeting(case_id, member, date(2026, 6, 1)))
    assert not case(app, case_id).meetings


def test_an_external_member_s_pledge_is_recorded_and_the_auditor_sees_who_was_present(app) -> None:
    case_id, member = open_household(app)
    welfare_commissioner = ExternalMember(name="山田 太郎", organisation="芝地区民生委員協議会", pledged=True,
                                          role=ExternalRole.WELFARE_COMMISSIONER)
    app.execute(actor(app, CARE_OFFICE), care_meeting(case_id, member, date(2026, 6, 1),
                                                       external_members=(welfare_commissioner,)))
    view = app.read_case(actor(app, "watanabe-makoto"), case_id)
    [meeting] = view.meetings
    assert meeting["external_members"] == [{"name": "山田 太郎", "organisation": "芝地区民生委員協議会",
                                            "role": "welfare_commissioner", "pledged": True}]
    assert [p["staff"] for p in meeting["participants"]] == [CARE_OFFICE, "ishikawa-mayumi"]
    assert view.bases == [Basis.AUDIT]


@pytest.mark.parametrize("command", ["care", "multi_layered"])
def test_an_external_member_who_did_not_pledge_is_refused_at_any_kind_of_meeting(app, command) -> None:
    case_id, member = open_household(app)
    stranger = ExternalMember(name="山田 太郎", organisation="地域住民", role=ExternalRole.RESIDENT)
    app.execute(actor(app, "suzuki-kenta"), GrantConsent(
        case_id=case_id, member_id=member, agencies=("elderly-shiba",), categories=(BASIC,), purpose="支援",
        method=ConsentMethod.WRITTEN, document_ref="同意書1", valid_until=date(2027, 3, 31)))
    if command == "care":
        held = care_meeting(case_id, member, date(2026, 6, 1), external_members=(stranger,))
        issuer = CARE_OFFICE
    else:
        held = HoldMultiLayeredMeeting(case_id=case_id, held_on=date(2026, 6, 1), purpose="プラン",
                                       participants=(seat("suzuki-kenta", "elderly-shiba"),),
                                       external_members=(stranger,))
        issuer = "suzuki-kenta"
    with pytest.raises(InvalidCommand, match="山田 太郎"):
        app.execute(actor(app, issuer), held)


# ----- what a 地域ケア会議 lets whom read -----------------------------------------------------

def test_a_community_care_meeting_read_is_unconsented_bounded_to_its_table_and_flagged(app, clock) -> None:
    case_id, member = open_household(app)
    elderly = actor(app, "suzuki-kenta")
    app.execute(elderly, RecordConsultation(case_id=case_id, field=Field.ELDERLY, category=FINANCE, channel="来所",
                                            summary="年金の管理", subjects=(member,)))  # entry 4: not tabled
    meeting_id = app.execute(actor(app, CARE_OFFICE), care_meeting(case_id, member, date(2026, 6, 1))).created_id
    app.execute(elderly, RecordConsultation(case_id=case_id, field=Field.ELDERLY, category=HEALTH, channel="来所",
                                            summary="受診を再開", subjects=(member,)))  # entry 6: after the sitting
    assert shown(app, "ishikawa-mayumi", case_id) == {3: (Basis.SUPPORT_MEETING, meeting_id),
                                                      5: (Basis.SUPPORT_MEETING, meeting_id)}
    view = app.read_case(actor(app, "ishikawa-mayumi"), case_id)
    record = app.access_record(UUID(view.access_record_id))
    assert record.unconsented and record.bases == [Basis.SUPPORT_MEETING]
    clock.advance(days=31)  # past its stated end (the next sitting)
    assert shown(app, "ishikawa-mayumi", case_id) == {}


def test_closing_the_case_ends_a_community_care_meeting_s_basis(app, clock) -> None:
    case_id, member = open_household(app)
    app.execute(actor(app, CARE_OFFICE), care_meeting(case_id, member, date(2026, 6, 1)))
    assert shown(app, "ishikawa-mayumi", case_id)
    clock.advance(hours=1)
    app.execute(actor(app, "suzuki-kenta"), CloseCase(case_id=case_id, evaluation="見守り体制が整った", outcome="終結",
                                                             reason=ClosureReason.NO_NEED))
    assert shown(app, "ishikawa-mayumi", case_id) == {}
    with pytest.raises(NotFound):
        app.read_case(actor(app, "ishikawa-mayumi"), case_id)


def test_an_agency_that_did_not_sit_in_the_meeting_still_reads_nothing(app) -> None:
    case_id, member = open_household(app)
    app.execute(actor(app, CARE_OFFICE), care_meeting(case_id, member, date(2026, 6, 1)))
    assert shown(app, "takahashi-aoi", case_id) == {}
    with pytest.raises(NotFound):
        app.read_case(actor(app, "takahashi-aoi"), case_id)


def test_a_support_meeting_of_no_body_is_still_a_sitting_of_its_own(app) -> None:
    case_id, member = open_household(app)
    meeting_id = app.execute(actor(app, "tanaka-yui"), HoldSupportMeeting(
        case_id=case_id, held_on=date(2026, 6, 1), purpose="共有", participants=(seat("tanaka-yui", "coordination"),),
        tabled_subjects=(member,), tabled_categories=(HEALTH,), until=date(2026, 6, 30))).created_id
    meeting = case(app, case_id).meetings[meeting_id]
    assert meeting["body_id"] is None and meeting["sitting_id"] not in ("", meeting_id)


GOLDEN = Path(__file__).parent / "golden" / "stored-v1" / "Case_MeetingHeld.json"


def test_a_meeting_stored_before_sittings_is_a_sitting_of_its_own_with_its_members_as_others(registry) -> None:
    stored = json.loads(GOLDEN.read_text(encoding="utf-8"))
    app = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=registry)
    event: Any = app.mapper.to_domain_event(StoredEvent(
        originator_id=UUID(stored["originator_id"]), originator_version=stored["originator_version"],
        topic=stored["topic"], state=stored["state"].encode()))
    assert (event.sitting_id, event.body_id, event.minutes, event.next_on) == (event.meeting_id, None, "", None)
    assert all(m["role"] == "other" for m in event.external_members)


def test_a_later_decision_of_a_body_s_meeting_is_recorded_by_that_body_s_office(app) -> None:
    case_id, member = open_household(app)
    meeting_id = app.execute(actor(app, CARE_OFFICE), care_meeting(case_id, member, date(2026, 6, 1))).created_id
    assert meeting_id is not None
    decision = MeetingDecision(DecisionKind.REFER, "ひきこもり窓口へ", "hikikomori", (HEALTH,))
    app.execute(actor(app, "suzuki-kenta"), GrantConsent(  # the coordination office may see the meeting's record
        case_id=case_id, member_id=member, agencies=("coordination",), categories=(InformationCategory.SUPPORT,),
        purpose="支援", method=ConsentMethod.WRITTEN, document_ref="同意書1", valid_until=date(2027, 3, 31)))
    with pytest.raises(DomainError):  # … but the ward's 支援会議 office is not this body's office
        app.execute(actor(app, "tanaka-yui"), RecordDecision(case_id=case_id, meeting_id=meeting_id, decision=decision))
    assert write_refusals(app)[-1].refused_by == "later_support_meeting_decisions_by_office"
    app.execute(actor(app, CARE_OFFICE), RecordDecision(case_id=case_id, meeting_id=meeting_id, decision=decision))
    assert shown(app, "takahashi-aoi", case_id) == {3: (Basis.SUPPORT_MEETING, meeting_id)}  # referred: health only
