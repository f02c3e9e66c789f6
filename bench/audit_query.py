"""The auditor's question: the unconsented accesses to one person's information in one fiscal year.

Each query is ``GET /audit/unconsented?member_id=…&fiscal_year=…`` with an auditor's token (the
first page, as the API serves it): the access trail's rows for the person's case, each with
the consents, meeting members and emergency grants of that moment. Most persons asked about
had such accesses that year; some had none. Baselines, same persons, same run: raw psycopg
fetching the very rows the API answered by primary key (the floor for returning them), and
the view's own SELECT run raw (where the database's share ends).
"""

from __future__ import annotations

import random
import time
from typing import Any

from bench.load import percentiles
from bench.target import Target, expect
from projections.access_audit import AccessAuditProjection
from projections.base import table_prefix

AUDITOR = "watanabe-makoto"
WITHOUT_HITS_SHARE = 0.2


def measure_audit_query(target: Target, *, queries: int, seed: int = 2026) -> dict[str, Any]:
    prefix = table_prefix(AccessAuditProjection)
    access, members = target.table(f"{prefix}access"), target.table(f"{prefix}case_member")
    records = target.query(f"SELECT count(*) FROM {access}")[0][0]
    with_hits = target.query(
        f"SELECT m.member_id, a.fiscal_year FROM {members} m JOIN {access} a ON a.case_id = m.case_id "
        "WHERE a.unconsented = 1 GROUP BY m.member_id, a.fiscal_year ORDER BY m.member_id, a.fiscal_year")
    years = sorted({year for _, year in with_hits}) or [2026]
    rng = random.Random(f"tsunagu-bench-audit/{seed}")
    sample_members = [row[0] for row in target.query(
        f"SELECT member_id FROM {members} ORDER BY member_id LIMIT %s", (queries * 10,))]
    asks = []
    for _ in range(queries):
        if with_hits and (rng.random() >= WITHOUT_HITS_SHARE or not sample_members):
            asks.append(rng.choice(with_hits))
        else:
            asks.append((rng.choice(sample_members), rng.choice(years)))

    headers = target.headers(AUDITOR)
    api_ms, floor_ms, sql_ms, rows = [], [], [], []
    same_sql = (f"SELECT * FROM {access} WHERE case_id = (SELECT case_id FROM {members} WHERE member_id = %s) "
                "AND unconsented = 1 AND fiscal_year = %s ORDER BY position DESC LIMIT 100")
    with target.http_client() as http, target.connect() as conn:
        for member_id, fiscal_year in asks:
            started = time.perf_counter()
            answer = expect(http.get("/audit/unconsented", headers=headers,
                                     params={"member_id": member_id, "fiscal_year": fiscal_year}), 200).json()
            api_ms.append((time.perf_counter() - started) * 1000)
            ids = [row["record_id"] for row in answer["accesses"]]
            rows.append(len(ids))
            started = time.perf_counter()
            conn.execute(f"SELECT * FROM {access} WHERE record_id = ANY(%s)", (ids,)).fetchall()
            floor_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            conn.execute(same_sql, (member_id, fiscal_year)).fetchall()
            sql_ms.append((time.perf_counter() - started) * 1000)
    figures = {"access_records": records, "queries": len(asks), "rows_per_query_mean": round(sum(rows) / len(rows), 1),
               "rows_per_query_max": max(rows), **percentiles(api_ms, 50, 95, 99),
               "baseline": {"what": "the same rows fetched by primary key, raw psycopg",
                            **percentiles(floor_ms, 50, 95, 99)},
               "same_sql_raw": {"what": "the view's SELECT (without the per-row lookups), raw psycopg",
                                **percentiles(sql_ms, 50, 95, 99)}}
    figures["ratio_p95_to_baseline"] = round(figures["p95_ms"] / max(figures["baseline"]["p95_ms"], 0.01), 1)
    return figures
