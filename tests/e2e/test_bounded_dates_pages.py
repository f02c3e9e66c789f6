"""Bounded dates on the pages: a form's date outside the range is shown again with the reason, in the
reader's words, and nothing is recorded — the schema's static range and the ward's own (the domain's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest

from domain.calendar import local_date
from domain.policy import PlausibleDates
from tests.e2e.test_pages import COORDINATOR, browser, build, post_form  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    services, summary = build(tmp_path_factory.mktemp("dates"))
    yield services, summary
    services.tsunagu.close()


@pytest.fixture(scope="module")
def services(site):
    return site[0]


def test_a_plan_review_dated_out_of_range_is_shown_again_and_records_nothing(browser, services, site) -> None:  # noqa: F811
    case_id = site[1].showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    version = services.tsunagu.repository.get(UUID(case_id)).version
    today = local_date(services.tsunagu.clock())
    latest = PlausibleDates().latest(today)
    for review_on, reason in (("9999-12-31", "2000-01-01から2100-12-31までの日付にしてください。"),
                              ((latest + timedelta(days=1)).isoformat(), f"{latest.isoformat()}までの日付")):
        response, _ = post_form(client, f"/ui/cases/{case_id}/forms/plan-review", {
            "findings": "サロンへの参加が続いている。", "next_review_on": review_on})
        assert response.status_code == 422, response.text[:500]
        assert reason in response.text
    assert services.tsunagu.repository.get(UUID(case_id)).version == version
