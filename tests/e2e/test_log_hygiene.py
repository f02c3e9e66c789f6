"""What the server writes to its logs: no personal data, no tokens, no forged log lines.

Two ways in. ``tsunagu serve`` as deployed (its own log configuration, its log file read afterwards),
and the app served by uvicorn inside the test process with every logger propagating to ``caplog`` at
DEBUG (uvicorn's access and error logs, FastAPI, Starlette, Tsunagu's own, the store's), driven down
every error path — each kind of 4xx, forced 5xx, 503 when an access cannot be recorded, 429 — with
personal data planted in bodies, query strings and headers, plain, JSON-escaped and URL-encoded, in
kanji, kana and their half-width and full-width forms. None of it may appear in any log record, and the
check is shown to catch a handler that logs the request (``test_the_check_catches_…``).
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import uvicorn
from eventsourcing.persistence import OperationalError
from limits import parse_many

import api.errors
from api.deps import get_read_models, get_services
from api.main import create_app
from api.rate_limits import Limits, RateLimiter, RatePolicy
from infra.web_server import HeadTimeoutProtocol
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
    # Personal data in query strings: the access log (uvicorn's, as `serve` configures it) keeps only the path.
    assert call("GET", f"{base}/cases?{urlencode({'district': PLANTED[3], 'lead_agency': PLANTED[4]})}", token) == 422
    assert call("GET", f"{base}/workloads/elderly-shiba?{urlencode({'as_of': '9999-12-31', 'q': PLANTED[0]})}",
                token) == 422
    time.sleep(0.5)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "GET /cases/" in log and "GET /workloads/elderly-shiba?(query omitted)" in log  # the access log is there
    for planted in PLANTED:
        assert planted not in log and quote(planted) not in log
    assert token not in log and token.split(".")[2] not in log and "eyJ" not in log  # no JWT at all
    assert "\nINFO: forged line" not in log


# ----- every error path, every encoding, every logger ----------------------------------------------------------

NAME, KANA, KATAKANA = "漏洩確認太郎", "ろうえいかくにん", "ロウエイカクニン"
HALF_WIDTH, FULL_WIDTH = "ﾛｳｴｲｶｸﾆﾝ", "ＲＯＵＥＩ７７３１"
MARKER, BIRTH_DATE = "ROUEI-TARO-7731", "1961-02-03"
SECRETS = (NAME, KANA, KATAKANA, HALF_WIDTH, FULL_WIDTH, MARKER, BIRTH_DATE)
TEXT = " ".join(SECRETS)
"""One value carrying every planted piece; what a request sends is this, in some encoding."""


def forms_of(secret: str) -> set[str]:
    """The ways a planted value could show in a log line: as it is, width-folded (NFKC: half-width kana and
    full-width letters to their usual forms), JSON-escaped, URL-encoded (either case), as escaped bytes."""
    escaped = json.dumps(secret)[1:-1]
    encoded = quote(secret, safe="")
    return {secret, unicodedata.normalize("NFKC", secret), escaped, escaped.upper(), encoded,
            re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded), str(secret.encode())[2:-1],
            secret.encode("unicode_escape").decode()}


FORMS = {form: secret for secret in SECRETS for form in forms_of(secret)}


def record_text(record: logging.LogRecord) -> str:
    text = f"{record.name} {record.getMessage()}"
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    return text + (record.stack_info or "")


def leaks(records: list[logging.LogRecord]) -> list[tuple[str, str, str]]:
    """(logger, the planted value, the form it was found in) for every planted form in any record."""
    return [(record.name, FORMS[form], form) for record in records for form in FORMS if form in record_text(record)]


@dataclasses.dataclass
class Served:
    """The app served by uvicorn in this process."""

    base: str
    port: int
    app: Any
    services: Any

    def send(self, method: str, path: str, *, query: dict[str, str] | None = None,
             headers: Sequence[tuple[str, str | bytes]] = (),
             body: bytes | Iterator[bytes] | None = None) -> tuple[int, bytes]:
        """One request over a real connection (http.client logs nothing); headers may be raw bytes."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            target = path + (f"?{urlencode(query)}" if query else "")
            connection.putrequest(method, target, skip_accept_encoding=True)
            chunked = body is not None and not isinstance(body, bytes)
            for name, value in headers:
                connection.putheader(name, value)
            if chunked:
                connection.putheader("Transfer-Encoding", "chunked")
            elif body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            if chunked:
                try:
                    for chunk in body:
                        connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    connection.send(b"0\r\n\r\n")
                except OSError:
                    pass  # refused mid-body: the answer is already there
            elif body is not None:
                connection.send(body)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


