"""Dates as ledgers write them: 和暦 (令和6年4月1日, 令和元年5月1日, R6.4.1, H31/4/30), 西暦 (2024/4/1,
2024-04-01, 2024年4月1日) and Excel's own date cells. Full-width digits are read as digits.

A 和暦 date must fall inside its era (平成31年5月1日 is refused: that day is 令和元年5月1日), so a slip of the
era letter is caught rather than moved by decades.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from domain.calendar import ERAS, Era, era_of

_ERA_BY_NAME: dict[str, Era] = {**{era.name_ja: era for era in ERAS}, **{era.initial: era for era in ERAS}}
_WAREKI = re.compile(r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<year>元|\d{1,2})\s*(?:年|[./-])\s*"
                     r"(?P<month>\d{1,2})\s*(?:月|[./-])\s*(?P<day>\d{1,2})\s*日?$", re.IGNORECASE)
_SEIREKI = re.compile(r"^(?P<year>\d{4})\s*(?:年|[./-])\s*(?P<month>\d{1,2})\s*(?:月|[./-])\s*(?P<day>\d{1,2})\s*日?"
                      r"(?:[ T]00:00(?::00)?)?$")


class UnreadableDate(ValueError):
    """A cell that is not a date in any form ledgers use (the message names the form, never the cell's text:
    it may be a birth date)."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.message_en = message_en


def parse_ledger_date(value: object) -> date:
    """The day a ledger cell names; :class:`UnreadableDate` if it names none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if (matched := _WAREKI.match(text)) is not None:
        return _wareki_day(_ERA_BY_NAME[matched["era"].upper() if len(matched["era"]) == 1 else matched["era"]],
                           1 if matched["year"] == "元" else int(matched["year"]),
                           int(matched["month"]), int(matched["day"]))
    if (matched := _SEIREKI.match(text)) is not None:
        return _day(int(matched["year"]), int(matched["month"]), int(matched["day"]))
    raise UnreadableDate("日付として読めません（例：令和6年4月1日、R6.4.1、2024/4/1）。",
                         "Not a date (e.g. 令和6年4月1日, R6.4.1, 2024/4/1).")


def _wareki_day(era: Era, era_year: int, month: int, day: int) -> date:
    found = _day(era.first_year + era_year - 1, month, day)
    try:
        in_era, _ = era_of(found)
    except ValueError:
        in_era = None
    if in_era is not era or era_year < 1:
        raise UnreadableDate(f"その日付は{era.name_ja}の期間にありません。",
                             f"That day is not in the {era.name_en} era.")
    return found


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise UnreadableDate("存在しない日付です。", "No such day.") from None
