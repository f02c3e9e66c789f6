"""The runner that feeds the read models: when one model's batch fails, the runner raises only after every
other model's batch of that round has ended, so nothing of it is still writing when it is caught up again
(in the API's own process, the next round starts at once)."""

from __future__ import annotations

import random
import time

import pytest
from eventsourcing.persistence import IntegrityError

from projections import build_read_models
from projections.runner import BatchRunner
from tests.integration.test_rebuild_and_audit_verify import randomised_workload

pytestmark = pytest.mark.integration


def test_a_failed_batch_is_raised_only_after_the_other_models_batches_have_ended(
        tsunagu, store_env, staff, clock, monkeypatch) -> None:
    randomised_workload(tsunagu, staff, clock, random.Random(5), households=2)
    read_models = build_read_models(store_env)
    failing, slow = read_models.case_state, read_models.indicators
    ended: list[str] = []
    real = slow.process_batch

    def refuse(*_: object) -> None:
        raise IntegrityError("another runner recorded this batch first")

    def take_time(*args: object) -> None:
        time.sleep(0.3)
        real(*args)  # type: ignore[arg-type]
        ended.append("indicators")

    monkeypatch.setattr(failing, "process_batch", refuse)
    monkeypatch.setattr(slow, "process_batch", take_time)
    runner = BatchRunner(tsunagu, [failing, slow], batch_size=1000)
    with pytest.raises(IntegrityError):
        runner.catch_up()
    assert ended == ["indicators"], "the slow model's batch had not ended when the failure was raised"
