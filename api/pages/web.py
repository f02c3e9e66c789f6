"""What every page shares: templates, the signed-in session, CSRF, and errors shown as pages.

Session: the browser holds the API's own JWT in an HttpOnly, SameSite=Strict cookie scoped to
the pages (Secure over https). It is verified by the API's ``get_actor`` on every request, so a
page sees exactly the actor the API would. No second verifier, no server-side session store.

CSRF: every form carries a token that is an HMAC of the session cookie (before sign-in, of a
random pre-session cookie) under a key derived from the JWT secret; a POST without the right
token, or from another origin, is refused. SameSite=Strict already keeps the cookie off
cross-site requests; the token is the second lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from api.deps import (
    IDEMPOTENCY_KEY,
    get_actor,
    get_services,
    get_token_issuer,
    require_role,
    wait_for_position,
)
from api.errors import status_for
from api.pages import present
from domain.actor import Actor
from domain.errors import DomainError, IdempotencyKeyReused, NotFound
from domain.idempotency import IdempotencyKey
from domain.vocabulary import Role
from infra.bootstrap import Services

log = logging.getLogger("tsunagu.pages")

PREFIX = "/ui"
SESSION_COOKIE = "tsunagu_session"
PRESESSION_COOKIE = "tsunagu_presession"
LANG_COOKIE = "tsunagu_lang"
CSRF_FIELD = "csrf_token"
FORM_KEY_FIELD = "form_key"  # one per rendered form: sending it twice records it once

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
present.install(templates.env)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",  # pages carry personal data: never kept by the browser or a proxy
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SignInRequired(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


class CsrfRejected(Exception):
    """A form came without the session's token, or from another origin."""


# ----- the session ----------------------------------------------------------------------------


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="strict",
                        secure=is_https(request))


def start_session(response: Response, request: Request, token: str) -> None:
    """Hand the browser a signed-in session: the API's JWT, in a cookie scripts cannot read.

    Any way of obtaining a token for a staff member (the demo's pick list, a pasted token, an
    OIDC callback exchanging its code for one) ends here.
    """
    services = get_services(request)
    set_cookie(response, request, SESSION_COOKIE, token, services.settings.token_ttl_minutes * 60)
    response.delete_cookie(PRESESSION_COOKIE, path=PREFIX, httponly=True, samesite="strict")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=PREFIX, httponly=True, samesite="strict")


def verify_token(request: Request, token: str) -> Actor:
    """The API's own check of a bearer token (raises its 401 HTTPException)."""
    return get_actor(issuer=get_token_issuer(request),
                     credentials=HTTPAuthorizationCredentials(scheme="Bearer", credentials=token))


def current_actor(request: Request) -> Actor | None:
    if hasattr(request.state, "actor"):
        return request.state.actor
    token = request.cookies.get(SESSION_COOKIE)
    actor = None
    if token:
        try:
            actor = verify_token(request, token)
        except HTTPException:
            actor = None
    request.state.actor = actor
    return actor


def require_actor(request: Request) -> Actor:
    actor = current_actor(request)
    if actor is None:
        raise SignInRequired
    return actor


PageActor = Annotated[Actor, Depends(require_actor)]


def require_auditor(actor: PageActor) -> Actor:
    """The API's own role check, on the page's actor."""
    return require_role(Role.AUDITOR)(actor)


AuditorPageActor = Annotated[Actor, Depends(require_auditor)]


def lang_of(request: Request) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "ja"


# ----- CSRF -----------------------------------------------------------------------------------


def _csrf_key(request: Request) -> bytes:
    secret = get_services(request).settings.jwt_secret
    material = secret.get_secret_value().encode() if secret is not None else b""
    return hmac.new(material, b"tsunagu/web-csrf/v1", hashlib.sha256).digest()


def _presession(request: Request) -> str:
    nonce = request.cookies.get(PRESESSION_COOKIE) or getattr(request.state, "new_presession", None)
    if nonce is None:
        nonce = request.state.new_presession = secrets.token_urlsafe(24)
    return nonce


