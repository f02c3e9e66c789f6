"""The service layer: use cases over the event store.

Writes load a case, run one command on it and save it atomically (optimistic
concurrency by version). Reads decide every entry, record the decisions, and
only then hand the data over: if the record cannot be written, nothing is shown.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NoReturn, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Notification, Transcoding

from domain.access import Decision, decide_case, write_basis
from domain.access_record import AccessRecord
from domain.actor import Actor
from domain.calendar import JST, local_date
from domain.case import Case, CaseEvent
from domain.commands import CaseCommand, Command, Context, NewCaseCommand, case_not_found
from domain.errors import (
    AccessNotRecorded,
    DomainError,
    IdempotencyKeyReused,
    InvalidCommand,
    NotPermitted,
    VersionConflict,
)
from domain.idempotency import IdempotencyKey, IdempotencyRecord
from domain.policy import ImplausibleDate, Policy
from domain.registry import Registry
from domain.submission import IndicatorSubmission, SubmittedFigure, already_submitted, submission_id
from domain.views import (
    CaseSummary,
    CaseView,
    EmergencyGrantView,
    Timeline,
    case_summary,
    case_view,
    emergency_grant_views,
    timeline_entry,
)
from domain.write_refusal import WriteRefusal

Clock = Callable[[], datetime]
_Row = TypeVar("_Row")


def utc_now() -> datetime:
    return datetime.now(UTC)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class CommandResult:
    """What a write answers: the case's new version and the log position to wait for."""

    case_id: str
    version: int
    position: int
    created_id: str | None = None


def access_not_recorded() -> AccessNotRecorded:
    """A read whose record could not be written does not happen (fail closed)."""
    return AccessNotRecorded("閲覧の記録を保存できなかったため、表示を中止しました。時間をおいて再度お試しください。",
                             "The access could not be recorded, so nothing is shown. Please try again shortly.")


