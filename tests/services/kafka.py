"""A throwaway single-node Apache Kafka broker (KRaft) on loopback, from Maven Central jars."""

from __future__ import annotations

import base64
import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from tests.services._process import (
    LOOPBACK,
    ServiceError,
    free_ports,
    run,
    wait_until,
    with_log_tail,
)

KAFKA_VERSION = "4.3.0"  # kafka-python 3.0.x is tested upstream against 4.3.0
LOG4J_VERSION = "2.25.3"  # the broker POMs carry no logging backend
POM = Path(__file__).with_name("kafka-pom.xml")
READY_LINE = "Kafka Server started"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
MAVEN_TIMEOUT = 900.0
NODE_ID = 1

# Sized for a 2-core CI box.
JVM_FLAGS = (
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)


class KafkaBroker:
    """A broker process plus its files under ``root``; see :func:`start_kafka`."""

    def __init__(self, root: Path, libs: Path, port: int, controller_port: int) -> None:
        self.root = root
        self.libs = libs
        self.port = port
        self.controller_port = controller_port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def server_log(self) -> Path:
        return self.root / "server.log"

    @property
    def console_log(self) -> Path:
        return self.root / "console.log"

    @property
    def config_file(self) -> Path:
        return self.root / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Launch the broker on its ports and data dir; return once a client can connect."""
        if self.is_running:
            raise ServiceError(f"Kafka broker on {self.bootstrap_servers} is already running")
        log_offset = _size(self.server_log)
        with self.console_log.open("ab") as console:
            self._process = subprocess.Popen(
                [*self._java_command(), "kafka.Kafka", str(self.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                cwd=self.root,
            )
        deadline = time.monotonic() + timeout
        try:
            wait_until(
                lambda: self._logged_since(log_offset, READY_LINE),
                timeout=timeout,
                what=f"{READY_LINE!r} in {self.server_log}",
            )
            wait_until(
                lambda: _accepts_clients(self.bootstrap_servers),
                timeout=max(deadline - time.monotonic(), 1.0),
                what=f"a Kafka client to connect to {self.bootstrap_servers}",
            )
        except ServiceError as exc:
            self.kill()
            message = with_log_tail(f"Kafka broker failed to start: {exc}", self.server_log, self.console_log)
            raise ServiceError(message) from exc
        except BaseException:  # e.g. Ctrl-C: leave no broker behind
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL the broker (a crash); files are kept so it can :meth:`restart`."""
        self._signal_and_wait(signal.SIGKILL, timeout=STOP_TIMEOUT)

    def terminate(self, timeout: float = STOP_TIMEOUT) -> None:
        """Shut the broker down cleanly (SIGTERM, then SIGKILL after ``timeout``); keep files."""
        try:
            self._signal_and_wait(signal.SIGTERM, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self, timeout: float = START_TIMEOUT) -> None:
        """Stop the broker if it runs, then start it again on the same ports and data."""
        self.terminate()
        self.start(timeout=timeout)

    def stop(self) -> None:
        """Shut the broker down and delete its files. Safe to call twice."""
        self.terminate()
        shutil.rmtree(self.root, ignore_errors=True)

    def _signal_and_wait(self, signum: signal.Signals, timeout: float) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signum)
            self._process.wait(timeout=timeout)
        self._process = None

    def _java_command(self) -> list[str]:
        return [
            _java(),
            *JVM_FLAGS,
            f"-Djava.io.tmpdir={self.root / 'tmp'}",  # codecs unpack native libraries here
            f"-Dlog4j2.configurationFile={self.root / 'log4j2.properties'}",
            "-cp",
            str(self.libs / "*"),
        ]

    def _logged_since(self, offset: int, needle: str) -> bool:
        if self._process is None or self._process.poll() is not None:
            code = None if self._process is None else self._process.returncode
            raise ServiceError(f"the broker process exited (code {code})")
        with self.server_log.open("rb") as log:
            log.seek(offset)
            return needle.encode() in log.read()


def start_kafka(base_dir: Path, version: str = KAFKA_VERSION) -> KafkaBroker:
    """Format and start a fresh single-node KRaft broker under ``base_dir/kafka``.

    Broker and controller listen on free ports on 127.0.0.1. Returns once the
    broker logged that it started and a kafka-python client could connect.
    """
    port, controller_port = free_ports(2)
    broker = KafkaBroker(base_dir / "kafka", ensure_kafka_classpath(version), port, controller_port)
    broker.root.mkdir()
    (broker.root / "tmp").mkdir()
    _write_config(broker)
    _write_log4j_config(broker)
    _format_storage(broker)
    broker.start()
    return broker


