"""The test-only crash points of the relay and the consumer (``TSUNAGU_TEST_KILL_POINT``): unset they do
nothing; set, the process SIGKILLs itself the n-th time it reaches the named point and says where on stderr
(what tests/e2e/test_referral_faults.py waits for); a misspelt point is refused rather than never reached.
Here the SIGKILL is recorded instead of sent."""

from __future__ import annotations

import logging
import os
import signal

import pytest

from consumers.referrals import CONSUMER_KILL_POINTS, KILL_POINT_ENV, KillPoint
from infra.kafka.relay import RELAY_KILL_POINTS


@pytest.fixture
def kills(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, signum: sent.append((pid, signum)))
    return sent


def reach(kill_point: KillPoint, *points: str) -> None:
    for point in points:
        kill_point(point)


def test_with_nothing_set_no_point_crashes_the_process(monkeypatch, kills, caplog) -> None:
    monkeypatch.delenv(KILL_POINT_ENV, raising=False)
    with caplog.at_level(logging.WARNING):
        disarmed = [KillPoint(CONSUMER_KILL_POINTS), KillPoint(CONSUMER_KILL_POINTS, ""), KillPoint(RELAY_KILL_POINTS)]
    for kill_point in disarmed:
        reach(kill_point, *CONSUMER_KILL_POINTS, *RELAY_KILL_POINTS, *CONSUMER_KILL_POINTS)
    assert kills == [] and caplog.records == []
    assert {(k.point, k.nth) for k in disarmed} == {(None, 1)}  # disarmed: no point, counting from the first


def test_the_process_kills_itself_the_first_time_it_reaches_the_point_and_says_where(kills, capfd) -> None:
    kill_point = KillPoint(CONSUMER_KILL_POINTS, "consumer.after-inbox-write")
    reach(kill_point, "consumer.after-poll", "consumer.before-commit")
    assert kills == []
    kill_point("consumer.after-inbox-write")
    assert kills == [(os.getpid(), signal.SIGKILL)]
    assert capfd.readouterr().err == f"{KILL_POINT_ENV}: killed at consumer.after-inbox-write (time 1)\n"


def test_at_n_the_process_kills_itself_the_nth_time_it_reaches_the_point(kills, capfd) -> None:
    kill_point = KillPoint(CONSUMER_KILL_POINTS, "consumer.after-inbox-write@3")
    reach(kill_point, "consumer.after-inbox-write", "consumer.before-commit", "consumer.after-inbox-write",
          "consumer.after-poll")
    assert kills == []
    kill_point("consumer.after-inbox-write")
    assert kills == [(os.getpid(), signal.SIGKILL)]
    assert capfd.readouterr().err == f"{KILL_POINT_ENV}: killed at consumer.after-inbox-write (time 3)\n"


def test_the_point_is_read_from_the_process_environment_and_announced_at_start(monkeypatch, kills, caplog) -> None:
    monkeypatch.setenv(KILL_POINT_ENV, "relay.after-publish@2")
    with caplog.at_level(logging.WARNING, logger="tsunagu.consumer"):
        relay = KillPoint(RELAY_KILL_POINTS)
    assert [r.getMessage() for r in caplog.records] == [
        f"TEST-ONLY {KILL_POINT_ENV}=relay.after-publish@2 is set: this process will kill itself there"]
    reach(relay, "relay.after-publish", "relay.after-publish")
    assert kills == [(os.getpid(), signal.SIGKILL)]


def test_a_point_of_another_component_leaves_this_one_running(kills, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        consumer = KillPoint(CONSUMER_KILL_POINTS, "relay.after-publish")
        relay = KillPoint(RELAY_KILL_POINTS, "consumer.before-commit@2")
    reach(consumer, *CONSUMER_KILL_POINTS, "relay.after-publish")
    reach(relay, *RELAY_KILL_POINTS, "consumer.before-commit", "consumer.before-commit")
    assert kills == [] and caplog.records == []


@pytest.mark.parametrize("spec", [
    "consumer.after-pol",  # misspelt: it would never be reached, and the test would wait in vain
    "consumer.after-poll@0",
    "consumer.after-poll@",
    "consumer.after-poll@two",
    "consumer.after-poll@1234567",
    "CONSUMER.AFTER-POLL",
    "consumer.after_poll",
    "after-poll",
    " consumer.after-poll",
])
def test_a_misspelt_point_is_refused_naming_the_points_there_are(spec: str) -> None:
    with pytest.raises(ValueError) as refused:
        KillPoint(CONSUMER_KILL_POINTS, spec)
    assert str(refused.value) == (f"{KILL_POINT_ENV}={spec!r}: not one of consumer.after-poll, "
                                  "consumer.after-inbox-write, consumer.before-commit, optionally @<n> (n >= 1)")


def test_a_count_of_several_digits_is_counted_to_the_end(kills) -> None:
    KillPoint(CONSUMER_KILL_POINTS, "consumer.after-poll@999999")  # up to six digits
    kill_point = KillPoint(CONSUMER_KILL_POINTS, "consumer.after-poll@10")
    reach(kill_point, *["consumer.after-poll"] * 9)
    assert kills == []
    kill_point("consumer.after-poll")
    assert len(kills) == 1
