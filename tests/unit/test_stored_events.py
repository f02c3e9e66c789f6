"""The stored form of every event is pinned: a changed event without an upcaster fails here.

``golden/events.json`` holds each stored event class's version and fields; ``golden/stored-v1/`` holds
one stored event of each kind written by the previous version (979e45a, from tests/fixtures), which
must still load as the current class through the library's upcasting. After a deliberate change
with its upcaster, ``python -m tests.unit.test_stored_events --write`` prints the new golden file.
"""

from __future__ import annotations

import json
import sys
import typing
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.access_record import AccessRecord
from domain.application import Tsunagu
from domain.case import Case
from domain.idempotency import IdempotencyRecord
from domain.registry import Registry
from domain.submission import IndicatorSubmission
from domain.write_refusal import WriteRefusal

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = GOLDEN / "events.json"
V1_SAMPLES = sorted((GOLDEN / "stored-v1").glob("*.json"))


def event_classes() -> list[type[Aggregate.Event]]:
    nested = [v for v in vars(Case).values() if isinstance(v, type) and issubclass(v, Aggregate.Event)]
    others = [AccessRecord.Recorded, WriteRefusal.Recorded, IndicatorSubmission.Submitted,
              *(v for v in vars(IdempotencyRecord).values() if isinstance(v, type) and issubclass(v, Aggregate.Event))]
    return sorted({*nested, *others}, key=get_topic)


def fields(cls: type) -> dict[str, str]:
    hints = typing.get_type_hints(cls)
    skip = {"originator_id", "originator_version", "timestamp"}
    return {name: (hint.__name__ if isinstance(hint, type) else str(hint).replace("typing.", ""))
            for name, hint in sorted(hints.items())
            if name not in skip and not name.isupper() and typing.get_origin(hint) is not typing.ClassVar}


def schema() -> dict[str, Any]:
    return {get_topic(cls): {"class_version": getattr(cls, "class_version", 1), "fields": fields(cls)}
            for cls in event_classes()}


def test_every_stored_event_class_matches_its_golden_schema() -> None:
    golden = json.loads(SCHEMA.read_text(encoding="utf-8"))
    current = schema()
    for topic, pinned in golden.items():
        assert topic in current, f"{topic} is no longer an event class: stored events of it would not load " \
                                 "(keep it, or register_topic its new home)"
        now = current[topic]
        if now["fields"] != pinned["fields"]:
            assert now["class_version"] > pinned["class_version"], (
                f"{topic} changed its fields without a new class_version and upcaster")
    assert current == golden, "the events changed: check the upcasters, then rewrite the golden file " \
                              "(python -m tests.unit.test_stored_events --write)"


@pytest.mark.parametrize("sample", V1_SAMPLES, ids=lambda p: p.stem)
def test_an_event_stored_by_the_previous_version_loads_as_the_current_class(sample: Path,
                                                                            registry: Registry) -> None:
    stored = json.loads(sample.read_text(encoding="utf-8"))
    app = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=registry)
    event = app.mapper.to_domain_event(StoredEvent(
        originator_id=UUID(stored["originator_id"]), originator_version=stored["originator_version"],
        topic=stored["topic"], state=stored["state"].encode()))
    missing = [name for name in fields(type(event)) if not hasattr(event, name)]
    assert not missing, f"{stored['topic']} loads without {missing}: an upcaster is missing"


def test_an_old_household_consent_becomes_the_giving_members_own_consent(registry: Registry) -> None:
    stored = json.loads((GOLDEN / "stored-v1" / "Case_ConsentGranted.json").read_text(encoding="utf-8"))
    giver = json.loads(stored["state"])["given_by_member"]
    app = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=registry)
    event: Any = app.mapper.to_domain_event(StoredEvent(
        originator_id=UUID(stored["originator_id"]), originator_version=stored["originator_version"],
        topic=stored["topic"], state=stored["state"].encode()))
    assert (event.member_id, event.given_by, event.subject_ids(None)) == (giver, "self", (giver,))


if __name__ == "__main__" and "--write" in sys.argv:
    SCHEMA.write_text(json.dumps(schema(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
