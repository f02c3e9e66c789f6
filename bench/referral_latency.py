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
``TSUNAGU_TEST_POSTGRES_DSN`` is set.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kafka import KafkaConsumer, KafkaProducer  # noqa: E402

from consumers.inbox import Inbox  # noqa: E402
from infra.bootstrap import build_tsunagu  # noqa: E402
from infra.kafka.cli import open_inbox  # noqa: E402
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
    count = int(args.rate * args.seconds)

    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tsunagu-bench-")))
        bootstrap = args.bootstrap or stack.enter_context(_throwaway_broker(scratch))
        settings = Settings(data_dir=scratch, **stack.enter_context(_store(args.store, scratch)))
        app = build_tsunagu(settings)
        stack.callback(app.close)
        print(f"preparing {count + WARM_UP} households with consent ({args.store}) ...", flush=True)
        cases = [case_with_consent(app, to_agency=RECEIVER_AGENCY) for _ in range(count + WARM_UP)]

        prefix = f"bench{uuid.uuid4().hex[:8]}.referrals.v1."
        env = _environment(settings, bootstrap, prefix)
        for name, argv in (("relay", ["relay"]), ("consumer", ["consume", "referrals", "--agency", RECEIVER_AGENCY])):
            stack.enter_context(_process(argv, env, scratch / f"{name}.log"))
        inbox = open_inbox(settings)
        stack.callback(inbox.close)

        warm = {request_referral(app, case, to_agency=RECEIVER_AGENCY)[1] for case in cases[:WARM_UP]}
        _wait_for_inbox(inbox, warm, timeout=60)
        print(f"measuring {count} referrals at {args.rate:g}/s ...", flush=True)
        committed = _timed(lambda i: request_referral(app, cases[WARM_UP + i], to_agency=RECEIVER_AGENCY)[1],
                           count, args.rate)
        received = _wait_for_inbox(inbox, set(committed), timeout=60)
        tsunagu = [(received[event] - at) * 1000 for event, at in committed.items() if event in received]
        lost = len(committed) - len(tsunagu)

        print("measuring the baseline: raw produce → consume on the same broker ...", flush=True)
        baseline = _baseline(bootstrap, count, args.rate, payload_size=_payload_size(inbox))

    figures = {"store": args.store, "rate_per_s": args.rate, "referrals": count, "lost": lost,
               "tsunagu_ms": _percentiles(tsunagu), "baseline_ms": _percentiles(baseline)}
    _report(figures)
    if args.json:
        print(json.dumps(figures))


# ----- Tsunagu's path ---------------------------------------------------------------------------


def _timed(send: Callable[[int], Hashable], count: int, rate: float) -> dict[Hashable, float]:
    """Call ``send(i)`` on a fixed schedule; answer {its result: the wall time it returned}."""
    done = {}
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
def _throwaway_broker(scratch: Path) -> Iterator[str]:
    from tests.services.kafka import start_kafka

    print("starting a Kafka broker (tests/services, cached jars) ...", flush=True)
    broker = start_kafka(scratch)
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()


@contextmanager
def _store(kind: str, scratch: Path) -> Iterator[dict[str, object]]:
    if kind == "sqlite":
        yield {"store": "sqlite", "sqlite_path": scratch / "tsunagu.db"}
        return
    dsn = os.environ.get("TSUNAGU_TEST_POSTGRES_DSN")
    with ExitStack() as stack:
        if not dsn:
            from tests.services.postgres import start_postgres

            print("starting PostgreSQL (tests/services) ...", flush=True)
            root = Path(tempfile.mkdtemp(prefix="tsunagu-bench-pg-"))
            root.chmod(0o755)  # the server runs as the postgres user
            stack.callback(shutil.rmtree, root, True)
            server = start_postgres(root)
            stack.callback(server.stop)
            dsn = server.dsn
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        yield {"store": "postgres", "postgres_dsn": dsn, "postgres_schema": schema}


def _environment(settings: Settings, bootstrap: str, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    env.update(TSUNAGU_STORE=settings.store, TSUNAGU_DATA_DIR=str(settings.data_dir),
               TSUNAGU_KAFKA_BOOTSTRAP_SERVERS=bootstrap, TSUNAGU_KAFKA_TOPIC_PREFIX=prefix,
               TSUNAGU_KAFKA_GROUP_PREFIX=prefix)
    if settings.store == "sqlite":
        env["TSUNAGU_SQLITE_PATH"] = str(settings.sqlite_file)
    else:
        assert settings.postgres_dsn is not None
        env.update(TSUNAGU_POSTGRES_DSN=settings.postgres_dsn.get_secret_value(),
                   TSUNAGU_POSTGRES_SCHEMA=str(settings.postgres_schema))
    return env


@contextmanager
def _process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("wb") as output:
        process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "tsunagu"), *argv], env=env, cwd=log.parent,
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _percentiles(samples: list[float]) -> dict[str, float]:
    if len(samples) < 2:
        return {"n": len(samples)}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"n": len(samples), "p50": round(cuts[49], 1), "p90": round(cuts[89], 1), "p99": round(cuts[98], 1),
            "max": round(max(samples), 1)}


def _report(figures: dict[str, Any]) -> None:
    t, b = figures["tsunagu_ms"], figures["baseline_ms"]
    print(f"\nreferral latency, {figures['referrals']} referrals at {figures['rate_per_s']:g}/s "
          f"on {figures['store']}, lost: {figures['lost']}")
    print(f"{'':32}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}   (ms)")
    for name, row in (("Tsunagu commit → inbox", t), ("baseline produce → consume", b)):
        print(f"{name:32}" + "".join(f"{row.get(k, float('nan')):>9.1f}" for k in ("p50", "p90", "p99", "max")))
    verdict = "met" if t.get("p99", float("inf")) <= GOAL_P99_MS and not figures["lost"] else "NOT met"
    print(f"goal p99 ≤ {GOAL_P99_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
