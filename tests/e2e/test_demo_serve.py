"""The README's first command: `tsunagu serve --demo` seeds a ward, serves /docs, and a demo
coordinator's token reads a demo case timeline."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.e2e.serving import Server, get, run_cli, serving


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def demo_environment(tmp_path: Path) -> dict[str, str]:
    """The developer's machine as the README's first command finds it: no secrets set (the demo makes its own)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TSUNAGU_")}
    return {**env, "TSUNAGU_DATA_DIR": str(tmp_path / "var")}


def demo_token(server: Server, staff_id: str, **env: str) -> str:
    issued = run_cli({**server.env, **env}, "token", "--demo", staff_id)
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip()


def test_demo_serves_docs_and_a_coordinator_reads_a_showcase_timeline(tmp_path: Path) -> None:
    with serving(demo_environment(tmp_path), tmp_path / "serve.log", "--demo", "--households", "20") as server:
        assert get(f"{server.base}/docs")[0] == 200
        showcase = re.search(r"\[coordinator_8050\]\s+([0-9a-f-]{36})", server.output())
        assert showcase, server.output()
        token = demo_token(server, "tanaka-yui")
        status, _, body = get(f"{server.base}/cases/{showcase.group(1)}/timeline", bearer(token))
        assert status == 200, body
        assert b'"withheld":true' not in body and b'"basis":"' in body
        assert get(f"{server.base}/cases/{showcase.group(1)}/timeline")[0] == 401
