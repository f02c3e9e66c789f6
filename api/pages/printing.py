"""Printable pages: a case summary and a meeting sheet, each headed 取扱注意 with the id of the access record
its reading made (a printed sheet can be traced to the read that produced it).

Both read the case as the case page does (``Tsunagu.read_case_page``, one recorded read, ``channel="print"``);
the sheet shows only what the reader may see, and a meeting whose record is withheld is "not found".
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import ServicesDep
from api.pages.case_present import attention, members_shown
from api.pages.entries import entry_fields
from api.pages.names import Names
from api.pages.rendering import render
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor, lang_of
from domain.calendar import local_date
from domain.errors import NotFound
from domain.views import VisibleEntry

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get(f"{PREFIX}/cases/{{case_id}}/print", response_class=HTMLResponse)
def print_case_summary(request: Request, case_id: UUID, actor: PageActor, services: ServicesDep) -> HTMLResponse:
    """The case's summary on paper: household, members, issues, consents, plan, what is due, latest entries."""
    tsunagu = services.tsunagu
    view, timeline, known = tsunagu.read_case_page(actor, case_id, channel="print")
    today = local_date(tsunagu.clock())
    names = Names(tsunagu.registry, lang_of(request) == "en", view.members)
    latest = [{"entry": e, "fields": entry_fields(e.content, names, today=today)}
              for e in reversed(timeline.entries) if isinstance(e, VisibleEntry)][:10]
    return render(request, "print/case.html", members=view.members, view=view, known=known, timeline=timeline,
                  today=today, printed_at=tsunagu.clock(), member_rows=members_shown(view.members, today),
                  latest=latest, attention=attention(known, actor, today,
                                                     services.settings.referral_overdue_business_days,
                                                     tsunagu.clock(), tsunagu.policy))


@router.get(f"{PREFIX}/cases/{{case_id}}/meetings/{{meeting_id}}/print", response_class=HTMLResponse)
def print_meeting_sheet(request: Request, case_id: UUID, meeting_id: str, actor: PageActor,
                        services: ServicesDep) -> HTMLResponse:
    """A meeting sheet: its kind and legal basis, date, time, place, agenda, participants (staff and external,
    with their pledges), decisions, minutes and next date, as far as the reader may see them."""
    tsunagu = services.tsunagu
    view, timeline, known = tsunagu.read_case_page(actor, case_id, channel="print")
    meeting = known.meetings.get(meeting_id)
    if meeting is None:
        raise NotFound("この会議の記録は表示できないか、ありません。",
                       "That meeting is not shown to you, or does not exist.")
    today = local_date(tsunagu.clock())
    return render(request, "print/meeting.html", members=view.members, view=view, known=known, timeline=timeline,
                  meeting=meeting, today=today, printed_at=tsunagu.clock(),
                  member_rows=members_shown(view.members, today))
