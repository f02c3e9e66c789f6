"""One ledger row → the commands that tell its story, in the order it happened.

A row is one case as the ledger keeps it: OpenCase, AddMember (the 相談者, as the principal person) and
RecordConsultation on 受付日; then, when the row fills them in, GrantConsent (同意日), RequestReferral (つなぎ先),
HoldMultiLayeredMeeting or HoldSupportMeeting (会議) and CloseCase (終結日), ordered by their dates. Each is
dated by the ledger (``occurred_at``; a meeting by ``held_on`` too): back-dated, not dated by the import.

The case's and the principal's ids exist only once the first commands have run, so later commands name them by
placeholders (:data:`PENDING_CASE`, :data:`PRINCIPAL`) that :func:`infra.ledger.rehearsal.bind` fills in as the
row is run.
A value the mapping cannot translate (an agency it does not know, a date that is not one) refuses the row here,
before any command is built; whatever the rules refuse is refused when the commands run.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from uuid import UUID

from domain.calendar import JST
from domain.commands import (
    AddMember,
    CloseCase,
    Command,
    GrantConsent,
    HoldMultiLayeredMeeting,
    HoldSupportMeeting,
    OpenCase,
    Participant,
    RecordConsultation,
    RequestReferral,
)
from domain.registry import Registry
from domain.vocabulary import MeetingKind
from infra.ledger.dates import UnreadableDate, parse_ledger_date
from infra.ledger.mapping import Mapping
from infra.ledger.reading import LedgerRow

PENDING_CASE = UUID(int=0)
"""Stands for the case the row's OpenCase creates."""
PRINCIPAL = "ledger:principal"
"""Stands for the member the row's AddMember creates."""
T = TypeVar("T")


class RowRefused(ValueError):
    """A row whose values the mapping cannot turn into commands; the message names the column, not the value."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.message_en = message_en


@dataclass(frozen=True)
class RowPlan:
    line: int
    number: str
    """台帳番号."""
    digest: str
    """The row's content, hashed: a row changed after its import is told apart from one imported as it is."""
    commands: tuple[Command, ...]


def row_digest(row: LedgerRow) -> str:
    cells = {name: _canonical(value) for name, value in sorted(row.cells.items())}
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()


def row_number(row: LedgerRow, mapping: Mapping) -> str:
    number = unicodedata.normalize("NFKC", row.text(mapping.case.number))
    if not number:
        raise RowRefused(f"台帳番号（{mapping.case.number}）がありません。",
                         f"The row has no ledger number ({mapping.case.number}).")
    return number


def plan_row(row: LedgerRow, mapping: Mapping, registry: Registry) -> RowPlan:
    """The commands for ``row``, or :class:`RowRefused` saying which column could not be read."""
    cells = _Cells(row, mapping, registry)
    received = cells.date(mapping.case.received_on)
    opened = at(received)
    case, member, consultation = mapping.case, mapping.member, mapping.consultation
    summary = row.text(consultation.summary)
    first: list[Command] = [
        OpenCase(occurred_at=opened, household_name=cells.required(case.household_name),
                 household_name_kana=row.text(case.household_name_kana),
                 district=cells.mapped(case.district, mapping.values.district, "values.district"),
                 summary=row.text(case.summary) or summary),
        AddMember(case_id=PENDING_CASE, occurred_at=opened, name=cells.required(member.name),
                  name_kana=row.text(member.name_kana), birth_date=cells.date(member.birth_date),
                  relationship=row.text(member.relationship) or member.default_relationship, is_principal=True),
        RecordConsultation(case_id=PENDING_CASE, occurred_at=opened,
                           field=cells.required_mapped(consultation.field, mapping.values.field, "values.field"),
                           category=consultation.category, summary=summary, subjects=(PRINCIPAL,),
                           channel=_channel(row.text(consultation.channel), mapping) or "不明"),
    ]
    later: list[tuple[date, Command]] = []
    to_agency = cells.agency(mapping.referral.to_agency) if mapping.referral is not None else None
    if mapping.consent is not None and row.text(mapping.consent.occurred_at):
        later.append(_consent(cells, mapping, to_agency))
    if mapping.referral is not None and to_agency is not None:
        referral = mapping.referral
        day = cells.date(referral.occurred_at) if row.text(referral.occurred_at) else received
        later.append((day, RequestReferral(case_id=PENDING_CASE, occurred_at=at(day), to_agency=to_agency,
                                           categories=referral.categories, subjects=(PRINCIPAL,),
                                           reason=row.text(referral.reason) or referral.default_reason)))
    if mapping.meeting is not None and row.text(mapping.meeting.kind):
        later.append(_meeting(cells, mapping))
    if mapping.closure is not None and row.text(mapping.closure.occurred_at):
        closure = mapping.closure
        day = cells.date(closure.occurred_at)
        reason = cells.mapped(closure.reason, mapping.values.closure_reason, "values.closure_reason")
        later.append((day, CloseCase(case_id=PENDING_CASE, occurred_at=at(day), reason=reason,
                                     evaluation=row.text(closure.evaluation) or closure.default_evaluation,
                                     outcome=row.text(closure.reason))))
    later.sort(key=lambda dated: dated[0])  # stable: on one day, consent → referral → meeting → closure
    return RowPlan(line=row.line, number=row_number(row, mapping), digest=row_digest(row),
                   commands=(*first, *(command for _, command in later)))


