"""Japanese time: dates are those of Asia/Tokyo, fiscal years start in April."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Era:
    """A Japanese era (元号): its name and the first day it counts."""

    name_ja: str
    name_en: str
    initial: str
    first_day: date
    first_year: int
    """The Gregorian year that is its 元年 (明治: 1868, though shown only from 1873-01-01)."""


ERAS: tuple[Era, ...] = (
    Era("令和", "Reiwa", "R", date(2019, 5, 1), 2019),
    Era("平成", "Heisei", "H", date(1989, 1, 8), 1989),
    Era("昭和", "Showa", "S", date(1926, 12, 25), 1926),
    Era("大正", "Taisho", "T", date(1912, 7, 30), 1912),
    Era("明治", "Meiji", "M", date(1873, 1, 1), 1868),
)
"""The eras the product shows, newest first. 明治 counts from 1873, when Japan took the Gregorian calendar
(明治6年); nobody's birth date is earlier (``domain.policy.FLOOR_BIRTH_DATE``)."""


def era_of(day: date) -> tuple[Era, int]:
    """The era ``day`` falls in and its year of that era (1 = 元年): 2019-04-30 is 平成31, 2019-05-01 令和1."""
    for era in ERAS:
        if day >= era.first_day:
            return era, day.year - era.first_year + 1
    raise ValueError(f"{day.isoformat()} is before {ERAS[-1].first_day.isoformat()}, the first day shown in 和暦")


def era_year_text(era: Era, year: int) -> str:
    """令和8, 平成元 (the first year of an era is 元年)."""
    return f"{era.name_ja}{'元' if year == 1 else year}"


def wareki(day: date) -> str:
    """A date in 和暦, as documents and notices write it: 令和8年4月1日, 平成元年1月8日, 昭和64年1月7日."""
    era, year = era_of(day)
    return f"{era_year_text(era, year)}年{day.month}月{day.day}日"


def fiscal_year_era(year: int) -> tuple[Era, int]:
    """The era naming fiscal year ``year`` (April ``year`` to March ``year + 1``) and its year of that era.

    A fiscal year takes the era its calendar year ends in, as the government names them: FY2019 is
    令和元年度 (it began on 平成31年4月1日), FY1988 is 昭和63年度, FY1989 is 平成元年度."""
    return era_of(date(year, 12, 31))


def fiscal_year_wareki(year: int) -> str:
    """令和8年度, 令和元年度, 平成30年度."""
    era, era_year = fiscal_year_era(year)
    return f"{era_year_text(era, era_year)}年度"


def reiwa(year: int) -> str:
    """A fiscal (or calendar) year's era and year without 年: 令和8, 令和元, 平成30 (an old name, kept for callers
    that add 年度 themselves; it is correct for every era, not only 令和)."""
    era, era_year = fiscal_year_era(year)
    return era_year_text(era, era_year)
