"""PageRoute: a page's failures answered as pages — sign-in redirects, refused forms, and errors in
the reader's language — with the security headers every page carries."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import internal_error_messages, report_unexpected, status_for
from api.pages.form_input import CsrfRejected
from api.pages.rendering import error_page, here, not_found_page, see_other
from api.pages.session import PREFIX, SignInRequired, end_session
from domain.errors import DomainError, NotFound

SECURITY_HEADERS = {
    "Cache-Control": "no-store",  # pages carry personal data: never kept by the browser or a proxy
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class PageRoute(APIRoute):
    """A route whose failures are pages: sign-in redirects, and errors in the reader's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired:
                response = see_other(f"{PREFIX}/signin?next={quote(here(request), safe='')}")
                end_session(response)
            except CsrfRejected:
                response = error_page(request, 403, "フォームの有効期限が切れたか、別のサイトから送信されました。"
                                      "ページを開き直してから、もう一度送信してください。",
                                      "The form expired or came from another site. Reload the page and try again.")
            except DomainError as error:
                case_id = request.path_params.get("case_id")
                response = (not_found_page(request, str(case_id) if case_id else None) if isinstance(error, NotFound)
                            else error_page(request, status_for(error), error.message_ja, error.message_en))
            except StarletteHTTPException as error:  # FastAPI's, and Starlette's own (e.g. its form parser's)
                if error.status_code == status.HTTP_401_UNAUTHORIZED:
                    response = see_other(f"{PREFIX}/signin")
                    end_session(response)
                else:
                    response = error_page(request, error.status_code, *_detail_messages(error.detail))
                    response.headers.update(error.headers or {})  # e.g. a 429's Retry-After
            except RequestValidationError as error:
                response = _invalid_request(request, error)
            except Exception as error:  # a page with an error id; the log has the id, never the request's values
                response = error_page(request, 500, *internal_error_messages(report_unexpected(request.scope, error)))
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return page_handler


def _detail_messages(detail: Any) -> tuple[str, str]:
    if isinstance(detail, Mapping):
        message = str(detail.get("message", ""))
        ja, _, en = message.partition(" / ")
        return ja, str(detail.get("message_en") or en or ja)
    return str(detail), str(detail)


def _invalid_request(request: Request, error: RequestValidationError) -> HTMLResponse:
    if any(e["loc"][:1] == ("path",) for e in error.errors()):
        return not_found_page(request)
    return error_page(request, 400, "指定された条件を読み取れませんでした。入力内容を確認してください。",
                      "The request's parameters could not be read; please check them.")
