"""Session fixtures that provide a real PostgreSQL and Kafka broker to the tests.

Enable with ``pytest_plugins = ["tests.services.fixtures"]``. Each service is
started lazily, at most once per session, only if a test asks for it; set
``TSUNAGU_TEST_POSTGRES_DSN`` / ``TSUNAGU_TEST_KAFKA_BOOTSTRAP`` to use existing
ones instead. A service that cannot be provided skips the tests that need it,
except under ``CI=true``, where it fails them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, Protocol, TypeVar

import pytest

from tests.services._process import ServiceError
from tests.services.kafka import KafkaBroker, start_kafka
from tests.services.postgres import start_postgres

POSTGRES_DSN_ENV = "TSUNAGU_TEST_POSTGRES_DSN"
KAFKA_BOOTSTRAP_ENV = "TSUNAGU_TEST_KAFKA_BOOTSTRAP"

# What a failed provisioning may raise (OSError covers a missing executable or a full disk).
PROVISIONING_ERRORS = (ServiceError, OSError)


class _Service(Protocol):
    def stop(self) -> None: ...


S = TypeVar("S", bound=_Service)


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def service_unavailable(reason: str) -> NoReturn:
    """Skip the requesting test, or fail it in CI, where a missing service is a bug."""
    if running_in_ci():
        pytest.fail(f"{reason} (CI=true: a missing test service is a failure)", pytrace=False)
    pytest.skip(reason)


def _scratch_dir() -> Path:
    # Not pytest's tmp_path: its parents are private to the current user, and the
    # PostgreSQL server runs as the `postgres` user when the tests run as root.
    path = Path(tempfile.mkdtemp(prefix="tsunagu-test-services-"))
    path.chmod(0o755)
    return path


def _start_or_give_up(what: str, start: Callable[[Path], S], scratch: Path) -> S:
    try:
        return start(scratch)
    except PROVISIONING_ERRORS as exc:
        reason = f"could not provide {what}: {exc}"
    # Outside the handler, so the skip/fail report is not chained to the error.
    shutil.rmtree(scratch, ignore_errors=True)
    service_unavailable(reason)


@contextmanager
def _provisioned(what: str, start: Callable[[Path], S]) -> Iterator[S]:
    """Start a service in a fresh scratch dir; stop it and remove the dir afterwards."""
    scratch = _scratch_dir()
    service = _start_or_give_up(what, start, scratch)
    try:
        yield service
    finally:
        service.stop()
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A libpq URL for a database the tests own (``postgresql://...``)."""
    external = os.environ.get(POSTGRES_DSN_ENV)
    if external:
        yield external
        return
    with _provisioned("PostgreSQL", start_postgres) as server:
        yield server.dsn


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker | None]:
    """The broker the session started, for fault injection; None if it is external."""
    if os.environ.get(KAFKA_BOOTSTRAP_ENV):
        yield None
        return
    with _provisioned("a Kafka broker", start_kafka) as broker:
        yield broker


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: KafkaBroker | None) -> str:
    """``host:port`` of a Kafka broker for ``bootstrap_servers``."""
    if kafka_broker is None:
        return os.environ[KAFKA_BOOTSTRAP_ENV]
    return kafka_broker.bootstrap_servers