def csrf_token(request: Request) -> str:
    session = request.cookies.get(SESSION_COOKIE)
    bound_to = f"session:{session}" if session else f"presession:{_presession(request)}"
    return hmac.new(_csrf_key(request), bound_to.encode(), hashlib.sha256).hexdigest()


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # not every client sends one; the token still guards the form
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token and origin are checked."""
    form = await request.form()
    has_cookie = SESSION_COOKIE in request.cookies or PRESESSION_COOKIE in request.cookies
    submitted = str(form.get(CSRF_FIELD, ""))
    if not has_cookie or not _same_origin(request) or not hmac.compare_digest(submitted, csrf_token(request)):
        raise CsrfRejected
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


# ----- rendering ------------------------------------------------------------------------------


def nav_items(actor: Actor | None) -> list[tuple[str, str, str, str]]:
    """(key, path, Japanese, English) for the header's navigation."""
    if actor is None:
        return []
    items = [("home", f"{PREFIX}/", "ホーム", "Home"), ("cases", f"{PREFIX}/cases", "ケース検索", "Case search")]
    if not actor.is_auditor:
        items.append(("inbox", f"{PREFIX}/inbox", "つなぎ受付", "Referral inbox"))
    items += [("workloads", f"{PREFIX}/workloads", "業務量", "Workloads"),
              ("indicators", f"{PREFIX}/indicators", "アウトプット指標", "Indicators")]
    if actor.is_auditor:
        items.append(("audit", f"{PREFIX}/audit", "監査", "Audit"))
    return items


def render(request: Request, template: str, *, status_code: int = 200, nav: str = "",
           **context: Any) -> HTMLResponse:
    services = get_services(request)
    actor = current_actor(request)
    registry = services.tsunagu.registry
    lang = lang_of(request)
    staff = registry.staff_member(actor.staff_id) if actor else None
    names = present.Names(registry, lang == "en", context.pop("members", ()))
    response = templates.TemplateResponse(request, template, {
        "lang": lang, "actor": actor, "staff": staff, "nav": nav, "nav_items": nav_items(actor),
        "names": names, "registry": registry, "demo": services.settings.demo, "prefix": PREFIX,
        "csrf_field": CSRF_FIELD, "csrf": csrf_token(request), "Role": Role, "form_key_field": FORM_KEY_FIELD,
        "form_key": secrets.token_urlsafe(18),
        "agency_colour": present.agency_colours(registry), "working_agencies": present.working_agencies(registry),
        "here": _here(request), **context,
    }, status_code=status_code)
    new_presession = getattr(request.state, "new_presession", None)
    if new_presession and PRESESSION_COOKIE not in request.cookies and SESSION_COOKIE not in request.cookies:
        set_cookie(response, request, PRESESSION_COOKIE, new_presession, 60 * 60)
    return response


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def local_path(candidate: str | None, default: str = f"{PREFIX}/") -> str:
    """A redirect target that stays on this site's pages (never an open redirect)."""
    if candidate and candidate.startswith(f"{PREFIX}/") and not candidate.startswith("//") and "\\" not in candidate:
        return candidate
    return default


def error_page(request: Request, status_code: int, message_ja: str, message_en: str, *,
               title: tuple[str, str] | None = None, case_id: str | None = None) -> HTMLResponse:
    if title is None:
        title = {404: ("見つかりません", "Not found"), 403: ("利用できません", "Not allowed"),
                 409: ("記録できませんでした", "Could not be recorded"),
                 503: ("ただいま表示できません", "Temporarily unavailable")}.get(
            status_code, ("エラー", "Error"))
    return render(request, "error.html", status_code=status_code, title=title, message_ja=message_ja,
                  message_en=message_en, status=status_code, case_id=case_id)


def not_found_page(request: Request, case_id: str | None = None) -> HTMLResponse:
    """One page for a case that does not exist and a case the reader may not see."""
    error = NotFound("ケースが見つかりません。", "Case not found.")
    return error_page(request, 404, error.message_ja, error.message_en, case_id=case_id)


def _detail_messages(detail: Any) -> tuple[str, str]:
    if isinstance(detail, Mapping):
        message = str(detail.get("message", ""))
        ja, _, en = message.partition(" / ")
        return ja, str(detail.get("message_en") or en or ja)
    return str(detail), str(detail)


