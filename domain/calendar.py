"""Japanese time: dates are those of Asia/Tokyo, fiscal years start in April."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def local_date(at: datetime) -> date:
    """The calendar date in Japan of a timezone-aware instant."""
    return at.astimezone(JST).date()


def fiscal_year(day: date) -> int:
    """The Japanese fiscal year (年度) a day falls in: FY2026 runs 2026-04-01 to 2027-03-31."""
    return day.year if day.month >= 4 else day.year - 1


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
