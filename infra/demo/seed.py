"""Seeding a ward's year: which households, in what order, and the summary of what was written."""

from __future__ import annotations

import random
import time as _time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from domain.application import Tsunagu
from domain.calendar import JST, local_date
from domain.case import Case
from domain.vocabulary import ConsentGiver, MeetingKind
from infra.demo.showcases import showcases
from infra.demo.stories import BY_SCENARIO, SCENARIO_WEIGHTS
from infra.demo.story import Story
from infra.demo.summary import DemoSummary
from infra.demo.ward import Run, Stop, Ward

# The first households of every run: early in the year, so that even a small run shows
# the showcases and every kind of record. (scenario, forced features, the desks whose worker is the
# showcase reader: the coordination office's showcase coordinator, the hikikomori desk's worker)
FIXED_HOUSEHOLDS: tuple[tuple[str, dict[str, bool], tuple[str, ...]], ...] = (
    ("8050", {"finance": True, "met": True, "close": False, "withdraw": False, "revise": False}, ("coordination",)),
    ("8050", {"hik_mix": True, "finance": True, "met": True, "close": False, "withdraw": False}, ("hikikomori",)),
    ("8050", {"hik_withheld": True, "watch": True}, ("hikikomori",)),
    ("poverty", {"opener_shakyo": True, "decline": True, "consent": True}, ()),
    ("double_care", {"withdraw": True, "revise": True, "close": False}, ()),
    ("young_carer", {"refer_disability": True, "decline": True, "met": True, "under15": True}, ()),
    ("refusal", {"met": True, "close": True, "reopen": True, "emergency": False}, ()),
    ("hoarding", {"met": True, "emergency": True, "close": False}, ()),
    ("disability", {"variant65": True}, ()),
    ("elderly_couple", {"close": True}, ()),
    ("hikikomori", {"met": True, "livelihood": True, "narrow": True}, ()),
)

EMERGENCY_REASONS: tuple[tuple[str, str], ...] = (
    ("health", "救急隊から、室内で倒れている本人を発見したと連絡があった。"
               "搬送先に服薬状況と既往歴を伝えるため、緊急に確認する。"),
    ("livelihood", "本人から「もう生きていけない」との電話があり、自殺のおそれがある。"
                   "安否確認のため家族の連絡先を確認する。"),
    ("child_guidance", "世帯内の子の安全確認が必要との通告を受け、生命・身体の保護のため世帯の状況を緊急に確認する。"),
    ("disability", "夜間に本人が行方不明との通報があった。捜索に必要な心身の状況と立ち回り先を緊急に確認する。"),
)
"""Who might break the glass, by the household's desk, and why."""


