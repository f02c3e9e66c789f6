"""What the server writes to its logs: no personal data, no tokens, no forged log lines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.services._process import free_port

CLI = [sys.executable, "-m", "infra.cli"]
PLANTED = ("漏洩確認家", "ろうえいかくにんけ", "秘密の相談内容ＸＹＺ", "漏洩 太郎", "1961-02-03")


def call(method: str, url: str, token: str | None = None, body: bytes | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def post(url: str, token: str, text: str) -> int:
    return call("POST", url, token, text.encode())


@pytest.fixture
def server(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "TSUNAGU_DATA_DIR": str(tmp_path / "var")}
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([*CLI, "serve", "--demo", "--households", "3", "--port", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if call("GET", f"{base}/readyz") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        token = subprocess.run([*CLI, "token", "--demo", "suzuki-kenta"], env=env, cwd=tmp_path, capture_output=True,
                               text=True, check=True, timeout=30).stdout.strip()
        try:
            yield base, token, log_path
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_logs_carry_no_personal_data_tokens_or_forged_lines(server) -> None:
    base, token, log_path = server
    import json

    opened = urllib.request.urlopen(urllib.request.Request(
        f"{base}/cases", method="POST", headers={"Authorization": f"Bearer {token}",
                                                 "Content-Type": "application/json"},
        data=json.dumps({"household_name": PLANTED[0], "household_name_kana": PLANTED[1]}).encode()), timeout=10)
    case = json.loads(opened.read())["case_id"]
    assert post(f"{base}/cases/{case}/members", token, json.dumps(
        {"name": PLANTED[3], "name_kana": "ろうえい たろう", "birth_date": PLANTED[4], "relationship": "本人"})) == 201
    assert post(f"{base}/cases/{case}/consultations", token, json.dumps(
        {"field": "elderly", "summary": PLANTED[2]})) == 201
    assert call("GET", f"{base}/cases/{case}/timeline", token) == 200
    # Bad input carrying personal data, a bad token, an unknown case, and a path forging a log line.
    assert post(f"{base}/cases/{case}/members", token, json.dumps({"name": PLANTED[3], "birth_date": "x"})) == 422
    assert post(f"{base}/cases/{case}/consultations", token, json.dumps({"summary": PLANTED[2] + "\u0000"})) == 422
    assert call("GET", f"{base}/cases/{case}/timeline", token + "tampered") == 401
    assert call("GET", f"{base}/cases/not-a-case%0d%0aINFO:%20forged%20line/timeline", token) == 422
    time.sleep(0.5)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "GET /cases/" in log  # the access log is there...
    for planted in PLANTED:
        assert planted not in log
    assert token not in log and token.split(".")[2] not in log and "eyJ" not in log  # no JWT at all
    assert "\nINFO: forged line" not in log
