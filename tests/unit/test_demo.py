"""The demo year: written through the domain, deterministic, and showing what it promises."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.application import Tsunagu
from domain.calendar import JST
from domain.case import CaseEvent
from domain.registry import Registry
from domain.vocabulary import Basis, MeetingKind, Role
from infra.demo import SHOWCASE_COORDINATOR, SHOWCASE_HIKIKOMORI, DemoSummary, seed_demo

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


def normalised_log(app: Tsunagu) -> list[str]:
    """The log with generated ids (case UUIDs, consent/meeting/... ids) numbered by first appearance.

    The domain draws those ids from uuid4, so two runs can only agree up to renaming them.
    """
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<id{len(names)}>")

    rows = []
    for topic, event in case_events(app):
        row: list[Any] = [topic, str(event.originator_id), event.originator_version, event.by_staff,
                          event.by_agency, event.occurred_at.isoformat(), event.content()]
        rows.append(_IDS.sub(rename, json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)))
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
