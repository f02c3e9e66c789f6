"""A synthetic ward over several fiscal years, written through the domain in bulk.

The households are the demo's stories (``infra.demo.seed_demo``): every record is a
domain command (:mod:`domain.commands`) run by ``Tsunagu.execute`` under the same rules and
clock. The one difference is where a case lives between its
commands: ``BulkTsunagu`` keeps the cases being written in memory and saves many at a time
with one atomic ``save(*aggregates)``, instead of loading the case from the store for every
command and committing each command alone. tests/unit/test_bench_ward.py shows that both
paths write the same events.

Reads: after each command, ``reads_per_command`` staff (on average) read the case's
timeline. Each read is decided and recorded as ``Tsunagu.read_timeline`` decides and records
it (``decide_case``, the active consents, ``AccessRecord.of_read``), at that moment and
against the case as it then stood, and saved with the case's events.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.access import BREAK_GLASS_KINDS, decide_case
from domain.access_record import AccessRecord
from domain.actor import Actor
from domain.application import CommandResult, Tsunagu
from domain.calendar import JST
from domain.case import Case
from domain.commands import (
    AddMember,
    CaseCommand,
    Command,
    GrantConsent,
    HoldSupportMeeting,
    IdentifyIssue,
    OpenCase,
    Participant,
    PlanOutreach,
    RecordConsultation,
    RecordVisit,
)
from domain.idempotency import IdempotencyKey
from domain.vocabulary import ConsentMethod, Field, IssueTag, Role, VisitOutcome
from domain.vocabulary import InformationCategory as Cat
from infra.demo import seed_demo

FLUSH_EVENTS = 4000
"""Events saved per transaction (case events and access records together)."""

READER_ROLES = (Role.CASEWORKER, Role.COORDINATOR, Role.AUDITOR)
STRANGER_SHARE = 0.03
"""The share of reads by staff of any agency of the ward (mostly withheld, or audits)."""


class BulkTsunagu(Tsunagu):
    """Tsunagu whose writes wait in memory until ``flush`` saves them together, atomically.

    Commands run exactly as in ``Tsunagu`` (same checks, same clock, same domain methods);
    only ``_load`` and ``_save`` differ: a case written since the last flush comes from
    memory, and a saved case waits in memory for the next flush. (A refused command's
    ``WriteRefusal`` is saved at once, as ``Tsunagu`` saves it.)
    """

    name = Tsunagu.name  # the same tables, tracking and environment prefix as Tsunagu's

    def __init__(self, env: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(env, **kwargs)
        self._unsaved: dict[UUID, Case] = {}
        self._counted: dict[UUID, int] = {}
        self._staged: list[Aggregate] = []
        self._command_listeners: list[Callable[[Case], None]] = []
        self.unsaved_events = 0

    def after_command(self, listener: Callable[[Case], None]) -> None:
        """Call ``listener`` with the case after each command, before it is saved."""
        self._command_listeners.append(listener)

    def stage(self, aggregate: Aggregate) -> None:
        """Save ``aggregate`` with the next flush."""
        self._staged.append(aggregate)
        self.unsaved_events += len(aggregate.pending_events)

    def flush(self) -> int:
        """Save everything written since the last flush in one transaction; answer how many events."""
        saved = self.unsaved_events
        aggregates = [*self._unsaved.values(), *self._staged]
        if aggregates:
            self.save(*aggregates)
        self._unsaved.clear()
        self._counted.clear()
        self._staged.clear()
        self.unsaved_events = 0
        return saved

    def _load(self, case_id: UUID) -> Case | None:
        case = self._unsaved.get(case_id)
        return case if case is not None else super()._load(case_id)

    def _save(self, case: Case, created_id: str | None, idempotency: IdempotencyKey | None = None) -> CommandResult:
        if idempotency is not None:
            raise ValueError("the bulk path takes no idempotency keys")
        pending = len(case.pending_events)
        self.unsaved_events += pending - self._counted.get(case.id, 0)
        self._counted[case.id] = pending
        self._unsaved[case.id] = case
        for listener in self._command_listeners:
            listener(case)
        return CommandResult(case_id=str(case.id), version=case.version, position=0, created_id=created_id)


def access_record(reader: Actor, case: Case, at: datetime, *, purpose: str = "timeline",
                  channel: str = "api") -> AccessRecord:
    """The record of ``reader`` reading ``case`` at ``at``, decided as ``Tsunagu.read_timeline`` decides it."""
    decisions = decide_case(reader, case, at)
    active = [c["consent_id"] for c in case.active_consents(at)]
    return AccessRecord.of_read(reader, case.id, case_version=case.version, decisions=decisions,
                                active_consents=active, purpose=purpose, channel=channel, at=at)


class Readers:
    """After each command, staff read the case: mostly agencies involved in it, now and then anyone."""

    def __init__(self, app: BulkTsunagu, *, per_command: float, seed: int) -> None:
        self.app = app
        self.per_command = per_command
        self.rng = random.Random(f"tsunagu-bench-readers/{seed}")
        self.staff: dict[str, list[Actor]] = {}
        for member in app.registry.staff:
            if any(role in member.roles for role in READER_ROLES):
                self.staff.setdefault(member.agency, []).append(member.as_actor())
        self.agencies = sorted(self.staff)
        self.recorded = 0
        app.after_command(self.read)

    def read(self, case: Case) -> None:
        rng = self.rng
        count = int(self.per_command) + (rng.random() < self.per_command % 1)
        if not count:
            return
        at = min(case.entries[-1].occurred_at + timedelta(minutes=rng.randint(5, 600)), self.app.clock())
        involved = self._involved(case)
        for _ in range(count):
            agency = (rng.choice(self.agencies) if rng.random() < STRANGER_SHARE or not involved
                      else rng.choice(involved))
            self.app.stage(access_record(rng.choice(self.staff[agency]), case, at))
        self.recorded += count

    def _involved(self, case: Case) -> list[str]:
        agencies = {e.agency for e in case.entries if e.kind not in BREAK_GLASS_KINDS}
        agencies.update(r["to_agency"] for r in case.referrals.values())
        agencies.update(a for c in case.consents.values() for a in c["agencies"])
        agencies.update(p["agency"] for m in case.meetings.values() for p in m["participants"])
        return sorted(a for a in agencies if a in self.staff)


@dataclass
class Ward:
    """What was generated: counts, timings, and the cases (for the measures to pick from)."""

    households: int = 0
    case_events: int = 0
    access_records: int = 0
    seconds: float = 0.0
    fiscal_years: list[int] = field(default_factory=list)
    case_ids: list[UUID] = field(default_factory=list)

    @property
    def events_per_s(self) -> int:
        return round((self.case_events + self.access_records) / self.seconds) if self.seconds else 0


def stopped_clock(moment: datetime) -> Callable[[], datetime]:
    """A clock that always reads ``moment``."""
    def clock() -> datetime:
        return moment
    return clock


def generate_ward(app: BulkTsunagu, *, fiscal_years: list[int], households_per_year: int, reads_per_command: float,
                  seed: int = 2026, progress: Callable[[int, int], None] | None = None) -> Ward:
    """Play ``households_per_year`` demo households in each fiscal year, with their reads, saved in bulk."""
    started = time.perf_counter()
    readers = Readers(app, per_command=reads_per_command, seed=seed)
    ward = Ward(fiscal_years=list(fiscal_years))
    app.after_command(lambda case: ward.case_ids.append(case.id) if case.version == 1 else None)
    now = datetime.now(UTC)
    total = households_per_year * len(fiscal_years)
    saved = 0
    for year_index, fiscal_year in enumerate(fiscal_years):
        year_end = datetime(fiscal_year + 1, 4, 1, tzinfo=JST) - timedelta(seconds=1)
        moment = min(year_end, now)
        app.clock = stopped_clock(moment)  # the year's stories run up to its end (or today)

        def household_done(done: int, offset: int = year_index * households_per_year) -> None:
            nonlocal saved
            if app.unsaved_events >= FLUSH_EVENTS or done == households_per_year:
                saved += app.flush()  # before the demo's closing look at its cases
            if progress is not None:
                progress(offset + done, total)

        summary = seed_demo(app, households=households_per_year, fiscal_year=fiscal_year, seed=seed,
                            progress=household_done)
        ward.case_events += summary.events
    saved += app.flush()
    ward.households = total
    ward.access_records = readers.recorded
    ward.seconds = time.perf_counter() - started
    assert saved == ward.case_events + ward.access_records, (saved, ward.case_events, ward.access_records)
    return ward


# ----- one long case, for timeline reads ------------------------------------------------------------

LONG_CASE_OPENER = "suzuki-kenta"          # elderly-shiba: opened the case, writes most of it
LONG_CASE_CONSENTED = "takahashi-aoi"      # hikikomori: consent to basic, consultation and support only
LONG_CASE_MEETING = "inoue-kazuki"         # livelihood: a member of a 支援会議 (reads without consent)
LONG_CASE_COORDINATOR = "tanaka-yui"
LONG_CASE_READERS = (LONG_CASE_CONSENTED, LONG_CASE_MEETING, LONG_CASE_OPENER)
"""Who reads the long case in the timeline measure: partly withheld, unconsented, own records."""

_ROTATION: tuple[tuple[str, Field, Cat], ...] = (
    (LONG_CASE_OPENER, Field.ELDERLY, Cat.CONSULTATION),
    (LONG_CASE_CONSENTED, Field.HIKIKOMORI, Cat.SUPPORT),
    (LONG_CASE_MEETING, Field.POVERTY, Cat.FINANCE),
    ("ishikawa-mayumi", Field.HEALTH, Cat.HEALTH),
    (LONG_CASE_OPENER, Field.ELDERLY, Cat.FAMILY),
    (LONG_CASE_COORDINATOR, Field.GENERAL, Cat.SUPPORT),
)


CONSENT_DAYS = 365
"""The long case's consent is given for a year at a time and renewed before it lapses."""
SITTING_DAYS = 90
"""The long case's 支援会議 sits about every three months; each sitting's sharing lasts until the next."""
RENEW_BEFORE = timedelta(days=30)
SIT_BEFORE = timedelta(days=7)
TABLED = (Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT, Cat.FINANCE, Cat.HEALTH, Cat.FAMILY)


