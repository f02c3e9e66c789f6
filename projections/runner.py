"""Runs read models over the notification log in batches: one transaction per batch and view.

The library's ``ProjectionRunner`` commits one transaction per event; here each view gets a
batch of events and the batch's tracking position in one transaction (the library's
recorders and tracking, batched), so catching up and rebuilding are fast and still
exactly-once. Views that stand at the same position share one read and decode of the log.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from eventsourcing.persistence import Tracking

from domain.application import Tsunagu
from projections.base import ReadModel

Progress = Callable[[int, int], None]
"""Called with (notifications processed so far, notifications to process)."""


class BatchRunner:
    def __init__(self, app: Tsunagu, models: Sequence[ReadModel[Any]], *, batch_size: int = 2000) -> None:
        self.app = app
        self.models = list(models)
        self.batch_size = batch_size
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(self.models)), thread_name_prefix="read-model")
        self.error: BaseException | None = None

    # ----- positions ----------------------------------------------------------------------

    def position(self, model: ReadModel[Any]) -> int:
        return model.view.max_tracking_id(self.app.name) or 0

    def positions(self) -> dict[str, int]:
        return {model.name: self.position(model) for model in self.models}

    def wait(self, position: int, timeout: float = 5.0) -> bool:
        """Wait (bounded) until every view has processed the log up to ``position``."""
        deadline = time.monotonic() + timeout
        while True:
            if all(self.position(m) >= position for m in self.models):
                return True
            if time.monotonic() >= deadline:
                return False
            self._wake.set()
            time.sleep(0.01)

    # ----- processing ---------------------------------------------------------------------

    def catch_up(self, progress: Progress | None = None) -> int:
        """Process everything recorded so far; returns the number of notifications read."""
        head = self.app.recorder.max_notification_id() or 0
        by_position: dict[int, list[ReadModel[Any]]] = defaultdict(list)
        for model in self.models:
            by_position[self.position(model)].append(model)
        todo = sum(head - p for p in by_position if p < head)
        done = 0
        for start in sorted(by_position):
            if start < head:
                # ``before`` is bound now, to the count before this group: ``done`` changes only
                # after ``_advance`` returns, so this reports what a late-bound closure would report.
                def report(n: int, before: int = done) -> None:
                    if progress is not None:
                        progress(before + n, todo)

                done += self._advance(by_position[start], start, head, report)
        return done

    def _advance(self, models: list[ReadModel[Any]], position: int, head: int,
                 progress: Callable[[int], Any]) -> int:
        every_topic = any(not m.topics for m in models)
        topics = [] if every_topic else sorted({t for m in models for t in m.topics})
        decoders = [m for m in models if not m.raw]
        decode_all = any(not m.topics for m in decoders)
        decode_topics = {t for m in decoders for t in m.topics}
        processed = 0
        while position < head:
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=self.batch_size, stop=head, topics=topics)
            last = notifications[-1].id if len(notifications) == self.batch_size else head
            decoded = [(n, self.app.mapper.to_domain_event(n) if decode_all or n.topic in decode_topics else None)
                       for n in notifications]
            tracking = Tracking(application_name=self.app.name, notification_id=last)

            def process(model: ReadModel[Any], decoded: list[tuple[Any, Any]] = decoded,
                        tracking: Tracking = tracking) -> None:
                wanted = set(model.topics)
                model.process_batch([(n.id, n if model.raw else e) for n, e in decoded
                                     if not wanted or n.topic in wanted], tracking)

            # Views are separate databases or tables with their own connections: while one waits
            # on its database, another computes its rows. Every model's batch ends (committed or rolled
            # back) before a failure is raised, so no batch of this runner is still writing when it is
            # caught up again.
            futures = [self._pool.submit(process, model) for model in models]
            wait(futures)
            for future in futures:
                future.result()
            processed += last - position
            position = last
            progress(processed)
        return processed

    # ----- running in the background ------------------------------------------------------

    def start(self, poll_interval: float = 1.0) -> None:
        """Follow the log in a background thread, woken whenever the application records."""
        self.app.on_recorded(lambda _position: self._wake.set())
        self._thread = threading.Thread(target=self._follow, args=(poll_interval,), name="projections",
                                        daemon=True)
        self._thread.start()

    def _follow(self, poll_interval: float) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.catch_up()
            except Exception as error:
                self.error = error
            else:
                self.error = None
            self._wake.wait(poll_interval)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # ----- rebuilding ---------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> int:
        """Forget the views' contents and positions, and replay the whole log into them."""
        for model in self.models:
            model.view.reset(self.app.name)
        return self.catch_up(progress)
