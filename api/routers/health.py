"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from api.deps import TsunaguDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def read_readiness(tsunagu: TsunaguDep) -> JSONResponse:
    """The event store answers."""
    try:
        position = tsunagu.recorder.max_notification_id() or 0
    except Exception:  # noqa: BLE001 - any store failure means not ready
        return JSONResponse(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, content={"status": "unavailable"})
    return JSONResponse(content={"status": "ready", "position": position})
