"""監査: the access trail, the unconsented view, replay verification and the emergency-review queue.

Auditors only. The trail holds who read which case and on what basis; it holds no
personal content of the people the cases are about.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from pydantic import BaseModel, Field, field_validator

from api.commands import public
from api.deps import AuditorDep, Fresh, ReadModelsDep, ServicesDep, TsunaguDep
from api.exports import csv_response
from api.schemas.base import CommandResultPublic, Identifier, RequiredText
from domain.audit import verify_access_log
from domain.vocabulary import Basis
from projections.audit_chain import verify_chain

router = APIRouter(prefix="/audit", tags=["audit"])

CSV_COLUMNS = [("decided_at", "判定日時(UTC)"), ("reader_staff", "閲覧者"), ("reader_agency", "閲覧機関"),
               ("case_id", "ケースID"), ("purpose", "閲覧内容"), ("granted", "表示あり"), ("bases", "根拠"),
               ("unconsented", "同意によらない閲覧"), ("withheld_count", "非表示件数"), ("grounds", "根拠の詳細"),
               ("active_consents", "その時点の有効な同意"), ("record_id", "記録ID"), ("position", "ログ位置")]


class AccessFilters(BaseModel):
    case_id: Identifier | None = None
    member_id: Identifier | None = Field(default=None, description="A person (household member): their case's "
                                                                  "accesses.")
    reader_staff: Identifier | None = None
    reader_agency: Identifier | None = None
    basis: Basis | None = None
    granted: bool | None = None
    since: datetime | None = Field(default=None, description="From this moment (with time zone)")
    until: datetime | None = Field(default=None, description="Before this moment (with time zone)")
    fiscal_year: int | None = Field(default=None, ge=2000, le=2100)
    limit: int = Field(default=100, ge=1, le=10_000)
    offset: int = Field(default=0, ge=0, le=2**62)

    @field_validator("since", "until")
    @classmethod
    def _a_moment_in_range(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("タイムゾーン付きで指定してください（例: 2026-04-01T00:00:00+09:00） / give a time zone")
        if not 2000 <= value.year <= 2100:
            raise ValueError("2000年から2100年の間で指定してください / must be between 2000 and 2100")
        return value


class EmergencyReview(BaseModel):
    model_config = {"extra": "forbid"}
    justified: bool = Field(description="Whether the break-glass access was justified.")
    finding: RequiredText = Field(examples=["安否確認のため必要かつ最小限の閲覧であった。"])


CSV_OR_JSON = {200: {"content": {"application/json": {}, "text/csv": {}},
                    "description": "JSON, or a CSV (UTF-8 with BOM) with format=csv"}}


@router.get("/access", dependencies=[Fresh], responses=CSV_OR_JSON)
def read_access_decisions(auditor: AuditorDep, read_models: ReadModelsDep,
                          filters: Annotated[AccessFilters, Query()],
                          format: Annotated[Literal["json", "csv"], Query()] = "json",  # noqa: A002
                          ) -> Any:
    """Access decisions (granted and denied), filtered by case, person, reader, agency, basis, period."""
    rows = read_models.access_audit.view.decisions(**filters.model_dump())
    if format == "csv":
        return csv_response("閲覧記録.csv", CSV_COLUMNS, rows)
    return {"decisions": rows}


@router.get("/unconsented", dependencies=[Fresh], responses=CSV_OR_JSON)
def read_unconsented_accesses(auditor: AuditorDep, read_models: ReadModelsDep,
                              filters: Annotated[AccessFilters, Query()],
                              format: Annotated[Literal["json", "csv"], Query()] = "json",  # noqa: A002
                              ) -> Any:
    """Accesses on SUPPORT_MEETING or EMERGENCY, each with the consents and meeting members of that moment."""
    query = filters.model_dump(exclude={"granted", "basis"})
    rows = read_models.access_audit.view.unconsented(**query)
    if format == "csv":
        return csv_response("同意によらない閲覧.csv", CSV_COLUMNS, rows)
    return {"accesses": rows}


@router.get("/verify")
def verify_access_records(auditor: AuditorDep, services: ServicesDep) -> dict[str, Any]:
    """Check the stored log against its hash chain, and replay every recorded access decision against
    the event log as of its time."""
    tsunagu = services.tsunagu
    services.runner.wait(tsunagu.recorder.max_notification_id() or 0, timeout=services.settings.read_wait_seconds)
    chain = verify_chain(tsunagu, services.read_models.audit_chain.view)
    report = verify_access_log(tsunagu)
    return {"records_checked": report.records_checked, "ok": report.ok and not chain,
            "chain_problems": [asdict(problem) for problem in chain],
            "findings": [asdict(finding) for finding in report.findings]}


@router.get("/emergency-access", dependencies=[Fresh])
def read_emergency_accesses(auditor: AuditorDep, read_models: ReadModelsDep,
                            reviewed: bool | None = Query(default=False, description="false: the review queue")
                            ) -> dict[str, Any]:
    """Break-glass accesses; by default those awaiting review."""
    return {"emergency_accesses": read_models.access_audit.view.emergency_grants(reviewed=reviewed)}


@router.post("/emergency-access/{case_id}/{grant_id}/review", response_model=CommandResultPublic)
def review_emergency_access(case_id: UUID, grant_id: str, body: EmergencyReview, auditor: AuditorDep,
                            tsunagu: TsunaguDep) -> CommandResultPublic:
    """Record the review of a break-glass access (an event on the case)."""
    return public(tsunagu.review_emergency_access(auditor, case_id, grant_id=grant_id, justified=body.justified,
                                                  finding=body.finding))


