"""The HTTP server: uvicorn with limits on how long a connection may take to say what it wants.

uvicorn (0.55) times out idle keep-alive connections, but not a connection that is opened and
then sends its request head slowly or never: such half-open connections were held for ever.
:class:`HeadTimeoutProtocol` closes a connection whose request head has not fully arrived within
``TSUNAGU_HEADER_TIMEOUT_SECONDS`` of the connection opening or of the previous response, however
the bytes trickle in. The body has its own deadline (``api.limits.BodySizeLimit``); the head's size
is bounded by h11 (``TSUNAGU_MAX_HEADER_BYTES``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from infra.settings import Settings


class HeadTimeoutProtocol(H11Protocol):
    header_timeout: float = 10.0
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def _arm_head_deadline(self) -> None:
        self._cancel_head_deadline()
        if not self.transport.is_closing():
            self._head_deadline = self.loop.call_later(self.header_timeout, self._head_overdue)

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_overdue(self) -> None:
        self._head_deadline = None
        waiting_for_head = self.conn.their_state is h11.IDLE
        if waiting_for_head and not self.transport.is_closing():
            self.transport.close()


def run_server(app: Any, settings: Settings, *, host: str, port: int) -> None:
    """Serve ``app`` with the configured connection limits (blocks until stopped)."""
    protocol = type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"header_timeout": settings.header_timeout_seconds})
    uvicorn.run(app, host=host, port=port, log_level="info", http=protocol,
                timeout_keep_alive=settings.keep_alive_timeout_seconds,
                h11_max_incomplete_event_size=settings.max_header_bytes,
                proxy_headers=True, forwarded_allow_ips=settings.trusted_proxies)
