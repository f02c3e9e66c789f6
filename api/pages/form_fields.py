"""Errors in a form's words: each names its field in the reader's language, and a refusal names agencies and
staff by their names, never by their ids (「hikikomori」 becomes 港区ひきこもり支援専用相談窓口)."""

from __future__ import annotations

import re
from typing import Any

from api.pages.entries import FIELD_LABELS
from domain.registry import Registry

FORM_LABELS: dict[str, tuple[str, str]] = {
    **FIELD_LABELS,
    "occurred_at": ("いつのことか", "When it happened"), "summary": ("内容", "What was discussed"),
    "to_agency": ("つなぎ先", "Refer to"), "kind": ("会議の種類", "Kind of meeting"),
    "held_on": ("開催日", "Held on"), "purpose": ("目的", "Purpose"), "staff": ("担当者", "Staff member"),
    "meeting_id": ("会議", "Meeting"), "seq": ("訂正する記録", "Entry to correct"),
    "consent_id": ("同意", "Consent"), "referral_id": ("つなぎ", "Referral"), "match_id": ("参加支援", "Match"),
    "handover_id": ("制度切替", "Handover"), "decision": ("決定事項", "Decision"),
    "text": ("内容", "Text"), "start_time": ("開始時刻", "Start time"), "place": ("場所", "Place"),
    "next_on": ("次回開催予定日", "Next sitting"), "minutes": ("議事録", "Minutes"),
    "household_name": ("世帯名", "Household name"),
    "household_name_kana": ("世帯名のふりがな", "Household name (kana)"),
    "form": ("入力内容", "The form"), "q": ("氏名", "Name"),
}
"""Every field a form posts, by its name, as the form calls it."""


def field_label(name: str, en: bool) -> str:
    ja, english = FORM_LABELS.get(name, (name, name))
    return english if en else ja


def labelled_errors(errors: dict[str, str], form: Any, en: bool) -> dict[str, str]:
    """Each error with the name of its field in front (「相談内容：入力してください。」), keyed as before."""
    return {name: f"{field_label(name, en)}{': ' if en else '：'}{message}" for name, message in errors.items()}


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")


def humanise(message: str, registry: Registry, en: bool) -> str:
    """The message with every agency and staff id of the registry replaced by its name."""
    agencies = {a.id: (a.name_en if en else a.name_ja) for a in registry.agencies}
    staff = {s.id: s.name for s in registry.staff}

    def name(match: re.Match[str]) -> str:
        token = match.group(0)
        before, after = message[match.start() - 1:match.start()], message[match.end():match.end() + 1]
        if en and "-" not in token and not (before in "'\"「" and before and after in "'\"」" and after):
            return token  # in English an id without a hyphen may be a word ("coordination"): only when quoted
        return agencies.get(token) or staff.get(token) or token

    return _TOKEN.sub(name, message)
