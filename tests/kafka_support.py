"""Helpers for the referral subscription tests: the real broker's topics, referrals, processes, a webhook."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from consumers.inbox import Inbox
from consumers.referrals import ReferralConsumer
from consumers.verification import RecordVerifier
from domain.application import Tsunagu
from domain.calendar import local_date
from domain.commands import AddMember, GrantConsent, OpenCase, RequestReferral
from domain.referral_feed import AgencyKey, event_id_for
from domain.vocabulary import ConsentMethod, InformationCategory
from infra.kafka.clients import layout, new_referral_consumer
from infra.kafka.settings import KafkaSettings
from infra.kafka.signing import RelayKeys, derive_agency_key

TIMEOUT_S = 20.0
"""Bounded waits. The shared broker is never killed or restarted (the test that does so has a broker of its
own), so a fresh group's first assignment never waits out a restarted coordinator."""
TSUNAGU = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "tsunagu"
REFERRER, RECEIVER = "suzuki-kenta", "takahashi-aoi"  # elderly-shiba refers to hikikomori
SIGNING_SECRET = "test-relay-signing-secret-" + uuid.uuid4().hex
"""The relay's secret in these tests; each agency's consumer is given only its own key, as in a deployment."""


def relay_keys() -> RelayKeys:
    return RelayKeys(SIGNING_SECRET)


def agency_key(agency_id: str) -> AgencyKey:
    return derive_agency_key(SIGNING_SECRET, agency_id)


def verifier_for(kafka: KafkaSettings, agency_id: str) -> RecordVerifier:
    """What ``tsunagu consume referrals --agency`` builds: the agency's topic, verified with its key."""
    return RecordVerifier(agency_id, layout(kafka).topic_for(agency_id), [agency_key(agency_id)])


def isolated_kafka_settings(bootstrap: str, **overrides: Any) -> KafkaSettings:
    """Settings whose topics and groups no other test shares (the broker is shared by the session)."""
    prefix = f"t{uuid.uuid4().hex[:10]}.referrals.v1."
    options: dict[str, Any] = {"topic_prefix": prefix, "group_prefix": prefix, "partitions": 2, "send_timeout_s": 5,
                               "backoff_initial_s": 0.1, "backoff_max_s": 1, "relay_poll_interval_s": 0.05,
                               "consumer_session_timeout_ms": 6000}
    return KafkaSettings(bootstrap_servers=bootstrap, **{**options, **overrides})


def eventually(check: Callable[[], Any], *, what: str, timeout: float = TIMEOUT_S, interval: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def records_for(settings: KafkaSettings, agency_id: str, *, at_least: int = 1,
                timeout: float = TIMEOUT_S) -> list[ConsumerRecord]:
    """Everything on an agency's topic (once it holds ``at_least`` records), read without a consumer group."""
    topic = layout(settings).topic_for(agency_id)
    consumer = KafkaConsumer(**settings.client_config(), enable_auto_commit=False, request_timeout_ms=10_000)
    records: list[ConsumerRecord] = []
    partitions: list[TopicPartition] = []

    def caught_up() -> bool:
        if not partitions:  # the topic may not exist yet
            partitions.extend(TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ()))
            if partitions:
                consumer.assign(partitions)
                consumer.seek_to_beginning(*partitions)
            return False
        for batch in consumer.poll(timeout_ms=200).values():
            records.extend(batch)
        ends = consumer.end_offsets(partitions)
        return len(records) >= at_least and all(consumer.position(p) >= ends[p] for p in partitions)

    try:
        eventually(caught_up, what=f"{at_least} records on {topic}", timeout=timeout)
        return records
    finally:
        consumer.close()


def consume_until(consumer: ReferralConsumer, handled: int) -> None:
    """Poll until ``handled`` records (new, duplicate or quarantined) have gone through ``consumer``."""
    def done() -> bool:
        consumer.poll_once(timeout_ms=200)
        return consumer.stats.handled >= handled

    eventually(done, what=f"{handled} records handled", interval=0)


def event_ids(records: list[ConsumerRecord]) -> list[UUID]:
    return [UUID(json.loads(r.value)["event_id"]) for r in records]


def case_with_consent(app: Tsunagu, *, to_agency: str = "hikikomori") -> UUID:
    """A household at the elderly centre whose member consents to sharing basics with ``to_agency``."""
    referrer = app.registry.staff_member(REFERRER).as_actor()
    case_id = UUID(app.execute(referrer, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                  district="shiba", summary="母の介護と長男のひきこもり")).case_id)
    son = app.execute(referrer, AddMember(case_id=case_id, name="佐藤 健一", name_kana="さとう けんいち",
                                          birth_date=date(1975, 4, 2), relationship="長男",
                                          is_principal=True)).created_id
    assert son is not None
    app.execute(referrer, GrantConsent(case_id=case_id, member_id=son, agencies=(to_agency,),
                                       categories=(InformationCategory.BASIC,), purpose="支援のため",
                                       method=ConsentMethod.WRITTEN, document_ref="同意書 第1号",
                                       valid_until=local_date(app.clock()) + timedelta(days=300)))
    return case_id


