"""The server-sent stream of one agency's referral messages, shared by the API (``GET /subscriptions/referrals``)
and the inbox page's live badge: ids, agencies and times only, resumable by ``Last-Event-ID``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from domain.referral_feed import ReferralFeed

POLL_INTERVAL_S = 0.25
KEEPALIVE_S = 15.0
RECONNECT_MS = 3000
BATCH = 200


async def referral_events(request: Request, feed: ReferralFeed, agency_id: str, position: int,
                          duration: float) -> AsyncIterator[str]:
    """The agency's messages after ``position`` as they are recorded, for ``duration`` seconds or until the
    client goes; a keep-alive comment when nothing was sent for a while."""
    yield f"retry: {RECONNECT_MS}\n\n"
    deadline = time.monotonic() + duration
    last_sent = time.monotonic()
    while time.monotonic() < deadline and not await request.is_disconnected():
        items = await run_in_threadpool(feed.read, after=position, limit=BATCH)
        for item in items:
            for message in item.messages:
                if message.recipient == agency_id:
                    yield f"id: {item.position}\nevent: {message.type}\ndata: {message.model_dump_json()}\n\n"
                    last_sent = time.monotonic()
        if items:
            if all(m.recipient != agency_id for m in items[-1].messages):
                yield f"id: {items[-1].position}\n\n"  # no event: moves the client's Last-Event-ID past others'
            position = items[-1].position
        if len(items) < BATCH:
            if time.monotonic() - last_sent >= KEEPALIVE_S:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(POLL_INTERVAL_S)
