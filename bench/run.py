"""``tsunagu bench``: build a synthetic ward on PostgreSQL and measure it, each figure beside a same-run baseline.

Steps: generate the ward through the domain (bulk-saved) → a sample of reads through
``Tsunagu.read_timeline`` → rebuild every read model (a child process) → serve the API
(``tsunagu serve``) with ``tsunagu projections run`` beside it → write path, timeline reads,
audit queries over HTTP → referral latency through a real Kafka broker → results in
``bench/results/<date>-<scale>.json`` and ``.md``.

PostgreSQL: ``TSUNAGU_POSTGRES_DSN`` if set (the run gets a schema of its own, dropped after),
otherwise a throwaway durable cluster (tests/services). Kafka: ``TSUNAGU_KAFKA_BOOTSTRAP_SERVERS``
if set, otherwise a throwaway broker (tests/services, Maven Central jars cached).
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from eventsourcing.cryptography import AESCipher
from rich.progress import Progress

from bench import report
from bench.audit_query import measure_audit_query
from bench.postgres import fresh_schema, postgres_dsn
from bench.processes import api_server, environment, interpreter_memory_mb, projection_runner
from bench.rebuild import rebuild_in_child
from bench.scales import THIS_FISCAL_YEAR, Scale
from bench.target import Target
from bench.timeline import measure_timeline
from bench.ward import BulkTsunagu, Ward, generate_ward, long_case
from bench.write_path import measure_write_path
from domain.access_record import ACCESS_RECORD_TOPIC
from domain.application import utc_now
from domain.calendar import JST
from domain.errors import NotFound
from infra.bootstrap import build_token_issuer, build_tsunagu, load_registry
from infra.settings import Settings
from infra.store import eventsourcing_env

ProgressFactory = Callable[[], Progress]
Say = Callable[[str], None]


def run_bench(scale: Scale, *, progress: ProgressFactory, say: Say, results_dir: Path = report.RESULTS
              ) -> tuple[Path, Path]:
    """Run every measure at ``scale``; answer the JSON and markdown files written."""
    started = time.perf_counter()
    results: dict[str, Any] = {"scale": scale.name, "label": scale.label, "fraction": scale.fraction,
                               "date": date.today().isoformat(), "config": asdict(scale)}
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tsunagu-bench-")))
        say("PostgreSQL …")
        dsn = stack.enter_context(postgres_dsn(durable=True))
        settings = Settings(_env_file=None, store="postgres", postgres_dsn=dsn,
                            postgres_schema=stack.enter_context(fresh_schema(dsn)),
                            cipher_key=AESCipher.create_key(32), jwt_secret=secrets.token_urlsafe(48),
                            data_dir=scratch, rate_limits=False)  # the server is measured, not its rate limits
        ward, long_case_id = _generate(scale, settings, progress)
        sampled = _sample_reads(scale, settings, ward)
        target = Target(base_url="", issuer=build_token_issuer(settings),
                        registry=load_registry(settings.registry_path),
                        dsn=dsn, schema=str(settings.postgres_schema))
        results["data"] = _data(scale, ward, target, sampled)
        results["machine"] = report.machine(target.query("SELECT version()")[0][0].split(" on ")[0])

        with _task(progress, "rebuilding every read model") as update:
            results["rebuild"] = rebuild_in_child(environment(settings), update)
        runner_memory = results["rebuild"].pop("runner_memory")

        port = _free_port()
        with api_server(settings, port, scratch) as api, projection_runner(settings, scratch) as runner:
            target = Target(f"http://127.0.0.1:{port}", target.issuer, target.registry, dsn, target.schema)
            idle = api.memory()["rss_mb"]
            for name, description, measure in (
                ("write", "write path (HTTP commands vs durable INSERTs)", lambda: measure_write_path(
                    target, clients=scale.write_clients, commands=scale.write_commands)),
                ("timeline", "timeline reads at 1, 10, 50 clients", lambda: measure_timeline(
                    target, long_case_id, reads=dict(scale.timeline_reads))),
                ("audit_query", "audit queries", lambda: measure_audit_query(target, queries=scale.audit_queries)),
            ):
                with _task(progress, description, total=1) as update:
                    results[name] = measure()
                    update(1, 1)
            results["api"] = {**api.memory(), "baseline": {
                "idle_rss_mb": idle, "interpreter_rss_mb": interpreter_memory_mb("api.main", "infra.bootstrap")}}
            results["runner"] = {"peak_rss_mb": runner_memory["peak_rss_mb"],
                                 "follow_peak_rss_mb": runner.memory()["peak_rss_mb"],
                                 "baseline": {"interpreter_rss_mb": interpreter_memory_mb("infra.bootstrap")}}

        results["referral"] = _referral(scale, settings, scratch, stack, progress, say)
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    results["goals"] = report.check_goals(results)
    return report.write(results, results_dir)


def _generate(scale: Scale, settings: Settings, progress: ProgressFactory) -> tuple[Ward, Any]:
    app = BulkTsunagu(eventsourcing_env(settings), registry=load_registry(settings.registry_path))
    try:
        with _task(progress, f"generating the ward ({scale.label}): households") as update:
            ward = generate_ward(app, fiscal_years=list(scale.fiscal_years),
                                 households_per_year=scale.households_per_year,
                                 reads_per_command=scale.reads_per_command, progress=update)
        app.clock = utc_now
        case_id = long_case(app, entries=scale.long_case_entries,
                            start=datetime(THIS_FISCAL_YEAR - 4, 4, 1, 9, 30, tzinfo=JST))
        app.flush()
        return ward, case_id
    finally:
        app.close()


def _sample_reads(scale: Scale, settings: Settings, ward: Ward) -> dict[str, int]:
    """Reads through ``Tsunagu.read_timeline`` itself, now: each decided and recorded, granted or not."""
    app = build_tsunagu(settings)
    rng = random.Random("tsunagu-bench-sample-reads")
    readers = [s.as_actor() for s in app.registry.staff]
    counts = {"granted": 0, "denied": 0}
    try:
        for case_id in rng.sample(ward.case_ids, min(scale.sample_reads, len(ward.case_ids))):
            try:
                app.read_timeline(rng.choice(readers), case_id)
                counts["granted"] += 1
            except NotFound:
                counts["denied"] += 1  # recorded all the same
    finally:
        app.close()
    return counts


def _data(scale: Scale, ward: Ward, target: Target, sampled: dict[str, int]) -> dict[str, Any]:
    events = target.table("tsunagu_events")
    access = target.query(f"SELECT count(*) FROM {events} WHERE topic = %s", (ACCESS_RECORD_TOPIC,))[0][0]
    total = target.query(f"SELECT count(*) FROM {events}")[0][0]
    return {"households": ward.households, "fiscal_years": list(scale.fiscal_years),
            "case_events": total - access, "access_records": access,
            "access_records_through_read_timeline": sampled, "long_case_entries": scale.long_case_entries,
            "generation": {"seconds": round(ward.seconds, 1), "events_per_s": ward.events_per_s,
                           "case_events": ward.case_events, "access_records": ward.access_records}}


def _referral(scale: Scale, settings: Settings, scratch: Path, stack: ExitStack, progress: ProgressFactory,
              say: Say) -> dict[str, Any]:
    from bench.referral_latency import measure_referral_latency, throwaway_broker

    bootstrap = os.environ.get("TSUNAGU_KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        say("Kafka broker …")
        bootstrap = stack.enter_context(throwaway_broker(scratch))
    assert settings.postgres_dsn is not None
    own = settings.model_copy(update={  # an empty store of its own: the relay starts at the head
        "postgres_schema": stack.enter_context(fresh_schema(settings.postgres_dsn.get_secret_value(),
                                                            "bench_referral"))})
    with _task(progress, f"referral latency: preparing households, then {scale.referral_rate:g}/s") as update:
        figures = measure_referral_latency(own, bootstrap, scratch, rate=scale.referral_rate,
                                           seconds=scale.referral_seconds, progress=update)
    ours, baseline = figures.pop("tsunagu_ms"), figures.pop("baseline_ms")
    return {**figures, **ours, "baseline": baseline,
            "ratio_p99_to_baseline": round(ours["p99_ms"] / max(baseline["p99_ms"], 0.01), 1)}


@contextmanager
def _task(progress: ProgressFactory, description: str, total: int | None = None
          ) -> Iterator[Callable[[int, int], None]]:
    with progress() as bar:
        task = bar.add_task(description, total=total)
        yield lambda done, of: bar.update(task, completed=done, total=of)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