class Tsunagu(Application):
    """Tsunagu's use cases. Persistence and encryption come from the environment (see infra.store)."""

    name = "tsunagu"

    def __init__(self, env: dict[str, str] | None = None, *, registry: Registry, clock: Clock = utc_now,
                 policy: Policy | None = None, read_cache_cases: int = 256) -> None:
        super().__init__(env)
        self.registry = registry
        self.clock = clock
        self.policy = policy or Policy()
        self._listeners: list[Callable[[int], None]] = []
        self._read_cache = CaseReadCache(self._events_after, maxsize=read_cache_cases)

    def on_recorded(self, listener: Callable[[int], None]) -> None:
        """Call ``listener`` with the log position after each save (e.g. to wake projections)."""
        self._listeners.append(listener)

    def _notify(self, recordings: list[Any]) -> None:
        super()._notify(recordings)
        if recordings:
            for listener in self._listeners:
                listener(recordings[-1].notification.id)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # ----- writes -------------------------------------------------------------------------

    def execute(self, actor: Actor, command: Command, *, expected_version: int | None = None,
                idempotency: IdempotencyKey | None = None) -> CommandResult:
        """Check that ``actor`` may issue ``command`` now, run it, and save its events atomically.

        The command's rule is checked as of now; the case's own rules as of ``occurred_at`` (a visit
        on Tuesday recorded on Thursday). A refusal by the rule is recorded before it is answered.
        """
        command.validate(self.registry)
        if (replayed := self._replayed(idempotency)) is not None:
            return replayed
        now = self.clock()
        at = self._check_dates(command, now)
        self._check_agencies(command.agencies_named(), local_date(at))
        if isinstance(command, NewCaseCommand):
            context = Context(actor, None, now, at, self.registry, self.policy)
            self._check_rule(command, context, case_id=None)
            case = command.start(context)
            return self._save(case, created_id=str(case.id), idempotency=idempotency)
        assert isinstance(command, CaseCommand), f"{type(command).__name__} is neither a new-case nor a case command"
        loaded = self._load(command.case_id)
        context = Context(actor, loaded, now, at, self.registry, self.policy)
        if loaded is None:
            self._refuse(context, command, command.case_id, "case_exists", case_not_found())
        self._check_rule(command, context, case_id=command.case_id)
        case = context.existing
        if at < case.opened_at:
            raise InvalidCommand("ケースの開始より前の日時は記録できません。",
                                 "A record cannot be dated before the case was opened.")
        if expected_version is not None and expected_version != case.version:
            raise self._conflict(case.version)
        try:
            created = command.apply(case, context)
        except NotPermitted as refused:  # the case's own check of who may (kept as a second line)
            self._refuse(context, command, command.case_id, "case", refused)
        return self._save(case, created_id=created, idempotency=idempotency)

    def _check_rule(self, command: Command, context: Context, *, case_id: UUID | None) -> None:
        refusal = command.refusal(context)
        if refusal is not None:
            requirement, error = refusal
            self._refuse(context, command, case_id, requirement.name, error)

    def _refuse(self, context: Context, command: Command, case_id: UUID | None, refused_by: str,
                error: DomainError) -> NoReturn:
        """Record a refused write, then refuse it. If it cannot be recorded, the answer says so."""
        record = WriteRefusal.of(context.actor, case_id, case_version=context.case.version if context.case else 0,
                                 command=type(command).__name__, refused_by=refused_by, answer=error.code,
                                 at=context.now)
        self._save_refusal(record)
        raise error

    def _check_dates(self, command: Command, now: datetime) -> datetime:
        """When the command's record happened (``occurred_at``, default now) and its other dates, each within
        the ward's plausible range (``Policy.dates``): nothing in the future or before the ward's records
        begin, nobody born before the earliest birth date, nothing planned too far ahead."""
        occurred_at = command.occurred_at or now
        if occurred_at.tzinfo is None:
            raise ImplausibleDate("occurred_at",
                                  "日時にはタイムゾーンを付けてください（例：2026-04-01T10:00:00+09:00）。",
                                  "Give the time with its time zone, e.g. 2026-04-01T10:00:00+09:00.")
        if occurred_at > now + timedelta(minutes=5):
            raise ImplausibleDate("occurred_at", "未来の日時は記録できません。",
                                  "A record cannot be dated in the future.")
        earliest = self.policy.dates.earliest_record
        if occurred_at < datetime.combine(earliest, time(), JST):
            raise ImplausibleDate("occurred_at", f"{earliest.isoformat()}より前の日時は記録できません。",
                                  f"A record cannot be dated before {earliest.isoformat()}.")
        command.check_dates(self.policy.dates, local_date(now))
        return occurred_at

    def _save(self, case: Case, created_id: str | None, idempotency: IdempotencyKey | None = None) -> CommandResult:
        """Save the case's new events atomically, with the idempotency record when keyed."""
        keyed = [] if idempotency is None else [IdempotencyRecord.of(
            idempotency, case_id=str(case.id), version=case.version, created_id=created_id)]
        try:
            recordings = self.save(case, *keyed)
        except IntegrityError:
            if (replayed := self._replayed(idempotency)) is not None:
                return replayed  # the same command won a race with this retry
            raise self._conflict(None) from None
        return CommandResult(case_id=str(case.id), version=case.version,
                             position=recordings[-1].notification.id, created_id=created_id)

    def _replayed(self, idempotency: IdempotencyKey | None) -> CommandResult | None:
        """The first result of a command sent again with the same key (None if it is new)."""
        if idempotency is None:
            return None
        try:
            record: IdempotencyRecord = self.repository.get(idempotency.record_id)
        except AggregateNotFoundError:
            return None
        if record.request_digest != idempotency.request_digest:
            raise IdempotencyKeyReused(
                "この Idempotency-Key は別の内容の依頼ですでに使われています。新しいキーで送ってください。",
                "This Idempotency-Key was already used for a different request; send it with a new key.")
        return CommandResult(case_id=record.case_id, version=record.version,
                             position=self.recorder.max_notification_id() or 0, created_id=record.created_id)

    @staticmethod
    def _conflict(current: int | None) -> VersionConflict:
        now = f"（現在の版：{current}）" if current is not None else ""
        return VersionConflict(
            f"このケースは他の人が先に更新しました{now}。最新の内容を読み込んでからやり直してください。",
            "Someone else updated this case first"
            + (f" (current version {current})" if current is not None else "")
            + ". Reload it and try again.")

    def _check_agencies(self, agencies: Iterable[str | None], day: date) -> None:
        """A command names only registered agencies (NotFound, with the id) that exist on the day it records (a
        reorganisation ends some, with the agency that takes over; Ota's 令和8年8月1日)."""
        for agency_id in agencies:
            agency = self.registry.agency(agency_id) if agency_id is not None else None
            if agency is None or agency.active_on(day):
                continue
            successor = self.registry.agency(agency.succeeded_by) if agency.succeeded_by else None
            raise InvalidCommand(
                f"{agency.name_ja}は{day.year}年{day.month}月{day.day}日には存在しません"
                + (f"（{successor.name_ja}に引き継がれています）。" if successor else "。"),
                f"{agency.name_en} does not exist on {day.isoformat()}"
                + (f" (it was succeeded by {successor.name_en})." if successor else "."))

    def submit_indicators(self, actor: Actor, fiscal_year: int, figures: list[SubmittedFigure]) -> IndicatorSubmission:
        """Store a fiscal year's figures as submitted (once per ward and year); a refusal is recorded."""
        now = self.clock()
        try:
            submission = IndicatorSubmission.submit(actor, self.registry, fiscal_year, figures, now)
        except NotPermitted as refused:
            self._save_refusal(WriteRefusal.of(actor, None, case_version=0, command="SubmitIndicators",
                                               refused_by="may_submit", answer=refused.code, at=now))
            raise
        if (earlier := self.indicator_submission(fiscal_year)) is not None:
            raise already_submitted(earlier)
        try:
            self.save(submission)
        except IntegrityError:
            raise already_submitted(self.repository.get(submission.id)) from None
        return submission

    def indicator_submission(self, fiscal_year: int) -> IndicatorSubmission | None:
        """The ward's submitted figures of a fiscal year, if submitted."""
        try:
            submission: object = self.repository.get(submission_id(self.registry.ward.id, fiscal_year))
        except AggregateNotFoundError:
            return None
        return submission if isinstance(submission, IndicatorSubmission) else None

    def _save_refusal(self, record: WriteRefusal) -> None:
        """Record a refused write before it is answered; if it cannot be recorded, the answer says so."""
        try:
            self.save(record)
        except Exception as failure:
            raise AccessNotRecorded(
                "操作の拒否を記録できなかったため、処理を中止しました。時間をおいて再度お試しください。",
                "The refusal could not be recorded, so nothing was done. Please try again shortly.",
            ) from failure

    # ----- reads --------------------------------------------------------------------------

    def read_timeline(self, reader: Actor, case_id: UUID, *, channel: str = "api") -> Timeline:
        events, case = self._read_cache.current(case_id)
        record, decisions = self._decide_and_record(reader, case_id, case, purpose="timeline", channel=channel)
        entries = [timeline_entry(event, decision) for event, decision in zip(events, decisions, strict=True)]
        return Timeline(case_id=str(case_id), version=len(events), access_record_id=str(record.id),
                        entries=entries)

    def read_case(self, reader: Actor, case_id: UUID, *, channel: str = "api") -> CaseView:
        events, case = self._read_cache.current(case_id)
        record, decisions = self._decide_and_record(reader, case_id, case, purpose="case_state",
                                                    channel=channel)
        assert case is not None  # a missing case is never granted
        return case_view(case, events, decisions, str(record.id))

    def read_case_page(self, reader: Actor, case_id: UUID, *,
                       channel: str = "web") -> tuple[CaseView, Timeline, Case]:
        """The case's state, its whole timeline and the case as the reader may know it (``Case.from_granted``)
        as one read: each entry decided once, one access record (purpose ``timeline``) for all three, so that
        one page view is one row in the audit trail."""
        events, case = self._read_cache.current(case_id)
        record, decisions = self._decide_and_record(reader, case_id, case, purpose="timeline", channel=channel)
        assert case is not None  # a missing case is never granted
        entries = [timeline_entry(event, decision) for event, decision in zip(events, decisions, strict=True)]
        known = Case.from_granted(case, events, {d.seq for d in decisions if d.granted})
        return (case_view(case, events, decisions, str(record.id)),
                Timeline(case_id=str(case_id), version=len(events), access_record_id=str(record.id), entries=entries),
                known)

    def read_cases(self, reader: Actor, case_ids: Iterable[UUID], *, purpose: str, channel: str,
                   view: Callable[[Case, Case, list[Decision], str, datetime], _Row | None]) -> list[_Row]:
        """Rows of several cases for one reader, each built by ``view`` from the case as the reader may know it
        (``Case.from_granted``: granted entries only) and each a recorded read, as ``case_summaries`` does."""
        return self._read_many(reader, case_ids, purpose=purpose, channel=channel, view=view)

    def record_lookups(self, reader: Actor, case_ids: Iterable[UUID], *, purpose: str, channel: str) -> list[str]:
        """Record that the reader is shown that these cases exist (the candidates of a break-glass search, by
        name, before any grant): each decided as a read would be, and recorded, granted or not. Nothing of a
        case is returned, only the ids of those recorded (missing ones are left out); if the records cannot
        be written, nothing is shown."""
        at = self.clock()
        records = []
        for case_id in dict.fromkeys(case_ids):
            _, case = self._read_cache.current(case_id)
            if case is not None:
                records.append(self._access_record(reader, case_id, case, decide_case(reader, case, at),
                                                   purpose=purpose, channel=channel, at=at))
        self._save_reads(records)
        return [str(record.case_id) for record in records]

    def case_summaries(self, reader: Actor, case_ids: Iterable[UUID], *, purpose: str = "list",
                       channel: str = "api", keep: Callable[[Case], bool] | None = None) -> list[CaseSummary]:
        """List rows for the cases the reader may see something of, each computed from the reader's granted
        entries alone, and each a recorded read. ``keep`` is asked about the case as the reader may know it
        (``Case.from_granted``) and drops rows before anything is recorded or shown: a name search keeps
        the cases whose *visible* names match. If the reads cannot be recorded, nothing is shown."""

        def row(case: Case, known: Case, decisions: list[Decision], record_id: str, at: datetime) -> CaseSummary | None:
            return case_summary(case, known, decisions, record_id, at) if keep is None or keep(known) else None

        return self._read_many(reader, case_ids, purpose=purpose, channel=channel, view=row)

    def read_emergency_grants(self, reader: Actor, case_ids: Iterable[UUID], *,
                              channel: str = "api") -> list[EmergencyGrantView]:
        """The break-glass grants of these cases, with the reason given for each and its review's finding, as
        the reader may know them (an auditor: every entry, on AUDIT). Each case is read once and each read is
        recorded (purpose ``emergency_review``), all in one save: if they cannot be recorded, nothing is
        shown. Cases missing, or with nothing the reader may see, are left out unrecorded."""
        grants = self._read_many(reader, case_ids, purpose="emergency_review", channel=channel,
                                 view=lambda case, known, _, record_id, __: emergency_grant_views(case, known,
                                                                                                   record_id))
        return [grant for case_grants in grants for grant in case_grants]

    def _read_many(self, reader: Actor, case_ids: Iterable[UUID], *, purpose: str, channel: str,
                   view: Callable[[Case, Case, list[Decision], str, datetime], _Row | None]) -> list[_Row]:
        """Read several cases for one reader: decide each, build ``view`` from the case as the reader may
        know it (``Case.from_granted``; None drops the case before anything is recorded), and record every
        read shown in one save. Missing cases and cases the reader sees nothing of are left out unrecorded;
        if the reads cannot be recorded, nothing is shown."""
        at = self.clock()
        rows: list[tuple[AccessRecord, _Row]] = []
        for case_id in dict.fromkeys(case_ids):
            events, case = self._read_cache.current(case_id)
            if case is None:
                continue
            decisions = decide_case(reader, case, at)
            granted = {d.seq for d in decisions if d.granted}
            if not granted:
                continue
            record = self._access_record(reader, case_id, case, decisions, purpose=purpose, channel=channel, at=at)
            shown = view(case, Case.from_granted(case, events, granted), decisions, str(record.id), at)
            if shown is not None:
                rows.append((record, shown))
        self._save_reads([record for record, _ in rows])
        return [shown for _, shown in rows]

    def may_record_on(self, actor: Actor, case_id: UUID) -> bool:
        """Whether ``actor`` has a basis to record on the case now (to offer forms; ``execute`` decides)."""
        _, case = self._read_cache.current(case_id)
        return case is not None and write_basis(actor, case, self.clock()) is not None

    def _decide_and_record(self, reader: Actor, case_id: UUID, case: Case | None, *, purpose: str,
                           channel: str) -> tuple[AccessRecord, list[Decision]]:
        """Decide every entry and record the decisions; raise unless something may be shown."""
        at = self.clock()
        decisions = decide_case(reader, case, at) if case is not None else []
        record = self._access_record(reader, case_id, case, decisions, purpose=purpose, channel=channel, at=at)
        self._save_reads([record])
        if not record.granted:
            raise case_not_found()
        return record, decisions

    @staticmethod
    def _access_record(reader: Actor, case_id: UUID, case: Case | None, decisions: list[Decision], *,
                       purpose: str, channel: str, at: datetime) -> AccessRecord:
        active = [c["consent_id"] for c in case.active_consents(at)] if case is not None else []
        return AccessRecord.of_read(reader, case_id, case_version=case.version if case else 0, decisions=decisions,
                                    active_consents=active, purpose=purpose, channel=channel, at=at)

    def _save_reads(self, records: list[AccessRecord]) -> None:
        """Save the records of reads before anything is shown; any failure means the reads do not happen."""
        if not records:
            return
        try:
            self.save(*records)
        except Exception as error:
            raise access_not_recorded() from error

    def notifications(self, topics: Iterable[str] = (), page: int = 5_000) -> Iterator[Notification]:
        """Every stored record in log order (optionally only these topics), read a page at a time."""
        start = 1
        while True:
            batch = self.recorder.select_notifications(start=start, limit=page, topics=list(topics))
            yield from batch
            if len(batch) < page:
                return
            start = batch[-1].id + 1

    def access_record(self, record_id: UUID) -> AccessRecord:
        return self.repository.get(record_id)

    # ----- loading ------------------------------------------------------------------------

    def _events(self, case_id: UUID) -> list[CaseEvent]:
        return cast("list[CaseEvent]", list(self.events.get(case_id)))

    def _events_after(self, case_id: UUID, version: int) -> list[CaseEvent]:
        return cast("list[CaseEvent]", list(self.events.get(case_id, gt=version or None)))

    def _load(self, case_id: UUID) -> Case | None:
        return _project(self._events(case_id))


