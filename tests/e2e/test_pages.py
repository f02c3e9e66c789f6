"""The web pages without a browser: sessions, CSRF, forms that record through the API's rules,
withheld rendering, the same 404 for forbidden and missing, name search, and the English switch."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher
from fastapi.testclient import TestClient

from api.main import create_app
from domain.access import decide_case
from domain.calendar import fiscal_year, local_date
from infra.bootstrap import Services, build_services
from infra.demo import DemoSummary, seed_demo
from infra.settings import Settings
from tests.support import access_records, personal_texts

COORDINATOR, ELDERLY, HIKIKOMORI, AUDITOR = "tanaka-yui", "suzuki-kenta", "takahashi-aoi", "watanabe-makoto"
SECRET = "pages-test-" + "s" * 40


def build(tmp: Path, *, demo: bool = True) -> tuple[Services, DemoSummary]:
    settings = Settings(data_dir=tmp, jwt_secret=SECRET, cipher_key=AESCipher.create_key(32), demo=demo,
                        read_wait_seconds=5)
    services = build_services(settings)
    now = services.tsunagu.clock()
    summary = seed_demo(services.tsunagu, households=12, fiscal_year=fiscal_year(local_date(now - timedelta(days=45))))
    services.runner.catch_up()
    return services, summary


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, DemoSummary]]:
    services, summary = build(tmp_path_factory.mktemp("pages"))
    yield services, summary
    services.tsunagu.close()


@pytest.fixture(scope="module")
def services(site) -> Services:
    return site[0]


@pytest.fixture(scope="module")
def summary(site) -> DemoSummary:
    return site[1]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has a CSRF token"
    return found.group(1)


def form_key_of(html: str) -> str:
    found = re.search(r'name="form_key" value="([^"]+)"', html)
    assert found, "the form has a one-time key"
    return found.group(1)


@pytest.fixture
def browser(services: Services) -> Callable[[str | None], TestClient]:
    """A client with its own cookie jar, signed in as a staff member (None: signed out)."""
    app = create_app(services)

    def open_as(staff_id: str | None) -> TestClient:
        client = TestClient(app, raise_server_exceptions=True, follow_redirects=False)
        if staff_id is not None:
            page = client.get("/ui/signin")
            response = client.post("/ui/signin", data={"csrf_token": csrf_of(page.text), "staff_id": staff_id,
                                                       "next": "/ui/"})
            assert response.status_code == 303, response.text
        return client

    return open_as


def post_form(client: TestClient, path: str, data: dict[str, object]) -> tuple[object, str]:
    """GET the form, then POST it with its CSRF token, version and one-time key."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    fields = {"csrf_token": csrf_of(page.text), "form_key": form_key_of(page.text), **data}
    if version:
        fields["version"] = version.group(1)
    return client.post(path, data=fields), page.text


def case_version(services: Services, case_id: str) -> int:
    return services.tsunagu.repository.get(UUID(case_id)).version


# ----- sessions and CSRF ----------------------------------------------------------------------


def test_pages_send_a_signed_out_browser_to_sign_in_and_back(browser) -> None:
    client = browser(None)
    assert client.get("/").headers["location"] == "/ui/"
    response = client.get("/ui/cases?district=shiba")
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/signin?next=%2Fui%2Fcases%3Fdistrict%3Dshiba"


def test_signing_in_holds_the_api_token_in_an_http_only_strict_cookie(browser, services) -> None:
    client = browser(None)
    page = client.get("/ui/signin")
    assert "田中 結衣" in page.text, "the demo lists its staff"
    response = client.post("/ui/signin", data={"csrf_token": csrf_of(page.text), "staff_id": COORDINATOR,
                                               "next": "/ui/cases"})
    assert response.status_code == 303 and response.headers["location"] == "/ui/cases"
    cookie = response.headers["set-cookie"]
    assert "tsunagu_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/ui" in cookie
    token = client.cookies.get("tsunagu_session")
    assert services.token_issuer.verify(token).staff_id == COORDINATOR  # the API's own token
    assert client.get("/ui/").status_code == 200
    assert client.get("/ui/").headers["cache-control"] == "no-store"


def test_sign_in_never_redirects_off_the_site(browser) -> None:
    client = browser(None)
    page = client.get("/ui/signin")
    response = client.post("/ui/signin", data={"csrf_token": csrf_of(page.text), "staff_id": ELDERLY,
                                               "next": "https://evil.example/ui/"})
    assert response.headers["location"] == "/ui/"


