"""The ward's configured limits on consent, 支援会議, break-glass and dates (set by the composition root)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidCommand

FLOOR_RECORD_DATE = date(2000, 1, 1)
"""No record is dated earlier, whatever the ward configures (a ward may only start its records later)."""
FLOOR_BIRTH_DATE = date(1900, 1, 1)
"""Nobody was born earlier, whatever the ward configures."""
MAX_YEARS_AHEAD = 20
"""No ward plans further ahead than this."""


class DateKind(StrEnum):
    """What a date in a command stands for, which decides its plausible range."""

    BIRTH = "birth"
    """A birth date: from the earliest birth date up to today."""
    HAPPENED = "happened"
    """When something happened: from the ward's first record up to today."""
    PLANNED = "planned"
    """A day ahead or behind (a plan, a review, a 支援会議's end): from the ward's first record up to the
    configured number of years after today."""


class ImplausibleDate(InvalidCommand):
    """A date outside the ward's plausible range; ``field`` names the command's value (answered per field)."""

    code = "implausible_date"

    def __init__(self, field: str, message_ja: str, message_en: str) -> None:
        super().__init__(message_ja, message_en)
        self.field = field


@dataclass(frozen=True)
class PlausibleDates:
    """The range of dates the ward's records may carry. Nothing is recorded before ``earliest_record``
    (when the ward's records begin), nobody was born before ``earliest_birth``, nothing is planned more
    than ``years_ahead`` years after today. Bounded so that no date can run a count over centuries."""

    earliest_record: date = FLOOR_RECORD_DATE
    earliest_birth: date = FLOOR_BIRTH_DATE
    years_ahead: int = 5

    def __post_init__(self) -> None:
        if self.earliest_record < FLOOR_RECORD_DATE:
            raise ValueError(f"earliest_record must be {FLOOR_RECORD_DATE} or later")
        if not FLOOR_BIRTH_DATE <= self.earliest_birth <= self.earliest_record:
            raise ValueError(f"earliest_birth must be between {FLOOR_BIRTH_DATE} and earliest_record")
        if not 1 <= self.years_ahead <= MAX_YEARS_AHEAD:
            raise ValueError(f"years_ahead must be between 1 and {MAX_YEARS_AHEAD}")

    def latest(self, today: date) -> date:
        """The last plausible day of a plan: ``years_ahead`` years after ``today`` (29 February → 28th)."""
        try:
            return today.replace(year=today.year + self.years_ahead)
        except ValueError:
            return today.replace(year=today.year + self.years_ahead, day=28)

    def bounds(self, kind: DateKind, today: date) -> tuple[date, date]:
        """The first and last plausible day of a date of this kind, as of ``today``."""
        if kind is DateKind.BIRTH:
            return self.earliest_birth, today
        if kind is DateKind.HAPPENED:
            return self.earliest_record, today
        return self.earliest_record, self.latest(today)

    def refusal(self, field: str, kind: DateKind, day: date, today: date) -> ImplausibleDate | None:
        """Why ``day`` is not a plausible ``kind`` of date as of ``today`` (None: it is)."""
        first, last = self.bounds(kind, today)
        if first <= day <= last:
            return None
        return ImplausibleDate(field, f"{first.isoformat()}から{last.isoformat()}までの日付にしてください。",
                               f"Give a date from {first.isoformat()} to {last.isoformat()}.")


@dataclass(frozen=True)
class Policy:
    self_consent_age: int = 15
    """A child below this age consents through a 親権者; from it, for themselves (practice: about 12–15)."""
    consent_max_days: int = 366
    """A consent is valid for at most this many days from the day it is given."""
    support_meeting_max_days: int = 92
    """A 支援会議's basis lasts until its stated end (usually the next sitting), at most this many days."""
    emergency_ttl: timedelta = timedelta(hours=24)
    """How long a break-glass grant lasts (it also ends when the case closes)."""
    dates: PlausibleDates = field(default_factory=PlausibleDates)
    """The range of dates a record may carry."""
    transition_ages: tuple[int, ...] = (18, 40, 65)
    """The ages at which the responsible agency changes (制度切替), from the ward's configuration."""
    transition_notice_days: int = 30
    """How many days ahead the transitions list shows a member reaching one of those ages."""

    def __post_init__(self) -> None:
        if not 6 <= self.self_consent_age <= 18:
            raise ValueError("self_consent_age must be between 6 and 18")
        if not 1 <= self.consent_max_days <= 3 * 366:
            raise ValueError("consent_max_days must be between 1 and 1098")
        if not 1 <= self.support_meeting_max_days <= 366:
            raise ValueError("support_meeting_max_days must be between 1 and 366")
        if not timedelta(minutes=5) <= self.emergency_ttl <= timedelta(hours=72):
            raise ValueError("emergency_ttl must be between 5 minutes and 72 hours")
        object.__setattr__(self, "transition_ages", tuple(sorted(set(self.transition_ages))))
        if not self.transition_ages or any(not 1 <= age <= 120 for age in self.transition_ages):
            raise ValueError("transition_ages must be one or more ages from 1 to 120")
        if not 1 <= self.transition_notice_days <= 366:
            raise ValueError("transition_notice_days must be between 1 and 366")