@pytest.fixture(params=["sqlite"])  # what is logged does not depend on the store
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    yield {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.db")}


@pytest.fixture
def served(services, caplog) -> Iterator[Served]:
    """The app under uvicorn in this process, every logger propagating to ``caplog`` at DEBUG."""
    settings = services.settings.model_copy(update={"body_timeout_seconds": 1.0})
    app = create_app(dataclasses.replace(services, settings=settings))
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")]
    saved = [(logger.propagate, logger.level, list(logger.handlers)) for logger in loggers]
    for logger in loggers:  # as if no log configuration had been applied: everything reaches caplog
        logger.propagate, logger.handlers = True, []
    caplog.set_level(logging.DEBUG)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="debug",
                            http=type("Protocol", (HeadTimeoutProtocol,), {"header_timeout": 10.0}))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", port, app, services)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        for logger, (propagate, level, handlers) in zip(loggers, saved, strict=True):
            logger.propagate, logger.level, logger.handlers = propagate, level, handlers


ELDERLY, HIKIKOMORI, AUDITOR = "suzuki-kenta", "takahashi-aoi", "watanabe-makoto"


def planted_headers() -> list[tuple[str, str | bytes]]:
    return [("X-Note", TEXT.encode()), ("X-Note-Escaped", json.dumps(TEXT)[1:-1]),
            ("X-Note-Url", quote(TEXT, safe="")), ("User-Agent", quote(MARKER + NAME, safe=""))]


def json_body(values: dict[str, Any], *, escaped: bool = False) -> bytes:
    return json.dumps(values, ensure_ascii=escaped).encode()


