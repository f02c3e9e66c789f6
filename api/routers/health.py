"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def read_readiness(services: ServicesDep) -> JSONResponse:
    """The event store answers, and the in-process read models are not failing."""
    try:
        position = services.tsunagu.recorder.max_notification_id() or 0
    except Exception:
        return JSONResponse(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, content={"status": "unavailable"})
    if services.runner.error is not None:
        return JSONResponse(status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                            content={"status": "read models failing", "position": position})
    return JSONResponse(content={"status": "ready", "position": position})
