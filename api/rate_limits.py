"""Rate limits per staff member and per client address, answered 429 with ``Retry-After``.

Three policies, each with a limit per address and per staff member (``TSUNAGU_RATE_LIMIT_*``):
``sign_in`` (the sign-in form, and every bearer token that fails verification, so tokens cannot be
guessed at speed), ``break_glass`` (emergency access, API and page) and ``reads`` (case reads,
timelines and searches, API and pages). Counted in this process's memory by the ``limits`` library
(moving windows); one API process is the deployment unit, so a restart forgets the counts.

The routes are named here, by method and path template, in one table; a test checks that every
one of them exists, so a renamed route cannot silently lose its limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from infra.settings import Settings


class RatePolicy(StrEnum):
    SIGN_IN = "sign_in"
    BREAK_GLASS = "break_glass"
    READS = "reads"


LIMITED_ROUTES: dict[tuple[str, str], RatePolicy] = {
    ("POST", "/ui/signin"): RatePolicy.SIGN_IN,
    ("POST", "/cases/{case_id}/emergency-access"): RatePolicy.BREAK_GLASS,
    ("POST", "/ui/cases/{case_id}/emergency"): RatePolicy.BREAK_GLASS,
    ("POST", "/ui/emergency"): RatePolicy.BREAK_GLASS,
    ("GET", "/cases"): RatePolicy.READS,
    ("GET", "/cases/{case_id}"): RatePolicy.READS,
    ("GET", "/cases/{case_id}/timeline"): RatePolicy.READS,
    ("GET", "/transitions"): RatePolicy.READS,
    ("GET", "/ui/cases"): RatePolicy.READS,
    ("POST", "/ui/cases/search"): RatePolicy.READS,
    ("GET", "/ui/cases/{case_id}"): RatePolicy.READS,
    ("GET", "/ui/cases/{case_id}/print"): RatePolicy.READS,
    ("GET", "/ui/cases/{case_id}/meetings/{meeting_id}/print"): RatePolicy.READS,
}


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    per_address: list[RateLimitItem]
    per_staff: list[RateLimitItem]


class RateLimiter:
    def __init__(self, policies: dict[RatePolicy, Limits], *, enabled: bool = True) -> None:
        self._policies = policies
        self._enabled = enabled
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        def limits(per_address: str, per_staff: str) -> Limits:
            return Limits(per_address=parse_many(per_address), per_staff=parse_many(per_staff))

        return cls({
            RatePolicy.SIGN_IN: limits(settings.rate_limit_sign_in_per_address, settings.rate_limit_sign_in_per_staff),
            RatePolicy.BREAK_GLASS: limits(settings.rate_limit_break_glass_per_address,
                                       settings.rate_limit_break_glass_per_staff),
            RatePolicy.READS: limits(settings.rate_limit_reads_per_address, settings.rate_limit_reads_per_staff),
        }, enabled=settings.rate_limits)

    def hit(self, policy: RatePolicy, *, address: str | None = None, staff: str | None = None) -> None:
        """Count one request; raise :class:`RateLimited` if it is over a limit."""
        if not self._enabled:
            return
        keyed = [(item, "address", address) for item in self._policies[policy].per_address if address is not None]
        keyed += [(item, "staff", staff) for item in self._policies[policy].per_staff if staff is not None]
        for item, kind, key in keyed:
            if not self._limiter.hit(item, str(policy), kind, key):
                reset = self._limiter.get_window_stats(item, str(policy), kind, key).reset_time
                raise RateLimited(max(1, math.ceil(reset - time.time())))


def policy_for(request: Request) -> RatePolicy | None:
    """The policy of the route that matched ``request``, if it is limited."""
    route = request.scope.get("route")
    return LIMITED_ROUTES.get((request.method, str(getattr(route, "path", ""))))


def client_address(request: Request) -> str:
    """The client's address (behind ``TSUNAGU_TRUSTED_PROXIES``, the one they forwarded)."""
    return request.client.host if request.client else "unknown"