class CaseReadCache:
    """Recently read cases, for reads only: their decoded events and the case as of the last one.

    Every read still asks the store for events after the cached version, so a read is always
    current; only what has not changed is not fetched and decoded again. Readers never
    change a case, so a cached case is shared; writes load their own copy.
    """

    def __init__(self, fetch_after: Callable[[UUID, int], list[CaseEvent]], *, maxsize: int) -> None:
        self._fetch_after = fetch_after
        self._maxsize = maxsize
        self._items: OrderedDict[UUID, tuple[tuple[CaseEvent, ...], Case | None]] = OrderedDict()
        self._lock = threading.Lock()

    def current(self, case_id: UUID) -> tuple[tuple[CaseEvent, ...], Case | None]:
        with self._lock:
            events, case = self._items.get(case_id, ((), None))
        newer = self._fetch_after(case_id, len(events))
        if not newer:
            return events, case
        events = (*events, *newer)
        case = _project(list(events))
        if case is not None and self._maxsize:
            with self._lock:
                cached = self._items.get(case_id)
                if cached is None or len(cached[0]) < len(events):
                    self._items[case_id] = (events, case)
                self._items.move_to_end(case_id)
                while len(self._items) > self._maxsize:
                    self._items.popitem(last=False)
        return events, case


def _project(events: list[CaseEvent]) -> Case | None:
    case = None
    for event in events:
        case = event.mutate(case)
    if case is not None and not isinstance(case, Case):
        return None  # the id belongs to another kind of aggregate (e.g. an access record)
    return case
