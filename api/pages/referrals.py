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

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.pages.rendering import read_models_caught_up, render
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor
from api.queries.case_rows import case_rows
from domain.calendar import local_date
from domain.referral_feed import ReferralFeed

router = APIRouter(route_class=PageRoute, include_in_schema=False)

STREAM_SECONDS = 240
POLL_INTERVAL_S = 0.5
KEEPALIVE_S = 15.0
BATCH = 200


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
    return StreamingResponse(_events(request, feed, actor.agency_id, position), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _events(request: Request, feed: ReferralFeed, agency_id: str, position: int) -> AsyncIterator[str]:
    yield "retry: 3000\n\n"
    deadline = time.monotonic() + STREAM_SECONDS
    last_sent = time.monotonic()
    while time.monotonic() < deadline and not await request.is_disconnected():
        items = await run_in_threadpool(feed.read, after=position, limit=BATCH)
        for item in items:
            for message in item.messages:
                if message.recipient == agency_id:
                    yield f"id: {item.position}\nevent: {message.type}\ndata: {message.model_dump_json()}\n\n"
                    last_sent = time.monotonic()
        if items:
            position = items[-1].position
            yield f"id: {position}\n\n"  # moves the browser's Last-Event-ID past others' messages
        if len(items) < BATCH:
            if time.monotonic() - last_sent >= KEEPALIVE_S:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(POLL_INTERVAL_S)
