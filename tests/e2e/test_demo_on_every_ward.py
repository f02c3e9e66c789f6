"""The demo runs on every shipped ward: a few households seeded through the domain with no write refused,
its demo staff (made up for a ward file that names none) sign in, the pages answer in the ward's own
words, and ``tsunagu serve --demo --ward ota`` serves Ota."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher
from fastapi.testclient import TestClient

from api.main import create_app
from domain.calendar import fiscal_year, local_date
from domain.vocabulary import MeetingKind
from infra.bootstrap import Services, build_services
from infra.demo import DemoSummary, seed_demo
from infra.demo.ward import Ward
from infra.settings import WARDS, Settings
from tests.e2e.serving import get, run_cli, serving
from tests.e2e.test_demo_serve import bearer, demo_environment, demo_token
from tests.support import write_refusals

SECRET = "every-ward-test-secret-for-signing-tokens-0123456789"
HOUSEHOLDS = 12
WARD_IDS = sorted(path.stem for path in WARDS.glob("*.json"))


@pytest.fixture(scope="module", params=WARD_IDS)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[Services, DemoSummary, int]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp(request.param), ward=request.param, jwt_secret=SECRET,
                        cipher_key=AESCipher.create_key(32), read_wait_seconds=5).as_demo()
    services = build_services(settings, demo_sign_in=True)  # as `tsunagu serve --demo --ward …` does
    year = fiscal_year(local_date(services.tsunagu.clock() - timedelta(days=45)))
    summary = seed_demo(services.tsunagu, households=HOUSEHOLDS, fiscal_year=year)
    services.runner.catch_up()
    yield services, summary, year
    services.tsunagu.close()


def signed_in(services: Services, staff_id: str) -> TestClient:
    client = TestClient(create_app(services), follow_redirects=False)
    page = client.get("/ui/signin")
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert csrf, page.text
    response = client.post("/ui/signin", data={"csrf_token": csrf.group(1), "staff_id": staff_id, "next": "/ui/"})
    assert response.status_code == 303, response.text
    return client


def test_a_small_demo_year_is_written_on_every_ward_without_a_refused_write(
        site: tuple[Services, DemoSummary, int]) -> None:
    services, summary, _ = site
    assert write_refusals(services.tsunagu) == []
    assert summary.households == HOUSEHOLDS and summary.events > HOUSEHOLDS * 5
    assert summary.meetings[MeetingKind.SUPPORT.value] and summary.meetings[MeetingKind.MULTI_LAYERED.value]
    registry = services.tsunagu.registry
    assert all(registry.works_for(s.id, s.agency) for s in registry.staff)
    assert registry.ward.id == "minato" or all(s.id.startswith("demo-") for s in registry.staff)


def test_every_demo_login_opens_the_home_page_and_the_coordinator_the_showcase_case(
        site: tuple[Services, DemoSummary, int]) -> None:
    services, summary, year = site
    logins = Ward(services.tsunagu.registry, year).demo_logins()
    assert len(logins) == 4
    for staff_id in logins:
        home = signed_in(services, staff_id).get("/ui/")
        assert home.status_code == 200, (staff_id, home.text[:500])
    showcase = summary.showcase("coordinator_8050")
    assert showcase.reader == logins[0]
    case_page = signed_in(services, showcase.reader).get(f"/ui/cases/{showcase.case_id}")
    assert case_page.status_code == 200
    assert "非表示" not in case_page.text or "非表示 0" in case_page.text


def test_the_pages_use_the_wards_own_titles_and_spelling(site: tuple[Services, DemoSummary, int]) -> None:
    services, _, year = site
    registry = services.tsunagu.registry
    signin = TestClient(create_app(services)).get("/ui/signin").text
    coordinator = {"minato": "相談支援包括化推進員", "chuo": "相談支援包括化推進員", "bunkyo": "相談支援包括化推進員",
                   "ota": "多機関連携調整担当", "toshima": "福祉包括化推進員"}[registry.ward.id]
    assert f'<span class="role role-coordinator">{coordinator}</span>' in signin
    indicators = signed_in(services, Ward(registry, year).demo_logins()[0]).get("/ui/indicators").text
    if registry.ward.id == "ota":
        assert "障がい" in indicators and ">障害<" not in indicators
    else:
        assert "障害" in indicators


def test_serve_demo_with_a_ward_seeds_that_ward_and_its_demo_tokens_read_its_cases(tmp_path: Path) -> None:
    with serving(demo_environment(tmp_path), tmp_path / "serve.log", "--demo", "--ward", "ota", "--households",
                 "12") as server:
        assert "大田区" in server.output()
        showcase = re.search(r"\[coordinator_8050\]\s+([0-9a-f-]{36})（(demo-[a-z0-9-]+)）", server.output())
        assert showcase, server.output()
        token = demo_token(server, showcase.group(2), TSUNAGU_WARD="ota")
        status, _, body = get(f"{server.base}/cases/{showcase.group(1)}/timeline", bearer(token))
        assert status == 200, body
        refused = run_cli(server.env, "token", "--demo", showcase.group(2))
        assert refused.returncode != 0, "Minato (the default ward) has no such staff member"
