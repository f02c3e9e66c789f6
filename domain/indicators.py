"""Output indicators (アウトプット指標) as data: what each row of a ward's table counts.

A definition says which case events count (``events``), written or received by which agencies (named, or
every agency carrying one of the 第1〜6号 projects of art. 106-4 para. 2), what is counted — every entry
(延べ), each case or each person once (実人数), each sitting once, or each case once per sitting — what counts
as 新規 (only the first counted entry of a case, ever), and the date that places an entry in a fiscal year
(the day a meeting was held, otherwise the day the thing happened). The shipped sets live in
``infra/indicators/`` (``national``, ``ota``); a ward picks one in its ward file and may add its own rows.
Entries voided as mistaken (:class:`domain.case.intake.IntakePart.EntryVoided`) never count.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.vocabulary import MeetingKind, PlanKind

ProjectNumber = int
"""An item of Social Welfare Act art. 106-4 para. 2 (1 包括的相談支援 … 6 支援プラン); checked to be 1–6."""

COUNTED_EVENTS: tuple[str, ...] = (
    "ConsultationRecorded", "OutreachVisitRecorded", "SupportRefused", "ParticipationMatched", "MeetingHeld",
    "PlanAdopted", "PlanRevised", "PlanEvaluated", "ReferralRequested",
)
"""The case events an indicator may count (each kept, ids and codes only, in the indicators read model), and
the only entries that can be voided. Each names the members it concerns on itself (or none: the household)."""

Measure = Literal["entries", "cases", "people", "sittings", "case_discussions"]
"""延べ (every entry); 実件数 (each case once); 実人数 (each member once); 開催回数 (each sitting once, whatever kinds
it held and however many cases it discussed); 検討件数 (each case once per sitting)."""

Party = Literal["writer", "receiver", "either", "participant"]
"""Which agency of an entry ``agencies``/``projects`` select: the one that wrote it, the one a referral is
addressed to, either of those, or one that sat in the meeting."""

Breakdown = Literal["field", "route", "agency"]
"""内訳: per field of the consultation, per referral route (from→to), per writing agency."""

Unit = Literal["件", "回", "人", "団体"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Count(_Frozen):
    """What one figure counts."""

    events: tuple[str, ...] = Field(min_length=1)
    agencies: tuple[str, ...] = ()
    """Agency ids (of the ward's registry); with ``projects`` empty too: every agency."""
    projects: tuple[ProjectNumber, ...] = ()
    """Every agency carrying one of these projects (``Agency.projects``)."""
    party: Party = "writer"
    meeting_kinds: tuple[MeetingKind, ...] = ()
    """For ``MeetingHeld``: only these kinds (none: every kind)."""
    plan_kinds: tuple[PlanKind, ...] = ()
    """For plan events: only plans of these kinds (none: every kind)."""
    plan_cycle: Literal["new", "replan"] | None = None
    """For ``PlanAdopted``: only a plan's first cycle (新規) or a 再プラン after an evaluation."""
    measure: Measure = "entries"
    first_only: bool = False
    """新規: only the case's first counted entry ever counts (in the year it falls in)."""
    placed_by: Literal["occurred_at", "held_on"] = "occurred_at"
    """The date that places an entry in a fiscal year; ``held_on`` for meetings (a meeting recorded in April
    for a sitting in March counts in the year it was held)."""
    by: Breakdown | None = None

    @model_validator(mode="after")
    def _check(self) -> Count:
        unknown = sorted(set(self.events) - set(COUNTED_EVENTS))
        if unknown:
            raise ValueError(f"events: {unknown[0]!r} is not an event indicators count ({', '.join(COUNTED_EVENTS)})")
        if any(not 1 <= p <= 6 for p in self.projects):
            raise ValueError("projects are items 1 to 6 of art. 106-4 para. 2")
        meetings_only = {"sittings", "case_discussions"}
        if (self.measure in meetings_only or self.placed_by == "held_on" or self.meeting_kinds) \
                and set(self.events) != {"MeetingHeld"}:
            raise ValueError("sittings, case discussions, held_on and meeting_kinds apply to MeetingHeld alone")
        if self.first_only and self.measure not in ("entries", "cases"):
            raise ValueError("first_only (新規) counts first entries of cases: measure entries or cases")
        if self.by == "field" and set(self.events) != {"ConsultationRecorded"}:
            raise ValueError("by field applies to ConsultationRecorded alone")
        if self.by == "route" and set(self.events) != {"ReferralRequested"}:
            raise ValueError("by route applies to ReferralRequested alone")
        if self.party in ("receiver", "either") and set(self.events) != {"ReferralRequested"}:
            raise ValueError("a receiving agency is a referral's: party receiver/either applies to ReferralRequested")
        if self.party == "participant" and set(self.events) != {"MeetingHeld"}:
            raise ValueError("party participant applies to MeetingHeld alone")
        return self


class Goal(_Frozen):
    """A 基本目標 of the ward's plan the table groups its rows by."""

    id: str
    name_ja: str
    name_en: str


class IndicatorDefinition(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    number: str = ""
    """The number the ward's table gives the row (Ota: the 施策 number, e.g. 「5」)."""
    name_ja: str
    name_en: str
    unit: Unit
    goal: str | None = None
    """The 基本目標 it is grouped under (an id of the set's ``goals``)."""
    project_ja: str = ""
    """法対象事業: the project the ward's table names for it."""
    count: Count
    of_which: Count | None = None
    """うち: a part of the figure shown in brackets (Ota: うち新規相談件数)."""
    of_which_ja: str = ""
    of_which_en: str = ""

    @model_validator(mode="after")
    def _check(self) -> IndicatorDefinition:
        if (self.of_which is None) != (not self.of_which_ja):
            raise ValueError(f"indicator {self.id}: of_which and its label of_which_ja go together")
        if self.of_which is not None and (self.count.by or self.of_which.by):
            raise ValueError(f"indicator {self.id}: a figure with うち has no breakdown")
        return self

    def counts(self) -> tuple[Count, ...]:
        return (self.count,) if self.of_which is None else (self.count, self.of_which)


class IndicatorSet(_Frozen):
    """The rows a ward reports: a shipped set (``set``) and the ward's own rows appended to it."""

    set: str = "national"
    title_ja: str = "アウトプット指標"
    title_en: str = "Output indicators"
    goals: tuple[Goal, ...] = ()
    indicators: tuple[IndicatorDefinition, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> IndicatorSet:
        for what, ids in (("indicator ids", [i.id for i in self.indicators]), ("goal ids", [g.id for g in self.goals])):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{what} must be unique ({repeated[0]!r} is repeated)")
        goals = {g.id for g in self.goals}
        for indicator in self.indicators:
            if indicator.goal is not None and indicator.goal not in goals:
                raise ValueError(f"indicator {indicator.id}: unknown goal {indicator.goal!r}")
        return self

    def agencies_named(self) -> Iterable[str]:
        return (a for i in self.indicators for c in i.counts() for a in c.agencies)

    def goal(self, goal_id: str | None) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)

    def grouped(self) -> list[tuple[Goal | None, list[IndicatorDefinition]]]:
        """The rows by 基本目標, in the order of the goals (rows without a goal last), each in set order."""
        groups: list[tuple[Goal | None, list[IndicatorDefinition]]] = [
            (g, [i for i in self.indicators if i.goal == g.id]) for g in self.goals]
        groups.append((None, [i for i in self.indicators if i.goal is None]))
        return [(g, rows) for g, rows in groups if rows]

    def with_own(self, own: Iterable[IndicatorDefinition], goals: Iterable[Goal] = ()) -> IndicatorSet:
        """This set with a ward's own rows (and goals) added."""
        return IndicatorSet(set=self.set, title_ja=self.title_ja, title_en=self.title_en,
                            goals=(*self.goals, *goals), indicators=(*self.indicators, *own))