@dataclasses.dataclass
class Drive:
    """The error paths, each a request and the status it must get (so a path silently not taken fails)."""

    served: Served
    auth: Callable[[str], dict[str, str]]
    statuses: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    bodies: dict[str, bytes] = dataclasses.field(default_factory=dict)

    def expect(self, name: str, status: int, method: str, path: str, *, staff: str | None = None,
               query: dict[str, str] | None = None, headers: list[tuple[str, str | bytes]] | None = None,
               body: bytes | Iterator[bytes] | None = None, cookie: str | None = None) -> None:
        sent = [*planted_headers(), *(headers or [])]
        if staff is not None:
            sent.append(("Authorization", self.auth(staff)["Authorization"]))
        if cookie is not None:
            sent.append(("Cookie", cookie))
        if body is not None and not any(name.lower() == "content-type" for name, _ in sent):
            sent.append(("Content-Type", "application/json"))
        got, answer = self.served.send(method, path, query=query, headers=sent, body=body)
        self.statuses[name] = (got, status)
        self.bodies[name] = answer

    def session(self, staff: str) -> str:
        return f"tsunagu_session={self.auth(staff)['Authorization'].removeprefix('Bearer ')}"

    def open_case(self) -> str:
        status, answer = self.served.send("POST", "/cases", body=json_body(
            {"household_name": NAME, "household_name_kana": KANA}), headers=[
            ("Authorization", self.auth(ELDERLY)["Authorization"]), ("Content-Type", "application/json")])
        assert status == 201
        return json.loads(answer)["case_id"]

    def client_errors(self, case: str) -> None:
        consultation = {"field": "elderly", "summary": TEXT}
        self.expect("401 anonymous", 401, "GET", "/cases", query={"district": TEXT})
        self.expect("401 a token that is planted data", 401, "GET", f"/cases/{case}/timeline",
                    headers=[("Authorization", f"Bearer {MARKER}.{quote(NAME)}.x")])
        self.expect("403 another agency's workload", 403, "GET", "/workloads/hikikomori", staff=ELDERLY,
                    query={"note": TEXT})
        self.expect("404 an unknown case", 404, "GET", f"/cases/{uuid.uuid4()}/timeline", staff=ELDERLY,
                    query={"note": TEXT})
        self.expect("404 a case not theirs", 404, "POST", f"/cases/{case}/consultations", staff=HIKIKOMORI,
                    body=json_body(consultation))
        self.expect("405 a method not allowed", 405, "DELETE", "/cases", staff=ELDERLY, query={"note": TEXT})
        self.expect("409 a stale version", 409, "POST", f"/cases/{case}/consultations", staff=ELDERLY,
                    headers=[("If-Match", '"0"')], body=json_body(consultation))
        self.expect("413 too large", 413, "POST", f"/cases/{case}/consultations", staff=ELDERLY,
                    body=json_body({"field": "elderly", "summary": TEXT * 3000}))
        member = {"name": TEXT + "\x00", "name_kana": TEXT, "birth_date": TEXT, "relationship": TEXT}
        self.expect("422 body, plain JSON", 422, "POST", f"/cases/{case}/members", staff=ELDERLY,
                    body=json_body(member))
        self.expect("422 body, escaped JSON", 422, "POST", f"/cases/{case}/members", staff=ELDERLY,
                    body=json_body(member, escaped=True))
        self.expect("422 body, not JSON", 422, "POST", f"/cases/{case}/consultations", staff=ELDERLY,
                    body=b'{"summary": "' + TEXT.encode() + b'", ')
        self.expect("401 body not JSON, anonymous", 401, "POST", f"/cases/{case}/consultations",
                    body=b'{"summary": "' + TEXT.encode() + b'", ')
        self.expect("422 body, a form where JSON goes", 422, "POST", f"/cases/{case}/consultations", staff=ELDERLY,
                    headers=[("Content-Type", "application/x-www-form-urlencoded")],
                    body=urlencode({"summary": TEXT}).encode())
        self.expect("422 query", 422, "GET", "/cases", staff=ELDERLY, query={"district": TEXT, "lead_agency": TEXT})
        self.expect("422 query date", 422, "GET", "/workloads/elderly-shiba", staff=ELDERLY, query={"as_of": TEXT})
        self.expect("422 audit filters", 422, "GET", "/audit/access", staff=AUDITOR,
                    query={"since": TEXT, "reader_staff": TEXT, "case_id": quote(TEXT)})
        self.expect("422 headers", 422, "POST", f"/cases/{case}/consultations", staff=ELDERLY,
                    headers=[("Idempotency-Key", " " + quote(TEXT, safe=""))], body=json_body(consultation))
        self.expect("422 If-Match", 422, "POST", f"/cases/{case}/consultations", staff=ELDERLY,
                    headers=[("If-Match", json.dumps(TEXT))], body=json_body(consultation))
        self.expect("422 an implausible date", 422, "POST", f"/cases/{case}/outreach", staff=ELDERLY,
                    body=json_body({"approach": TEXT, "planned_on": "2031-06-02"}))
        self.expect("422 a record dated 1900", 422, "POST", f"/cases/{case}/consultations", staff=ELDERLY,
                    body=json_body({**consultation, "occurred_at": "1900-01-01T00:00:00+09:00"}))

    def page_errors(self, case: str) -> None:
        self.expect("400 page: audit filters", 400, "GET", "/ui/audit", cookie=self.session(AUDITOR),
                    query={"reader_staff": TEXT, "case_id": TEXT})
        form = urlencode([(f"f{i}", NAME) for i in range(1100)]).encode()  # within the size limit
        self.expect("400 page: 1,100 form fields, signed out", 400, "POST", "/ui/signin", body=form,
                    headers=[("Content-Type", "application/x-www-form-urlencoded")])
        self.expect("413 page: a chunked form too large, signed out", 413, "POST", "/ui/signin",
                    headers=[("Content-Type", "application/x-www-form-urlencoded")],
                    body=(urlencode({"token": TEXT * 40}).encode() + b"&" for _ in range(200)))
        self.expect("404 page: no such case", 404, "GET", f"/ui/cases/{uuid.uuid4()}", cookie=self.session(ELDERLY),
                    query={"note": TEXT})
        self.expect("403 page: a form without its token", 403, "POST", f"/ui/cases/{case}/emergency",
                    cookie=self.session(HIKIKOMORI), headers=[("Content-Type", "application/x-www-form-urlencoded")],
                    body=urlencode({"reason": TEXT}).encode())

    def too_many(self, case: str) -> None:
        app = self.served.app
        saved = app.state.rate_limiter
        one_read = Limits(per_address=[], per_staff=parse_many("1/minute"))
        app.state.rate_limiter = RateLimiter({policy: one_read if policy is RatePolicy.READS else Limits([], [])
                                              for policy in RatePolicy})
        try:
            self.expect("200 the read the limit allows", 200, "GET", f"/cases/{case}", staff=ELDERLY,
                        query={"note": TEXT})
            self.expect("429 over the limit", 429, "GET", f"/cases/{case}", staff=ELDERLY, query={"note": TEXT})
        finally:
            app.state.rate_limiter = saved

    def slow_body(self, case: str) -> None:
        """408: a body that stops arriving (the planted half of it is all the server gets)."""
        part = json_body({"field": "elderly", "summary": TEXT})
        head = (f"POST /cases/{case}/consultations HTTP/1.1\r\nHost: testserver\r\n"
                f"Authorization: {self.auth(ELDERLY)['Authorization']}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(part) * 2}\r\n\r\n")
        with socket.create_connection(("127.0.0.1", self.served.port), timeout=15) as raw:
            raw.sendall(head.encode() + part)  # half the body, then nothing
            answer = raw.recv(65536)
        self.statuses["408 a body that stops arriving"] = (int(answer.split(b" ", 2)[1]), 408)

    def server_errors(self, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
        app, tsunagu = self.served.app, self.served.services.tsunagu

        def fails() -> Any:  # no parameters: FastAPI would read them from the request
            raise RuntimeError(f"failed on {TEXT} {json.dumps(TEXT)} {quote(TEXT)}")

        app.dependency_overrides[get_read_models] = fails
        self.expect("500 a route that raises", 500, "GET", "/cases", staff=ELDERLY, query={"note": TEXT})
        app.dependency_overrides.clear()
        app.dependency_overrides[get_services] = fails
        self.expect("500 a page that raises", 500, "GET", "/ui/workloads", cookie=self.session(ELDERLY),
                    query={"agency": TEXT})
        app.dependency_overrides.clear()

        def disk_full(*_: Any, **__: Any) -> Any:
            raise OSError(f"disk full writing {TEXT}")

        def store_down(*_: Any, **__: Any) -> Any:
            raise OperationalError(f"connection lost while writing {TEXT}")

        with monkeypatch.context() as patch:
            patch.setattr(tsunagu.events, "put", disk_full)
            self.expect("500 the store failing on a write", 500, "POST", f"/cases/{case}/consultations",
                        staff=ELDERLY, body=json_body({"field": "elderly", "summary": TEXT}))
            self.expect("503 the access cannot be recorded", 503, "GET", f"/cases/{case}/timeline", staff=ELDERLY,
                        query={"note": TEXT})
            patch.setattr(tsunagu.events, "put", store_down)
            self.expect("503 the store unavailable", 503, "POST", f"/cases/{case}/consultations", staff=ELDERLY,
                        body=json_body({"field": "elderly", "summary": TEXT}))

    def run(self, monkeypatch: pytest.MonkeyPatch) -> None:
        case = self.open_case()
        self.client_errors(case)
        self.page_errors(case)
        self.too_many(case)
        self.slow_body(case)
        self.server_errors(case, monkeypatch)


def error_ids(drive: Drive) -> set[str]:
    """The error ids the 500s answered (JSON or a page), one per answer."""
    return {match for name, answer in drive.bodies.items() if name.startswith("500")
            for match in re.findall(r"(?:error id |エラーID: )([0-9a-f]{12})", answer.decode())}


def test_no_error_path_logs_the_personal_data_it_was_sent(served, auth, caplog, monkeypatch) -> None:
    drive = Drive(served, auth)
    drive.run(monkeypatch)
    time.sleep(0.3)  # the access log's last lines
    records = list(caplog.records)
    wrong = {name: got for name, (got, expected) in drive.statuses.items() if got != expected}
    assert wrong == {}, f"error paths not taken as expected: {wrong}"
    assert leaks(records) == [], "planted personal data reached the logs"
    # The logs were there to be searched: every request in the access log (by path), and each 5xx by its id.
    access = [r for r in records if r.name == "uvicorn.access"]
    assert len(access) >= len(drive.statuses) - 1  # the 408's connection is closed before a line is written
    assert any("/cases?(query omitted)" in r.getMessage() for r in access)
    unexpected = [r.getMessage() for r in records if r.getMessage().startswith("unexpected error ")]
    assert len(unexpected) == 3, unexpected
    ids = error_ids(drive)
    assert len(ids) == 3 and all(any(i in line for line in unexpected) for i in ids)
    assert any("GET /cases at" in line and "RuntimeError" in line for line in unexpected)  # type, route, where
    assert any("access record could not be written" in r.getMessage() for r in records)
    assert any("event store unavailable" in r.getMessage() for r in records)
    assert not any("Exception in ASGI application" in r.getMessage() for r in records)  # no traceback to uvicorn


def test_the_check_catches_a_handler_that_logs_the_request(served, auth, caplog, monkeypatch) -> None:
    """The break the check exists for: an error handler that logs ``request.url`` (here: the path and query
    string it is given), or the error's message with the input in it, is found."""
    report = api.errors.report_unexpected

    def careless(scope: dict[str, Any], error: BaseException) -> str:
        logging.getLogger("tsunagu.api").error("failed: %s?%s %s", scope["path"], scope["query_string"].decode(),
                                               error)
        return report(scope, error)

    monkeypatch.setattr(api.errors, "report_unexpected", careless)
    drive = Drive(served, auth)

    def fails() -> Any:
        raise RuntimeError(TEXT)

    served.app.dependency_overrides[get_read_models] = fails
    drive.expect("500 a route that raises", 500, "GET", "/cases", staff=ELDERLY, query={"note": TEXT})
    found = {(secret, form) for _, secret, form in leaks(list(caplog.records))}
    assert {secret for secret, _ in found} == set(SECRETS)
    assert (NAME, quote(NAME, safe="")) in found and (NAME, NAME) in found  # the query's form and the message's
