"""Shared schema pieces: safe text, the command envelope and its answer."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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


Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,100}$",
                                  description="An id: letters, digits and . _ : -", examples=["hikikomori"])]
"""An id of an agency, staff member, case, member, referral… (never free text)."""


class Body(BaseModel):
    """Base of every request body: unknown fields are refused, text is checked."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class CommandBody(Body):
    occurred_at: datetime | None = Field(
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
