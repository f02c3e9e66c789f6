"""Referral subscriptions over HTTP: a Server-Sent Events stream per agency, with no Kafka at all.

The stream is read from the same notification log, as the same id-only messages, as the Kafka
relay publishes; it is guarded by the same bearer authentication as the rest of the API, and a
member of staff receives their own agency's messages only. Each event's ``id`` is its log
position: a client that reconnects with ``Last-Event-ID`` misses nothing. Details stay behind
the audited ``GET /cases/{id}/timeline`` named in each message's ``link``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ActorDep, ServicesDep
from api.queries.referral_stream import referral_events
from domain.referral_feed import ReferralFeed

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])



def get_referral_feed(services: ServicesDep) -> ReferralFeed:
    return services.referral_feed


def get_start_position(
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", description="Resume after this event.")] = None,
    after: Annotated[int | None, Query(ge=0, description="Replay from this log position (default: from now).")]
    = None,
) -> int | None:
    if last_event_id is None:
        return after
    if not last_event_id.strip().isdigit() or len(last_event_id.strip()) > 18:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail={
            "code": "invalid_last_event_id", "message": "Last-Event-ID にはイベントの id（整数）を指定してください。",
            "message_en": "Last-Event-ID must be the id of an event received from this stream."})
    return int(last_event_id)


@router.get("/referrals", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`event: <type>`, `id: <log position>`, `data: <ReferralEventV1 JSON>`"}})
async def stream_referrals(
    request: Request, actor: ActorDep, feed: Annotated[ReferralFeed, Depends(get_referral_feed)],
    start: Annotated[int | None, Depends(get_start_position)],
    duration: Annotated[float, Query(gt=0, le=3600, description="Seconds until the server ends the stream; "
                                                                "clients reconnect with Last-Event-ID.")] = 300,
) -> StreamingResponse:
    """Your agency's referral events as they happen: referrals to it and from it, escalations, handovers."""
    position = start if start is not None else await run_in_threadpool(feed.head)
    return StreamingResponse(referral_events(request, feed, actor.agency_id, position, duration),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

