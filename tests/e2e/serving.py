"""The real ``tsunagu serve`` command, started as a deployment would start it (for e2e tests)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.cryptography import AESCipher

from tests.services._process import free_port

CLI = [sys.executable, "-m", "infra.cli"]


def safe_environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    """What a safe deployment sets (and nothing inherited from the developer's TSUNAGU_*)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TSUNAGU_")}
    env.update(TSUNAGU_DATA_DIR=str(data_dir), TSUNAGU_JWT_SECRET=secrets.token_urlsafe(48),
               TSUNAGU_CIPHER_KEY=AESCipher.create_key(32), TSUNAGU_CHECKPOINT_KEY=secrets.token_urlsafe(32),
               COLUMNS="200")
    env.update(overrides)
    return env


def run_cli(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """A command to its end (a refused ``serve`` ends at once; one that starts would time out)."""
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout,
                          cwd=Path(env["TSUNAGU_DATA_DIR"]).parent)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@dataclass
class Server:
    base: str
    port: int
    env: dict[str, str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serving(env: dict[str, str], log: Path, *args: str) -> Iterator[Server]:
    """``tsunagu serve`` on a free loopback port, until it answers /readyz; stopped afterwards."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen([*CLI, "serve", "--port", str(port), *args], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=log.parent)
        server = Server(base=f"http://127.0.0.1:{port}", port=port, env=env, log=log)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, f"tsunagu serve exited:\n{server.output()}"
                try:
                    if get(f"{server.base}/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"tsunagu serve did not become ready:\n{server.output()}"
                time.sleep(0.2)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=10)
