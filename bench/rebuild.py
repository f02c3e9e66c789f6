"""Projection rebuild throughput on PostgreSQL, against raw scans of the same notification log.

    python -m bench.rebuild [--households 1500]

Baselines, measured in the same run on the same log: a raw scan of the notification log
(select only) and a scan that also decodes every event (what any projection must pay).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from domain.application import Tsunagu
from infra.bootstrap import load_registry
from infra.demo import seed_demo
from infra.settings import WARDS, Settings
from infra.store import eventsourcing_env
from projections import build_read_models
from projections.runner import BatchRunner

PAGE = 5000


def _timed(work: Any) -> tuple[int, float]:
    started = time.perf_counter()
    count = work()
    return count, time.perf_counter() - started


def _scan(app: Tsunagu, *, decode: bool) -> int:
    start, seen = 1, 0
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE)
        if decode:
            for notification in page:
                app.mapper.to_domain_event(notification)
        seen += len(page)
        if len(page) < PAGE:
            return seen
        start = page[-1].id + 1


def measure_rebuild(env: dict[str, str], app: Tsunagu, *, batch_size: int = PAGE) -> dict[str, Any]:
    """Rebuild every read model (together, then each alone) and the two scan baselines."""
    read_models = build_read_models(env)
    results: dict[str, Any] = {}
    events, seconds = _timed(BatchRunner(app, read_models.all(), batch_size=batch_size).rebuild)
    results["all_models"] = {"events": events, "seconds": round(seconds, 3), "events_per_s": round(events / seconds)}
    for model in read_models.all():
        events, seconds = _timed(BatchRunner(app, [model], batch_size=batch_size).rebuild)
        results[model.name] = {"events": events, "seconds": round(seconds, 3), "events_per_s": round(events / seconds)}
    for name, decode in (("baseline_raw_scan", False), ("baseline_scan_and_decode", True)):
        events, seconds = _timed(lambda d=decode: _scan(app, decode=d))
        results[name] = {"events": events, "seconds": round(seconds, 3), "events_per_s": round(events / seconds)}
    slowest = min(results[m.name]["events_per_s"] for m in read_models.all())
    results["events_per_s"] = slowest
    results["ratio_to_raw_scan"] = round(slowest / results["baseline_raw_scan"]["events_per_s"], 3)
    results["ratio_to_scan_and_decode"] = round(slowest / results["baseline_scan_and_decode"]["events_per_s"], 3)
    return results


def main() -> None:
    from bench.postgres import postgres_dsn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1500)
    args = parser.parse_args()
    with postgres_dsn() as dsn:
        env = eventsourcing_env(Settings(store="postgres", postgres_dsn=dsn))
        app = Tsunagu(env, registry=load_registry(WARDS / "minato.json"))
        seed_demo(app, households=args.households)
        print(json.dumps(measure_rebuild(env, app), indent=2))


if __name__ == "__main__":
    main()
