"""Bounded dates, the domain's last line: every date a command carries is checked against the ward's
plausible range (``Policy.dates``, from ``TSUNAGU_EARLIEST_RECORD_DATE``, ``…_EARLIEST_BIRTH_DATE`` and
``…_MAX_YEARS_AHEAD``) before anything is written — whichever entrypoint built the command."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from pydantic import ValidationError

from domain.application import Tsunagu
from domain.calendar import JST
from domain.commands import COMMANDS, AddMember, Command, CorrectMemberDetails, OpenCase, PlanOutreach
from domain.policy import ImplausibleDate, PlausibleDates, Policy
from domain.registry import Registry
from infra.bootstrap import policy
from infra.settings import Settings

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 2026-06-01 in Japan
ELDERLY = "suzuki-kenta"


def named_dates(command_type: type[Command]) -> tuple[set[str], set[str]]:
    """The date fields a command type declares, and those its ``dates()`` names (on a stand-in instance)."""
    fields = dataclasses.fields(command_type)  # type: ignore[arg-type]
    declared = {f.name for f in fields if re.search(r"\bdate\b", str(f.type))}
    stand_in = object.__new__(command_type)
    for f in fields:
        value = date(2026, 6, 1) if f.name in declared else {"birth_date": date(2026, 6, 1)} \
            if f.name == "corrections" else None
        object.__setattr__(stand_in, f.name, value)
    if command_type is CorrectMemberDetails:
        declared.add("birth_date")  # a correction may carry one
    return declared, {name for name, _, _ in stand_in.dates()}


@pytest.mark.parametrize("command_type", COMMANDS, ids=lambda t: t.__name__)
def test_every_date_a_command_carries_is_checked(command_type: type[Command]) -> None:
    declared, checked = named_dates(command_type)
    assert declared == checked, f"{command_type.__name__}.dates() must name each of its date fields"


@pytest.fixture
def tsunagu(registry: Registry) -> Iterator[Tsunagu]:
    app = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=registry, clock=lambda: NOW)
    yield app
    app.close()


def position(app: Tsunagu) -> int:
    return app.recorder.max_notification_id() or 0


def open_case(app: Tsunagu, registry: Registry, **values: object) -> UUID:
    command = OpenCase(household_name="佐藤家", household_name_kana="さとうけ", district=None, summary="",
                       **values)  # type: ignore[arg-type]
    return UUID(app.execute(registry.staff_member(ELDERLY).as_actor(), command).case_id)


def refused(app: Tsunagu, registry: Registry, command: Command) -> ImplausibleDate:
    before = position(app)
    with pytest.raises(ImplausibleDate) as raised:
        app.execute(registry.staff_member(ELDERLY).as_actor(), command)
    assert position(app) == before, "nothing is written"
    return raised.value


@pytest.mark.parametrize(("birth_date", "plausible"), [
    (date(1, 1, 1), False), (date(1899, 12, 31), False), (date(1900, 1, 1), True), (date(2026, 6, 1), True),
    (date(2026, 6, 2), False), (date(9999, 12, 31), False)])
def test_birth_dates_run_from_1900_to_today(tsunagu, registry, birth_date, plausible) -> None:
    case_id = open_case(tsunagu, registry)
    member = AddMember(case_id=case_id, name="佐藤 一郎", name_kana="さとう いちろう", birth_date=birth_date,
                       relationship="長男")
    if plausible:
        tsunagu.execute(registry.staff_member(ELDERLY).as_actor(), member)
        return
    error = refused(tsunagu, registry, member)
    assert error.field == "birth_date" and "1900-01-01" in error.message_ja and "2026-06-01" in error.message_en


@pytest.mark.parametrize(("planned_on", "plausible"), [
    (date(1999, 12, 31), False), (date(2000, 1, 1), True), (date(2031, 6, 1), True), (date(2031, 6, 2), False),
    (date(9999, 12, 31), False)])
def test_plans_run_from_the_first_record_to_five_years_ahead(tsunagu, registry, planned_on, plausible) -> None:
    case_id = open_case(tsunagu, registry)
    plan = PlanOutreach(case_id=case_id, member_id=None, approach="手紙を渡す", planned_on=planned_on)
    if plausible:
        tsunagu.execute(registry.staff_member(ELDERLY).as_actor(), plan)
    else:
        assert refused(tsunagu, registry, plan).field == "planned_on"


@pytest.mark.parametrize("occurred_at", [datetime(1900, 1, 1, tzinfo=UTC), datetime(1999, 12, 31, 23, 59, tzinfo=JST),
                                         datetime(1, 1, 1, tzinfo=UTC)])
def test_nothing_is_recorded_before_the_wards_records_begin(tsunagu, registry, occurred_at) -> None:
    command = OpenCase(household_name="佐藤家", household_name_kana="さとうけ", district=None, summary="",
                       occurred_at=occurred_at)
    error = refused(tsunagu, registry, command)
    assert error.field == "occurred_at" and "2000-01-01" in error.message_ja


def test_a_record_in_the_future_is_refused_naming_occurred_at(tsunagu, registry) -> None:
    command = OpenCase(household_name="佐藤家", household_name_kana="さとうけ", district=None, summary="",
                       occurred_at=NOW + timedelta(days=1))
    error = refused(tsunagu, registry, command)
    assert error.field == "occurred_at" and "未来" in error.message_ja


def test_the_ward_configures_a_narrower_range(registry) -> None:
    ward = Policy(dates=PlausibleDates(earliest_record=date(2021, 4, 1), earliest_birth=date(1910, 1, 1),
                                       years_ahead=1))
    app = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=registry, clock=lambda: NOW, policy=ward)
    assert refused(app, registry, OpenCase(household_name="佐藤家", household_name_kana="さとうけ", district=None,
                                           summary="", occurred_at=datetime(2021, 3, 31, 12, tzinfo=JST))
                   ).field == "occurred_at"
    case_id = open_case(app, registry, occurred_at=datetime(2021, 4, 1, tzinfo=JST))
    assert refused(app, registry, AddMember(case_id=case_id, name="佐藤 一郎", name_kana="さとう いちろう",
                                            birth_date=date(1905, 1, 1), relationship="長男")).field == "birth_date"
    assert refused(app, registry, PlanOutreach(case_id=case_id, member_id=None, approach="手紙",
                                               planned_on=date(2027, 6, 2))).field == "planned_on"
    app.execute(registry.staff_member(ELDERLY).as_actor(),
                PlanOutreach(case_id=case_id, member_id=None, approach="手紙", planned_on=date(2027, 6, 1)))
    app.close()


def test_a_plan_from_29_february_reaches_28_february() -> None:
    assert PlausibleDates(years_ahead=1).latest(date(2028, 2, 29)) == date(2029, 2, 28)
    assert PlausibleDates(years_ahead=4).latest(date(2028, 2, 29)) == date(2032, 2, 29)


@pytest.mark.parametrize("values", [{"earliest_record": date(1999, 12, 31)}, {"earliest_birth": date(1899, 1, 1)},
                                    {"earliest_birth": date(2001, 1, 1)}, {"years_ahead": 0}, {"years_ahead": 21}])
def test_no_ward_may_widen_the_range_past_its_floors(values) -> None:
    with pytest.raises(ValueError):
        PlausibleDates(**values)


def test_the_settings_carry_the_range_into_the_policy(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, earliest_record_date=date(2021, 4, 1),
                        earliest_birth_date=date(1910, 1, 1), max_years_ahead=3)
    assert policy(settings).dates == PlausibleDates(earliest_record=date(2021, 4, 1),
                                                    earliest_birth=date(1910, 1, 1), years_ahead=3)
    assert policy(Settings(data_dir=tmp_path)).dates == PlausibleDates()


@pytest.mark.parametrize("values", [
    {"earliest_record_date": date(1999, 1, 1)}, {"max_years_ahead": 50},
    {"earliest_birth_date": date(2010, 1, 1), "earliest_record_date": date(2005, 1, 1)}])
def test_settings_refuse_an_implausible_range(tmp_path, values) -> None:
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, **values)