def request_referral(app: Tsunagu, case_id: UUID, *, to_agency: str = "hikikomori") -> tuple[str, UUID]:
    """Refer the case; answer the referral id and the event id (committed when this returns)."""
    referrer = app.registry.staff_member(REFERRER).as_actor()
    result = app.execute(referrer, RequestReferral(case_id=case_id, to_agency=to_agency,
                                                   categories=(InformationCategory.BASIC,), reason="長男のひきこもり"))
    return str(result.created_id), event_id_for(case_id, result.version)


def refer(app: Tsunagu, *, to_agency: str = "hikikomori") -> tuple[UUID, str, UUID]:
    """A case referred to ``to_agency``: (case id, referral id, event id)."""
    case_id = case_with_consent(app, to_agency=to_agency)
    return (case_id, *request_referral(app, case_id, to_agency=to_agency))


def consume_into(inbox: Inbox, kafka: KafkaSettings, records: int, *, agency: str = "hikikomori") -> ReferralConsumer:
    """Our consumer, in-process, through ``records`` records of the agency's topic; answers it, closed."""
    consumer = ReferralConsumer(agency, new_referral_consumer(kafka, agency), inbox,
                                verifier=verifier_for(kafka, agency))
    try:
        consume_until(consumer, records)
    finally:
        consumer.close()
    return consumer


# ----- processes ------------------------------------------------------------------------------


def cli_environment(store_env: dict[str, str], kafka: KafkaSettings, *, agency: str = "hikikomori",
                    **extra: str) -> dict[str, str]:
    """The environment for a ``tsunagu`` subprocess on the test's SQLite store and the test's topics: the
    relay's signing secret, and ``agency``'s key for its consumer (a deployment gives each only its own)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TSUNAGU_")}
    env.update({f"TSUNAGU_KAFKA_{name.upper()}": str(value)
                for name, value in kafka.model_dump(exclude_none=True, mode="json").items()})
    env.update(TSUNAGU_KAFKA_SIGNING_SECRET=SIGNING_SECRET, TSUNAGU_KAFKA_SIGNING_KEY=agency_key(agency).encoded())
    env.update(TSUNAGU_STORE="sqlite", TSUNAGU_SQLITE_PATH=store_env["SQLITE_DBNAME"],
               TSUNAGU_DATA_DIR=str(Path(store_env["SQLITE_DBNAME"]).parent), **extra)
    return env


@dataclass
class CliProcess:
    """A ``tsunagu`` command running in the background, its output in a log file."""

    args: tuple[str, ...]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> CliProcess:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen([str(TSUNAGU), *self.args], env=self.env, cwd=self.log.parent,
                                            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no last commit."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM (finish the batch, commit), then SIGKILL if it lingers."""
        try:
            self._signal(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)
            self.process.wait(timeout=15)
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def count(self, text: str) -> int:
        return self.output().count(text)


@contextmanager
def running(args: tuple[str, ...], env: dict[str, str], log: Path) -> Iterator[CliProcess]:
    process = CliProcess(args, env, log).start()
    try:
        yield process
    finally:
        process.stop()


# ----- an agency's own system, receiving webhooks ---------------------------------------------


class WebhookReceiver:
    """A local HTTP endpoint that answers ``fail_first`` requests with 503, then 204, and keeps them all."""

    def __init__(self, *, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 503 if len(receiver.requests) < receiver.fail_first else 204
                receiver.requests.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/referrals"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted_event_ids(self) -> list[str]:
        return [headers["Idempotency-Key"] for headers, _, status in self.requests if status < 300]


# ----- the same, over HTTP ----------------------------------------------------------------------


def refer_over_http(client: Any, auth: Callable[[str], dict[str, str]], *, to_agency: str = "hikikomori") -> dict:
    """Through the API: a case, a member, consent, a referral. Answers the referral's write result."""
    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(path, json=body, headers=auth(REFERRER))
        assert response.status_code == 201, response.text
        return response.json()

    case_id = post("/cases", {"household_name": "佐藤家", "household_name_kana": "さとうけ", "district": "shiba",
                              "summary": "母の介護と長男のひきこもり"})["case_id"]
    son = post(f"/cases/{case_id}/members", {"name": "佐藤 健一", "name_kana": "さとう けんいち",
                                             "birth_date": "1975-04-02", "relationship": "長男",
                                             "is_principal": True})["id"]
    post(f"/cases/{case_id}/consents", {"member_id": son, "agencies": [to_agency], "categories": ["basic"],
                                        "purpose": "支援のため", "method": "written", "document_ref": "同意書 第1号",
                                        "valid_until": "2027-03-31"})
    return post(f"/cases/{case_id}/referrals", {"to_agency": to_agency, "categories": ["basic"],
                                                "reason": "長男のひきこもり"})
