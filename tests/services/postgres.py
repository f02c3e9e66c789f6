"""A throwaway PostgreSQL cluster on loopback, from the Debian packages."""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from tests.services._process import (
    LOOPBACK,
    ServiceError,
    apt_install,
    free_port,
    run,
    wait_until,
    with_log_tail,
)

DEBIAN_POSTGRES_ROOT = Path("/usr/lib/postgresql")
SERVICE_USER = "postgres"  # PostgreSQL refuses to run as root
SUPERUSER = "postgres"
APP_ROLE = "tsunagu"
APP_DATABASE = "tsunagu"
START_TIMEOUT = 60.0

# A cluster whose data may be lost at any time: trade durability for speed.
TEST_SETTINGS = {
    "listen_addresses": LOOPBACK,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
# For tests that crash the server and count what survived: every commit reaches the disk.
DURABLE_SETTINGS = {**TEST_SETTINGS, "fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    dbname: str
    bin_dir: Path = field(repr=False)
    root: Path = field(repr=False)

    @property
    def dsn(self) -> str:
        return (
            f"postgresql://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(self.dbname, safe='')}"
        )

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def crash(self) -> None:
        """Stop the server abruptly (immediate shutdown, like a power cut); its files stay."""
        run(_as_service_user(self.bin_dir / "pg_ctl", "stop", "-D", self.data_dir, "-m", "immediate", "-w"),
            what="pg_ctl stop -m immediate", timeout=START_TIMEOUT, cwd=self.root)

    def start_again(self) -> None:
        """Start a crashed or stopped server on the same port and data (it recovers from its WAL)."""
        _start(self)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its files. Safe to call twice."""
        if (self.data_dir / "postmaster.pid").exists():
            run(
                _as_service_user(self.bin_dir / "pg_ctl", "stop", "-D", self.data_dir, "-m", "fast", "-w"),
                what="pg_ctl stop",
                timeout=START_TIMEOUT,
                cwd=self.root,
            )
        shutil.rmtree(self.root, ignore_errors=True)


def ensure_postgres_installed() -> Path:
    """The bin dir of the newest Debian PostgreSQL, installing it with apt if needed."""
    bin_dir = _newest_debian_bin_dir()
    if bin_dir is None:
        _apt_install_postgres()
        bin_dir = _newest_debian_bin_dir()
    if bin_dir is None:
        raise ServiceError(f"postgresql was installed but no {DEBIAN_POSTGRES_ROOT}/<major>/bin/initdb exists")
    return bin_dir


def start_postgres(base_dir: Path, bin_dir: Path | None = None, *, durable: bool = False,
                   settings: dict[str, str] | None = None) -> PostgresServer:
    """Initialise and start a fresh cluster under ``base_dir/postgres``.

    By default the cluster trades durability for speed; ``durable`` keeps every commit
    through a crash (for fault tests). ``settings`` add to or override postgresql.conf.

    The cluster listens on a free port on 127.0.0.1 and has a login role and a
    database, both named ``tsunagu``. When running as root, ``base_dir`` must be
    traversable by the ``postgres`` user.
    """
    server = PostgresServer(
        host=LOOPBACK,
        port=free_port(),
        user=APP_ROLE,
        password=secrets.token_urlsafe(16),
        dbname=APP_DATABASE,
        bin_dir=bin_dir or ensure_postgres_installed(),
        root=base_dir / "postgres",
    )
    try:
        _prepare_dirs(server)
        _initdb(server, {**(DURABLE_SETTINGS if durable else TEST_SETTINGS), **(settings or {})})
        _start(server)
        _create_app_role_and_database(server)
        _check_app_login(server)
    except BaseException:
        _stop_quietly(server)
        raise
    return server


def _newest_debian_bin_dir() -> Path | None:
    candidates = [
        path.parent
        for path in DEBIAN_POSTGRES_ROOT.glob("*/bin/initdb")
        if path.parent.parent.name.isdigit()
    ]
    return max(candidates, key=lambda p: int(p.parent.name), default=None)


def _apt_install_postgres() -> None:
    if os.geteuid() != 0:
        raise ServiceError(
            "PostgreSQL is not installed and installing it needs root: "
            "run `apt-get install postgresql` or set TSUNAGU_TEST_POSTGRES_DSN"
        )
    apt_install("postgresql")


def _as_service_user(*cmd: str | os.PathLike[str]) -> list[str | os.PathLike[str]]:
    if os.geteuid() != 0:
        return list(cmd)
    return ["runuser", "-u", SERVICE_USER, "--", *cmd]


def _prepare_dirs(server: PostgresServer) -> None:
    for path in (server.root, server.data_dir, server.socket_dir):
        path.mkdir(mode=0o700)
    if os.geteuid() == 0:
        for path in (server.root, server.data_dir, server.socket_dir):
            shutil.chown(path, SERVICE_USER, SERVICE_USER)
        run(
            _as_service_user("test", "-w", server.root),
            what=f"checking that user {SERVICE_USER!r} can write {server.root} "
            "(every parent directory must be traversable by it)",
            timeout=30,
        )


def _initdb(server: PostgresServer, conf_settings: dict[str, str]) -> None:
    run(
        _as_service_user(
            server.bin_dir / "initdb",
            "--pgdata", server.data_dir,
            "--username", SUPERUSER,
            "--auth-local", "trust",
            "--auth-host", "scram-sha-256",
            "--encoding", "UTF8",
            "--locale", "C.UTF-8",
            "--no-sync",
        ),
        what="initdb",
        timeout=120,
        cwd=server.root,
    )
    settings = {**conf_settings, "port": str(server.port), "unix_socket_directories": str(server.socket_dir)}
    with (server.data_dir / "postgresql.conf").open("a") as conf:
        conf.write("\n# tsunagu test cluster\n")
        conf.writelines(f"{name} = {_conf_quote(value)}\n" for name, value in settings.items())


def _conf_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _start(server: PostgresServer) -> None:
    try:
        run(
            _as_service_user(
                server.bin_dir / "pg_ctl", "start",
                "-D", server.data_dir,
                "-l", server.log_file,
                "-w", "-t", str(int(START_TIMEOUT)),
            ),
            what="pg_ctl start",
            timeout=START_TIMEOUT + 10,
            cwd=server.root,
        )
    except ServiceError as exc:
        raise ServiceError(with_log_tail(str(exc), server.log_file)) from exc


def _superuser_connection(server: PostgresServer) -> psycopg.Connection:
    return psycopg.connect(
        host=str(server.socket_dir),
        port=server.port,
        user=SUPERUSER,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def _create_app_role_and_database(server: PostgresServer) -> None:
    role = sql.Identifier(server.user)
    with _superuser_connection(server) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(role, sql.Literal(server.password)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(server.dbname), role))


def _check_app_login(server: PostgresServer) -> None:
    def accepts_login() -> bool:
        try:
            with psycopg.connect(server.dsn, connect_timeout=5) as conn:
                conn.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    try:
        wait_until(accepts_login, timeout=START_TIMEOUT, what=f"PostgreSQL on {server.host}:{server.port}")
    except ServiceError as exc:
        raise ServiceError(with_log_tail(str(exc), server.log_file)) from exc


def _stop_quietly(server: PostgresServer) -> None:
    try:
        server.stop()
    except ServiceError:
        pass
