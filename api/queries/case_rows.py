"""Rows of case lists, search results and the home page: a household's name and its members with their ages,
as far as the reader may know them, each row a recorded read.

A row is built by ``Tsunagu.read_cases`` from the case as the reader may know it (``Case.from_granted``: the
reader's granted entries only), so a name, an age or an issue of a withheld entry never reaches it; where the
reader may see no name, the page says 「非表示」. A member's age is shown only with the member: seeing the
member means the reader has a basis for that member's basic information (``MemberAdded`` is BASIC, about that
member). Who leads the case, who is in charge, its status and dates are the case's own facts, not a person's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.access import Decision
from domain.actor import Actor
from domain.application import Tsunagu
from domain.calendar import age_on, local_date
from domain.case import Case


@dataclass(frozen=True)
class MemberRow:
    member_id: str
    name: str
    name_kana: str
    relationship: str
    birth_date: date | None
    age: int | None
    is_principal: bool


@dataclass(frozen=True)
class CaseRow:
    """One case as a list shows it to one reader."""

    case_id: str
    access_record_id: str
    status: str
    lead_agency: str
    staff_in_charge: str | None
    opened_at: datetime
    last_event_at: datetime
    household_name: str | None
    household_name_kana: str | None
    district: str | None
    members: list[MemberRow] = field(default_factory=list)
    issue_tags: list[str] = field(default_factory=list)
    plan_status: str | None = None
    next_review_on: date | None = None
    withheld_entries: int = 0

    @property
    def named(self) -> bool:
        """Whether the reader may see any name of the household (else the page says 「非表示」)."""
        return bool(self.household_name or self.members)


def _members(known: Case, today: date) -> list[MemberRow]:
    rows = []
    for member in known.members.values():
        birth = member.get("birth_date")
        if birth is not None and not isinstance(birth, date):
            birth = date.fromisoformat(str(birth))
        rows.append(MemberRow(member_id=member["member_id"], name=str(member.get("name") or ""),
                              name_kana=str(member.get("name_kana") or ""),
                              relationship=str(member.get("relationship") or ""), birth_date=birth,
                              age=age_on(birth, today) if birth else None,
                              is_principal=bool(member.get("is_principal"))))
    return sorted(rows, key=lambda m: (not m.is_principal, -(m.age or 0)))


def case_row(case: Case, known: Case, decisions: list[Decision], record_id: str, at: datetime) -> CaseRow:
    """The row of ``case`` for the reader who may know it as ``known`` (built from granted entries only)."""
    plan = known.plan
    in_charge = case.staff_in_charge
    return CaseRow(
        case_id=str(case.id), access_record_id=record_id, status=str(case.status), lead_agency=case.lead_agency,
        staff_in_charge=in_charge["staff"] if in_charge else None, opened_at=case.opened_at,
        last_event_at=max(e.occurred_at for e in case.entries), household_name=known.household_name,
        household_name_kana=known.household_name_kana, district=known.district,
        members=_members(known, local_date(at)), issue_tags=sorted(known.issues),
        plan_status=None if plan is None else ("evaluated" if plan["evaluated"] else "active"),
        next_review_on=None if plan is None else plan["next_review_on"],
        withheld_entries=sum(1 for d in decisions if not d.granted))


def case_rows(tsunagu: Tsunagu, reader: Actor, case_ids: Iterable[UUID | str], *, purpose: str,
              keep: Callable[[Case], bool] | None = None, channel: str = "web") -> list[CaseRow]:
    """The rows of these cases the reader may see something of, in the order given; each shown row is a
    recorded read (``purpose``). ``keep`` drops a case, as the reader may know it, before it is recorded."""
    def view(case: Case, known: Case, decisions: list[Decision], record_id: str, at: datetime) -> CaseRow | None:
        return case_row(case, known, decisions, record_id, at) if keep is None or keep(known) else None

    ids = [case_id if isinstance(case_id, UUID) else UUID(case_id) for case_id in case_ids]
    return tsunagu.read_cases(reader, ids, purpose=purpose, channel=channel, view=view)


def rows_by_case(rows: Iterable[CaseRow]) -> dict[str, CaseRow]:
    return {row.case_id: row for row in rows}


def household_label(row: CaseRow | None, en: bool = False) -> dict[str, Any]:
    """What a list says of a household: its name and members, or that it is not shown to the reader."""
    if row is None or not row.named:
        return {"shown": False, "text": "Withheld" if en else "非表示"}
    return {"shown": True, "text": row.household_name or "、".join(m.name for m in row.members)}


def withheld_row(state: dict[str, Any]) -> CaseRow:
    """A listed case the reader may see nothing of: only the case's own facts from the read model (no read is
    made, so none is recorded), and 「非表示」 for the household."""
    return CaseRow(case_id=state["case_id"], access_record_id="", status=state["status"],
                   lead_agency=state["lead_agency"], staff_in_charge=state.get("staff_in_charge"),
                   opened_at=datetime.fromisoformat(state["opened_at"]),
                   last_event_at=datetime.fromisoformat(state["last_event_at"]), household_name=None,
                   household_name_kana=None, district=None)


def with_withheld(rows: list[CaseRow], listed: list[dict[str, Any]]) -> list[CaseRow]:
    """The rows in the list's order, a case the reader sees nothing of as a withheld row (the count stays true)."""
    shown = rows_by_case(rows)
    return [shown.get(state["case_id"]) or withheld_row(state) for state in listed]
