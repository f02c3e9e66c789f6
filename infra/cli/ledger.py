"""``tsunagu import ledger``: bring a ward's existing case ledger (台帳) in through the domain's commands.

A thin translator: read the file and the mapping, check the mapping against the ward, run
:func:`infra.ledger.run.import_ledger`, and print what happened to each row — by row number, command names and
the rule's reasons, never anything a row holds. Exit 1 when any row could not be imported, 2 for a bad mapping
or an unreadable file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.table import Table

from infra.bootstrap import build_tsunagu
from infra.cli.common import Demo, configured, console, errors, progress_bar
from infra.ledger.mapping import MappingError, load_mapping, mapping_problems, staff_actor_problem
from infra.ledger.reading import UnreadableLedger, read_ledger
from infra.ledger.run import ImportReport, Outcome, RowReport, import_ledger

app = typer.Typer(help="取り込み: bring existing records in through the domain's commands.", no_args_is_help=True)

BAD_INPUT = 2


@app.command("ledger")
def import_ledger_command(
    file: Annotated[Path, typer.Argument(help="The ledger: .xlsx, or .csv in UTF-8 or Shift_JIS.", exists=True,
                                         dir_okay=False)],
    mapping: Annotated[Path, typer.Option("--mapping", help="The mapping file (YAML): columns → command fields.",
                                          exists=True, dir_okay=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be imported; write nothing.")] = False,
    staff_id: Annotated[str | None, typer.Option("--as", help="Record the rows as this staff member "
                                                              "(default: the mapping's import_as).")] = None,
    demo: Demo = False,
) -> None:
    """Import a case ledger row by row: each row is one case, wholly imported or not at all; rows imported
    before are skipped; rows the rules refuse are reported with the rule's reason."""
    try:
        checked = load_mapping(mapping)
        ledger = read_ledger(file, sheet=checked.sheet, header_row=checked.header_row)
    except MappingError as bad:
        _refuse_input("対応表に問題があります / The mapping has problems:", bad.lines)
    except UnreadableLedger as bad:
        _refuse_input("台帳を読めません / Cannot read the ledger:", [f"{bad.message_ja} / {bad.message_en}"])
    tsunagu = build_tsunagu(configured(demo=demo, tokens=False, store=True).settings)
    try:
        who = staff_id or checked.import_as
        problems = mapping_problems(checked, tsunagu.registry, ledger.header)
        if who is None:
            problems.append("--as: 誰として記録するかを指定してください / name the staff member to record as")
        elif (problem := staff_actor_problem(tsunagu.registry, who)) is not None:
            problems.append(problem)
        if problems:
            _refuse_input("対応表に問題があります / The mapping has problems:", problems)
        assert who is not None
        actor = tsunagu.registry.staff_member(who).as_actor()
        with progress_bar() as progress:
            task = progress.add_task("台帳を確認中" if dry_run else "台帳を取り込み中", total=len(ledger.rows))

            def advance(_: RowReport) -> None:
                progress.advance(task)

            report = import_ledger(tsunagu, actor, ledger, checked, dry_run=dry_run, on_row=advance)
    finally:
        tsunagu.close()
    _print_report(report)
    if report.refused:
        raise typer.Exit(1)


def _refuse_input(title: str, lines: list[str]) -> NoReturn:
    errors.print(title, style="bold red", markup=False, highlight=False)
    for line in lines:
        errors.print(f"  {line}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def _print_report(report: ImportReport) -> None:
    title = "試行（書き込みなし） / dry run" if report.dry_run else None
    table = Table("行", "結果", "コマンド", "理由 / reason", title=title)
    for row in report.rows:
        reason = f"{row.refused_by}: " if row.refused_by else ""
        reason += f"{row.message_ja} / {row.message_en}" if row.message_ja else ""
        table.add_row(str(row.line), row.outcome.label_ja, ", ".join(row.commands), reason)
    console.print(table)
    counts = "、".join(f"{outcome.label_ja} {report.count(outcome)}" for outcome in Outcome if report.count(outcome))
    console.print(f"{len(report.rows)} 行: {counts}", highlight=False, markup=False)
