"""アウトプット指標: the yearly output indicators (fiscal years from April), as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response

from api.deps import ActorDep, Fresh, ReadModelsDep, TsunaguDep
from api.exports import Encoding
from api.queries.indicators import figures_to_submit, indicators_spreadsheet, yearly_indicators
from api.schemas.indicators import IndicatorsPublic

router = APIRouter(prefix="/indicators", tags=["indicators"])

FiscalYear = Annotated[int, Path(ge=2000, le=2100, description="The fiscal year (年度), e.g. 2026 = 令和8年度.")]


@router.get("/{fiscal_year}", response_model=IndicatorsPublic, dependencies=[Fresh])
def read_indicators(fiscal_year: FiscalYear, actor: ActorDep, read_models: ReadModelsDep,
                    tsunagu: TsunaguDep) -> IndicatorsPublic:
    """The year's indicators, reproducible from the event log (no personal data)."""
    return yearly_indicators(read_models, tsunagu, fiscal_year)


@router.get("/{fiscal_year}/download", dependencies=[Fresh],
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument."
                                                                   "spreadsheetml.sheet": {}}}})
def download_indicators(fiscal_year: FiscalYear, actor: ActorDep, read_models: ReadModelsDep, tsunagu: TsunaguDep,
                        format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
                        encoding: Annotated[Encoding, Query(description="CSV only: utf-8 (with BOM) or shift_jis.")]
                        = "utf-8") -> Response:
    """The year's indicators laid out like the ward's table (title with the 令和 year, rows grouped by 基本目標,
    units, submitted figures and differences), as CSV or XLSX."""
    return indicators_spreadsheet(read_models, tsunagu, fiscal_year, format, encoding)


@router.post("/{fiscal_year}/submission", status_code=status.HTTP_201_CREATED, response_model=IndicatorsPublic,
             dependencies=[Fresh])
def submit_indicators(fiscal_year: FiscalYear, actor: ActorDep, read_models: ReadModelsDep,
                      tsunagu: TsunaguDep) -> IndicatorsPublic:
    """実績の提出: store the year's figures as submitted, once (a coordinator or administrator of the agency
    carrying 第5号 多機関協働事業; 403 otherwise, 409 if the year was submitted). Later back-dated records and voided
    entries then show as differences against them."""
    tsunagu.submit_indicators(actor, fiscal_year, figures_to_submit(read_models, tsunagu.registry, fiscal_year))
    return yearly_indicators(read_models, tsunagu, fiscal_year)
