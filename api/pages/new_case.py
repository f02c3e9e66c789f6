"""Opening a case (ケースの開始): any agency may, for any household (断らない相談支援); the opener leads it.

The form is the API's ``CaseCreate`` schema and its ``OpenCase`` command, run through ``Tsunagu.execute``; a
case opened is shown at once, with its members to add next.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import ServicesDep
from api.errors import status_for
from api.pages.form_fields import humanise, labelled_errors
from api.pages.form_input import CheckedForm, field_errors, form_idempotency, form_values, parse, refusal_message
from api.pages.rendering import render, see_other
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor, lang_of
from api.schemas.cases import CaseCreate
from domain.calendar import JST
from domain.errors import DomainError

router = APIRouter(route_class=PageRoute, include_in_schema=False)

NEW_CASE = f"{PREFIX}/cases/new"


def _page(request: Request, *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
          message: str = "", status_code: int = 200) -> HTMLResponse:
    en = lang_of(request) == "en"
    return render(request, "forms/open_case.html", nav="cases", values=values or {},
                  errors=labelled_errors(errors or {}, None, en), message=message, status_code=status_code)


@router.get(NEW_CASE, response_class=HTMLResponse)
def read_new_case_form(request: Request, actor: PageActor) -> HTMLResponse:
    return _page(request)


@router.post(NEW_CASE, response_class=HTMLResponse)
def open_case_page(request: Request, actor: PageActor, services: ServicesDep, form: CheckedForm) -> Response:
    values = form_values(form)
    shown = {k: v for k, v in values.items() if k != "form_key"}
    idempotency = form_idempotency(request, actor, values)
    lang = lang_of(request)
    if values.get("occurred_at"):
        try:
            moment = datetime.fromisoformat(values["occurred_at"])
            values["occurred_at"] = (moment if moment.tzinfo else moment.replace(tzinfo=JST)).isoformat()
        except ValueError:
            pass
    try:
        body = parse(CaseCreate, values)
        result = services.tsunagu.execute(actor, body.to_command(), idempotency=idempotency)
    except ValidationError as error:
        return _page(request, values=shown, errors=field_errors(error, lang), status_code=422)
    except DomainError as error:
        message = humanise(refusal_message(error, lang), services.tsunagu.registry, lang == "en")
        return _page(request, values=shown, message=message, status_code=status_for(error))
    return see_other(f"{PREFIX}/cases/{result.created_id}?done=opened")
