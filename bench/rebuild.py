"""Projection rebuild throughput on PostgreSQL, against raw scans of the same notification log.

    python -m bench.rebuild [--households 1500]     # on its own: the demo year, every read model alone too
    (run by ``tsunagu bench`` as a child process, so that the runner's peak memory is its own)

Baselines, measured in the same run on the same log: a raw scan of the notification log
(select only, the runner's page size) and a scan that also decodes every event (what any
projection must pay: decryption and JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.application import Tsunagu
from infra.bootstrap import build_services, load_registry
from infra.demo import seed_demo
from infra.settings import WARDS, Settings
from infra.store import eventsourcing_env
from projections import build_read_models
from projections.base import ReadModel
from projections.runner import BatchRunner

PAGE = 5000
DECODE_SAMPLE = 500_000
"""Scan-and-decode reads at most this many events: a rate, not a second rebuild."""


def _timed(work: Callable[[], int]) -> dict[str, Any]:
    started = time.perf_counter()
    events = work()
    seconds = time.perf_counter() - started
    return {"events": events, "seconds": round(seconds, 3), "events_per_s": round(events / seconds) if seconds else 0}


def _scan(app: Tsunagu, *, decode: bool, limit: int | None = None) -> int:
    start, seen = 1, 0
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE)
        if decode:
            for notification in page:
                app.mapper.to_domain_event(notification)
        seen += len(page)
        if len(page) < PAGE or (limit is not None and seen >= limit):
            return seen
        start = page[-1].id + 1


def measure_rebuild(app: Tsunagu, models: list[ReadModel[Any]], *, batch_size: int,
                    progress: Callable[[int, int], None] | None = None, per_model: bool = False) -> dict[str, Any]:
    """Rebuild every read model together (as ``tsunagu projections rebuild`` does), then the baselines."""
    results = _timed(lambda: BatchRunner(app, models, batch_size=batch_size).rebuild(progress))
    results["batch_size"] = batch_size
    if per_model:
        results["per_model"] = {m.name: _timed(BatchRunner(app, [m], batch_size=batch_size).rebuild) for m in models}
    raw = _timed(lambda: _scan(app, decode=False))
    decoded = _timed(lambda: _scan(app, decode=True, limit=DECODE_SAMPLE))
    results["baseline"] = {"raw_scan_events_per_s": raw["events_per_s"], "raw_scan": raw,
                           "scan_and_decode_events_per_s": decoded["events_per_s"], "scan_and_decode": decoded}
    results["ratio_to_raw_scan"] = round(results["events_per_s"] / raw["events_per_s"], 3)
    results["ratio_to_scan_and_decode"] = round(results["events_per_s"] / decoded["events_per_s"], 3)
    return results


# ----- as a child of ``tsunagu bench`` ------------------------------------------------------------


def rebuild_in_child(env: dict[str, str], progress: Callable[[int, int], None]) -> dict[str, Any]:
    """Run ``python -m bench.rebuild --child`` with ``env``; answer its figures (with its peak memory)."""
    root = Path(__file__).resolve().parents[1]
    child = subprocess.Popen([sys.executable, "-m", "bench.rebuild", "--child"], env=env, cwd=root,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    result: dict[str, Any] = {}
    for line in child.stdout:
        message = json.loads(line)
        if "progress" in message:
            progress(*message["progress"])
        else:
            result = message["result"]
    if child.wait() != 0 or not result:
        raise RuntimeError(f"the rebuild child failed with {child.returncode}")
    return result


def _child() -> None:
    from bench.processes import memory_mb

    services = build_services(Settings(), with_tokens=False)
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last > 0.5 or done == total:
            last = time.monotonic()
            print(json.dumps({"progress": [done, total]}), flush=True)

    results = measure_rebuild(services.tsunagu, services.read_models.all(),
                              batch_size=services.settings.projection_batch_size, progress=report)
    results["runner_memory"] = memory_mb(os.getpid())
    print(json.dumps({"result": results}), flush=True)


def main() -> None:
    from bench.postgres import postgres_dsn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1500)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child()
        return
    with postgres_dsn() as dsn:
        env = eventsourcing_env(Settings(store="postgres", postgres_dsn=dsn))
        app = Tsunagu(env, registry=load_registry(WARDS / "minato.json"))
        seed_demo(app, households=args.households)
        models = build_read_models(env).all()
        print(json.dumps(measure_rebuild(app, models, batch_size=PAGE, per_model=True), indent=2))


if __name__ == "__main__":
    main()
