"""アウトプット指標: a fiscal year's output indicators (from April), as rows and as the ward's table.

Figures are computed by the ward's definitions (:mod:`domain.indicators`) from the read model; once the
year is submitted (:mod:`domain.submission`), each row also shows the figure as submitted and the difference
a later correction made. Reproducible from the event log and free of personal data: any signed-in staff
member may read them.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import Response

from api.exports import Encoding, csv_response, xlsx_response
from api.schemas.indicators import IndicatorRow, IndicatorsPublic, SubmissionPublic
from domain.application import Tsunagu
from domain.calendar import fiscal_year_bounds, fiscal_year_wareki
from domain.registry import Registry
from domain.submission import IndicatorSubmission, SubmittedFigure
from domain.vocabulary import Field
from projections import ReadModels
from projections.indicators import Figure, figures

COLUMNS = [("goal_ja", "基本目標"), ("project_ja", "法対象事業"), ("number", "番号"),
           ("indicator_ja", "アウトプット指標"), ("key_ja", "内訳"), ("value", "実績"), ("of_which_ja", "うち"),
           ("of_which", "うち実績"), ("unit", "単位"), ("submitted", "提出値"), ("difference", "提出後の差分"),
           ("indicator", "指標ID"), ("key", "内訳ID")]
"""The spreadsheet's columns, with Japanese headers (the ward's table first, then what Tsunagu adds)."""


def yearly_indicators(read_models: ReadModels, tsunagu: Tsunagu, fiscal_year: int) -> IndicatorsPublic:
    """The year's indicators with their labels, period and, once submitted, the differences."""
    registry = tsunagu.registry
    start, end = fiscal_year_bounds(fiscal_year)
    submission = tsunagu.indicator_submission(fiscal_year)
    return IndicatorsPublic(
        fiscal_year=fiscal_year, label_ja=fiscal_year_wareki(fiscal_year), title_ja=registry.indicators.title_ja,
        indicator_set=registry.indicators.set, period=(start.isoformat(), end.isoformat()),
        submission=None if submission is None else SubmissionPublic(
            submitted_at=submission.submitted_at.isoformat(), by_staff=submission.by_staff,
            by_agency=submission.by_agency, indicator_set=submission.indicator_set),
        rows=_rows(figures(read_models.indicators.view, registry, fiscal_year), registry, submission))


def figures_to_submit(read_models: ReadModels, registry: Registry, fiscal_year: int) -> list[SubmittedFigure]:
    """The figures of the year as they stand, in the form a submission freezes them."""
    return [SubmittedFigure(indicator=f.indicator.id, key=f.key, name_ja=f.indicator.name_ja, unit=f.indicator.unit,
                            value=f.value, of_which=f.of_which)
            for f in figures(read_models.indicators.view, registry, fiscal_year)]


def indicators_spreadsheet(read_models: ReadModels, tsunagu: Tsunagu, fiscal_year: int,
                           file_format: Literal["csv", "xlsx"] = "csv", encoding: Encoding = "utf-8") -> Response:
    """The year's table laid out like the ward's: a title naming the 令和 year, rows grouped by 基本目標
    (named on the first row of its group), units; CSV in UTF-8 (with BOM) or Shift_JIS, or XLSX."""
    table = yearly_indicators(read_models, tsunagu, fiscal_year)
    title = f"{table.title_ja}（{table.label_ja}）"
    rows, previous_goal = [], None
    for row in table.rows:
        shown = row.model_dump()
        shown["goal_ja"] = row.goal_ja if row.goal != previous_goal else ""  # named once, like merged cells
        previous_goal = row.goal
        rows.append(shown)
    name = f"アウトプット指標_{table.label_ja}"
    if file_format == "xlsx":
        return xlsx_response(f"{name}.xlsx", table.label_ja, COLUMNS, rows, title=title)
    return csv_response(f"{name}.csv", COLUMNS, rows, title=title, encoding=encoding)


def _rows(computed: list[Figure], registry: Registry, submission: IndicatorSubmission | None) -> list[IndicatorRow]:
    rows = []
    seen = set()
    for figure in computed:
        indicator, key = figure.indicator, figure.key
        seen.add((indicator.id, key))
        goal = registry.indicators.goal(indicator.goal)
        submitted = submission.figure(indicator.id, key) if submission else None
        if submitted is None and submission is not None and indicator.count.by is not None:
            submitted = {"value": 0, "of_which": None}  # a breakdown row that had no entries then
        rows.append(_row(figure, goal.name_ja if goal else "", _key_label(figure, registry), submitted))
    for row in submission.figures if submission else []:  # rows submitted that have nothing now
        if (row["indicator"], row["key"]) not in seen:
            rows.append(_gone(row, registry))
    return rows


def _row(figure: Figure, goal_ja: str, key_ja: str, submitted: dict[str, Any] | None) -> IndicatorRow:
    indicator = figure.indicator
    sub_value = None if submitted is None else submitted["value"]
    sub_part = None if submitted is None else submitted.get("of_which")
    return IndicatorRow(
        indicator=indicator.id, number=indicator.number, goal=indicator.goal, goal_ja=goal_ja,
        project_ja=indicator.project_ja, indicator_ja=indicator.name_ja, indicator_en=indicator.name_en,
        key=figure.key, key_ja=key_ja, value=figure.value, unit=indicator.unit, of_which=figure.of_which,
        of_which_ja=indicator.of_which_ja, submitted=sub_value, submitted_of_which=sub_part,
        difference=None if sub_value is None else figure.value - sub_value,
        of_which_difference=None if sub_part is None or figure.of_which is None else figure.of_which - sub_part)


def _gone(submitted: dict[str, Any], registry: Registry) -> IndicatorRow:
    """A row of the submission with no entries left (every one voided, or a key no longer counted)."""
    indicator = next((i for i in registry.indicators.indicators if i.id == submitted["indicator"]), None)
    goal = registry.indicators.goal(indicator.goal) if indicator else None
    return IndicatorRow(
        indicator=submitted["indicator"], number=indicator.number if indicator else "",
        goal=indicator.goal if indicator else None, goal_ja=goal.name_ja if goal else "",
        project_ja=indicator.project_ja if indicator else "", indicator_ja=submitted["name_ja"],
        indicator_en=indicator.name_en if indicator else "", key=submitted["key"], key_ja=submitted["key"],
        value=0, unit=submitted["unit"], of_which=None, of_which_ja="", submitted=submitted["value"],
        submitted_of_which=submitted.get("of_which"), difference=-submitted["value"], of_which_difference=None)


def _key_label(figure: Figure, registry: Registry) -> str:
    by = figure.indicator.count.by
    if by == "field":
        return registry.spell(Field(figure.key).label_ja)
    if by == "route":
        source, target = figure.key.split("→")
        return f"{_agency(registry, source)} → {_agency(registry, target)}"
    if by == "agency":
        return _agency(registry, figure.key)
    return ""


def _agency(registry: Registry, agency_id: str) -> str:
    return registry.agency(agency_id).name_ja if registry.has_agency(agency_id) else agency_id
