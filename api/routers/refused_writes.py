"""監査: writes that were refused — who tried which command on which case, and which rule refused it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import AuditorDep, Fresh, ReadModelsDep
from api.schemas.base import Identifier, Moment

router = APIRouter(prefix="/audit/refused-writes", tags=["audit"])


@router.get("", dependencies=[Fresh])
def read_refused_writes(auditor: AuditorDep, read_models: ReadModelsDep,
                        case_id: Annotated[UUID | None, Query()] = None,
                        actor_staff: Annotated[Identifier | None, Query()] = None,
                        actor_agency: Annotated[Identifier | None, Query()] = None,
                        since: Annotated[Moment | None, Query()] = None,
                        until: Annotated[Moment | None, Query()] = None,
                        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict[str, Any]:
    """Refused writes, newest first: the command's name and the requirement that refused it, never its values."""
    rows = read_models.access_audit.view.refused_writes(
        case_id=str(case_id) if case_id else None, actor_staff=actor_staff, actor_agency=actor_agency,
        since=since, until=until, limit=limit, offset=offset)
    return {"refused_writes": rows}
