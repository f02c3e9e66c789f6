"""Ledger dates: 和暦 in its written and abbreviated forms, 西暦, Excel date cells; a day outside its era or a
day that does not exist is refused, and the refusal never repeats the cell (it may be a birth date)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import era_of, wareki
from infra.ledger.dates import UnreadableDate, parse_ledger_date


@pytest.mark.parametrize(("cell", "day"), [
    ("令和6年4月1日", date(2024, 4, 1)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("R6.4.1", date(2024, 4, 1)),
    ("r6/4/1", date(2024, 4, 1)),
    ("H31.4.30", date(2019, 4, 30)),
    ("S19.5.3", date(1944, 5, 3)),
    ("昭和６４年１月７日", date(1989, 1, 7)),
    ("2024/4/1", date(2024, 4, 1)),
    ("2024-04-01", date(2024, 4, 1)),
    ("2024年4月1日", date(2024, 4, 1)),
    (datetime(2024, 4, 1, 0, 0), date(2024, 4, 1)),
    (date(2024, 4, 1), date(2024, 4, 1)),
])
def test_a_ledger_date_is_read_in_every_form_offices_write(cell: object, day: date) -> None:
    assert parse_ledger_date(cell) == day


@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_written_in_wareki_reads_back_as_itself(day: date) -> None:
    assert parse_ledger_date(wareki(day)) == day
    era, year = era_of(day)
    assert parse_ledger_date(f"{era.initial}{year}.{day.month}.{day.day}") == day


@pytest.mark.parametrize("cell", ["平成31年5月1日", "R0.1.1", "R6.13.5", "令和6年2月30日", "昨日", "2024/13", "S"])
def test_a_day_outside_its_era_or_not_a_day_is_refused_without_repeating_the_cell(cell: str) -> None:
    with pytest.raises(UnreadableDate) as refused:
        parse_ledger_date(cell)
    assert cell not in refused.value.message_ja and cell not in refused.value.message_en
    assert refused.value.message_ja and refused.value.message_en
