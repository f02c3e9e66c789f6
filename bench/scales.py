"""How big a run is: the ward's years and households, the reads recorded, and how long each measure runs."""

from __future__ import annotations

from dataclasses import dataclass, replace

THIS_FISCAL_YEAR = 2026


@dataclass(frozen=True)
class Scale:
    name: str
    fiscal_years: tuple[int, ...]
    households_per_year: int
    reads_per_command: float
    """Access records per case command, on average (the reads before and after each record)."""
    long_case_entries: int = 1000
    sample_reads: int = 200
    """Reads recorded through ``Tsunagu.read_timeline`` itself (today), beside the bulk ones."""
    write_clients: tuple[int, ...] = (1, 10)
    write_commands: int = 500
    timeline_reads: tuple[tuple[int, int], ...] = ((1, 100), (10, 300), (50, 600))
    """(concurrent clients, reads) per level."""
    audit_queries: int = 300
    referral_rate: float = 50.0
    referral_seconds: float = 20.0
    fraction: float = 1.0

    @property
    def label(self) -> str:
        return self.name if self.fraction == 1 else f"{self.name}-x{self.fraction:g}"

    def scaled(self, fraction: float) -> Scale:
        """The same years and measures with ``fraction`` of the households (for a run that must fit a budget)."""
        if not 0 < fraction <= 1:
            raise ValueError("fraction must be in (0, 1]")
        return replace(self, households_per_year=max(1, round(self.households_per_year * fraction)),
                       fraction=fraction)


def _years(count: int) -> tuple[int, ...]:
    return tuple(range(THIS_FISCAL_YEAR - count + 1, THIS_FISCAL_YEAR + 1))


SCALES = {
    # CI's smoke test: every measure end to end, in well under two minutes.
    "small": Scale("small", fiscal_years=_years(1), households_per_year=40, reads_per_command=1.05,
                   sample_reads=10, write_commands=40, timeline_reads=((1, 10), (10, 20), (50, 50)),
                   audit_queries=20, referral_seconds=3),
    # A ward's multi-layered support over five years (about 2,000 households a year).
    "ward": Scale("ward", fiscal_years=_years(5), households_per_year=2000, reads_per_command=1.05),
    # A large city over ten years: about 10M case events and 10M+ access records.
    "city": Scale("city", fiscal_years=_years(10), households_per_year=72_000, reads_per_command=1.05),
}
