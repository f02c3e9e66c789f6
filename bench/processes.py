"""The processes under test: the API (``tsunagu serve``) and the projection runner, with their memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TSUNAGU = Path(sys.executable).with_name("tsunagu")


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that gives a ``tsunagu`` process these settings (and nothing inherited)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    for name, value in settings.model_dump(exclude_none=True).items():
        secret = getattr(value, "get_secret_value", None)
        env[f"TSUNAGU_{name.upper()}"] = str(secret() if secret else value)
    env.update(extra)
    return env


def memory_mb(pid: int) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a running process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"peak_rss_mb": fields["VmHWM"], "rss_mb": fields["VmRSS"]}


def interpreter_memory_mb(*modules: str) -> float:
    """The peak resident memory of a Python process that has only imported ``modules`` (MB)."""
    probe = (f"import pathlib, {', '.join(modules)}; "
             "print(next(l for l in pathlib.Path('/proc/self/status').read_text().splitlines() "
             "if l.startswith('VmHWM')).split()[1])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    return round(int(out.stdout.strip()) / 1024, 1)


@dataclass
class Process:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def memory(self) -> dict[str, float]:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.log.stem} exited with {self.process.returncode}; see {self.log}")
        return memory_mb(self.pid)


@contextmanager
def running(argv: list[str], env: dict[str, str], log: Path) -> Iterator[Process]:
    with log.open("wb") as output:
        process = subprocess.Popen([str(TSUNAGU), *argv], env=env, cwd=log.parent, stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        yield Process(process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def api_server(settings: Settings, port: int, scratch: Path) -> Iterator[Process]:
    """``tsunagu serve`` on a loopback port, read models kept by a process of their own (as deployed)."""
    env = environment(settings, TSUNAGU_PROJECTIONS_IN_PROCESS="false")
    with running(["serve", "--host", "127.0.0.1", "--port", str(port)], env, scratch / "api.log") as api:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if api.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start; see {api.log}")
            time.sleep(0.2)
        yield api


@contextmanager
def projection_runner(settings: Settings, scratch: Path) -> Iterator[Process]:
    """``tsunagu projections run``: follows the log and keeps the read models up to date."""
    with running(["projections", "run", "--poll", "0.2"], environment(settings), scratch / "runner.log") as runner:
        yield runner
