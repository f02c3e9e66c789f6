"""A fiscal year's output indicators as the API answers them (no personal data)."""

from __future__ import annotations

from pydantic import BaseModel


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
