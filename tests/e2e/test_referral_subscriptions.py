"""Agencies subscribe over HTTP with no Kafka: a Server-Sent Events stream of their own referral events,
behind the API's authentication, id-only, resumable with Last-Event-ID."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.kafka_support import RECEIVER, REFERRER, refer_over_http

pytestmark = pytest.mark.integration

LIVELIHOOD, AUDITOR = "inoue-kazuki", "watanabe-makoto"


def stream(client, auth, staff: str, *, duration: float = 0.3, **params) -> list[dict[str, str]]:
    """The events of one stream that the server ends after ``duration`` seconds."""
    headers = {**auth(staff), **({"Last-Event-ID": params.pop("last_event_id")} if "last_event_id" in params else {})}
    response = client.get("/subscriptions/referrals", params={"duration": duration, **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in response.text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
        if "data" in fields:
            events.append(fields)
    return events


def test_staff_stream_their_own_agencys_referral_events_and_no_one_elses(client, auth) -> None:
    referral = refer_over_http(client, auth)
    accepted = client.post(f"/cases/{referral['case_id']}/referrals/{referral['id']}/acceptance",
                           json={"note": "面談予定"}, headers=auth(RECEIVER))
    assert accepted.status_code == 200, accepted.text

    received = stream(client, auth, RECEIVER, after=0)
    assert [(e["event"], json.loads(e["data"])["recipient_role"]) for e in received] == [
        ("referral.requested", "receiver"), ("referral.accepted", "receiver")]
    sent = stream(client, auth, REFERRER, after=0)
    assert [json.loads(e["data"])["recipient"] for e in sent] == ["elderly-shiba"] * 2
    assert stream(client, auth, LIVELIHOOD, after=0) == [] and stream(client, auth, AUDITOR, after=0) == []

    message = json.loads(received[0]["data"])
    assert (message["case_id"], message["referral_id"], message["link"]) == (
        referral["case_id"], referral["id"], f"/cases/{referral['case_id']}/timeline")
    assert not [text for text in ("佐藤", "健一", "長男", "面談予定", REFERRER)
                if text in "".join(e["data"] for e in received)]


def test_a_reconnecting_client_resumes_after_its_last_event_id(client, auth) -> None:
    first, second = refer_over_http(client, auth), refer_over_http(client, auth)
    everything = stream(client, auth, RECEIVER, after=0)
    assert [json.loads(e["data"])["case_id"] for e in everything] == [first["case_id"], second["case_id"]]
    resumed = stream(client, auth, RECEIVER, last_event_id=everything[0]["id"])
    assert [json.loads(e["data"])["case_id"] for e in resumed] == [second["case_id"]]


def test_a_new_subscriber_receives_what_happens_while_it_listens(client, auth) -> None:
    refer_over_http(client, auth)  # before subscribing: not replayed
    received: list[list[dict[str, str]]] = []
    listener = threading.Thread(target=lambda: received.append(stream(client, auth, RECEIVER, duration=2.0)))
    listener.start()
    time.sleep(0.5)
    live = refer_over_http(client, auth)
    listener.join(timeout=10)
    assert [json.loads(e["data"])["case_id"] for e in received[0]] == [live["case_id"]]


def test_the_stream_needs_a_valid_token_and_a_sane_last_event_id(client, auth) -> None:
    assert client.get("/subscriptions/referrals").status_code == 401
    bad = client.get("/subscriptions/referrals", headers={**auth(RECEIVER), "Last-Event-ID": "yesterday"})
    assert bad.status_code == 422 and bad.json()["detail"]["code"] == "invalid_last_event_id"
