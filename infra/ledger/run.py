"""The import run: every row planned, checked against what was imported before, rehearsed, then saved.

**One row, one transaction.** A row is one case and maps to several commands (open, member, consultation,
consent, referral, meeting, closure). Splitting it into one-command rows would leave a case half-imported
whenever a later command is refused (a referral without consent leaves a case with no referral) — the very
thing an import must not do. So each row is made atomic: its commands run through ``Tsunagu.execute`` on a
scratch copy of the application (:mod:`infra.ledger.rehearsal`), with every write rule, date bound and the
access model applied; only if all of them pass are the resulting events saved to the ward's store, in one
``save`` with the row's idempotency record. A refused row writes nothing, not even a refusal record: the
import never attempted the write on the ward's store (the report is the record of what was refused).

**Idempotent.** The row's identity is the ledger's name (``ledger`` in the mapping) and its 台帳番号; its
content hash is the request digest (``domain.idempotency``, the same records the API's Idempotency-Key uses,
keyed under ``ledger:<name>`` rather than a staff id, so whoever re-runs the import finds them). A re-run
skips rows already imported; a row whose content changed since is reported, not imported again (correct the
case in Tsunagu instead). Two runs racing on one row collide on the record's id and one of them skips it.

**Dry run** does all of the above except the save, so it reports exactly what a real run would do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.actor import Actor
from domain.application import Tsunagu
from domain.idempotency import IdempotencyKey, IdempotencyRecord
from infra.ledger.mapping import Mapping
from infra.ledger.reading import Ledger
from infra.ledger.rehearsal import Stage, StepRefused
from infra.ledger.rows import RowPlan, RowRefused, plan_row, row_number


class Outcome(StrEnum):
    IMPORTED = "imported"
    WOULD_IMPORT = "would_import"
    ALREADY_IMPORTED = "already_imported"
    CHANGED_SINCE_IMPORT = "changed_since_import"
    REFUSED = "refused"

    @property
    def label_ja(self) -> str:
        return {"imported": "取り込み済（今回）", "would_import": "取り込み可",
                "already_imported": "取り込み済（前回まで）", "changed_since_import": "前回の取り込み後に変更あり",
                "refused": "取り込めません"}[self.value]


@dataclass(frozen=True)
class RowReport:
    """What happened to one row: by its line in the file, never by anything it holds."""

    line: int
    outcome: Outcome
    commands: tuple[str, ...] = ()
    """The commands the row maps to (imported, or that would be), by name."""
    refused_by: str = ""
    """The command the domain refused, or '' when the row could not be read."""
    message_ja: str = ""
    message_en: str = ""


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowReport] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def refused(self) -> list[RowReport]:
        return [row for row in self.rows if row.outcome in (Outcome.REFUSED, Outcome.CHANGED_SINCE_IMPORT)]


def row_key(mapping: Mapping, plan: RowPlan) -> IdempotencyKey:
    return IdempotencyKey(staff_id=f"ledger:{mapping.ledger}", key=plan.number, request_digest=plan.digest)


def import_ledger(tsunagu: Tsunagu, actor: Actor, ledger: Ledger, mapping: Mapping, *, dry_run: bool,
                  on_row: Callable[[RowReport], None] | None = None) -> ImportReport:
    """Import ``ledger``'s rows as ``actor`` (a dry run saves nothing); the report has one line per row."""
    report = ImportReport(dry_run=dry_run)
    stage = Stage(tsunagu)
    seen: dict[str, int] = {}
    try:
        for row in ledger.rows:
            try:
                number = row_number(row, mapping)
                if number in seen:
                    raise RowRefused(f"台帳番号が{seen[number]}行目と重複しています。",
                                     f"The ledger number repeats that of line {seen[number]}.")
                seen[number] = row.line
                plan = plan_row(row, mapping, tsunagu.registry)
            except RowRefused as refused:
                result = RowReport(row.line, Outcome.REFUSED, message_ja=refused.message_ja,
                                   message_en=refused.message_en)
            else:
                result = _import_row(tsunagu, stage, actor, mapping, plan, dry_run=dry_run)
            report.rows.append(result)
            if on_row is not None:
                on_row(result)
    finally:
        stage.close()
    return report


def _import_row(tsunagu: Tsunagu, stage: Stage, actor: Actor, mapping: Mapping, plan: RowPlan, *,
                dry_run: bool) -> RowReport:
    names = tuple(type(command).__name__ for command in plan.commands)
    key = row_key(mapping, plan)
    if (before := _imported(tsunagu, key, plan.line)) is not None:
        return before
    try:
        rehearsal = stage.rehearse(actor, plan.commands)
    except StepRefused as refused:
        return RowReport(plan.line, Outcome.REFUSED, names, refused.command, refused.error.message_ja,
                         refused.error.message_en)
    if dry_run:
        return RowReport(plan.line, Outcome.WOULD_IMPORT, names)
    record = IdempotencyRecord.of(key, case_id=str(rehearsal.case_id), version=len(rehearsal.events),
                                  created_id=str(rehearsal.case_id))
    try:
        tsunagu.save(*rehearsal.events, record)
    except IntegrityError:
        if (before := _imported(tsunagu, key, plan.line)) is not None:
            return before  # another run imported the row first
        raise
    return RowReport(plan.line, Outcome.IMPORTED, names)


def _imported(tsunagu: Tsunagu, key: IdempotencyKey, line: int) -> RowReport | None:
    """The row's report if it was imported before (as it is, or since changed); None if it was not."""
    try:
        record: IdempotencyRecord = tsunagu.repository.get(key.record_id)
    except AggregateNotFoundError:
        return None
    if record.request_digest == key.request_digest:
        return RowReport(line, Outcome.ALREADY_IMPORTED)
    return RowReport(line, Outcome.CHANGED_SINCE_IMPORT, message_ja=(
        "この台帳番号は取り込み済みですが、その後に行の内容が変わっています。二重に取り込まないため、この行は取り込みません"
        "（訂正は Tsunagu で記録してください）。"), message_en=(
        "This ledger number was imported before and the row has changed since. It is not imported twice "
        "(record corrections in Tsunagu)."))