def at(day: date) -> datetime:
    """When a ledger's day is recorded as having happened: its first moment in Japan (never after now that day)."""
    return datetime.combine(day, time(), JST)


def _channel(text: str, mapping: Mapping) -> str:
    return mapping.values.channel.get(text, text)


def _consent(cells: _Cells, mapping: Mapping, to_agency: str | None) -> tuple[date, Command]:
    consent = mapping.consent
    assert consent is not None
    day = cells.date(consent.occurred_at)
    method = cells.mapped(consent.method, mapping.values.consent_method, "values.consent_method")
    agencies = tuple(dict.fromkeys((*consent.agencies, *([to_agency] if to_agency else []))))
    return day, GrantConsent(
        case_id=PENDING_CASE, occurred_at=at(day), member_id=PRINCIPAL, agencies=agencies,
        categories=consent.categories, purpose=consent.purpose, method=method or consent.default_method,
        valid_until=day + timedelta(days=consent.valid_days), document_ref=cells.row.text(consent.document_ref),
        heard_by=cells.row.text(consent.heard_by))


def _meeting(cells: _Cells, mapping: Mapping) -> tuple[date, Command]:
    meeting = mapping.meeting
    assert meeting is not None
    kind = cells.required_mapped(meeting.kind, mapping.values.meeting, "values.meeting")
    day = cells.date(meeting.held_on)
    if kind == MeetingKind.MULTI_LAYERED:
        participants = tuple(Participant(agency=p.agency, staff=p.staff) for p in meeting.participants)
        return day, HoldMultiLayeredMeeting(case_id=PENDING_CASE, occurred_at=at(day), held_on=day,
                                            purpose=meeting.purpose, participants=participants)
    pledged = tuple(Participant(agency=p.agency, staff=p.staff, pledged=True) for p in meeting.participants)
    return day, HoldSupportMeeting(case_id=PENDING_CASE, occurred_at=at(day), held_on=day, purpose=meeting.purpose,
                                   participants=pledged, tabled_subjects=(PRINCIPAL,),
                                   tabled_categories=tuple(meeting.tabled_categories),
                                   until=day + timedelta(days=meeting.sharing_days))


class _Cells:
    """A row's cells read through the mapping; every failure names the column (the value may be personal)."""

    def __init__(self, row: LedgerRow, mapping: Mapping, registry: Registry) -> None:
        self.row = row
        self.mapping = mapping
        self.agencies = {a.id for a in registry.agencies}

    def required(self, column: str) -> str:
        if not (text := self.row.text(column)):
            raise RowRefused(f"「{column}」が空欄です。", f"The column {column!r} is blank.")
        return text

    def date(self, column: str | None) -> date:
        assert column is not None
        value = self.row.value(column)
        if value is None:
            raise RowRefused(f"「{column}」が空欄です。", f"The column {column!r} is blank.")
        try:
            return parse_ledger_date(value)
        except UnreadableDate as error:
            raise RowRefused(f"「{column}」：{error.message_ja}", f"{column!r}: {error.message_en}") from None

    def mapped(self, column: str | None, values: dict[str, T], place: str) -> T | None:
        text = self.row.text(column)
        if not text:
            return None
        if text not in values:
            raise RowRefused(f"「{column}」の値が対応表（{place}）にありません。",
                             f"The value in {column!r} is not in the mapping ({place}).")
        return values[text]

    def required_mapped(self, column: str, values: dict[str, T], place: str) -> T:
        self.required(column)
        found = self.mapped(column, values, place)
        assert found is not None
        return found

    def agency(self, column: str) -> str | None:
        """The registry id of the agency a cell names: by the mapping's name for it, or by its id."""
        text = self.row.text(column)
        if not text:
            return None
        if text in self.agencies:
            return text
        agency = self.mapping.values.agency.get(text)
        if agency is None:
            raise RowRefused(f"「{column}」の機関が対応表（values.agency）にも登録簿にもありません。",
                             f"The agency in {column!r} is neither in the mapping (values.agency) nor in the "
                             "ward's registry.")
        return agency

