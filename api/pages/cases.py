"""The case as a story: its state in a sticky summary (status, lead, 担当者, what is overdue), then its
timeline newest first, a page of entries at a time ("older entries").

A case page is one read through ``Tsunagu.read_case_page`` (``channel="web"``): the case's state, its
timeline and the case as the reader may know it come from one set of decisions and one access record,
written before the page is rendered. The list and name search live in ``case_list``, break-glass in
``emergency``; their routes are this router's too, so that its table of routes is the whole case group's.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import ServicesDep
from api.pages import case_list, emergency, new_case
from api.pages.case_present import attention, members_shown, present_done
from api.pages.entries import GROUPS, KIND_GROUP, corrections_of, entry_fields
from api.pages.names import Names
from api.pages.rendering import error_page, render, see_other
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor, lang_of
from domain.calendar import local_date
from domain.errors import NotFound
from domain.views import VisibleEntry
from domain.vocabulary import Basis, Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
for _module in (new_case, case_list, emergency):  # their routes are this router's (new_case's before /cases/{id})
    router.routes.extend(_module.router.routes)

ENTRIES_PER_PAGE = 30


@router.get("/")
def read_root() -> RedirectResponse:
    return see_other(f"{PREFIX}/")


@router.get(f"{PREFIX}/cases/{{case_id}}", response_class=HTMLResponse)
def read_case_page(request: Request, case_id: UUID, actor: PageActor, services: ServicesDep,
                   group: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006 - FastAPI's list default
                   older: Annotated[int | None, Query(ge=1, le=10_000_000)] = None,
                   done: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    """The case as a story: a sticky summary, its current state, then its entries newest first."""
    tsunagu = services.tsunagu
    try:
        view, timeline, known = tsunagu.read_case_page(actor, case_id, channel="web")
    except NotFound:
        if done:  # the record just made (a withdrawn consent) ended the reader's view: say so, not "not found"
            message = present_done(done)
            return error_page(request, 404, (message[0] if message else "記録しました。")
                              + "この記録により、このケースはあなたには表示されなくなりました。",
                              (message[1] if message else "Recorded.") + " The case is no longer shown to you.",
                              title=("記録しました", "Recorded"))
        raise
    en = lang_of(request) == "en"
    names = Names(tsunagu.registry, en, view.members)
    today = local_date(tsunagu.clock())
    shown_groups = [g for g in group if g in GROUPS] or list(GROUPS)
    corrected = corrections_of(timeline.entries)
    voided = corrections_of(timeline.entries, "voids_seq")
    newest_first = [e for e in reversed(timeline.entries) if older is None or e.seq < older]
    page = newest_first[:ENTRIES_PER_PAGE]
    entries: list[dict[str, object]] = []
    for entry in page:
        item: dict[str, object] = {"entry": entry, "group": KIND_GROUP.get(entry.kind, "intake"),
                                   "corrected_by": corrected.get(entry.seq), "voided_by": voided.get(entry.seq)}
        if isinstance(entry, VisibleEntry):  # not withheld
            item["fields"] = entry_fields(entry.content, names, today=today)
        entries.append(item)
    bases = Counter(e.basis for e in timeline.entries if isinstance(e, VisibleEntry))
    groups_present = Counter(KIND_GROUP.get(e.kind, "intake") for e in timeline.entries)
    may_write = tsunagu.may_record_on(actor, case_id)
    return render(
        request, "case.html", nav="cases", members=view.members, view=view, known=known, timeline=timeline,
        entries=entries, shown_groups=shown_groups, groups_present=groups_present, bases=bases,
        withheld=sum(1 for e in timeline.entries if e.withheld), older_from=page[-1].seq if len(newest_first) > len(
            page) else None, showing_older=older is not None,
        unconsented=[b for b in bases if b.is_unconsented], may_write=may_write,
        may_assign=may_write and (actor.agency_id == view.lead_agency or actor.has_role(Role.COORDINATOR)),
        done=present_done(done), agencies_in_timeline=sorted({e.agency for e in timeline.entries}),
        today=today, Basis=Basis, member_rows=members_shown(view.members, today),
        attention=attention(known, actor, today, services.settings.referral_overdue_business_days,
                            tsunagu.clock(), tsunagu.policy))
