"""アウトプット指標: a fiscal year's output indicators (from April), as rows and as a spreadsheet.

Reproducible from the event log and free of personal data: any signed-in staff member may read them.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import Response

from api.exports import csv_response, xlsx_response
from api.schemas.indicators import IndicatorRow, IndicatorsPublic
from domain.calendar import fiscal_year_bounds, reiwa
from domain.registry import Registry
from domain.vocabulary import Field
from projections import ReadModels
from projections.indicators import INDICATORS

COLUMNS = [("indicator_ja", "アウトプット指標"), ("key_ja", "内訳"), ("value", "実績"), ("unit", "単位"),
           ("indicator", "指標ID"), ("key", "内訳ID")]
"""The spreadsheet's columns, with Japanese headers."""


def yearly_indicators(read_models: ReadModels, registry: Registry, fiscal_year: int) -> IndicatorsPublic:
    """The year's indicators with their labels and period."""
    start, end = fiscal_year_bounds(fiscal_year)
    return IndicatorsPublic(fiscal_year=fiscal_year, label_ja=f"{reiwa(fiscal_year)}年度",
                            period=(start.isoformat(), end.isoformat()),
                            rows=[IndicatorRow(**row) for row in _rows(fiscal_year, read_models, registry)])


def indicators_spreadsheet(read_models: ReadModels, registry: Registry, fiscal_year: int,
                           file_format: Literal["csv", "xlsx"] = "csv") -> Response:
    """The year's indicators as a CSV (UTF-8 with BOM) or XLSX download."""
    rows = _rows(fiscal_year, read_models, registry)
    name = f"アウトプット指標_{reiwa(fiscal_year)}年度"
    if file_format == "xlsx":
        return xlsx_response(f"{name}.xlsx", f"{reiwa(fiscal_year)}年度", COLUMNS, rows)
    return csv_response(f"{name}.csv", COLUMNS, rows)


def _rows(year: int, read_models: ReadModels, registry: Registry) -> list[dict[str, Any]]:
    table = read_models.indicators.view.year(year)
    rows = []
    for indicator in INDICATORS:
        for key, value in table[indicator.id].items():
            rows.append({"indicator": indicator.id, "indicator_ja": indicator.label_ja,
                         "indicator_en": indicator.label_en, "key": key,
                         "key_ja": _key_label(indicator.id, key, registry), "value": value, "unit": indicator.unit})
    return rows


def _key_label(indicator: str, key: str, registry: Registry) -> str:
    if indicator == "consultations":
        return Field(key).label_ja
    if indicator == "referrals":
        source, target = key.split("→")
        return f"{_agency(registry, source)} → {_agency(registry, target)}"
    return ""


def _agency(registry: Registry, agency_id: str) -> str:
    return registry.agency(agency_id).name_ja if registry.has_agency(agency_id) else agency_id
