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
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Notification, Transcoding

from domain.access import Decision, decide_case, may_write
from domain.access_record import AccessRecord
from domain.actor import Actor
from domain.case import Case, CaseEvent
from domain.errors import AccessNotRecorded, IdempotencyKeyReused, InvalidCommand, NotFound, VersionConflict
from domain.idempotency import IdempotencyKey, IdempotencyRecord
from domain.registry import Registry
from domain.views import CaseView, Timeline, case_view, timeline_entry

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


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


CASE_NOT_FOUND = NotFound("ケースが見つかりません。", "Case not found.")


def case_not_found() -> NotFound:
    """One answer for a missing case and for a case the reader may not see."""
    return NotFound(CASE_NOT_FOUND.message_ja, CASE_NOT_FOUND.message_en)


class Tsunagu(Application):
    """Tsunagu's use cases. Persistence and encryption come from the environment (see infra.store)."""

    name = "tsunagu"

    def __init__(self, env: dict[str, str] | None = None, *, registry: Registry, clock: Clock = utc_now,
                 emergency_ttl: timedelta = timedelta(hours=24), read_cache_cases: int = 256) -> None:
        super().__init__(env)
        self.registry = registry
        self.clock = clock
        self.emergency_ttl = emergency_ttl
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

    def open_case(self, actor: Actor, *, household_name: str, household_name_kana: str,
                  district: str | None, summary: str, occurred_at: datetime | None = None,
                  idempotency: IdempotencyKey | None = None) -> CommandResult:
        if district is not None and district not in {d.id for d in self.registry.districts}:
            raise InvalidCommand(f"地区「{district}」は登録されていません。", f"Unknown district {district!r}.")
        self._check_agencies([actor.agency_id])
        if (replayed := self._replayed(idempotency)) is not None:
            return replayed
        at = self._check_occurred_at(occurred_at, self.clock())
        case = Case.open(actor, at, household_name=household_name,
                         household_name_kana=household_name_kana, district=district, summary=summary)
        return self._save(case, created_id=str(case.id), idempotency=idempotency)

    def update_case(self, actor: Actor, case_id: UUID, command: Callable[[Case, datetime], Any], *,
                    expected_version: int | None = None, agencies: Iterable[str | None] = (),
                    occurred_at: datetime | None = None,
                    idempotency: IdempotencyKey | None = None) -> CommandResult:
        """Run one command on a case the actor may write to, and save its events atomically.

        ``occurred_at`` dates a record of something that already happened (a visit on
        Tuesday recorded on Thursday); the case's rules are checked as of that moment,
        the actor's permission to write as of now.
        """
        self._check_agencies(agencies)
        if (replayed := self._replayed(idempotency)) is not None:
            return replayed
        now = self.clock()
        at = self._check_occurred_at(occurred_at, now)
        case = self._load(case_id)
        if case is None or not may_write(actor, case, now):
            raise case_not_found()
        if at < case.opened_at:
            raise InvalidCommand("ケースの開始より前の日時は記録できません。",
                                 "A record cannot be dated before the case was opened.")
        if expected_version is not None and expected_version != case.version:
            raise self._conflict(case.version)
        created = command(case, at)
        return self._save(case, created_id=created if isinstance(created, str) else None, idempotency=idempotency)

    def grant_emergency_access(self, actor: Actor, case_id: UUID, *, reason: str,
                               idempotency: IdempotencyKey | None = None) -> CommandResult:
        """Break-glass: open to any staff member who knows the case, with a written reason."""
        if (replayed := self._replayed(idempotency)) is not None:
            return replayed
        case = self._load(case_id)
        if case is None:
            raise case_not_found()
        grant_id = case.grant_emergency_access(actor, self.clock(), reason=reason, ttl=self.emergency_ttl)
        return self._save(case, created_id=grant_id, idempotency=idempotency)

    @staticmethod
    def _check_occurred_at(occurred_at: datetime | None, now: datetime) -> datetime:
        if occurred_at is None:
            return now
        if occurred_at.tzinfo is None:
            raise InvalidCommand("日時にはタイムゾーンを付けてください（例：2026-04-01T10:00:00+09:00）。",
                                 "Give the time with its time zone, e.g. 2026-04-01T10:00:00+09:00.")
        if occurred_at > now + timedelta(minutes=5):
            raise InvalidCommand("未来の日時は記録できません。", "A record cannot be dated in the future.")
        return occurred_at

    def review_emergency_access(self, auditor: Actor, case_id: UUID, *, grant_id: str, justified: bool,
                                finding: str) -> CommandResult:
        """An auditor's review of a break-glass access (the domain checks the auditor role)."""
        case = self._load(case_id)
        if case is None:
            raise case_not_found()
        case.review_emergency_access(auditor, self.clock(), grant_id=grant_id, justified=justified, finding=finding)
        return self._save(case, created_id=None)

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

    def _check_agencies(self, agencies: Iterable[str | None]) -> None:
        for agency_id in agencies:
            if agency_id is not None:
                self.registry.agency(agency_id)  # raises NotFound with the agency's id

    # ----- reads --------------------------------------------------------------------------

    def read_timeline(self, reader: Actor, case_id: UUID, *, channel: str = "api") -> Timeline:
        events, case = self._read_cache.current(case_id)
        record, decisions = self._decide_and_record(reader, case_id, case, purpose="timeline", channel=channel)
        entries = [timeline_entry(event, decision) for event, decision in zip(events, decisions, strict=True)]
        return Timeline(case_id=str(case_id), version=len(events), access_record_id=str(record.id),
                        entries=entries)

    def read_case(self, reader: Actor, case_id: UUID, *, channel: str = "api") -> CaseView:
        _, case = self._read_cache.current(case_id)
        record, decisions = self._decide_and_record(reader, case_id, case, purpose="case_state",
                                                    channel=channel)
        assert case is not None  # a missing case is never granted
        return case_view(case, decisions, str(record.id))

    def _decide_and_record(self, reader: Actor, case_id: UUID, case: Case | None, *, purpose: str,
                           channel: str) -> tuple[AccessRecord, list[Decision]]:
        """Decide every entry and record the decisions; raise unless something may be shown."""
        at = self.clock()
        decisions = decide_case(reader, case, at) if case is not None else []
        active = [c["consent_id"] for c in case.active_consents(at)] if case is not None else []
        record = AccessRecord.of_read(reader, case_id, case_version=case.version if case else 0,
                                      decisions=decisions, active_consents=active, purpose=purpose,
                                      channel=channel, at=at)
        try:
            self.save(record)
        except Exception as error:  # any failure to record means the read does not happen
            raise AccessNotRecorded(
                "閲覧の記録を保存できなかったため、表示を中止しました。時間をおいて再度お試しください。",
                "The access could not be recorded, so nothing is shown. Please try again shortly.",
            ) from error
        if not record.granted:
            raise case_not_found()
        return record, decisions

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
        return list(self.events.get(case_id))

    def _events_after(self, case_id: UUID, version: int) -> list[CaseEvent]:
        return list(self.events.get(case_id, gt=version or None))

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
