"""A fiscal year's output indicators as the ward submitted them (実績の報告), frozen.

One aggregate per ward and fiscal year (its id derives from both). Its figures are stored as submitted —
with the name and unit each row had then — so a back-dated record or a voided entry later changes the
computed figures but never the submitted ones: the difference shows per row. Submitting is for a
coordinator or administrator of the ward's office for the 重層的支援体制整備事業 (an agency carrying
第5号 多機関協働事業, which runs the project's 進行管理: Ota's 福祉管理課), and records who submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import NotPermitted, RuleViolation
from domain.registry import Registry
from domain.vocabulary import Role

NAMESPACE = uuid5(NAMESPACE_URL, "https://tsunagu.invalid/indicator-submission")
OFFICE_PROJECT = 5
"""第5号 多機関協働事業: the agencies carrying it run the project's 進行管理, reporting included."""


@dataclass(frozen=True)
class SubmittedFigure:
    """One row as submitted (ids, labels and numbers only)."""

    indicator: str
    key: str
    name_ja: str
    unit: str
    value: int
    of_which: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "key": self.key, "name_ja": self.name_ja, "unit": self.unit,
                "value": self.value, "of_which": self.of_which}


def submission_id(ward_id: str, fiscal_year: int) -> UUID:
    return uuid5(NAMESPACE, f"{ward_id}\n{fiscal_year}")


def check_may_submit(actor: Actor, registry: Registry) -> None:
    """Refuse unless ``actor`` is a coordinator or administrator of an agency carrying 第5号."""
    office = [a.id for a in registry.agencies if OFFICE_PROJECT in a.projects]
    if actor.agency_id in office and (actor.has_role(Role.COORDINATOR) or actor.has_role(Role.ADMIN)):
        return
    raise NotPermitted("実績を提出できるのは、多機関協働事業（第5号）を担う機関のコーディネーターか管理者です。",
                       "Only a coordinator or administrator of an agency carrying the multi-agency coordination "
                       "project (item 5) can submit the indicators.")


class IndicatorSubmission(Aggregate):
    class Submitted(Aggregate.Created):
        ward_id: str
        fiscal_year: int
        indicator_set: str
        figures: list[dict[str, Any]]
        by_staff: str
        by_agency: str
        submitted_at: datetime

    def __init__(self, *, ward_id: str, fiscal_year: int, indicator_set: str, figures: list[dict[str, Any]],
                 by_staff: str, by_agency: str, submitted_at: datetime) -> None:
        self.ward_id = ward_id
        self.fiscal_year = fiscal_year
        self.indicator_set = indicator_set
        self.figures = [dict(f) for f in figures]
        self.by_staff = by_staff
        self.by_agency = by_agency
        self.submitted_at = submitted_at

    @classmethod
    def submit(cls, actor: Actor, registry: Registry, fiscal_year: int, figures: list[SubmittedFigure],
               at: datetime) -> IndicatorSubmission:
        check_may_submit(actor, registry)
        return cls._create(cls.Submitted, id=submission_id(registry.ward.id, fiscal_year), ward_id=registry.ward.id,
                           fiscal_year=fiscal_year, indicator_set=registry.indicators.set,
                           figures=[f.as_dict() for f in figures], by_staff=actor.staff_id,
                           by_agency=actor.agency_id, submitted_at=at)

    def figure(self, indicator: str, key: str) -> dict[str, Any] | None:
        return next((f for f in self.figures if f["indicator"] == indicator and f["key"] == key), None)


def already_submitted(submission: IndicatorSubmission) -> RuleViolation:
    return RuleViolation(
        f"{submission.fiscal_year}年度の実績はすでに提出されています（{submission.submitted_at:%Y-%m-%d}、"
        f"{submission.by_staff}）。提出後の訂正は差分として表示されます。",
        f"The figures of fiscal year {submission.fiscal_year} were already submitted "
        f"({submission.submitted_at:%Y-%m-%d}, by {submission.by_staff}); later corrections show as differences.")
