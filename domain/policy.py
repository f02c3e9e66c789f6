"""The ward's configured limits on consent, 支援会議 and break-glass (set by the composition root)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


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

    def __post_init__(self) -> None:
        if not 6 <= self.self_consent_age <= 18:
            raise ValueError("self_consent_age must be between 6 and 18")
        if not 1 <= self.consent_max_days <= 3 * 366:
            raise ValueError("consent_max_days must be between 1 and 1098")
        if not 1 <= self.support_meeting_max_days <= 366:
            raise ValueError("support_meeting_max_days must be between 1 and 366")
        if not timedelta(minutes=5) <= self.emergency_ttl <= timedelta(hours=72):
            raise ValueError("emergency_ttl must be between 5 minutes and 72 hours")