def long_case(app: Tsunagu, *, entries: int, start: datetime) -> UUID:
    """A household followed for years: ``entries`` timeline entries from several agencies, through the domain.

    The person consents, for a year at a time (renewed before it lapses), to sharing basics,
    consultations and the support record with the hikikomori desk; a 支援会議 that sits about every
    three months brings in the livelihood centre and the health centre, each sitting sharing what was
    recorded up to it until the next. Entries written by the health centre or about finances and
    family are withheld from the hikikomori desk, and entries recorded since the last sitting from
    the 支援会議 members, so both their reads are redacted.
    """
    registry = app.registry
    actor = {s.id: s.as_actor() for s in registry.staff}
    clock = app.clock
    step = (clock() - timedelta(days=2) - start) / entries
    at = start  # when the next command happens

    def recorded_then(staff_id: str, command: Command) -> CommandResult:
        """Each command is recorded when it happens, so its rules (a consent's or a sitting's term) are
        checked as of then, not as of today."""
        nonlocal at
        app.clock = stopped_clock(at)
        try:
            return app.execute(actor[staff_id], command)
        finally:
            app.clock = clock
            at += step

    case_id = UUID(recorded_then(LONG_CASE_OPENER, OpenCase(
        household_name="長期家", household_name_kana="ちょうきけ", district="shiba",
        summary="長期にわたり複数機関が関わる世帯（ベンチマーク用）", occurred_at=at)).case_id)

    def do(staff_id: str, command: Callable[..., CaseCommand], **values: Any) -> Any:
        return recorded_then(staff_id, command(case_id=case_id, occurred_at=at, **values)).created_id

    def today() -> date:
        return at.astimezone(JST).date()  # the day of the next command

    person = do(LONG_CASE_OPENER, AddMember, name="長期 太郎", name_kana="ちょうき たろう",
                birth_date=date(1972, 5, 1), relationship="本人", is_principal=True)

    def consent() -> date:
        """The person's consent (given or renewed): answers the day it lapses."""
        until = today() + timedelta(days=CONSENT_DAYS)
        do(LONG_CASE_OPENER, GrantConsent, member_id=person, agencies=(actor[LONG_CASE_CONSENTED].agency_id,),
           categories=(Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT), purpose="ひきこもり支援のため",
           method=ConsentMethod.WRITTEN, document_ref=f"同意書 長期-{today():%Y%m%d}", valid_until=until)
        return until

    # The ward's 支援会議 office convenes it (LONG_CASE_COORDINATOR is its coordinator); each member is
    # registry staff of the agency they sit for.
    members = tuple(Participant(agency=actor[s].agency_id, staff=s, pledged=True)
                    for s in (LONG_CASE_COORDINATOR, LONG_CASE_MEETING, "ishikawa-mayumi", LONG_CASE_OPENER))

    def sitting() -> date:
        """A sitting of the 支援会議: answers the day its sharing ends (the next sitting)."""
        until = today() + timedelta(days=SITTING_DAYS)
        do(LONG_CASE_COORDINATOR, HoldSupportMeeting, held_on=today(), purpose="同意の範囲外の情報共有（見守り体制）",
           participants=members, tabled_subjects=(person,), tabled_categories=TABLED, until=until)
        return until

    consent_until = consent()
    meeting_until = sitting()
    outreach = do(LONG_CASE_CONSENTED, PlanOutreach, member_id=person, approach="月1回の訪問", planned_on=today())
    n = 5
    while n < entries:
        staff_id, field_, category = _ROTATION[n % len(_ROTATION)]
        if today() >= consent_until - RENEW_BEFORE:
            consent_until = consent()
        elif today() >= meeting_until - SIT_BEFORE:
            meeting_until = sitting()
        elif n % 7 == 0:
            do(LONG_CASE_CONSENTED, RecordVisit, outreach_id=outreach, member_id=person,
               outcome=VisitOutcome.NOT_AT_HOME if n % 3 else VisitOutcome.MET, notes=f"訪問 {n} 回目の記録")
        elif n % 50 == 0:
            do(staff_id, IdentifyIssue, tag=IssueTag.ISOLATION, note=f"経過 {n}")
        else:
            do(staff_id, RecordConsultation, field=field_, category=category, channel="visit",
               summary=f"相談記録 {n}：状況の確認と今後の方針")
        n += 1
    return case_id
