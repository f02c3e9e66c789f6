"""An agency's workload as the API answers it (counts and lists from the workload read model)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel


class WorkloadPublic(BaseModel):
    agency: str
    agency_name_ja: str
    as_of: date
    cases_led: int
    referrals_in: list[dict[str, Any]]
    referrals_out: list[dict[str, Any]]
    overdue_in: int
    visits_this_month: int
    meetings_this_fiscal_year: int
    plans_due_for_review: list[dict[str, Any]]