class PageRoute(APIRoute):
    """A route whose failures are pages: sign-in redirects, and errors in the reader's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired:
                response = see_other(f"{PREFIX}/signin?next={quote(_here(request), safe='')}")
                end_session(response)
            except CsrfRejected:
                response = error_page(request, 403, "フォームの有効期限が切れたか、別のサイトから送信されました。"
                                      "ページを開き直してから、もう一度送信してください。",
                                      "The form expired or came from another site. Reload the page and try again.")
            except DomainError as error:
                case_id = request.path_params.get("case_id")
                response = (not_found_page(request, str(case_id) if case_id else None) if isinstance(error, NotFound)
                            else error_page(request, status_for(error), error.message_ja, error.message_en))
            except HTTPException as error:
                if error.status_code == status.HTTP_401_UNAUTHORIZED:
                    response = see_other(f"{PREFIX}/signin")
                    end_session(response)
                else:
                    response = error_page(request, error.status_code, *_detail_messages(error.detail))
            except RequestValidationError as error:
                response = _invalid_request(request, error)
            except Exception:  # a page, not a stack trace; the details go to the log
                log.exception("page failed: %s %s", request.method, request.url.path)
                response = error_page(request, 500, "システムエラーが発生しました。管理者に連絡してください。",
                                      "An internal error occurred. Please contact the administrator.")
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return page_handler


def _invalid_request(request: Request, error: RequestValidationError) -> HTMLResponse:
    if any(e["loc"][:1] == ("path",) for e in error.errors()):
        return not_found_page(request)
    return error_page(request, 400, "指定された条件を読み取れませんでした。入力内容を確認してください。",
                      "The request's parameters could not be read; please check them.")


def read_models_caught_up(services: Services, after: int | None) -> bool:
    """Read-your-writes for pages that show read models (the API's own bounded wait)."""
    try:
        wait_for_position(services, after)
    except HTTPException:
        return False
    return True


# ----- forms ----------------------------------------------------------------------------------


def form_values(form: FormData) -> dict[str, Any]:
    """The form as a dict: repeated names become lists, blanks become None."""
    values: dict[str, Any] = {}
    for key in form:
        if key == CSRF_FIELD:
            continue
        items = [str(v) for v in form.getlist(key)]
        values[key] = items if len(items) > 1 or key.endswith("[]") else (items[0].strip() or None)
    return {key.removesuffix("[]"): value for key, value in values.items()}


def field_errors(error: ValidationError, lang: str) -> dict[str, str]:
    """Pydantic's errors, per top-level form field, in words for the form."""
    errors: dict[str, str] = {}
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"][:1]) or "form"
        message = _friendly(item, lang)
        errors.setdefault(key, message)
    return errors


def _friendly(item: Mapping[str, Any], lang: str) -> str:
    kind = item["type"]
    ja, en = {
        "missing": ("入力してください。", "Required."),
        "string_too_short": ("入力してください。", "Required."),
        "too_short": ("一つ以上選んでください。", "Choose at least one."),
        "date_from_datetime_parsing": ("日付を入力してください。", "Enter a date."),
        "date_parsing": ("日付を入力してください。", "Enter a date."),
        "datetime_parsing": ("日時を入力してください。", "Enter a date and time."),
        "datetime_from_date_parsing": ("日時を入力してください。", "Enter a date and time."),
        "enum": ("選択肢から選んでください。", "Choose one of the options."),
        "string_too_long": ("長すぎます。", "Too long."),
    }.get(kind, (str(item.get("msg", "")), str(item.get("msg", ""))))
    if kind == "value_error":
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        ja, _, en = message.partition(" / ")
        en = en or ja
    return en if lang == "en" else ja


def form_idempotency(request: Request, actor: Actor, values: dict[str, Any]) -> IdempotencyKey | None:
    """The form's one-time key as the API's Idempotency-Key: a double click or a resent page records once.

    Takes the key out of ``values``; the request digest covers the rest, so the same form sent
    again with other contents is refused rather than silently answered with the first result.
    """
    key = values.pop(FORM_KEY_FIELD, None)
    if not key or not IDEMPOTENCY_KEY.match(f"web:{key}"):
        return None
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n{canonical}".encode()).hexdigest()
    return IdempotencyKey(staff_id=actor.staff_id, key=f"web:{key}", request_digest=digest)


def refusal_message(error: DomainError, lang: str) -> str:
    """A domain refusal in the reader's language, in the words of a form (not of the HTTP API)."""
    if isinstance(error, IdempotencyKeyReused):
        ja, en = ("このフォームはすでに送信されています。ケースの画面で記録を確認し、必要なら新しく入力してください。",
                  "This form was already sent. Check the case for the record, and fill in a new form if needed.")
    else:
        ja, en = error.message_ja, error.message_en
    return en if lang == "en" else ja


def parse(schema: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    return schema.model_validate({k: v for k, v in values.items() if v is not None})