def test_without_the_demo_secrets_sign_in_takes_a_token_and_lists_nobody(tmp_path: Path) -> None:
    services, _ = build(tmp_path, demo=False)
    client = TestClient(create_app(services), follow_redirects=False)
    page = client.get("/ui/signin")
    assert "田中 結衣" not in page.text and 'name="token"' in page.text
    refused = client.post("/ui/signin", data={"csrf_token": csrf_of(page.text), "staff_id": COORDINATOR})
    assert refused.status_code == 401 and "tsunagu_session" not in client.cookies
    token = services.token_issuer.issue(services.tsunagu.registry.staff_member(ELDERLY))
    page = client.get("/ui/signin")
    accepted = client.post("/ui/signin", data={"csrf_token": csrf_of(page.text), "token": token})
    assert accepted.status_code == 303 and client.cookies.get("tsunagu_session") == token


def test_a_form_without_the_session_token_or_from_another_site_is_refused_and_records_nothing(
        browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    path = f"/ui/cases/{case_id}/forms/consultation"
    page = client.get(path).text
    before = case_version(services, case_id)
    body = {"field": "elderly", "category": "consultation", "channel": "電話", "summary": "電話で相談"}
    for data, headers in (
        (body, {}),
        ({**body, "csrf_token": "0" * 64}, {}),
        ({**body, "csrf_token": csrf_of(page)}, {"Origin": "https://evil.example"}),
    ):
        response = client.post(path, data=data, headers=headers)
        assert response.status_code == 403 and "フォームの有効期限が切れた" in response.text
    other = browser(ELDERLY)  # another session's token does not fit this session
    assert other.post(path, data={**body, "csrf_token": csrf_of(page)}).status_code == 403
    assert case_version(services, case_id) == before


# ----- reading a case ---------------------------------------------------------------------------


def test_every_view_of_a_case_page_is_decided_and_recorded_on_the_web_channel(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    before = len(access_records(services.tsunagu))
    response = client.get(f"/ui/cases/{case_id}")
    assert response.status_code == 200
    records = access_records(services.tsunagu)[before:]
    assert [(r.purpose, r.channel, r.reader_staff) for r in records] == [
        ("case_state", "web", COORDINATOR), ("timeline", "web", COORDINATOR)]
    assert records[1].case_version == case_version(services, case_id)
    assert str(records[1].originator_id)[:8] in response.text, "the page names its access record"
    assert response.text.count('class="entry ') == case_version(services, case_id)
    assert "非表示（" not in response.text


def test_withheld_entries_show_that_they_exist_and_why_but_nothing_of_their_content(
        browser, services, summary) -> None:
    case_id = summary.showcase("hikikomori_withheld").case_id
    response = browser(HIKIKOMORI).get(f"/ui/cases/{case_id}")
    assert response.status_code == 200
    withheld = re.findall(r'<li id="entry-(\d+)" class="entry [^"]* withheld"', response.text)
    assert withheld
    assert "非表示</strong>（本人同意の範囲外" in response.text
    events = {e.originator_version: e for e in services.tsunagu.events.get(UUID(case_id))}
    for seq in map(int, withheld):
        for text in personal_texts(events[seq]):
            assert text not in response.text


def unseen_case(services: Services, staff_id: str) -> str:
    """A case on which every entry is withheld from the staff member (their agency has no part in it)."""
    reader = services.tsunagu.registry.staff_member(staff_id).as_actor()
    for row in services.read_models.case_state.view.cases(limit=1000):
        case = services.tsunagu.repository.get(UUID(row["case_id"]))
        if not any(d.granted for d in decide_case(reader, case, services.tsunagu.clock())):
            return row["case_id"]
    raise AssertionError(f"every case shows something to {staff_id}")


def test_an_uninvolved_agency_gets_the_same_not_found_page_as_for_a_missing_case(browser, services) -> None:
    other = unseen_case(services, "kimura-haruka")  # 生活・就労支援センター
    household = services.tsunagu.repository.get(UUID(other)).household_name
    client = browser("kimura-haruka")
    forbidden = client.get(f"/ui/cases/{other}")
    missing_id = "00000000-0000-4000-8000-000000000000"
    missing = client.get(f"/ui/cases/{missing_id}")
    assert forbidden.status_code == missing.status_code == 404
    assert household not in forbidden.text

    def normalised(text: str) -> str:
        return re.sub(r'value="[^"]+"', "", text.replace(other, "ID").replace(missing_id, "ID"))

    assert normalised(forbidden.text) == normalised(missing.text)
    assert client.get(f"/ui/cases/{other}/forms/consultation").status_code == 404
    listed = client.get("/ui/cases").text
    assert other[:8] not in listed


def test_auditors_read_cases_on_the_audit_basis_and_record_nothing_on_them(browser, summary) -> None:
    client = browser(AUDITOR)
    case_id = summary.showcase("coordinator_8050").case_id
    page = client.get(f"/ui/cases/{case_id}")
    assert page.status_code == 200 and "basis-audit" in page.text and "記録する" not in page.text
    assert client.get(f"/ui/cases/{case_id}/forms/consultation").status_code == 403


# ----- forms -----------------------------------------------------------------------------------


def test_a_consultation_form_records_one_event_through_the_api_rules(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    before = case_version(services, case_id)
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/consultation", {
        "field": "hikikomori", "category": "consultation", "channel": "電話",
        "summary": "長男から初めて電話があった。", "occurred_at": "2026-06-01T10:30"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/cases/{case_id}?done=consultation#entry-{before + 1}"
    event = list(services.tsunagu.events.get(UUID(case_id)))[-1]
    assert (event.kind, event.summary, event.by_staff) == ("ConsultationRecorded", "長男から初めて電話があった。",
                                                           COORDINATOR)
    assert event.occurred_at.isoformat() == "2026-06-01T10:30:00+09:00"
    shown = client.get(response.headers["location"])
    assert "「相談の記録」を記録しました。" in shown.text


def test_sending_the_same_form_twice_records_it_once(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    path = f"/ui/cases/{case_id}/forms/consultation"
    page = client.get(path).text
    data = {"csrf_token": csrf_of(page), "form_key": form_key_of(page), "field": "elderly",
            "category": "consultation", "channel": "来所", "summary": "二度押し"}
    before = case_version(services, case_id)
    assert client.post(path, data=data).status_code == 303
    assert client.post(path, data=data).status_code == 303
    assert case_version(services, case_id) == before + 1
    changed = client.post(path, data={**data, "summary": "別の内容"})
    assert changed.status_code == 422 and "このフォームはすでに送信されています" in changed.text


@pytest.mark.parametrize("form", ["consultation", "referral", "consent", "consent-withdrawal", "meeting", "visit",
                                  "plan-revision", "plan-review"])
def test_every_form_opens_with_labels_for_its_fields(browser, summary, form) -> None:
    page = browser(COORDINATOR).get(f"/ui/cases/{summary.showcase('coordinator_8050').case_id}/forms/{form}")
    assert page.status_code == 200
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', page.text)
    labelled = set(re.findall(r'<label[^>]* for="([^"]+)"', page.text))
    assert ids and not [i for i in ids if i not in labelled], "every field has a label"


def test_a_visit_and_a_plan_review_are_recorded(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    member = next(iter(services.tsunagu.repository.get(UUID(case_id)).members))
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/visit", {
        "member_id": member, "outcome": "not_at_home", "notes": "不在。手紙を置いた。"})
    assert response.status_code == 303, response.text
    review_on = (local_date(services.tsunagu.clock()) + timedelta(days=60)).isoformat()
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/plan-review", {
        "findings": "サロンへの参加が続いている。", "next_review_on": review_on})
    assert response.status_code == 303, response.text
    kinds = [e.kind for e in services.tsunagu.events.get(UUID(case_id))][-2:]
    assert kinds == ["OutreachVisitRecorded", "PlanReviewed"]


def test_a_blank_form_is_shown_again_with_japanese_messages_and_records_nothing(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    before = case_version(services, case_id)
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/consultation",
                            {"field": "elderly", "category": "consultation", "channel": "来所", "summary": ""})
    assert response.status_code == 422
    assert "入力内容を確認してください。" in response.text and "入力してください。" in response.text
    assert 'aria-invalid="true"' in response.text
    assert case_version(services, case_id) == before


def test_a_multi_layered_meeting_without_consent_is_refused_with_the_domain_s_reason(
        browser, services, summary) -> None:
    case_id = summary.showcase("hikikomori_support_meeting").case_id
    client = browser(COORDINATOR)
    before = case_version(services, case_id)
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/meeting", {
        "kind": "multi_layered", "held_on": local_date(services.tsunagu.clock()).isoformat(), "purpose": "検討",
        "participants.0.staff": COORDINATOR, "participants.1.staff": "kobayashi-shota",
        "participants.1.pledged": "on"})
    assert response.status_code in (409, 422)
    assert "同意" in response.text and case_version(services, case_id) == before


