"""Commit-to-consumer latency of referral events, with a same-run baseline through the same broker.

    .venv/bin/python bench/referral_latency.py                 # SQLite store, 50 referrals/s for 20 s
    .venv/bin/python bench/referral_latency.py --store postgres --rate 50 --seconds 20

Tsunagu's path: a referral is committed to the event store (in this process) → ``tsunagu relay``
(a subprocess) reads the notification log and publishes → ``tsunagu consume referrals`` (a
subprocess) files it in the agency's inbox. Latency = the inbox row's ``received_at`` minus the
moment the referral's transaction committed. The baseline sends payloads of the same size with a
plain idempotent acks=all producer to a plain consumer on the same broker, at the same rate.
Goal: p99 ≤ 500 ms at 50 referrals/s. A broker is started from the test jars unless
``--bootstrap`` (or ``TSUNAGU_KAFKA_BOOTSTRAP_SERVERS``) names one; PostgreSQL likewise, unless
``TSUNAGU_POSTGRES_DSN`` is set. ``tsunagu bench`` runs the same measure (``measure_referral_latency``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Literal, TypedDict, TypeVar
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kafka import KafkaConsumer, KafkaProducer  # noqa: E402

from bench.load import percentiles  # noqa: E402
from bench.processes import environment, running  # noqa: E402
from consumers.inbox import Inbox  # noqa: E402
from infra.bootstrap import build_tsunagu  # noqa: E402
from infra.kafka.cli import open_inbox  # noqa: E402
from infra.kafka.signing import derive_agency_key  # noqa: E402
from infra.settings import Settings  # noqa: E402
from tests.kafka_support import case_with_consent, request_referral  # noqa: E402

RECEIVER_AGENCY = "hikikomori"
WARM_UP = 20
GOAL_P99_MS = 500.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="referrals per second (default 50)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the measured run (default 20)")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--bootstrap", default=os.environ.get("TSUNAGU_KAFKA_BOOTSTRAP_SERVERS"),
                        help="a running broker (default: start one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tsunagu-bench-")))
        bootstrap = args.bootstrap or stack.enter_context(throwaway_broker(scratch))
        settings = Settings(data_dir=scratch, **stack.enter_context(_store(args.store, scratch)))
        figures = measure_referral_latency(settings, bootstrap, scratch, rate=args.rate, seconds=args.seconds,
                                           say=lambda text: print(text, flush=True))
    _report(figures)
    if args.json:
        print(json.dumps(figures))


def measure_referral_latency(settings: Settings, bootstrap: str, scratch: Path, *, rate: float, seconds: float,
                             say: Callable[[str], None] = lambda _: None,
                             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Tsunagu's commit → inbox latency at ``rate`` referrals/s, and the raw broker's, on an empty store."""
    count = int(rate * seconds)
    app = build_tsunagu(settings)
    try:
        say(f"preparing {count + WARM_UP} households with consent ({settings.store}) ...")
        cases = []
        for i in range(count + WARM_UP):
            cases.append(case_with_consent(app, to_agency=RECEIVER_AGENCY))
            if progress is not None:
                progress(i + 1, count + WARM_UP)
        prefix = f"bench{uuid.uuid4().hex[:8]}.referrals.v1."
        signing_secret = secrets.token_urlsafe(48)  # the relay signs, the consumer verifies: both are measured
        env = environment(settings, TSUNAGU_KAFKA_BOOTSTRAP_SERVERS=bootstrap, TSUNAGU_KAFKA_TOPIC_PREFIX=prefix,
                          TSUNAGU_KAFKA_GROUP_PREFIX=prefix, TSUNAGU_KAFKA_SIGNING_SECRET=signing_secret,
                          TSUNAGU_KAFKA_SIGNING_KEY=derive_agency_key(signing_secret, RECEIVER_AGENCY).encoded())
        with ExitStack() as stack:
            for name, argv in (("relay", ["relay"]),
                               ("consumer", ["consume", "referrals", "--agency", RECEIVER_AGENCY])):
                stack.enter_context(running(argv, env, scratch / f"{name}.log"))
            inbox = open_inbox(settings)
            stack.callback(inbox.close)

            warm = {request_referral(app, case, to_agency=RECEIVER_AGENCY)[1] for case in cases[:WARM_UP]}
            _wait_for_inbox(inbox, warm, timeout=60)
            say(f"measuring {count} referrals at {rate:g}/s ...")
            committed = _timed(lambda i: request_referral(app, cases[WARM_UP + i], to_agency=RECEIVER_AGENCY)[1],
                               count, rate)
            received = _wait_for_inbox(inbox, set(committed), timeout=60)
            payload_size = _payload_size(inbox)
    finally:
        app.close()
    tsunagu = [(received[event] - at) * 1000 for event, at in committed.items() if event in received]
    say("measuring the baseline: raw produce → consume on the same broker ...")
    baseline = _baseline(bootstrap, count, rate, payload_size=payload_size)
    return {"store": settings.store, "rate_per_s": rate, "referrals": count, "lost": count - len(tsunagu),
            "tsunagu_ms": _summary(tsunagu), "baseline_ms": _summary(baseline)}


