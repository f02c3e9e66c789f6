"""Test helpers that read what the application recorded, through the library's notification log."""

from __future__ import annotations

from domain.access_record import AccessRecord
from domain.application import Tsunagu

ACCESS_TOPIC = "domain.access_record:AccessRecord.Recorded"


def access_records(app: Tsunagu) -> list[AccessRecord.Recorded]:
    """Every access decision recorded so far, in log order."""
    notifications = app.recorder.select_notifications(start=1, limit=1_000_000, topics=[ACCESS_TOPIC])
    return [app.mapper.to_domain_event(n) for n in notifications]
