"""A fiscal year's output indicators as the API answers them (no personal data)."""

from __future__ import annotations

from pydantic import BaseModel


class IndicatorRow(BaseModel):
    indicator: str
    number: str
    goal: str | None
    goal_ja: str
    project_ja: str
    indicator_ja: str
    indicator_en: str
    key: str
    key_ja: str
    value: int
    unit: str
    of_which: int | None
    of_which_ja: str
    submitted: int | None
    """The figure as submitted (None: not submitted, or a row the submission did not have)."""
    submitted_of_which: int | None
    difference: int | None
    """Computed now minus submitted (a back-dated record or a voided entry after the submission)."""
    of_which_difference: int | None


class SubmissionPublic(BaseModel):
    submitted_at: str
    by_staff: str
    by_agency: str
    indicator_set: str


class IndicatorsPublic(BaseModel):
    fiscal_year: int
    label_ja: str
    title_ja: str
    indicator_set: str
    period: tuple[str, str]
    submission: SubmissionPublic | None
    rows: list[IndicatorRow]
    """Rows grouped by 基本目標, as the ward's table orders them; a row the submission had that no longer
    exists is shown with value 0 and its submitted figure."""
