"""アウトプット指標: the yearly output indicators (fiscal years from April), as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import ActorDep, Fresh, ReadModelsDep, TsunaguDep
from api.exports import csv_response, xlsx_response
from domain.calendar import fiscal_year_bounds, reiwa
from domain.registry import Registry
from domain.vocabulary import Field
from projections.indicators import INDICATORS

router = APIRouter(prefix="/indicators", tags=["indicators"])

FiscalYear = Annotated[int, Path(ge=2000, le=2100, description="The fiscal year (年度), e.g. 2026 = 令和8年度.")]
COLUMNS = [("indicator_ja", "アウトプット指標"), ("key_ja", "内訳"), ("value", "実績"), ("unit", "単位"),
           ("indicator", "指標ID"), ("key", "内訳ID")]


class IndicatorRow(BaseModel):
    indicator: str
    indicator_ja: str
    indicator_en: str
    key: str
    key_ja: str
    value: int
    unit: str


class IndicatorsPublic(BaseModel):
    fiscal_year: int
    label_ja: str
    period: tuple[str, str]
    rows: list[IndicatorRow]


def _key_label(indicator: str, key: str, registry: Registry) -> str:
    if indicator == "consultations":
        return Field(key).label_ja
    if indicator == "referrals":
        source, target = key.split("→")
        return f"{_agency(registry, source)} → {_agency(registry, target)}"
    return ""


def _agency(registry: Registry, agency_id: str) -> str:
    return registry.agency(agency_id).name_ja if registry.has_agency(agency_id) else agency_id


def _rows(year: int, read_models: ReadModelsDep, registry: Registry) -> list[dict[str, Any]]:
    table = read_models.indicators.view.year(year)
    rows = []
    for indicator in INDICATORS:
        for key, value in table[indicator.id].items():
            rows.append({"indicator": indicator.id, "indicator_ja": indicator.label_ja,
                         "indicator_en": indicator.label_en, "key": key,
                         "key_ja": _key_label(indicator.id, key, registry), "value": value, "unit": indicator.unit})
    return rows


@router.get("/{fiscal_year}", response_model=IndicatorsPublic, dependencies=[Fresh])
def read_indicators(fiscal_year: FiscalYear, actor: ActorDep, read_models: ReadModelsDep,
                    tsunagu: TsunaguDep) -> IndicatorsPublic:
    """The year's indicators, reproducible from the event log (no personal data)."""
    start, end = fiscal_year_bounds(fiscal_year)
    return IndicatorsPublic(fiscal_year=fiscal_year, label_ja=f"{reiwa(fiscal_year)}年度",
                            period=(start.isoformat(), end.isoformat()),
                            rows=[IndicatorRow(**r) for r in _rows(fiscal_year, read_models, tsunagu.registry)])


@router.get("/{fiscal_year}/download", dependencies=[Fresh],
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument."
                                                                   "spreadsheetml.sheet": {}}}})
def download_indicators(fiscal_year: FiscalYear, actor: ActorDep, read_models: ReadModelsDep, tsunagu: TsunaguDep,
                        format: Annotated[Literal["csv", "xlsx"], Query()] = "csv") -> Response:  # noqa: A002
    """The year's indicators as a spreadsheet with Japanese headers."""
    rows = _rows(fiscal_year, read_models, tsunagu.registry)
    name = f"アウトプット指標_{reiwa(fiscal_year)}年度"
    if format == "xlsx":
        return xlsx_response(f"{name}.xlsx", f"{reiwa(fiscal_year)}年度", COLUMNS, rows)
    return csv_response(f"{name}.csv", COLUMNS, rows)

