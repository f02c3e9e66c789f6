"""和暦: every date the product shows (birth dates from 1900, records from 2000) in its right era and year,
元年 for an era's first year, and fiscal years named as the government names them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.pages.labels import era_year, fiscal_year_label, fiscal_year_short, format_wareki
from domain.calendar import ERAS, JST, era_of, fiscal_year_era, fiscal_year_wareki, reiwa, wareki

WAREKI = re.compile(r"(令和|平成|昭和|大正|明治)(元|[1-9]\d*)年(\d{1,2})月(\d{1,2})日")
SHOWN = st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 31))


@pytest.mark.parametrize(("day", "expected"), [
    (date(1912, 7, 29), "明治45年7月29日"),
    (date(1912, 7, 30), "大正元年7月30日"),
    (date(1926, 12, 24), "大正15年12月24日"),
    (date(1926, 12, 25), "昭和元年12月25日"),
    (date(1927, 1, 1), "昭和2年1月1日"),
    (date(1989, 1, 7), "昭和64年1月7日"),
    (date(1989, 1, 8), "平成元年1月8日"),
    (date(1990, 1, 1), "平成2年1月1日"),
    (date(2019, 4, 30), "平成31年4月30日"),
    (date(2019, 5, 1), "令和元年5月1日"),
    (date(2020, 1, 1), "令和2年1月1日"),
    (date(2026, 4, 1), "令和8年4月1日"),
    (date(1900, 1, 1), "明治33年1月1日"),
])
def test_known_era_boundaries_are_written_as_documents_write_them(day: date, expected: str) -> None:
    assert wareki(day) == expected


@given(SHOWN)
def test_every_date_reads_back_to_itself_in_the_era_it_falls_in(day: date) -> None:
    found = WAREKI.fullmatch(wareki(day))
    assert found, wareki(day)
    name, year_text, month, day_of_month = found.groups()
    era = next(e for e in ERAS if e.name_ja == name)
    year = 1 if year_text == "元" else int(year_text)
    assert year >= 1
    assert date(era.first_year + year - 1, int(month), int(day_of_month)) == day
    assert era.first_day <= day
    newer = [e for e in ERAS if e.first_day > era.first_day]
    assert all(day < e.first_day for e in newer), "a date is in the newest era begun by then"


@given(SHOWN)
def test_the_day_before_an_era_begins_is_the_last_year_of_the_one_before(day: date) -> None:
    era, year = era_of(day)
    if day == era.first_day and era is not ERAS[-1]:
        before, last_year = era_of(day - timedelta(days=1))
        assert before is not era and last_year >= 1 and year == 1


def test_a_date_before_the_eras_shown_is_refused_and_the_pages_fall_back_to_the_western_year() -> None:
    with pytest.raises(ValueError):
        wareki(date(1872, 12, 31))
    assert format_wareki("1872-12-31") == "1872年12月31日"
    assert era_year(date(1872, 12, 31)) == "1872年"


@pytest.mark.parametrize(("year", "expected"), [
    (1988, "昭和63年度"), (1989, "平成元年度"), (2000, "平成12年度"), (2018, "平成30年度"), (2019, "令和元年度"),
    (2020, "令和2年度"), (2026, "令和8年度"),
])
def test_a_fiscal_year_takes_the_era_its_calendar_year_ends_in(year: int, expected: str) -> None:
    assert fiscal_year_wareki(year) == expected


@given(st.integers(min_value=1873, max_value=2200))
def test_no_year_is_ever_reiwa_zero_or_negative(year: int) -> None:
    label = reiwa(year)
    assert not re.search(r"令和(0|-)", label)
    era, era_year_number = fiscal_year_era(year)
    assert era_year_number >= 1 and label.startswith(era.name_ja)
    assert fiscal_year_wareki(year) == f"{label}年度"


def test_birth_dates_and_fiscal_years_on_the_pages_use_the_right_era() -> None:
    assert format_wareki("1950-06-01") == "昭和25年6月1日"
    assert format_wareki(date(1989, 1, 7)) == "昭和64年1月7日"
    assert format_wareki(datetime(2019, 4, 30, 15, 30, tzinfo=JST)) == "平成31年4月30日"
    assert format_wareki("") == ""
    assert era_year(date(1974, 3, 3)) == "昭和49年" and era_year(date(2019, 5, 1)) == "令和元年"
    assert fiscal_year_short(2018) == "平成30年度（2018年度）"
    assert fiscal_year_label(2018).startswith("平成30年度（2018年度：2018年4月1日〜2019年3月31日")
    assert fiscal_year_label(2018, en=True).startswith("FY2018 (Heisei 30:")
    assert fiscal_year_label(2026, en=True).startswith("FY2026 (Reiwa 8:")
