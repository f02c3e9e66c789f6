"""Liveness and readiness. Anonymous callers learn ready or not ready, nothing more; an auditor or
an administrator also sees the log position and what is failing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from api.deps import OptionalActorDep, ServicesDep
from domain.vocabulary import Role

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def read_readiness(services: ServicesDep, actor: OptionalActorDep) -> JSONResponse:
    """The event store answers, and the in-process read models are not failing. Details (log position,
    what fails) only with an auditor's or administrator's token."""
    details: dict[str, Any]
    try:
        details = {"position": services.tsunagu.recorder.max_notification_id() or 0}
        ready = services.runner.error is None
        if not ready:
            details["failing"] = "read models"
    except Exception:
        details, ready = {"failing": "event store"}, False
    content: dict[str, Any] = {"status": "ready" if ready else "not ready"}
    if actor is not None and (actor.has_role(Role.AUDITOR) or actor.has_role(Role.ADMIN)):
        content.update(details)
    return JSONResponse(status_code=status.HTTP_200_OK if ready else status.HTTP_503_SERVICE_UNAVAILABLE,
                        content=content)
