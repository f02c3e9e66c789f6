"""Fixtures for command tests: Tsunagu in memory with a ward's own transition ages, and a household on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from domain.application import Tsunagu
from domain.policy import Policy
from domain.registry import Registry
from tests.unit.domain.commands.ward import Ward


@pytest.fixture
def app(registry: Registry, clock: Any) -> Iterator[Tsunagu]:
    tsunagu = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=registry, clock=clock,
                      policy=Policy(transition_ages=(18, 22, 40, 65)))  # 22: a ward's own age (大学卒業)
    yield tsunagu
    tsunagu.close()


@pytest.fixture
def ward(app: Tsunagu, staff: Any, clock: Any) -> Ward:
    return Ward(app, staff, clock)
