"""The README's first command: `tsunagu serve --demo` seeds a ward, serves /docs, and a demo
coordinator's token reads a demo case timeline."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.services._process import free_port

CLI = [sys.executable, "-m", "infra.cli"]


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def demo_server(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "TSUNAGU_DATA_DIR": str(tmp_path / "var")}
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen([*CLI, "serve", "--demo", "--port", str(port), "--households", "20"],
                              stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, Path(log.name).read_text()
            time.sleep(0.2)
        else:
            pytest.fail("the demo server did not become ready:\n" + Path(log.name).read_text())
        yield base, env, Path(log.name)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_demo_serves_docs_and_a_coordinator_reads_a_showcase_timeline(demo_server) -> None:
    base, env, log = demo_server
    assert get(f"{base}/docs")[0] == 200
    output = log.read_text()
    showcase = re.search(r"\[coordinator_8050\]\s+([0-9a-f-]{36})", output)
    assert showcase, output
    token = subprocess.run([*CLI, "token", "--demo", "tanaka-yui"], env=env, cwd=log.parent, check=True,
                           capture_output=True, text=True, timeout=30).stdout.strip()
    status, body = get(f"{base}/cases/{showcase.group(1)}/timeline", token)
    assert status == 200, body
    assert b'"withheld":true' not in body and b'"basis":"' in body
    assert get(f"{base}/cases/{showcase.group(1)}/timeline")[0] == 401
