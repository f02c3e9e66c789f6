"""Replaying recorded access decisions against the event log, as of the moment each was made.

For every access record, the case is rebuilt at the version the reader saw and every entry
is decided again for that reader at that time, under the rules the record was decided by. A record
whose bases, or whose ground per entry (which consents, which meeting, which grant), differ from
what the rules give — an access filed under a 支援会議 the reader's agency did not attend, a
consent that did not cover it, an expired emergency grant — is reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.access import decide_case
from domain.access_legacy import decide_case_v1
from domain.access_record import ACCESS_RECORD_TOPIC, AccessRecord
from domain.actor import Actor
from domain.case import Case
from domain.vocabulary import Role


@dataclass(frozen=True)
class Finding:
    record_id: str
    position: int
    case_id: str
    reader_staff: str
    decided_at: str
    recorded: dict[str, list[int]]
    expected: dict[str, list[int]]
    problem_ja: str
    problem_en: str


@dataclass(frozen=True)
class VerifyReport:
    records_checked: int
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_access_log(app: Any, progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """Check every access record in ``app``'s log; ``progress(done, total)`` as it goes."""
    records = list(_access_records(app))
    by_case: dict[str, list[tuple[int, AccessRecord.Recorded]]] = defaultdict(list)
    for position, record in records:
        by_case[record.case_id].append((position, record))
    findings: list[Finding] = []
    done = 0
    for case_id, case_records in by_case.items():
        findings.extend(_verify_case(app, case_id, sorted(case_records, key=lambda r: r[1].case_version)))
        done += len(case_records)
        if progress:
            progress(done, len(records))
    return VerifyReport(records_checked=len(records), findings=sorted(findings, key=lambda f: f.position))


def _access_records(app: Any) -> Iterator[tuple[int, AccessRecord.Recorded]]:
    for notification in app.notifications([ACCESS_RECORD_TOPIC]):
        yield notification.id, app.mapper.to_domain_event(notification)


def _verify_case(app: Any, case_id: str, records: list[tuple[int, AccessRecord.Recorded]]) -> Iterator[Finding]:
    case_uuid = _uuid(case_id)
    events = list(app.events.get(case_uuid)) if case_uuid else []
    case: Case | None = None
    applied = 0
    for position, record in records:
        while applied < min(record.case_version, len(events)):
            case = events[applied].mutate(case)
            applied += 1
        expected = _expected(record, case)  # None until the first event: a read of version 0 saw nothing
        recorded = _normalised(record.shown, record.ground_seqs if record.rules >= 2 else record.grounds)
        if recorded != expected:
            yield _finding(position, record, recorded, expected)


def _expected(record: AccessRecord.Recorded, case: Case | None) -> tuple[dict[str, list[int]], dict[str, list[Any]]]:
    """What the rules the record was decided under give: the entries per basis, and per ground the
    entries it grounds (version 1 records named only the set of grounds per basis)."""
    if case is None:
        return {}, {}
    reader = Actor(record.reader_staff, record.reader_agency, frozenset(Role(r) for r in record.reader_roles))
    shown: dict[str, list[int]] = defaultdict(list)
    if record.rules < 2:
        grounds: dict[str, set[str]] = defaultdict(set)
        for decision in decide_case_v1(reader, case, record.decided_at):
            if decision.basis is not None:
                shown[decision.basis.value].append(decision.seq)
                if decision.ground:
                    grounds[decision.basis.value].add(decision.ground)
        return _normalised(shown, {b: sorted(g) for b, g in grounds.items()})
    ground_seqs: dict[str, list[Any]] = defaultdict(list)
    for decision in decide_case(reader, case, record.decided_at):
        if decision.basis is not None:
            shown[decision.basis.value].append(decision.seq)
            if decision.ground:
                ground_seqs[decision.ground].append(decision.seq)
    return _normalised(shown, dict(ground_seqs))


def _normalised(shown: dict[str, list[int]],
                grounds: dict[str, list[Any]]) -> tuple[dict[str, list[int]], dict[str, list[Any]]]:
    return ({b: sorted(s) for b, s in shown.items() if s}, {b: sorted(g) for b, g in grounds.items() if g})


def _finding(position: int, record: AccessRecord.Recorded, recorded: tuple, expected: tuple) -> Finding:
    (shown, grounds), (want_shown, want_grounds) = recorded, expected
    extra = sorted(set(shown) - set(want_shown)) or sorted(b for b in shown if shown[b] != want_shown.get(b))
    if grounds != want_grounds and shown == want_shown:
        problem_ja = (f"根拠とした会議・同意・緊急時アクセスが規則と一致しません"
                      f"（記録: {grounds}、規則: {want_grounds}）。")
        problem_en = f"The grounds recorded do not hold (recorded {grounds}, rules give {want_grounds})."
    else:
        problem_ja = f"記録された閲覧根拠（{', '.join(extra) or 'なし'}）が、その時点の規則では成り立ちません。"
        problem_en = f"The recorded bases ({', '.join(extra) or 'none'}) do not hold under the rules at that time."
    return Finding(record_id=str(record.originator_id), position=position, case_id=record.case_id,
                   reader_staff=record.reader_staff, decided_at=record.decided_at.isoformat(),
                   recorded=shown, expected=want_shown, problem_ja=problem_ja, problem_en=problem_en)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
