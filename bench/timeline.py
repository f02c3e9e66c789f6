"""Audited, redacted timeline reads of a 1,000-entry case at 1, 10 and 50 concurrent clients.

Every read is ``GET /cases/{id}/timeline``: the case's events are loaded and decrypted, each
entry is decided for the reader, the decisions are recorded (a durable commit) before the
answer is sent. Readers take turns: the hikikomori desk (consent covers part: the rest is
withheld), the livelihood centre (a 支援会議 member: unconsented) and the opening agency.
The baseline, per read and at the same concurrency: raw psycopg fetching the same case's
1,000 stored event rows and committing one INSERT (the least a recorded read must do).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from bench.load import against_baseline
from bench.target import Target, expect
from bench.ward import LONG_CASE_READERS

ROW_BYTES = 400  # about one stored access record


def measure_timeline(target: Target, case_id: UUID, *, reads: dict[int, int]) -> dict[str, Any]:
    headers = [target.headers(staff_id) for staff_id in LONG_CASE_READERS]
    events = target.table("tsunagu_events")

    def read(http: Any, i: int) -> None:
        expect(http.get(f"/cases/{case_id}/timeline", headers=headers[i % len(headers)]), 200)

    def raw(conn: Any, _: int) -> None:
        rows = conn.execute(f"SELECT originator_version, topic, state FROM {events} WHERE originator_id = %s "
                            "ORDER BY originator_version", (case_id,)).fetchall()
        assert rows
        target.insert_scratch_row(conn, ROW_BYTES)

    target.create_scratch_table()
    figures = against_baseline(list(reads.items()), lambda _: target.http(read), target.database(raw),
                               rate="reads_per_s", baseline_rate="reads_per_s")
    baseline = figures["baseline"]
    figures["case_entries"] = target.query(f"SELECT count(*) FROM {events} WHERE originator_id = %s", (case_id,))[0][0]
    figures["ratio_p99_to_baseline"] = {c: round(figures["p99_ms"][c] / baseline["p99_ms"][c], 1)
                                        for c in figures["p99_ms"]}
    return figures
