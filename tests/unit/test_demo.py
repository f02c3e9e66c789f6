"""The demo year: written through the domain, deterministic, and showing what it promises."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.access import decide_case
from domain.application import Tsunagu
from domain.calendar import JST, age_on, local_date
from domain.case import Case, CaseEvent
from domain.registry import Registry
from domain.vocabulary import Basis, ConsentGiver, ConsentMethod, IssueTag, MeetingKind, Role
from infra.demo import SHOWCASE_COORDINATOR, SHOWCASE_HIKIKOMORI, DemoSummary, seed_demo
from tests.support import write_refusals

WARD = Path(__file__).resolve().parents[2] / "infra" / "wards" / "minato.json"
HOUSEHOLDS = 30
UNTIL = datetime(2026, 11, 1, 18, 0, tzinfo=JST)
FISCAL_YEAR_START = datetime(2026, 4, 1, tzinfo=JST)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=JST)
"""The application's clock. Write rules are checked as of it and the demo's consents last a year, so the
year is written as of shortly after UNTIL, whatever day the tests run."""


@pytest.fixture(scope="module")
def registry() -> Registry:
    with WARD.open(encoding="utf-8") as file:
        return Registry.model_validate(json.load(file))


def sqlite_app(path: Path, registry: Registry, clock: Callable[[], datetime] = lambda: NOW) -> Tsunagu:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    return Tsunagu(env, registry=registry, clock=clock)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> tuple[Tsunagu, DemoSummary, list[int]]:
    app = sqlite_app(tmp_path_factory.mktemp("demo") / "t.db", registry)
    reported: list[int] = []
    summary = seed_demo(app, households=HOUSEHOLDS, until=UNTIL, progress=reported.append)
    return app, summary, reported


def case_events(app: Tsunagu) -> list[tuple[str, CaseEvent]]:
    """Every case event in the store, in log order, with its topic."""
    found = []
    for notification in app.recorder.select_notifications(start=1, limit=1_000_000):
        event = app.mapper.to_domain_event(notification)
        if isinstance(event, CaseEvent):
            found.append((notification.topic, event))
    return found


_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])")
_ID_LISTS = re.compile(r'\[("<id\d+>"(?:, "<id\d+>")+)\]')
_ID_JOINS = re.compile(r"<id\d+>(?:\+<id\d+>)+")


def normalised_log(app: Tsunagu) -> list[str]:
    """The log with generated ids (case UUIDs, consent/meeting/... ids) numbered by first appearance.

    The domain draws those ids from uuid4, so two runs can only agree up to renaming them (and up to the
    order of a set of ids, which is stored sorted by id).
    """
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<id{len(names)}>")

    def in_order(match: re.Match[str]) -> str:  # sets of ids (an entry's subjects) are stored sorted by id
        return "[" + ", ".join(sorted(match.group(1).split(", "), key=lambda i: int(i[4:-2]))) + "]"

    def joined_in_order(match: re.Match[str]) -> str:  # so are the consents a referral rests on ("id+id")
        return "+".join(sorted(match.group(0).split("+"), key=lambda i: int(i[3:-1])))

    rows = []
    for topic, event in case_events(app):
        row: list[Any] = [topic, str(event.originator_id), event.originator_version, event.by_staff,
                          event.by_agency, event.occurred_at.isoformat(), event.content()]
        renamed = _IDS.sub(rename, json.dumps(row, ensure_ascii=False, sort_keys=True, default=str))
        rows.append(_ID_JOINS.sub(joined_in_order, _ID_LISTS.sub(in_order, renamed)))
    return rows


def topics(app: Tsunagu) -> list[str]:
    return [topic.rsplit(".", 1)[-1] for topic, _ in case_events(app)]


def test_a_seeded_year_holds_both_kinds_of_meeting(seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, summary, _ = seeded
    assert summary.meetings[MeetingKind.SUPPORT.value] > 0
    assert summary.meetings[MeetingKind.MULTI_LAYERED.value] > 0
    kinds = {event.meeting_kind for _, event in case_events(app) if event.kind == "MeetingHeld"}
    assert kinds == {MeetingKind.SUPPORT.value, MeetingKind.MULTI_LAYERED.value}


def test_every_support_meeting_member_pledged_confidentiality(seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, _, _ = seeded
    support = [e for _, e in case_events(app) if e.kind == "MeetingHeld" and e.meeting_kind == MeetingKind.SUPPORT]
    assert support
    assert all(p["pledged"] for meeting in support for p in meeting.participants)


def test_consents_are_granted_and_at_least_one_is_withdrawn(seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, summary, _ = seeded
    assert summary.consents_granted > 0
    assert summary.consents_withdrawn >= 1
    kinds = topics(app)
    assert kinds.count("ConsentGranted") == summary.consents_granted
    assert kinds.count("ConsentWithdrawn") == summary.consents_withdrawn


def test_referrals_are_made_and_at_least_one_is_declined_with_an_alternative_or_escalation(
        seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, summary, _ = seeded
    assert summary.referrals["requested"] > 0
    assert summary.referrals["declined"] >= 1
    declines = [e for _, e in case_events(app) if e.kind == "ReferralDeclined"]
    assert len(declines) == summary.referrals["declined"]
    assert all(d.reason.strip() and (d.alternative_agency or d.escalate) for d in declines)


def test_the_summary_counts_the_events_in_the_store(seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, summary, _ = seeded
    events = case_events(app)
    assert summary.households == HOUSEHOLDS
    assert len({e.originator_id for _, e in events}) == HOUSEHOLDS
    assert summary.events == len(events)


def test_progress_is_reported_after_each_household(seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    _, _, reported = seeded
    assert reported == list(range(1, HOUSEHOLDS + 1))


def test_no_event_is_dated_in_the_future_and_each_case_reads_in_order(
        seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, _, _ = seeded
    now = datetime.now(UTC)
    last: dict[UUID, datetime] = {}
    for _, event in case_events(app):
        assert event.occurred_at <= now
        assert event.occurred_at >= FISCAL_YEAR_START
        if event.kind != "EmergencyAccessGranted":  # dated by the application's clock, as break-glass is
            assert event.occurred_at <= UNTIL
        assert event.originator_id not in last or last[event.originator_id] <= event.occurred_at
        last[event.originator_id] = event.occurred_at


def test_every_command_was_issued_by_a_registered_staff_member_of_their_agency(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, _, _ = seeded
    for _, event in case_events(app):
        assert registry.staff_member(event.by_staff).agency == event.by_agency


def test_support_meetings_are_convened_by_the_office_and_every_member_sits_for_their_own_agency(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, _, _ = seeded
    meetings = [e for _, e in case_events(app) if e.kind == "MeetingHeld"]
    for meeting in meetings:
        assert all(registry.works_for(p["staff"], p["agency"]) for p in meeting.participants)
        if meeting.meeting_kind == MeetingKind.SUPPORT:
            assert meeting.by_agency == registry.support_meeting_office
            assert Role.COORDINATOR in registry.staff_member(meeting.by_staff).roles


def test_a_case_is_closed_by_its_lead_agency_or_a_coordinator_and_break_glass_records_nothing(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, summary, _ = seeded
    assert summary.closures >= 1
    lead: dict[UUID, str] = {}
    handovers: dict[str, tuple[str, str]] = {}
    break_glass: dict[UUID, set[str]] = {}
    for _, event in case_events(app):
        case = event.originator_id
        assert event.by_agency not in break_glass.get(case, set())
        if event.kind == "Opened":
            lead[case] = event.by_agency
        elif event.kind == "HandoverPlanned":
            handovers[event.handover_id] = (event.from_agency, event.to_agency)
        elif event.kind == "HandoverCompleted" and handovers[event.handover_id][0] == lead[case]:
            lead[case] = handovers[event.handover_id][1]
        elif event.kind in ("CaseClosed", "CaseReopened"):
            assert (event.by_agency == lead[case]
                    or Role.COORDINATOR in registry.staff_member(event.by_staff).roles)
        elif event.kind == "InvolvementEnded":
            assert event.by_agency != lead[case]
        elif event.kind == "EmergencyAccessGranted":
            break_glass.setdefault(case, set()).add(event.by_agency)


def test_emergency_access_is_taken_by_an_agency_with_no_earlier_part_in_the_case(
        seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, summary, _ = seeded
    assert summary.emergency_accesses >= 1
    authors: dict[UUID, set[str]] = {}
    for _, event in case_events(app):
        if event.kind == "EmergencyAccessGranted":
            assert event.by_agency not in authors[event.originator_id]
            assert len(event.reason) >= 10
        authors.setdefault(event.originator_id, set()).add(event.by_agency)


def test_the_same_seed_and_until_write_the_same_events(tmp_path: Path, registry: Registry) -> None:
    first = sqlite_app(tmp_path / "first.db", registry)  # emergency access is dated by the app's (fixed) clock
    second = sqlite_app(tmp_path / "second.db", registry)
    seed_demo(first, households=HOUSEHOLDS, seed=7, until=UNTIL)
    seed_demo(second, households=HOUSEHOLDS, seed=7, until=UNTIL)
    assert topics(first) == topics(second)
    assert normalised_log(first) == normalised_log(second)


def test_another_seed_writes_another_year(tmp_path: Path, registry: Registry) -> None:
    first = sqlite_app(tmp_path / "first.db", registry)
    second = sqlite_app(tmp_path / "second.db", registry)
    seed_demo(first, households=12, seed=1, until=UNTIL)
    seed_demo(second, households=12, seed=2, until=UNTIL)
    assert normalised_log(first) != normalised_log(second)


def test_the_showcase_coordinator_reads_the_8050_case_without_anything_withheld(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, summary, _ = seeded
    showcase = summary.showcase("coordinator_8050")
    assert showcase.reader == SHOWCASE_COORDINATOR
    timeline = app.read_timeline(registry.staff_member(SHOWCASE_COORDINATOR).as_actor(), UUID(showcase.case_id))
    assert timeline.entries
    assert not [entry for entry in timeline.entries if entry.withheld]
    assert any(entry.kind == "MeetingHeld" for entry in timeline.entries)


def test_the_hikikomori_desk_sees_part_of_its_showcase_only_through_a_support_meeting(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, summary, _ = seeded
    showcase = summary.showcase("hikikomori_support_meeting")
    assert showcase.reader == SHOWCASE_HIKIKOMORI
    timeline = app.read_timeline(registry.staff_member(SHOWCASE_HIKIKOMORI).as_actor(), UUID(showcase.case_id))
    bases = [entry.basis for entry in timeline.entries if not entry.withheld]
    assert Basis.SUPPORT_MEETING in bases


def test_the_hikikomori_desk_sees_part_of_a_case_and_the_rest_marked_withheld(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, summary, _ = seeded
    showcase = summary.showcase("hikikomori_withheld")
    timeline = app.read_timeline(registry.staff_member(SHOWCASE_HIKIKOMORI).as_actor(), UUID(showcase.case_id))
    assert any(entry.withheld for entry in timeline.entries)
    assert any(not entry.withheld for entry in timeline.entries)
    assert all(not hasattr(entry, "content") for entry in timeline.entries if entry.withheld)


def test_members_have_names_with_kana_and_households_are_named_as_families(
        seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, _, _ = seeded
    events = case_events(app)
    opened = [e for _, e in events if e.kind == "Opened"]
    assert all(e.household_name.endswith("家") and e.household_name_kana.endswith("け") for e in opened)
    members = [e for _, e in events if e.kind == "MemberAdded"]
    assert all(" " in m.name and re.fullmatch(r"[ぁ-ゖー ]+", m.name_kana) for m in members)
    assert {"本人", "長男", "母", "配偶者"} <= {m.relationship for m in members}


def test_an_until_before_the_fiscal_year_is_refused(tmp_path: Path, registry: Registry) -> None:
    app = sqlite_app(tmp_path / "t.db", registry)
    with pytest.raises(ValueError):
        seed_demo(app, households=1, until=datetime(2026, 3, 31, tzinfo=JST))


# ----- consent is a person's; 支援会議 ends ---------------------------------------------------------

def test_no_write_was_refused_while_seeding(seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, _, _ = seeded
    assert write_refusals(app) == []


def test_every_consent_is_one_members_own_given_as_the_rules_ask(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, summary, _ = seeded
    births: dict[str, date] = {}
    consents = []
    for _, event in case_events(app):
        if event.kind == "MemberAdded":
            births[event.member_id] = event.birth_date
        elif event.kind == "ConsentGranted":
            consents.append(event)
            assert event.member_id in births, "a consent is about a member of the household"
            age = age_on(births[event.member_id], local_date(event.occurred_at))
            if age < app.policy.self_consent_age:
                assert event.given_by == ConsentGiver.PARENT and "親権者" in event.representative
            if event.given_by == ConsentGiver.GUARDIAN:
                assert event.representative and event.member_view
            if event.given_by == ConsentGiver.SELF:
                assert not event.representative and not event.member_view
            if event.method == ConsentMethod.WRITTEN:
                assert re.fullmatch(r"同意書 R8-\d{4}", event.document_ref)
            else:
                assert registry.staff_member(event.heard_by)
    assert len(consents) == summary.consents_granted == sum(summary.consents_by_giver.values())
    given = Counter(ConsentGiver(c.given_by).value for c in consents)
    assert given == Counter(summary.consents_by_giver)
    assert given[ConsentGiver.SELF.value] and given[ConsentGiver.PARENT.value]
    assert any(f"親権者{given[ConsentGiver.PARENT.value]}件" in line for line in summary.lines_ja())


def test_a_consent_opens_only_its_own_members_information(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    """Whoever reads on CONSENT, each entry rests on one consent of each member it concerns, and no other."""
    app, _, _ = seeded
    checked = 0
    for case_id in {e.originator_id for _, e in case_events(app)}:
        case: Case = app.repository.get(case_id)
        agencies = sorted({a for c in case.consents.values() for a in c["agencies"]})
        for agency in agencies:
            reader = next(s for s in registry.staff if s.agency == agency and Role.CASEWORKER in s.roles
                          or s.agency == agency and Role.COORDINATOR in s.roles).as_actor()
            for decision, entry in zip(decide_case(reader, case, NOW), case.entries, strict=True):
                if decision.basis != Basis.CONSENT:
                    continue
                assert decision.ground is not None
                owners = [case.consents[c]["member_id"] for c in decision.ground.split("+")]
                assert sorted(set(owners)) == sorted(entry.subjects or case.members)
                assert len(owners) == len(set(owners)), "one consent per member"
                checked += 1
    assert checked


def test_a_young_carer_under_the_age_consents_through_a_parent_with_their_own_view(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, summary, _ = seeded
    events = case_events(app)
    young_carers = {e.originator_id for _, e in events if e.kind == "IssueIdentified" and e.tag == IssueTag.YOUNG_CARER}
    principals = {e.member_id: e.birth_date for _, e in events
                  if e.kind == "MemberAdded" and e.is_principal and e.originator_id in young_carers}
    theirs = [e for _, e in events if e.kind == "ConsentGranted" and e.member_id in principals]
    under_age = [e for e in theirs
                 if age_on(principals[e.member_id], local_date(e.occurred_at)) < app.policy.self_consent_age]
    assert under_age, "the demo holds a young carer under the ward's age who consented"
    for consent in under_age:
        assert consent.given_by == ConsentGiver.PARENT
        assert consent.representative.endswith("（母・親権者）")
        assert consent.member_view.strip()
    showcase = summary.showcase("young_carer_view")
    assert UUID(showcase.case_id) in young_carers and "本人の意見" in showcase.description_ja
    timeline = app.read_timeline(registry.staff_member(showcase.reader).as_actor(), UUID(showcase.case_id))
    assert any(e.kind == "ConsentGranted" and not e.withheld for e in timeline.entries)


def test_a_consent_is_partly_withdrawn(seeded: tuple[Tsunagu, DemoSummary, list[int]]) -> None:
    app, summary, _ = seeded
    narrowed = [e for _, e in case_events(app) if e.kind == "ConsentNarrowed"]
    assert narrowed and len(narrowed) == summary.consents_narrowed
    assert all((e.agencies or e.categories) and e.reason.strip() for e in narrowed)
    case: Case = app.repository.get(UUID(summary.showcase("consent_narrowed").case_id))
    left = [c for c in case.consents.values() if c["narrowed"]]
    assert left and all(c["withdrawn_at"] is None for c in left), "the rest of the consent stands"


def test_a_support_meeting_ends_and_with_it_what_it_shared(
        seeded: tuple[Tsunagu, DemoSummary, list[int]], registry: Registry) -> None:
    app, summary, _ = seeded
    support = [e for _, e in case_events(app) if e.kind == "MeetingHeld" and e.meeting_kind == MeetingKind.SUPPORT]
    assert all(e.tabled_subjects and e.tabled_categories and e.held_on < e.until <= e.held_on + timedelta(days=92)
               for e in support)
    ended = [e for e in support if e.until < local_date(UNTIL)]
    assert ended and summary.support_meetings_ended >= len(ended)
    showcase = summary.showcase("support_meeting_ended")
    reader = registry.staff_member(showcase.reader).as_actor()
    case: Case = app.repository.get(UUID(showcase.case_id))
    meeting = next(m for m in case.meetings.values() if m["kind"] == MeetingKind.SUPPORT
                   and any(p["agency"] == reader.agency_id for p in m["participants"]) and m["until"] < NOW.date())
    then = decide_case(reader, case, datetime.combine(meeting["until"], time(17), JST))
    now = decide_case(reader, case, NOW)
    lost = [a.seq for a, b in zip(then, now, strict=True)
            if a.basis == Basis.SUPPORT_MEETING and a.ground == meeting["meeting_id"] and b.basis is None]
    assert lost
    timeline = app.read_timeline(reader, case.id)
    assert all(timeline.entries[seq - 1].withheld for seq in lost)
    assert any("共有期間の終了" in line for line in summary.lines_ja())
