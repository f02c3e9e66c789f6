"""つなぎ受付: the agency's referral inbox, from the workload read model, and its live stream under the page's
cookie session.

Each row names the household as far as the reader may know it (a recorded read, purpose ``inbox``), the
referring agency and how long it has waited (business days, overdue after the configured number); answering
opens the case's referral form, where the referral's reason is read through the recorded access decision.

``/ui/inbox/stream`` is the API's referral feed (``GET /subscriptions/referrals``) for pages: the same id-only
messages, addressed to the signed-in person's agency, as Server-Sent Events, so that the inbox and the badge
in the header show new referrals as they come. Each stream ends after a few minutes and the browser
reconnects (with ``Last-Event-ID``), its session checked again.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.pages.rendering import read_models_caught_up, render
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor
from api.queries.case_rows import case_rows
from api.queries.referral_stream import referral_events
from domain.calendar import local_date

router = APIRouter(route_class=PageRoute, include_in_schema=False)

STREAM_SECONDS = 240


@router.get(f"{PREFIX}/inbox", response_class=HTMLResponse)
def read_inbox(request: Request, actor: PageActor, services: ServicesDep,
               after: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    caught_up = read_models_caught_up(services, after)
    workload = services.read_models.workload.view.workload(
        actor.agency_id, local_date(services.tsunagu.clock()),
        overdue_after_business_days=services.settings.referral_overdue_business_days)
    shown = [r["case_id"] for r in (*workload.referrals_in, *workload.referrals_out)]
    rows = {row.case_id: row for row in case_rows(services.tsunagu, actor, dict.fromkeys(shown), purpose="inbox")}
    return render(request, "inbox.html", nav="inbox", workload=workload, caught_up=caught_up,
                  overdue_days=services.settings.referral_overdue_business_days, rows=rows, live=True)


@router.get(f"{PREFIX}/inbox/stream")
async def stream_inbox(request: Request, actor: PageActor, services: ServicesDep,
                       last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=18)] = None,
                       after: Annotated[int | None, Query(ge=0)] = None) -> StreamingResponse:
    """The signed-in agency's referral messages as they are recorded (ids, agencies and times only)."""
    feed = services.referral_feed
    start = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
    position = start if start is not None else await run_in_threadpool(feed.head)
    return StreamingResponse(referral_events(request, feed, actor.agency_id, position, STREAM_SECONDS),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

