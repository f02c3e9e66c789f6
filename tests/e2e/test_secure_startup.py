"""`tsunagu serve`, the real command, refuses unsafe configurations: it names the variable, never
repeats a secret, never opens the demo's door without --demo, and keeps what it creates private.
It also does not hold a connection for ever that is slow to send its request."""

from __future__ import annotations

import json
import socket
import stat
import time
from pathlib import Path

import pytest

from infra.bootstrap import demo_settings
from infra.settings import Settings
from tests.e2e.serving import get, run_cli, safe_environment, serving


def refused(result) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output and "╭" not in output, "a refusal is a message, not a traceback"
    return output


def test_without_a_jwt_secret_serve_refuses_naming_the_variable(tmp_path: Path) -> None:
    env = safe_environment(tmp_path / "var")
    del env["TSUNAGU_JWT_SECRET"]
    output = refused(run_cli(env, "serve", "--port", "0"))
    assert "TSUNAGU_JWT_SECRET" in output and "Refusing to start" in output and "起動できません" in output
    assert not (tmp_path / "var").exists(), "nothing is created before the checks pass"


@pytest.mark.parametrize("secret, why", [
    (" " * 32, "at least 32 characters"),
    ("\t  " * 11, "at least 32 characters"),
    ("Short-But-Distinct-9f8e7d", "at least 32 characters"),
    ("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzQq1", "distinct characters"),
    ("Plenty-Of-Letters-0123" * 2, "pattern repeated"),
    ("Wide Open Spaces In  A   Passphrase     Of   Words  Here", "whitespace"),
], ids=["32-spaces", "tabs-and-spaces", "short", "low-entropy", "repeated", "mostly-whitespace"])
def test_a_weak_jwt_secret_is_refused_without_repeating_it(tmp_path: Path, secret: str, why: str) -> None:
    output = refused(run_cli(safe_environment(tmp_path / "var", TSUNAGU_JWT_SECRET=secret), "serve", "--port", "0"))
    assert "TSUNAGU_JWT_SECRET" in output and why in output
    for fragment in {part for part in secret.split() if len(part) >= 4} | {secret.strip()[:12]} - {""}:
        assert fragment not in output, "the rejected secret is never echoed"


def test_a_bad_cipher_key_is_refused_without_repeating_it(tmp_path: Path) -> None:
    output = refused(run_cli(safe_environment(tmp_path / "var", TSUNAGU_CIPHER_KEY="c2hvcnQta2V5IQ=="),
                             "serve", "--port", "0"))
    assert "TSUNAGU_CIPHER_KEY" in output and "c2hvcnQta2V5" not in output


def test_without_a_cipher_key_serve_refuses_unless_told_it_is_unsafe(tmp_path: Path) -> None:
    env = safe_environment(tmp_path / "var")
    del env["TSUNAGU_CIPHER_KEY"]
    output = refused(run_cli(env, "serve", "--port", "0"))
    assert "TSUNAGU_CIPHER_KEY" in output and "TSUNAGU_UNSAFE_PLAINTEXT_STORE" in output
    with serving({**env, "TSUNAGU_UNSAFE_PLAINTEXT_STORE": "true"}, tmp_path / "serve.log") as server:
        assert get(f"{server.base}/healthz")[0] == 200
        assert "UNSAFE" in server.output() and "UNENCRYPTED" in server.output() and "危険" in server.output()


