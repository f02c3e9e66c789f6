"""``tsunagu relay`` and ``tsunagu consume ...``: the referral relay and an agency's consumer."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from consumers.inbox import Inbox
from domain.errors import NotFound
from infra.bootstrap import (
    build_tsunagu,
    configure,
    load_consumer_signing_settings,
    load_kafka_settings,
    load_registry,
    load_relay_signing_settings,
)
from infra.kafka.settings import SettingRefused
from infra.settings import Settings

log = logging.getLogger("tsunagu.cli")
T = TypeVar("T")
console = Console()

consume = typer.Typer(help="Subscribe to what Tsunagu publishes on Kafka.", no_args_is_help=True)

Demo = Annotated[bool, typer.Option("--demo", help="Use the demo's data directory and its own secrets "
                                                   "(never without this option).")]


def relay(
    once: Annotated[bool, typer.Option(help="Publish what is waiting, then exit.")] = False,
    demo: Demo = False,
) -> None:
    """Publish referral events from the event log to the agencies' Kafka topics (at least once)."""
    from infra.kafka.relay import ReferralRelay
    from infra.kafka.signing import RelayKeys
    from infra.referral_feed import build_referral_feed

    _log_to_stderr()
    kafka = load_kafka_settings()
    keys = RelayKeys(_refuse_unsafe(load_relay_signing_settings).signing_secret.get_secret_value())
    tsunagu = build_tsunagu(_store_settings(demo))
    relay = ReferralRelay.from_settings(build_referral_feed(tsunagu), kafka, keys)
    log.info("relay %r from log position %d to %s", relay.name, relay.position(), kafka.bootstrap_servers)
    try:
        relayed = relay.run(_stop_on_signals(), until_idle=once)
        log.info("relay stopped at log position %d after %d events", relay.position(), relayed)
    finally:
        relay.close()
        tsunagu.close()


@consume.command("referrals")
def consume_referrals(
    agency: Annotated[str, typer.Option(help="The agency whose topic to consume (see `tsunagu staff`).")],
    webhook_url: Annotated[str | None, typer.Option(
        help="POST each new entry here (default: TSUNAGU_KAFKA_WEBHOOK_URL).")] = None,
    instance_id: Annotated[str | None, typer.Option(
        help="Static group membership: a restart with the same id takes over without a rebalance.")] = None,
    demo: Demo = False,
) -> None:
    """Consume an agency's referral events into its inbox, once each, and forward them to its webhook."""
    from consumers.referrals import ReferralConsumer, utc_now
    from consumers.verification import RecordVerifier
    from consumers.webhook import WebhookForwarder
    from infra.kafka.clients import layout, new_referral_consumer

    _log_to_stderr()
    settings = _store_settings(demo)
    _check_agency(settings, agency)
    kafka = load_kafka_settings(**({"webhook_url": webhook_url} if webhook_url else {}))
    verifier = RecordVerifier(agency, layout(kafka).topic_for(agency),
                              _refuse_unsafe(load_consumer_signing_settings).keys())
    inbox = open_inbox(settings)
    forwarder = None
    if kafka.webhook_url:
        forwarder = WebhookForwarder(
            inbox, agency, kafka.webhook_url, clock=utc_now,
            secret=kafka.webhook_secret.get_secret_value() if kafka.webhook_secret else None,
            timeout_s=kafka.webhook_timeout_s, backoff_initial_s=kafka.webhook_backoff_initial_s,
            backoff_max_s=kafka.webhook_backoff_max_s)
    consumer = ReferralConsumer(agency, new_referral_consumer(kafka, agency, instance_id=instance_id), inbox,
                                verifier=verifier, forwarder=forwarder, commit_interval_s=kafka.commit_interval_s)
    log.info("consuming referrals for %s from %s", agency, kafka.bootstrap_servers)
    try:
        consumer.run(_stop_on_signals())
    finally:
        consumer.close()
        inbox.close()


