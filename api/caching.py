"""Nothing Tsunagu answers is kept by a browser or a proxy: ``Cache-Control: no-store`` and
``Pragma: no-cache`` on every response (JSON, CSV, XLSX, pages, errors), static assets aside."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


class NoStore:
    """Pure ASGI middleware: replaces any caching headers with ``no-store`` outside ``static_prefixes``."""

    def __init__(self, app: ASGIApp, static_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.static_prefixes = static_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(self.static_prefixes):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers", [])
                           if name.lower() not in (b"cache-control", b"pragma", b"expires")]
                message = {**message, "headers": headers + NO_STORE}
            await send(message)

        await self.app(scope, receive, send_no_store)