def test_a_data_directory_holding_the_demo_secrets_is_refused_without_demo(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    demo_settings(Settings(_env_file=None, data_dir=data_dir), create=True)  # as `serve --demo` leaves it
    assert (data_dir / "demo-secrets.json").exists()
    for env in (safe_environment(data_dir),  # even with real secrets
                {**safe_environment(data_dir), "TSUNAGU_JWT_SECRET": "", "TSUNAGU_CIPHER_KEY": ""}):
        env = {k: v for k, v in env.items() if v}
        output = refused(run_cli(env, "serve", "--port", "0"))
        assert "TSUNAGU_DATA_DIR" in output and "demo-secrets.json" in output and "--demo" in output
    token = run_cli({k: v for k, v in safe_environment(data_dir).items() if k != "TSUNAGU_JWT_SECRET"},
                    "token", "tanaka-yui")
    assert "TSUNAGU_DATA_DIR" in refused(token) and not token.stdout.startswith("eyJ")
    stored = json.loads((data_dir / "demo-secrets.json").read_text())
    assert stored["jwt_secret"] not in token.stdout + token.stderr


def test_tsunagu_demo_true_with_real_secrets_shows_no_staff_picker(tmp_path: Path) -> None:
    env = safe_environment(tmp_path / "var", TSUNAGU_DEMO="true")
    with serving(env, tmp_path / "serve.log") as server:
        status, _, page = get(f"{server.base}/ui/signin")
        assert status == 200 and 'name="token"' in page.decode()
        assert 'name="staff_id"' not in page.decode() and "田中 結衣" not in page.decode()


def test_everything_serve_creates_is_private_to_its_owner(tmp_path: Path) -> None:
    data_dir = tmp_path / "deployment" / "var"
    env = safe_environment(data_dir)
    with serving(env, tmp_path / "serve.log") as server:
        assert get(f"{server.base}/readyz")[0] == 200
    checkpoint, export = tmp_path / "checkpoint.json", tmp_path / "access.csv"
    assert run_cli(env, "audit", "checkpoint", str(checkpoint)).returncode == 0
    assert run_cli(env, "audit", "export", str(export)).returncode == 0
    created = [data_dir, *data_dir.rglob("*")]
    assert any(path.name == "tsunagu.db" for path in created) and len(created) > 5
    for path in created:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path.relative_to(tmp_path)} is {oct(mode)}"
    assert stat.S_IMODE(data_dir.parent.stat().st_mode) == 0o700  # the parents it made, too
    for output in (checkpoint, export):
        assert stat.S_IMODE(output.stat().st_mode) == 0o600


def test_the_demo_secrets_file_is_private(tmp_path: Path) -> None:
    demo_settings(Settings(_env_file=None, data_dir=tmp_path / "var"), create=True)
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "var" / "demo-secrets.json").stat().st_mode) == 0o600


def test_a_connection_that_never_finishes_its_request_head_or_body_is_let_go(tmp_path: Path) -> None:
    env = safe_environment(tmp_path / "var", TSUNAGU_HEADER_TIMEOUT_SECONDS="1", TSUNAGU_BODY_TIMEOUT_SECONDS="1")
    with serving(env, tmp_path / "serve.log") as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as silent:
            started = time.monotonic()
            assert silent.recv(100) == b"" and time.monotonic() - started < 5  # closed after about 1 s
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as trickle:
            started = time.monotonic()
            assert trickle_until_closed(trickle, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"x" * 100)
            assert time.monotonic() - started < 4, "a byte every 0.2 s does not keep the head open"
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as stalled:
            stalled.sendall(b"POST /cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            b"Content-Length: 100\r\n\r\n{\"household_name\": ")
            answer = read_until_closed(stalled)
            assert answer.startswith(b"HTTP/1.1 408") and b"body_timeout" in answer
        assert get(f"{server.base}/healthz")[0] == 200  # and the server still serves


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a head and body may come in two packets)."""
    received = b""
    while chunk := connection.recv(4096):
        received += chunk
    return received


def trickle_until_closed(connection: socket.socket, data: bytes) -> bool:
    """Send ``data`` a byte every 0.2 s (for at most 6 s); True once the server has closed the connection."""
    started = time.monotonic()
    try:
        for byte in data:
            connection.sendall(bytes([byte]))
            time.sleep(0.2)
            if time.monotonic() - started > 6:
                return False
        return connection.recv(100) == b""
    except (BrokenPipeError, ConnectionResetError):
        return True