@consume.command("inbox")
def list_inbox(
    agency: Annotated[str, typer.Option(help="The agency whose inbox to list.")],
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many entries, newest first.")] = 50,
    demo: Demo = False,
) -> None:
    """List an agency's referral inbox: ids, agencies, categories, times; details are behind `link`."""
    entries = _read_inbox(agency, demo, lambda inbox: inbox.entries(agency, limit=limit))
    table = Table("received", "type", "case", "from → to", "categories", "link", "webhook")
    for entry in entries:
        event = entry.event
        webhook = ("sent" if entry.forwarded_at else entry.last_error or
                   ("pending" if entry.next_forward_at else "–"))
        table.add_row(f"{entry.received_at:%Y-%m-%d %H:%M:%S}", event.type, str(event.case_id),
                      f"{event.from_agency} → {event.to_agency}", ", ".join(event.categories), event.link, webhook)
    console.print(table)


@consume.command("quarantine")
def list_quarantine(
    agency: Annotated[str, typer.Option(help="The agency whose refused records to list.")],
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many records, newest first.")] = 50,
    demo: Demo = False,
) -> None:
    """List the records the agency's consumer refused: why, where on the wire, their digest (never content)."""
    records = _read_inbox(agency, demo, lambda inbox: inbox.quarantined(agency, limit=limit))
    table = Table("quarantined", "reason", "topic/partition@offset", "bytes", "sha256", "claimed event", "claimed case")
    for record in records:
        table.add_row(f"{record.quarantined_at:%Y-%m-%d %H:%M:%S}", record.reason,
                      f"{record.topic}/{record.partition}@{record.offset}", str(record.size_bytes),
                      record.sha256[:16], str(record.event_id or "–"), str(record.case_id or "–"))
    console.print(table)
    if not records:
        console.print(f"no refused records for {agency}")


@consume.command("signing-key")
def signing_key(
    agency: Annotated[str, typer.Option(help="The agency whose consumer is to verify with this key.")],
    demo: Demo = False,
) -> None:
    """Print an agency's key (derived from TSUNAGU_KAFKA_SIGNING_SECRET): its consumer's TSUNAGU_KAFKA_SIGNING_KEY."""
    from infra.kafka.signing import derive_agency_key

    _check_agency(_store_settings(demo), agency)
    secret = _refuse_unsafe(load_relay_signing_settings).signing_secret.get_secret_value()
    key = derive_agency_key(secret, agency)
    typer.echo(key.encoded())
    typer.echo(f"key id {key.key_id}: give it to {agency}'s consumer only, as TSUNAGU_KAFKA_SIGNING_KEY", err=True)


def open_inbox(settings: Settings) -> Inbox:
    """The inbox table lives in the configured store, beside the events."""
    if settings.store == "postgres":
        assert settings.postgres_dsn is not None
        return Inbox.postgres(settings.postgres_dsn.get_secret_value(), settings.postgres_schema or "public")
    settings.sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    return Inbox.sqlite(settings.sqlite_file)


def _read_inbox(agency: str, demo: bool, read: Callable[[Inbox], T]) -> T:
    """What ``read`` finds in the agency's inbox (the consumer's store), opened and closed around it."""
    settings = _store_settings(demo)
    _check_agency(settings, agency)
    inbox = open_inbox(settings)
    try:
        return read(inbox)
    finally:
        inbox.close()


def _store_settings(demo: bool = False) -> Settings:
    """Store settings from the environment; with ``--demo`` only, the demo's secrets fill what is unset.

    The relay and the consumers hold no personal data of their own (the relay reads the store with its
    key; the inbox keeps ids, codes and links), so they are not refused for a missing cipher key."""
    return configure(demo=demo, tokens=False, store=False).settings


def _refuse_unsafe(load: Callable[[], T]) -> T:
    """Settings, or exit 2 with the message that names the variable at fault (never its value)."""
    try:
        return load()
    except SettingRefused as error:
        typer.echo(f"tsunagu: refusing to start: {error}", err=True)
        raise typer.Exit(2) from None


def _check_agency(settings: Settings, agency: str) -> None:
    try:
        load_registry(settings.registry_path).agency(agency)
    except NotFound as error:
        raise typer.BadParameter(error.message_en, param_hint="--agency") from None


def _stop_on_signals() -> threading.Event:
    """SIGTERM or Ctrl-C finish the current batch, then stop."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # a broker that is down is reported once per retry, by us
