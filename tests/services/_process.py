"""Small helpers shared by the test-service launchers (ports, waiting, logs)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

LOOPBACK = "127.0.0.1"


class ServiceError(RuntimeError):
    """A test service could not be installed, started or reached."""


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """Return ``count`` distinct TCP ports that are currently free on ``host``.

    All sockets are held open until every port is chosen, so the ports differ.
    A port can still be taken by someone else before the caller binds it.
    """
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(sock.getsockname()[1])
        return ports


def free_port(host: str = LOOPBACK) -> int:
    return free_ports(1, host)[0]


def wait_until(
    ready: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.2
) -> None:
    """Poll ``ready`` until it returns true; raise :class:`ServiceError` after ``timeout`` s.

    ``ready`` may itself raise :class:`ServiceError` to abort early (e.g. the process died).
    """
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() >= deadline:
            raise ServiceError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def log_tail(path: Path, lines: int = 60) -> str:
    """The last ``lines`` lines of a log file, or a note that it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"<{path} does not exist>"
    return "\n".join(text.splitlines()[-lines:])


def with_log_tail(message: str, *logs: Path) -> str:
    """``message`` followed by the tail of each log, for exception texts."""
    parts = [message]
    for log in logs:
        parts.append(f"--- last lines of {log} ---\n{log_tail(log)}")
    return "\n".join(parts)


def run(cmd: Sequence[str | os.PathLike[str]], *, what: str, timeout: float, **kwargs) -> str:
    """Run a command to completion, non-interactively; return its combined output.

    Raise :class:`ServiceError` with the output tail if it fails or times out.
    """
    argv = [os.fspath(arg) for arg in cmd]
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(f"{what}: timed out after {timeout:.0f}s: {argv}") from exc
    except OSError as exc:
        raise ServiceError(f"{what}: cannot run {argv[0]}: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-40:])
        raise ServiceError(f"{what} failed (exit {done.returncode}): {argv}\n{tail}")
    return done.stdout


def apt_install(*packages: str, timeout: float = 900) -> None:
    """Install Debian packages non-interactively (needs root); raise :class:`ServiceError` otherwise."""
    if os.geteuid() != 0:
        raise ServiceError(f"{', '.join(packages)} is not installed and installing it needs root: "
                           f"run `apt-get install {' '.join(packages)}`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = ["apt-get", "-q", "-y", "-o", "DPkg::Lock::Timeout=300"]
    run([*apt, "update"], what="apt-get update", timeout=600, env=env)
    run([*apt, "install", "--no-install-recommends", *packages], what=f"apt-get install {' '.join(packages)}",
        timeout=timeout, env=env)
