"""Test helpers that read what the application recorded, through the library's notification log."""

from __future__ import annotations

import re

from domain.access_record import ACCESS_RECORD_TOPIC, AccessRecord
from domain.application import Tsunagu
from domain.write_refusal import WRITE_REFUSAL_TOPIC, WriteRefusal


def access_records(app: Tsunagu) -> list[AccessRecord.Recorded]:
    """Every access decision recorded so far, in log order."""
    return [app.mapper.to_domain_event(n) for n in app.notifications([ACCESS_RECORD_TOPIC])]


def personal_texts(event: object) -> list[str]:
    """The words of an event's content a reader without a basis must never see (codes and ids aside)."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str) and len(value) >= 4 and not re.fullmatch(r"[0-9a-f-]+|[a-z_-]+", value):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(event.content())  # type: ignore[attr-defined]
    return found


def write_refusals(app: Tsunagu) -> list[WriteRefusal.Recorded]:
    """Every refused write recorded so far, in log order."""
    return [app.mapper.to_domain_event(n) for n in app.notifications([WRITE_REFUSAL_TOPIC])]