def seed_demo(app: Tsunagu, *, households: int = 200, fiscal_year: int = 2026, seed: int = 2026,
              until: datetime | None = None, progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Write a ward's year of household cases through the domain, from April 1 up to ``until``."""
    started = _time.perf_counter()
    if households < 0:
        raise ValueError("households must not be negative")
    now = app.clock()
    if until is None:
        until = now
    if until.tzinfo is None:
        raise ValueError("until must be timezone-aware, e.g. 2026-11-01T18:00:00+09:00")
    until = min(until, now)
    start = datetime(fiscal_year, 4, 1, tzinfo=JST)
    if until <= start:
        raise ValueError(f"until ({until.isoformat()}) is not after the start of fiscal year {fiscal_year}")
    year_end = datetime(fiscal_year + 1, 4, 1, tzinfo=JST)
    until = min(until, year_end - timedelta(seconds=1))

    ward = Ward(app.registry, fiscal_year)
    run = Run(app, ward, until)
    stories: list[Story] = []
    scenarios = list(SCENARIO_WEIGHTS)
    weights = [SCENARIO_WEIGHTS[s] for s in scenarios]
    span = until - start
    for index in range(households):
        rng = random.Random(f"tsunagu-demo/{seed}/{fiscal_year}/{index}")
        showcased: tuple[str, ...] = ()
        if index < len(FIXED_HOUSEHOLDS):
            scenario, force, showcased = FIXED_HOUSEHOLDS[index]
            offset, pace = timedelta(days=rng.uniform(0, 14)), 0.6
        else:
            scenario, force = rng.choices(scenarios, weights)[0], {}
            offset, pace = span * (rng.random() ** 1.5), 0.8
            if scenario == "refusal" and rng.random() < 0.05:
                force = {"emergency": True}
            elif scenario in ("8050", "hoarding") and rng.random() < 0.02:
                force = {"emergency": True}
        district = rng.choice(ward.district_ids) if ward.district_ids else None
        if "coordination" in showcased and district not in ward.showcase_districts and ward.showcase_districts:
            district = ward.showcase_districts[index % len(ward.showcase_districts)]
        story = BY_SCENARIO[scenario](run, index, rng, district, start, dict(force),
                                      showcase_workers(ward, district, showcased), pace)
        opened = story.business(local_date(start + min(offset, span)))
        story.t = max(start, min(opened, until))
        try:
            story.play()
        except Stop:
            pass
        if story.force.get("emergency"):
            story.emergency(emergency_reasons(story))
        stories.append(story)
        if progress is not None:
            progress(index + 1)

    issued = run.commands
    summary = DemoSummary(
        households=households,
        events=run.events,
        fiscal_year=fiscal_year,
        seed=seed,
        until=until,
        elapsed_seconds=0.0,
        scenarios=dict(Counter(s.SCENARIO for s in stories)),
        meetings={MeetingKind.MULTI_LAYERED.value: issued["HoldMultiLayeredMeeting"],
                  MeetingKind.SUPPORT.value: issued["HoldSupportMeeting"]},
        consents_granted=issued["GrantConsent"],
        consents_withdrawn=issued["WithdrawConsent"],
        consents_by_giver={giver.value: run.consent_givers[giver.value] for giver in ConsentGiver},
        consents_narrowed=issued["NarrowConsent"],
        support_meetings_ended=support_meetings_ended(app, stories, until),
        referrals={"requested": issued["RequestReferral"], "accepted": issued["AcceptReferral"],
                   "declined": issued["DeclineReferral"], "completed": issued["CompleteReferral"],
                   "escalated": run.escalations},
        plans={"adopted": issued["AdoptPlan"], "revised": issued["RevisePlan"], "reviewed": issued["ReviewPlan"],
               "evaluated": issued["EvaluatePlan"]},
        outreach_visits=issued["RecordVisit"],
        participation_matches=issued["MatchParticipation"],
        handovers={"planned": issued["PlanHandover"], "completed": issued["CompleteHandover"]},
        emergency_accesses=issued["RequestEmergencyAccess"],
        closures=issued["CloseCase"],
        reopenings=issued["ReopenCase"],
        involvements_ended=issued["EndInvolvement"],
        commands=dict(sorted(issued.items())),
        showcases=showcases(app, ward, stories),
    )
    summary.elapsed_seconds = _time.perf_counter() - started
    return summary


def support_meetings_ended(app: Tsunagu, stories: list[Story], until: datetime) -> int:
    """支援会議 whose sharing had ended by ``until`` (their stated end passed, or the case closed)."""
    ended = 0
    for story in stories:
        if story.support_meetings:
            case: Case = app.repository.get(story.case_id)
            ended += sum(not case.support_meeting_current(case.meetings[m.meeting_id], until)
                         for m in story.support_meetings)
    return ended


def showcase_workers(ward: Ward, district: str | None, showcased: tuple[str, ...]) -> dict[str, str]:
    """The household's workers who are showcase readers, by agency."""
    desks = ward.of(district)
    readers = {"coordination": ward.showcase_coordinator, "hikikomori": ward.showcase_hikikomori}
    return {getattr(desks, desk): readers[desk] for desk in showcased}


def emergency_reasons(story: Story) -> list[tuple[str, str]]:
    """Who might need to break the glass on this household, and why (the first with no part in it does)."""
    ward = story.run.ward
    reasons = [(agency, reason) for desk, reason in EMERGENCY_REASONS
               if (agency := getattr(story.desks, desk)) is not None]
    for district in ward.district_ids:
        general = ward.of(district).general
        if district != story.district and general != story.general and all(general != a for a, _ in reasons):
            reasons.append((general, "消防から、本人が自宅で意識不明の状態で見つかったと連絡があった。"
                                     "家族の緊急連絡先を確認する必要がある。"))
    return reasons