@contextmanager
def broker_of_its_own(version: str = KAFKA_VERSION) -> Iterator[KafkaBroker]:
    """A broker for one test that kills or restarts it, so that the session's shared broker (and its
    group coordinator, which other tests' fresh groups join) never goes through the fault. Raises
    :class:`ServiceError` or :class:`OSError` if it cannot be started; stopped and removed afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="tsunagu-own-kafka-"))
    try:
        broker = start_kafka(scratch, version)
        try:
            yield broker
        finally:
            broker.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def kafka_cache_dir(version: str = KAFKA_VERSION) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tsunagu" / f"kafka-{version}"


def ensure_kafka_classpath(version: str = KAFKA_VERSION) -> Path:
    """The directory of broker jars, fetched with Maven once and cached per version."""
    cache = kafka_cache_dir(version)
    libs = cache / "libs"
    marker = cache / "complete"
    fingerprint = f"kafka={version} log4j={LOG4J_VERSION}\n"
    if _read(marker) == fingerprint:
        return libs
    cache.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(cache / ".lock"):
        if _read(marker) != fingerprint:
            marker.unlink(missing_ok=True)
            _fetch_jars(version, libs)
            marker.write_text(fingerprint)
    return libs


def _fetch_jars(version: str, libs: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix="libs-", dir=libs.parent))
    try:
        run(
            [
                "mvn", "-B", "-q", "-Dstyle.color=never",
                "-f", POM,
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging}",
                f"-Dkafka.version={version}",
                f"-Dlog4j.version={LOG4J_VERSION}",
            ],
            what=f"fetching Kafka {version} jars from Maven Central",
            timeout=MAVEN_TIMEOUT,
            cwd=libs.parent,
        )
        if not any(staging.glob(f"kafka_2.13-{version}.jar")):
            raise ServiceError(f"Maven finished but kafka_2.13-{version}.jar is not in {staging}")
        shutil.rmtree(libs, ignore_errors=True)
        staging.rename(libs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_config(broker: KafkaBroker) -> None:
    voters = f"{NODE_ID}@{LOOPBACK}:{broker.controller_port}"
    properties = {
        "process.roles": "broker,controller",
        "node.id": NODE_ID,
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{LOOPBACK}:{broker.port},CONTROLLER://{LOOPBACK}:{broker.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{broker.port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": broker.data_dir,
        # A single node: every internal topic must make do with one replica.
        "offsets.topic.replication.factor": 1,
        "offsets.topic.num.partitions": 1,
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "transaction.state.log.num.partitions": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        "group.initial.rebalance.delay.ms": 0,
        # After a kill the controller waits out the dead incarnation's session
        # before the restarted broker can register: keep that short (default 9 s).
        "broker.session.timeout.ms": 4000,
        "broker.heartbeat.interval.ms": 1000,
        # Small box.
        "num.network.threads": 2,
        "num.io.threads": 2,
        "log.cleaner.dedupe.buffer.size": 16 * 1024 * 1024,
    }
    broker.config_file.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))


def _write_log4j_config(broker: KafkaBroker) -> None:
    (broker.root / "log4j2.properties").write_text(
        f"""\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {broker.server_log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
"""
    )


def _format_storage(broker: KafkaBroker) -> None:
    run(
        [
            *broker._java_command(),
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id", _new_cluster_id(),
            "--config", broker.config_file,
        ],
        what="formatting Kafka storage (kafka.tools.StorageTool)",
        timeout=START_TIMEOUT,
        cwd=broker.root,
    )


def _new_cluster_id() -> str:
    """A random Kafka Uuid in its base64 form; never starting with '-' (CLI-safe)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def _accepts_clients(bootstrap_servers: str) -> bool:
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            client_id="tsunagu-test-readiness",
            request_timeout_ms=5000,
        )
    except KafkaError:
        return False
    try:
        admin.list_topics()
    except KafkaError:
        return False
    finally:
        admin.close()
    return True


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        raise ServiceError("no `java` found (set JAVA_HOME or put Java 17+ on PATH); the Kafka broker needs it")
    return java


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Serialise the jar download between concurrent test processes."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None