# ----- Tsunagu's path ---------------------------------------------------------------------------


K = TypeVar("K", bound=Hashable)


def _timed(send: Callable[[int], K], count: int, rate: float) -> dict[K, float]:
    """Call ``send(i)`` on a fixed schedule; answer {its result: the wall time it returned}."""
    done: dict[K, float] = {}
    start = time.monotonic()
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        result = send(i)
        done[result] = time.time()
    return done


def _wait_for_inbox(inbox: Inbox, events: set[UUID], *, timeout: float) -> dict[UUID, float]:
    deadline = time.monotonic() + timeout
    while True:
        received = {e.event.event_id: e.received_at.timestamp()
                    for e in inbox.entries(RECEIVER_AGENCY, limit=1_000_000) if e.event.event_id in events}
        if len(received) == len(events) or time.monotonic() > deadline:
            return received
        time.sleep(0.2)


def _payload_size(inbox: Inbox) -> int:
    return len(inbox.entries(RECEIVER_AGENCY, limit=1)[0].event.model_dump_json())


# ----- the baseline: the same broker, no Tsunagu ------------------------------------------------


def _baseline(bootstrap: str, count: int, rate: float, *, payload_size: int) -> list[float]:
    topic = f"bench-baseline-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=topic, auto_offset_reset="earliest")
    received: dict[int, float] = {}
    stop = threading.Event()

    def consume() -> None:
        while not stop.is_set():
            for records in consumer.poll(timeout_ms=100).values():
                now = time.time()
                for record in records:
                    received[int(record.key)] = now

    producer.send(topic, key=b"-1", value=b"x").get(timeout=30)  # creates the topic
    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while -1 not in received and time.monotonic() < deadline:
        time.sleep(0.05)
    padding = b"x" * payload_size

    def send(i: int) -> int:
        producer.send(topic, key=str(i).encode(), value=padding)
        return i

    sent = _timed(send, count, rate)
    deadline = time.monotonic() + 30
    while len(received) < count + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=5)
    producer.close()
    consumer.close()
    return [(received[i] - at) * 1000 for i, at in sent.items() if i in received]


# ----- plumbing -----------------------------------------------------------------------------------


@contextmanager
def throwaway_broker(scratch: Path) -> Iterator[str]:
    from tests.services.kafka import start_kafka

    broker = start_kafka(scratch)
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()


class StoreSettings(TypedDict, total=False):
    """The settings that choose the store (the rest are defaults)."""

    store: Literal["sqlite", "postgres"]
    sqlite_path: Path
    postgres_dsn: str
    postgres_schema: str


@contextmanager
def _store(kind: str, scratch: Path) -> Iterator[StoreSettings]:
    if kind == "sqlite":
        yield {"store": "sqlite", "sqlite_path": scratch / "tsunagu.db"}
        return
    from bench.postgres import fresh_schema, postgres_dsn

    with postgres_dsn() as dsn, fresh_schema(dsn) as schema:
        yield {"store": "postgres", "postgres_dsn": dsn, "postgres_schema": schema}


def _summary(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), **percentiles(samples, 50, 90, 99),
            "max_ms": round(max(samples), 1) if samples else float("nan")}


def _report(figures: dict[str, Any]) -> None:
    t, b = figures["tsunagu_ms"], figures["baseline_ms"]
    print(f"\nreferral latency, {figures['referrals']} referrals at {figures['rate_per_s']:g}/s "
          f"on {figures['store']}, lost: {figures['lost']}")
    print(f"{'':32}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}   (ms)")
    for name, row in (("Tsunagu commit → inbox", t), ("baseline produce → consume", b)):
        print(f"{name:32}" + "".join(f"{row[k]:>9.1f}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")))
    verdict = "met" if t["p99_ms"] <= GOAL_P99_MS and not figures["lost"] else "NOT met"
    print(f"goal p99 ≤ {GOAL_P99_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
