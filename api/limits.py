"""Refuse oversized request bodies before they are read into memory (413), and bodies that arrive
too slowly (408): a client that stops sending mid-body does not hold a worker for ever."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = {"detail": {"code": "body_too_large",
                        "message": "送信されたデータが大きすぎます。",
                        "message_en": "The request body is too large."}}
TOO_SLOW = {"detail": {"code": "body_timeout",
                       "message": "送信データが時間内に届きませんでした。もう一度送信してください。",
                       "message_en": "The request body did not arrive in time; send it again."}}


class BodySizeLimit:
    """Pure ASGI middleware: checks Content-Length, counts streamed bytes, and bounds the time the
    whole body may take to arrive (``timeout`` seconds from the first read)."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _reject(send, 413, TOO_LARGE)
            return
        received = 0
        body_complete = False
        deadline: float | None = None
        answered = False  # by this middleware: whatever the app sends afterwards is dropped
        response_started = False
        loop = asyncio.get_running_loop()

        async def refuse(status: int, content: dict[str, Any]) -> None:
            nonlocal answered
            if not response_started and not answered:
                answered = True
                await _reject(send, status, content, close=True)

        async def limited_receive() -> Message:
            nonlocal received, body_complete, deadline
            if body_complete:  # after the body: only a disconnect can come, whenever it comes
                return await receive()
            deadline = deadline or loop.time() + self.timeout
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, deadline - loop.time()))
            except TimeoutError:
                await refuse(408, TOO_SLOW)
                raise BodyRefused from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    await refuse(413, TOO_LARGE)
                    raise BodyRefused
                body_complete = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if answered:
                return
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyRefused:
            pass


class BodyRefused(Exception):
    """The body was refused and answered (413 or 408); the app's own handling of it is cut short, and
    whatever it answers is dropped. Raised to whoever reads the body (``receive``)."""


async def _reject(send: Any, status: int, content: dict[str, Any], *, close: bool = False) -> None:
    body = json.dumps(content, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
