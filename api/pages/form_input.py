"""What a posted form carries: the CSRF check, its values, its errors in a form's words, its one-time key.

CSRF: every form carries a token that is an HMAC of the session cookie (before sign-in, of a
random pre-session cookie) under a key derived from the JWT secret; a POST without the right
token, or from another origin, is refused. SameSite=Strict already keeps the cookie off
cross-site requests; the token is the second lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, status
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import IDEMPOTENCY_KEY, get_services
from api.errors import problem
from api.limits import BodyRefused
from api.pages.session import PRESESSION_COOKIE, SESSION_COOKIE
from domain.actor import Actor
from domain.errors import DomainError, IdempotencyKeyReused
from domain.idempotency import IdempotencyKey

CSRF_FIELD = "csrf_token"
FORM_KEY_FIELD = "form_key"  # one per rendered form: sending it twice records it once


class CsrfRejected(Exception):
    """A form came without the session's token, or from another origin."""


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
    """The token a rendered form carries (a new pre-session, when there is none, is left on ``request.state``)."""
    session = request.cookies.get(SESSION_COOKIE)
    bound_to = f"session:{session}" if session else f"presession:{_presession(request)}"
    return hmac.new(_csrf_key(request), bound_to.encode(), hashlib.sha256).hexdigest()


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # not every client sends one; the token still guards the form
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


MAX_FORM_FIELDS = 1000
"""More fields than any form of ours has (a 支援会議's participants included)."""


async def read_form(request: Request) -> FormData:
    """The posted form. One that cannot be read — too many fields or files, a part too large, not a form —
    is a 400 page; one too large or too slow has been answered by ``BodySizeLimit`` (413/408) already."""
    try:
        return await request.form(max_fields=MAX_FORM_FIELDS)
    except BodyRefused:  # answered by the middleware; what the page would answer is dropped
        raise problem(status.HTTP_413_CONTENT_TOO_LARGE, "body_refused", "送信データを受け付けませんでした。",
                      "The form was refused.") from None
    except HTTPException:
        raise
    except StarletteHTTPException:  # Starlette's parser refused it (its message names no value)
        raise problem(status.HTTP_400_BAD_REQUEST, "unreadable_form",
                      "フォームを読み取れませんでした（項目が多すぎるか、大きすぎるか、形式が正しくありません）。",
                      "The form could not be read: too many fields, too large, or malformed.") from None


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token and origin are checked."""
    form = await read_form(request)
    has_cookie = SESSION_COOKIE in request.cookies or PRESESSION_COOKIE in request.cookies
    submitted = str(form.get(CSRF_FIELD, ""))
    if not has_cookie or not _same_origin(request) or not hmac.compare_digest(submitted, csrf_token(request)):
        raise CsrfRejected
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


# ----- values and errors ----------------------------------------------------------------------


def form_values(form: FormData) -> dict[str, Any]:
    """The form as a dict: repeated names become lists, blanks become None."""
    values: dict[str, Any] = {}
    for key in form:
        if key == CSRF_FIELD:
            continue
        items = [str(v) for v in form.getlist(key)]
        values[key] = items if len(items) > 1 or key.endswith("[]") else (items[0].strip() or None)
    return {key.removesuffix("[]"): value for key, value in values.items()}


M = TypeVar("M", bound=BaseModel)


def parse(schema: type[M], values: dict[str, Any]) -> M:
    return schema.model_validate({k: v for k, v in values.items() if v is not None})


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


def refusal_message(error: DomainError, lang: str) -> str:
    """A domain refusal in the reader's language, in the words of a form (not of the HTTP API)."""
    if isinstance(error, IdempotencyKeyReused):
        ja, en = ("このフォームはすでに送信されています。ケースの画面で記録を確認し、必要なら新しく入力してください。",
                  "This form was already sent. Check the case for the record, and fill in a new form if needed.")
    else:
        ja, en = error.message_ja, error.message_en
    return en if lang == "en" else ja


# ----- the one-time key -----------------------------------------------------------------------


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
