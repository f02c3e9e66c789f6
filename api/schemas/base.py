"""Shared schema pieces: safe text, the command envelope and its answer."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.calendar import JST
from domain.policy import FLOOR_BIRTH_DATE, FLOOR_RECORD_DATE

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def _check_text(value: str) -> str:
    for char in value:
        if char == "\x00":
            raise ValueError("NUL文字（\\u0000）は使えません。 / NUL characters are not allowed.")
        if "\ud800" <= char <= "\udfff":
            raise ValueError("不正な文字（対になっていないサロゲート）が含まれています。"
                             " / Lone surrogates are not allowed.")
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            raise ValueError("制御文字は使えません。 / Control characters are not allowed.")
    return value


def _stripped_nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("空欄にはできません。 / Must not be blank.")
    return value


Text = Annotated[str, Field(max_length=4000), AfterValidator(_check_text)]
"""Free text: notes, summaries, reasons."""
Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_check_text),
                 AfterValidator(_stripped_nonblank)]
"""A short required label: a name, an agency id, a role."""
RequiredText = Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(_check_text),
                         AfterValidator(_stripped_nonblank)]


# ----- dates ---------------------------------------------------------------------------------
# The schemas refuse, per field, any date that no ward's configuration allows (a static sanity range:
# pydantic validates a request before the application is known). The ward's own, narrower range
# (``TSUNAGU_EARLIEST_RECORD_DATE``, ``…_EARLIEST_BIRTH_DATE``, ``…_MAX_YEARS_AHEAD``) is the domain's
# ``Policy.dates``, checked by ``Tsunagu.execute`` and by the queries that take a day; it too answers
# 422 naming the field (``api.errors``).

LATEST_DATE = date(2100, 12, 31)
"""No date the API takes is later (the ward's configured range ends much sooner)."""


def _within(first: date, last: date) -> AfterValidator:
    def check(value: date) -> date:
        if not first <= value <= last:
            raise ValueError(f"{first.isoformat()}から{last.isoformat()}までの日付にしてください。"
                             f" / Give a date from {first.isoformat()} to {last.isoformat()}.")
        return value

    return AfterValidator(check)


def _a_moment(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("タイムゾーン付きで指定してください（例: 2026-04-01T10:00:00+09:00）。"
                         " / Give a time zone, e.g. 2026-04-01T10:00:00+09:00.")
    first = datetime.combine(FLOOR_RECORD_DATE, time(), JST)
    end = datetime.combine(LATEST_DATE + timedelta(days=1), time(), JST)
    if not first <= value < end:
        raise ValueError(f"{FLOOR_RECORD_DATE.isoformat()}から{LATEST_DATE.isoformat()}までの日時にしてください。"
                         f" / Give a time from {FLOOR_RECORD_DATE.isoformat()} to {LATEST_DATE.isoformat()}.")
    return value


RecordDate = Annotated[date, _within(FLOOR_RECORD_DATE, LATEST_DATE)]
"""A day on the record: a meeting, a plan, a review, a consent's end, a count's day."""
BirthDate = Annotated[date, _within(FLOOR_BIRTH_DATE, LATEST_DATE)]
Moment = Annotated[datetime, AfterValidator(_a_moment)]
"""A moment with its time zone, within the range of the record."""
FiscalYear = Annotated[int, Field(ge=FLOOR_RECORD_DATE.year, le=LATEST_DATE.year,
                                  description="A fiscal year (年度, from April), e.g. 2026 = 令和8年度")]


Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,100}$",
                                  description="An id: letters, digits and . _ : -", examples=["hikikomori"])]
"""An id of an agency, staff member, case, member, referral… (never free text)."""


class Body(BaseModel):
    """Base of every request body: unknown fields are refused, text is checked."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class CommandBody(Body):
    occurred_at: Moment | None = Field(
        default=None, description="When it happened, with time zone (default: now). Not in the future.",
        examples=["2026-06-01T10:30:00+09:00"])


class CommandResultPublic(BaseModel):
    case_id: str
    version: int = Field(description="The case's version after this command; send it as If-Match to write again.")
    position: int = Field(description="Log position of the last event written (read-your-writes).")
    id: str | None = Field(default=None, description="The id of what was created (member, referral, ...).")


Subjects = Annotated[list[Identifier], Field(default_factory=list, max_length=30, description=(
    "The members (member ids) the record concerns. Empty: the whole household — then sharing it needs every "
    "member's consent."))]
"""The members an entry concerns (対象の世帯員)."""
