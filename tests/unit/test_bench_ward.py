"""The benchmark's bulk path writes what the domain path writes: the same case events, the same access records."""

from __future__ import annotations

from datetime import datetime, timedelta

from bench.ward import BulkTsunagu, access_record, generate_ward, long_case
from domain.access_record import ACCESS_RECORD_TOPIC
from domain.application import Tsunagu
from domain.calendar import JST
from domain.registry import Registry
from infra.demo import seed_demo
from tests.unit.test_demo import normalised_log

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
FISCAL_YEAR = 2024
YEAR_END = datetime(FISCAL_YEAR + 1, 4, 1, tzinfo=JST) - timedelta(seconds=1)
HOUSEHOLDS = 30


def test_a_bulk_generated_year_holds_the_same_case_events_as_the_demo_written_command_by_command(
        registry: Registry) -> None:
    one_by_one = Tsunagu(POPO, registry=registry, clock=lambda: YEAR_END)
    seed_demo(one_by_one, households=HOUSEHOLDS, fiscal_year=FISCAL_YEAR)
    bulk = BulkTsunagu(POPO, registry=registry)
    ward = generate_ward(bulk, fiscal_years=[FISCAL_YEAR], households_per_year=HOUSEHOLDS, reads_per_command=1.0)

    expected = normalised_log(one_by_one)
    assert len(expected) > 10 * HOUSEHOLDS
    assert normalised_log(bulk) == expected
    assert ward.case_events == len(expected)
    stored = [n for n in bulk.recorder.select_notifications(start=1, limit=1_000_000) if n.topic == ACCESS_RECORD_TOPIC]
    assert len(stored) == ward.access_records > 0.9 * len(expected)  # a read after each command


def test_a_bulk_access_record_is_the_record_read_timeline_saves(registry: Registry) -> None:
    now = datetime(2026, 11, 2, 10, 0, tzinfo=JST)
    app = BulkTsunagu(POPO, registry=registry, clock=lambda: now)
    case_id = long_case(app, entries=60, start=now - timedelta(days=400))
    app.flush()
    case = app.repository.get(case_id)
    for staff_id in ("takahashi-aoi", "inoue-kazuki", "suzuki-kenta", "watanabe-makoto"):
        reader = registry.staff_member(staff_id).as_actor()
        timeline = app.read_timeline(reader, case_id)
        saved = app.access_record(timeline.access_record_id)
        bulk = access_record(reader, case, now)
        ignore = {"_id", "_created_on", "_modified_on", "_pending_events"}
        assert {k: v for k, v in vars(bulk).items() if k not in ignore} == \
               {k: v for k, v in vars(saved).items() if k not in ignore}
        assert bulk.shown and (staff_id != "takahashi-aoi" or bulk.withheld)  # the consented desk sees part
