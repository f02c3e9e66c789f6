"""Latency samples and a closed-loop load of N concurrent clients (threads), for figures and baselines alike."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

C = TypeVar("C")


def percentiles(samples_ms: Sequence[float], *cuts: int) -> dict[str, float]:
    """``p<cut>_ms`` for each cut (inclusive method), from latencies in milliseconds."""
    if not samples_ms:
        return {f"p{cut}_ms": float("nan") for cut in cuts}
    if len(samples_ms) == 1:
        return {f"p{cut}_ms": round(samples_ms[0], 2) for cut in cuts}
    quantiles = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {f"p{cut}_ms": round(quantiles[cut - 1], 2) for cut in cuts}


class Client(Generic[C]):
    """How one simulated client connects, acts and disconnects (an HTTP client, a database connection)."""

    def __init__(self, connect: Callable[[], C], call: Callable[[C, int], Any],
                 close: Callable[[C], Any] = lambda _: None) -> None:
        self.connect = connect
        self.call = call
        self.close = close


def against_baseline(levels: Sequence[tuple[int, int]], measured: Callable[[int], Client[Any]],
                     baseline: Client[Any], *, rate: str, baseline_rate: str) -> dict[str, Any]:
    """At each level (clients, requests), a closed loop of ``measured(level index)`` then one of ``baseline``.

    Answers the figures by client count (``rate``, p50, p99, the whole runs), with the
    baseline's beside them under ``baseline``.
    """
    figures: dict[str, Any] = {}
    base: dict[str, Any] = {}
    for level, (clients, requests) in enumerate(levels):
        for into, client, name in ((figures, measured(level), rate), (base, baseline, baseline_rate)):
            sample = closed_loop(client, clients=clients, requests=requests)
            for key, value in ((name, sample["per_s"]), ("p50_ms", sample["p50_ms"]),
                               ("p99_ms", sample["p99_ms"]), ("runs", sample)):
                into.setdefault(key, {})[str(clients)] = value
    figures["baseline"] = base
    return figures


def closed_loop(client: Client[Any], *, clients: int, requests: int) -> dict[str, float]:
    """``clients`` threads share ``requests`` calls, each issued as soon as the client's previous one answered.

    Answers throughput (per second of wall time), p50/p95/p99/max latency and the count.
    Every call gets its index (0 … requests-1), so callers can spread work over cases or rows.
    """
    latencies: list[float] = []
    errors: list[BaseException] = []
    counter = iter(range(requests))
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def work() -> None:
        try:
            connection = client.connect()
        except BaseException as error:
            errors.append(error)
            ready.abort()
            return
        try:
            ready.wait()
            while True:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                started = time.perf_counter()
                client.call(connection, index)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
        except BaseException as error:
            errors.append(error)
        finally:
            client.close(connection)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass  # a client could not connect: its error is raised below
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return {"clients": clients, "requests": len(latencies), "seconds": round(seconds, 3),
            "per_s": round(len(latencies) / seconds, 1), **percentiles(latencies, 50, 95, 99),
            "max_ms": round(max(latencies), 2)}
