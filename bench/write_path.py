"""Command throughput and latency through the HTTP API, beside raw single-row durable INSERTs.

Each command is ``POST /cases/{id}/consultations`` on an open case of the generated ward (not the
long one; a load of the case's events, the rules, one atomic append), by a staff member of the
agency that opened the case and still leads it: recording needs a basis on the case, and its own records
are one (an agency that ended its involvement has none; the lead cannot end it).
Concurrent clients write to different cases. The baseline: the same number of clients, each committing
one INSERT of a row the size of a stored event per statement (psycopg, autocommit, on the
same durable server).
"""

from __future__ import annotations

from typing import Any

from bench.load import against_baseline
from bench.target import Target, expect
from projections.base import table_prefix
from projections.case_state import CaseStateProjection

BODY = {"field": "general", "channel": "電話", "summary": "ベンチマーク：電話で近況を確認。次回の訪問日を調整した。"}
ROW_BYTES = 700  # about one stored, encrypted consultation event


def measure_write_path(target: Target, *, clients: tuple[int, ...], commands: int) -> dict[str, Any]:
    writers = writers_by_agency(target)
    cases = [(case_id, writers[agency]) for case_id, agency in target.query(
        f"SELECT case_id, opened_by_agency FROM {target.table(table_prefix(CaseStateProjection) + 'case_state')} "
        "WHERE status = 'open' "
        "AND lead_agency = opened_by_agency AND version < 100 ORDER BY case_id LIMIT %s",
        (commands * len(clients),)) if agency in writers]
    if len(cases) < max(clients):
        raise RuntimeError("too few open cases to write to")
    target.create_scratch_table()

    def command(http: Any, i: int, offset: int) -> None:
        case_id, headers = cases[(offset + i) % len(cases)]
        expect(http.post(f"/cases/{case_id}/consultations", json=BODY, headers=headers), 201)

    figures = against_baseline(
        [(count, commands) for count in clients],
        lambda level: target.http(lambda http, i: command(http, i, offset=level * commands)),  # other cases
        target.database(lambda conn, _: target.insert_scratch_row(conn, ROW_BYTES)),
        rate="commands_per_s", baseline_rate="inserts_per_s")
    baseline = figures["baseline"]
    figures["ratio_to_baseline"] = {c: round(figures["commands_per_s"][c] / baseline["inserts_per_s"][c], 3)
                                    for c in figures["commands_per_s"]}
    return figures


def writers_by_agency(target: Target) -> dict[str, dict[str, str]]:
    """For each agency, the request headers of one of its staff who record on cases (the first in the registry)."""
    writers: dict[str, dict[str, str]] = {}
    for member in target.registry.staff:
        if member.agency not in writers and member.as_actor().may_record:
            writers[member.agency] = target.headers(member.id)
    return writers