def test_a_support_meeting_with_decisions_is_recorded_from_the_repeating_rows(browser, services, summary) -> None:
    case_id = summary.showcase("hikikomori_support_meeting").case_id
    client = browser(COORDINATOR)
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/meeting", {
        "kind": "support", "held_on": local_date(services.tsunagu.clock()).isoformat(), "purpose": "見守りの検討",
        "participants.0.staff": COORDINATOR, "participants.0.pledged": "on",
        "participants.1.staff": HIKIKOMORI, "participants.1.pledged": "on",
        "decisions.0.kind": "watch", "decisions.0.text": "週1回の見守り", "decisions.2.kind": "outreach",
        "decisions.2.text": "手紙を届ける"})
    assert response.status_code == 303, response.text
    event = list(services.tsunagu.events.get(UUID(case_id)))[-1]
    assert event.kind == "MeetingHeld" and event.meeting_kind == "support"
    assert [p["agency"] for p in event.participants] == ["coordination", "hikikomori"]
    assert [d["kind"] for d in event.decisions] == ["watch", "outreach"]


def test_a_referral_is_requested_answered_from_the_inbox_and_accepted(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    coordinator = browser(COORDINATOR)
    response, _ = post_form(coordinator, f"/ui/cases/{case_id}/forms/consent", {
        "given_by_member": next(iter(services.tsunagu.repository.get(UUID(case_id)).members)),
        "agencies": ["livelihood", "coordination"], "categories": ["basic", "finance", "consultation"],
        "purpose": "家計の相談につなぐため", "method": "written",
        "valid_until": (local_date(services.tsunagu.clock()) + timedelta(days=200)).isoformat()})
    assert response.status_code == 303, response.text
    response, _ = post_form(coordinator, f"/ui/cases/{case_id}/forms/referral", {
        "to_agency": "livelihood", "categories": ["basic", "finance"], "reason": "家計の立て直しのため"})
    assert response.status_code == 303, response.text
    referral_id = list(services.tsunagu.events.get(UUID(case_id)))[-1].referral_id
    services.runner.catch_up()

    caseworker = browser("inoue-kazuki")
    inbox = caseworker.get("/ui/inbox")
    assert referral_id in inbox.text and "家計の立て直し" not in inbox.text  # no personal content in the list
    answer = caseworker.get(f"/ui/cases/{case_id}/forms/referral-acceptance?referral_id={referral_id}")
    # The referral is a 支援経過 record this consent's categories do not cover, but it was made on that
    # consent to this agency: the receiving agency sees it (recorded as CONSENT) and answers it.
    assert "家計の立て直しのため" in answer.text and "依頼の内容は表示されません" not in answer.text
    response = caseworker.post(f"/ui/cases/{case_id}/forms/referral-acceptance", data={
        "csrf_token": csrf_of(answer.text), "form_key": form_key_of(answer.text), "referral_id": referral_id,
        "note": "来週面談します"})
    assert response.status_code == 303, response.text
    assert services.tsunagu.repository.get(UUID(case_id)).referrals[referral_id]["status"] == "accepted"
    services.runner.catch_up()
    assert referral_id not in caseworker.get("/ui/inbox").text


def test_emergency_access_needs_a_written_reason_and_reaches_the_auditor_s_queue(browser, services, summary) -> None:
    case_id = unseen_case(services, "ishikawa-mayumi")  # みなと保健所
    client = browser("ishikawa-mayumi")
    assert client.get(f"/ui/cases/{case_id}").status_code == 404
    form = client.get(f"/ui/cases/{case_id}/emergency").text
    short = client.post(f"/ui/cases/{case_id}/emergency", data={"csrf_token": csrf_of(form), "reason": "至急"})
    assert short.status_code == 422 and "10文字以上" in short.text
    granted = client.post(f"/ui/cases/{case_id}/emergency", data={
        "csrf_token": csrf_of(form), "form_key": form_key_of(form),
        "reason": "本人と連絡が取れず、室内で倒れている可能性があるため安否確認に必要な情報を確認する。"})
    assert granted.status_code == 303
    page = client.get(granted.headers["location"])
    assert page.status_code == 200 and "basis-emergency" in page.text and "本人の同意によらない閲覧です" in page.text
    services.runner.catch_up()

    auditor = browser(AUDITOR)
    queue = auditor.get("/ui/audit/emergency")
    assert "本人と連絡が取れず" in queue.text
    grant_id = services.tsunagu.repository.get(UUID(case_id)).emergency_grants.keys().__iter__().__next__()
    review = auditor.post(f"/ui/audit/emergency/{case_id}/{grant_id}", data={
        "csrf_token": csrf_of(queue.text), "justified": "true", "finding": "安否確認のため必要な範囲の閲覧であった。"})
    assert review.status_code == 303
    assert services.tsunagu.repository.get(UUID(case_id)).emergency_grants[grant_id]["review"]["justified"] is True
    unconsented = auditor.get(f"/ui/audit?case_id={case_id}").text
    assert "石川 真由美" in unconsented and "basis-emergency" in unconsented


# ----- lists, search, language ----------------------------------------------------------------


def test_name_search_ignores_width_and_kana_and_shows_no_names(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    case = services.tsunagu.repository.get(UUID(case_id))
    client = browser(COORDINATOR)
    surname = case.household_name.removesuffix("家")
    kana = case.household_name_kana.removesuffix("け")
    katakana = "".join(chr(ord(c) + 0x60) for c in kana)
    before = len(access_records(services.tsunagu))
    for query in (surname, kana, katakana, f"　{katakana}　"):
        page = client.get("/ui/cases", params={"q": query})
        assert case_id[:8] in page.text, query
        assert case.household_name not in page.text.replace(f'value="{query}"', "")
    assert len(access_records(services.tsunagu)) == before, "a search reads no personal data"
    assert case_id[:8] not in client.get("/ui/cases", params={"q": "存在しない名前"}).text
    assert client.get("/ui/cases", params={"q": case_id}).headers["location"] == f"/ui/cases/{case_id}"


def test_name_search_finds_only_cases_the_reader_s_agency_is_involved_in(browser, services) -> None:
    other = unseen_case(services, "kimura-haruka")
    surname = services.tsunagu.repository.get(UUID(other)).household_name.removesuffix("家")
    assert other[:8] not in browser("kimura-haruka").get("/ui/cases", params={"q": surname}).text
    assert other[:8] in browser(AUDITOR).get("/ui/cases", params={"q": surname}).text


def test_the_english_switch_keeps_the_page_and_changes_its_words(browser, summary) -> None:
    client = browser(COORDINATOR)
    switched = client.get("/ui/language", params={"to": "en", "next": "/ui/cases"})
    assert switched.headers["location"] == "/ui/cases"
    page = client.get("/ui/cases").text
    assert '<html lang="en">' in page and "Case search" in page and "ケース検索" not in page
    case = client.get(f"/ui/cases/{summary.showcase('coordinator_8050').case_id}").text
    assert "Why you may see this" in case and "Consent" in case
    client.get("/ui/language", params={"to": "ja", "next": "/ui/"})
    assert '<html lang="ja">' in client.get("/ui/").text


def test_workloads_indicators_and_downloads_come_through_the_api_s_checks(browser) -> None:
    caseworker = browser(ELDERLY)
    assert caseworker.get("/ui/workloads").status_code == 200
    assert caseworker.get("/ui/workloads", params={"agency": "hikikomori"}).status_code == 403
    assert caseworker.get("/ui/audit").status_code == 403
    assert "問題なし" in browser(AUDITOR).get("/ui/audit/verify", params={"run": "1"}).text
    coordinator = browser(COORDINATOR)
    assert "<svg" in coordinator.get("/ui/workloads").text
    page = coordinator.get("/ui/indicators").text
    assert "令和" in page and "年度" in page
    year = re.search(r"/ui/indicators/(\d{4})/download\?format=xlsx", page).group(1)
    csv = coordinator.get(f"/ui/indicators/{year}/download", params={"format": "csv"})
    assert csv.content.startswith("\ufeff".encode()) and "アウトプット指標" in csv.text
    xlsx = coordinator.get(f"/ui/indicators/{year}/download", params={"format": "xlsx"})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_an_unknown_page_is_a_page_not_json(browser) -> None:
    response = browser(COORDINATOR).get("/ui/no-such-page")
    assert response.status_code == 404 and "ページが見つかりません" in response.text
    assert response.headers["content-type"].startswith("text/html")
