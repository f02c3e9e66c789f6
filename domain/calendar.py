"""Japanese time: dates are those of Asia/Tokyo, fiscal years start in April."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

JST = ZoneInfo("Asia/Tokyo")


def local_date(at: datetime) -> date:
    """The calendar date in Japan of a timezone-aware instant."""
    return at.astimezone(JST).date()


def fiscal_year(day: date) -> int:
    """The Japanese fiscal year (年度) a day falls in: FY2026 runs 2026-04-01 to 2027-03-31."""
    return day.year if day.month >= 4 else day.year - 1


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@cache
def _japanese_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Japan(years=year))


def is_business_day(day: date) -> bool:
    """Monday to Friday, except national holidays and the year-end closure (12/29–1/3)."""
    year_end = (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)
    return day.weekday() < 5 and not year_end and day not in _japanese_holidays(day.year)


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 if end <= start)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += is_business_day(day)
    return days


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of a fiscal year: April 1 to March 31."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def reiwa(year: int) -> str:
    """A Gregorian year as 令和 (2019 = 令和元年)."""
    return "令和元" if year == 2019 else f"令和{year - 2018}"
