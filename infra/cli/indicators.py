"""``tsunagu indicators``: show a fiscal year's output indicators, and submit them (frozen as submitted)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from infra.bootstrap import Services, build_services
from infra.cli.common import Demo, configured, console, errors

app = typer.Typer(help="アウトプット指標: show a fiscal year's figures, submit them.", no_args_is_help=True)

FiscalYear = Annotated[int, typer.Argument(min=2000, max=2100, help="The fiscal year (年度), e.g. 2026 = 令和8年度.")]


def _services(demo: bool) -> Services:
    services = build_services(configured(demo=demo, tokens=False, store=True).settings, with_tokens=False)
    services.runner.catch_up()  # figures from a read model that has seen the whole log
    return services


@app.command("show")
def indicators_show(fiscal_year: FiscalYear, demo: Demo = False) -> None:
    """The year's figures by the ward's definitions, with the submitted ones and the differences."""
    from api.queries.indicators import yearly_indicators

    services = _services(demo)
    table = yearly_indicators(services.read_models, services.tsunagu, fiscal_year)
    grid = Table("番号", "アウトプット指標", "内訳", "実績", "提出値", "差分",
                 title=f"{table.title_ja}（{table.label_ja}）")
    for row in table.rows:
        part = f"（{row.of_which}）" if row.of_which is not None else ""
        grid.add_row(row.number, row.indicator_ja, row.key_ja, f"{row.value:,}{row.unit}{part}",
                     "" if row.submitted is None else f"{row.submitted:,}", "" if not row.difference
                     else f"{row.difference:+,}")
    console.print(grid)


@app.command("submit")
def indicators_submit(
    fiscal_year: FiscalYear,
    staff: Annotated[str, typer.Option(help="Who submits: a coordinator or administrator of the ward's office "
                                            "(an agency carrying 第5号 多機関協働事業).")],
    demo: Demo = False,
) -> None:
    """Store the year's figures as submitted (once per year). Later corrections show as differences."""
    from api.queries.indicators import figures_to_submit
    from domain.errors import DomainError

    services = _services(demo)
    registry = services.tsunagu.registry
    try:
        actor = registry.staff_member(staff).as_actor()
        submission = services.tsunagu.submit_indicators(
            actor, fiscal_year, figures_to_submit(services.read_models, registry, fiscal_year))
    except DomainError as error:
        errors.print(f"{error.message_ja} / {error.message_en}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    console.print(f"{fiscal_year}年度の実績 {len(submission.figures)} 行を提出値として保存しました"
                  f"（{submission.by_staff}、{submission.submitted_at:%Y-%m-%d %H:%M} UTC）。")
