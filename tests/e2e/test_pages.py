"""The web pages without a browser: sessions, CSRF, forms that record through the API's rules,
withheld rendering, the same 404 for forbidden and missing, name search, and the English switch."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher
from fastapi.testclient import TestClient

from api.main import create_app
from domain.access import decide_case
from domain.calendar import age_on, fiscal_year, local_date
from domain.commands import AddMember, GrantConsent, IdentifyIssue, OpenCase
from domain.vocabulary import ConsentMethod, InformationCategory, IssueTag
from infra.bootstrap import Services, build_services
from infra.demo import DemoSummary, seed_demo
from infra.settings import Settings
from tests.support import access_records, personal_texts

COORDINATOR, ELDERLY, HIKIKOMORI, AUDITOR = "tanaka-yui", "suzuki-kenta", "takahashi-aoi", "watanabe-makoto"
SECRET = "pages-test-secret-for-signing-tokens-0123456789"


def build(tmp: Path, *, demo: bool = True) -> tuple[Services, DemoSummary]:
    settings = Settings(data_dir=tmp, jwt_secret=SECRET, cipher_key=AESCipher.create_key(32),
                        read_wait_seconds=5)
    services = build_services(settings, demo_sign_in=demo)  # as `tsunagu serve --demo` does
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


def test_a_name_in_a_signed_out_link_is_not_carried_into_the_sign_in_redirect(browser) -> None:
    response = browser(None).get("/ui/cases?q=%E9%AB%98%E6%9C%A8%E6%AC%A1%E9%83%8E&district=shiba")  # 高木次郎
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
        ("timeline", "web", COORDINATOR)], "one page view, one access record"
    assert records[0].case_version == case_version(services, case_id)
    assert str(records[0].originator_id)[:8] in response.text, "the page names its access record"
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
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/consultation", {
        "field": "hikikomori", "category": "consultation", "channel": "電話",
        "summary": "長男から初めて電話があった。", "occurred_at": "2026-06-01T10:30"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/cases/{case_id}?done=consultation"  # the message at the top
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
    members = sorted(services.tsunagu.repository.get(UUID(case_id)).members)
    today = local_date(services.tsunagu.clock())
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/meeting", {
        "kind": "support", "held_on": today.isoformat(), "purpose": "見守りの検討",
        "participants.0.staff": COORDINATOR, "participants.0.pledged": "on",
        "participants.1.staff": HIKIKOMORI, "participants.1.pledged": "on",
        "decisions.0.kind": "watch", "decisions.0.text": "週1回の見守り", "decisions.2.kind": "outreach",
        "decisions.2.text": "手紙を届ける", "tabled_subjects": members[:1], "tabled_categories": ["basic", "support"],
        "until": (today + timedelta(days=28)).isoformat()})
    assert response.status_code == 303, response.text
    event = list(services.tsunagu.events.get(UUID(case_id)))[-1]
    assert event.kind == "MeetingHeld" and event.meeting_kind == "support"
    assert [p["agency"] for p in event.participants] == ["coordination", "hikikomori"]
    assert [d["kind"] for d in event.decisions] == ["watch", "outreach"]
    assert (event.tabled_subjects, event.tabled_categories) == (members[:1], ["basic", "support"])


def test_the_meeting_form_offers_the_kinds_the_ward_holds_and_records_the_body_that_sat(
        browser, services, summary) -> None:
    case_id = summary.showcase("hikikomori_support_meeting").case_id
    client = browser(COORDINATOR)
    members = sorted(services.tsunagu.repository.get(UUID(case_id)).members)
    today = local_date(services.tsunagu.clock())
    form = client.get(f"/ui/cases/{case_id}/forms/meeting").text
    assert 'value="community_care"' not in form, "Minato has no body for a 地域ケア会議"
    assert 'value="support"' in form and "第106条の6" in form and 'value="support-meeting"' in form
    scope = {"held_on": today.isoformat(), "purpose": "地域での見守りの検討",
             "participants.0.staff": COORDINATOR, "participants.0.pledged": "on",
             "participants.1.staff": HIKIKOMORI, "participants.1.pledged": "on",
             "tabled_subjects": members[:1], "tabled_categories": ["basic"],
             "until": (today + timedelta(days=28)).isoformat()}
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/meeting", {**scope, "kind": "community_care"})
    assert response.status_code == 422 and "会議体の開催として" in response.text
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/meeting",
                            {**scope, "kind": "support", "body_id": "support-meeting"})
    assert response.status_code == 303, response.text
    event = list(services.tsunagu.events.get(UUID(case_id)))[-1]
    assert (event.meeting_kind, event.body_id, event.tabled_subjects) == ("support", "support-meeting", members[:1])


def test_a_referral_is_requested_answered_from_the_inbox_and_accepted(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    coordinator = browser(COORDINATOR)
    today = local_date(services.tsunagu.clock())
    adult = next(m["member_id"] for m in services.tsunagu.repository.get(UUID(case_id)).members.values()
                 if age_on(m["birth_date"], today) >= 18)
    response, _ = post_form(coordinator, f"/ui/cases/{case_id}/forms/consent", {
        "member_id": adult, "given_by": "self",
        "agencies": ["livelihood", "coordination"], "categories": ["basic", "finance", "consultation"],
        "purpose": "家計の相談につなぐため", "method": "written", "document_ref": "同意書 R8-0456",
        "valid_until": (today + timedelta(days=200)).isoformat()})
    assert response.status_code == 303, response.text
    response, _ = post_form(coordinator, f"/ui/cases/{case_id}/forms/referral", {
        "to_agency": "livelihood", "categories": ["basic", "finance"], "reason": "家計の立て直しのため",
        "subjects": [adult]})
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


# ----- a person's own consent, its partial withdrawal, a bounded 支援会議 ------------------------


def young_carer_case(services: Services) -> tuple[str, str, str]:
    """A new case the coordinator opens: a mother and her daughter of 8 or 9 (case, mother, daughter)."""
    tsunagu = services.tsunagu
    coordinator = tsunagu.registry.staff_member(COORDINATOR).as_actor()
    today = local_date(tsunagu.clock())
    case_id = UUID(tsunagu.execute(coordinator, OpenCase(
        household_name="港家", household_name_kana="みなとけ", district=None,
        summary="母の入院が続き、小学生の長女が家事と弟の世話をしている。")).case_id)

    def add(name: str, kana: str, born: date, relationship: str, principal: bool = False) -> str:
        member = tsunagu.execute(coordinator, AddMember(case_id=case_id, name=name, name_kana=kana, birth_date=born,
                                                        relationship=relationship, is_principal=principal))
        assert member.created_id is not None
        return member.created_id

    mother = add("港 花子", "みなと はなこ", date(today.year - 41, 4, 1), "母", principal=True)
    daughter = add("港 さくら", "みなと さくら", date(today.year - 9, 1, 15), "長女")
    return str(case_id), mother, daughter


def labelled(html: str) -> bool:
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html)
    return bool(ids) and set(ids) <= set(re.findall(r'<label[^>]* for="([^"]+)"', html))


def side_panel(html: str, section: str) -> str:
    """The case page's side-panel section (consents, meetings) as text, tags stripped."""
    found = re.search(rf'<section aria-labelledby="{section}-heading">(.*?)</section>', html, re.S)
    assert found, f"the case page has a {section} section"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_a_child_consents_through_a_parent_with_her_own_view_and_the_case_page_says_so(browser, services) -> None:
    case_id, _, daughter = young_carer_case(services)
    client = browser(COORDINATOR)
    path = f"/ui/cases/{case_id}/forms/consent"
    form = client.get(path).text
    assert labelled(form)
    assert "15歳未満の子ども：親権者が同意します" in form, "the age rule is explained"
    assert re.search(rf'<option value="{daughter}">港 さくら（長女・[89]歳）</option>', form), "ages help choose"
    assert re.search(rf'<option value="{COORDINATOR}" selected>', form), "heard by: the signed-in staff member"
    today = local_date(services.tsunagu.clock())
    valid_until = re.search(r'name="valid_until" type="date" value="([0-9-]+)"', form).group(1)
    assert today + timedelta(days=300) < date.fromisoformat(valid_until) <= today + timedelta(days=366)
    body = {"member_id": daughter, "given_by": "self", "agencies": ["coordination", "children-family"],
            "categories": ["basic", "family"], "purpose": "ヤングケアラー支援のため子ども家庭支援センターと連携する",
            "method": "oral", "heard_by": COORDINATOR, "valid_until": valid_until}
    before = case_version(services, case_id)
    refused, _ = post_form(client, path, body)
    assert refused.status_code == 422 and "15歳未満の子どもの同意は、親権者から得てください" in refused.text
    assert case_version(services, case_id) == before
    assert re.search(r'<input type="radio" name="given_by" value="self" checked>', refused.text), "kept as sent"

    response, _ = post_form(client, path, {**body, "given_by": "parent", "representative": "港 花子（母・親権者）",
                                           "member_view": "さくらさん本人も「学校の先生に話してもいい」と話した。"})
    assert response.status_code == 303, response.text
    event = list(services.tsunagu.events.get(UUID(case_id)))[-1]
    assert (event.kind, event.member_id, event.given_by, event.representative, event.method, event.heard_by) == (
        "ConsentGranted", daughter, "parent", "港 花子（母・親権者）", "oral", COORDINATOR)
    assert event.member_view.startswith("さくらさん本人も")

    consents = side_panel(client.get(response.headers["location"]).text, "consents")
    for shown in ("港 さくら（長女） の情報", "同意した人：親権者（港 花子（母・親権者））",
                  "本人の意向：さくらさん本人も",
                  "口頭（聞き取り：田中 結衣）", "要確認"):
        assert shown in consents, shown


def test_part_of_a_consent_is_withdrawn_from_the_case_page_and_the_rest_stays(browser, services) -> None:
    case_id, mother, _ = young_carer_case(services)
    client = browser(COORDINATOR)
    until = (local_date(services.tsunagu.clock()) + timedelta(days=180)).isoformat()
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/consent", {
        "member_id": mother, "given_by": "self", "agencies": ["coordination", "hikikomori", "elderly-shiba"],
        "categories": ["basic", "consultation", "health"], "purpose": "重層的支援会議で支援を検討するため",
        "method": "written", "document_ref": "同意書 R8-0789", "valid_until": until})
    assert response.status_code == 303, response.text
    consent_id = list(services.tsunagu.events.get(UUID(case_id)))[-1].consent_id
    assert "書面（同意書 R8-0789）" in side_panel(client.get(f"/ui/cases/{case_id}").text, "consents")

    link = f"/ui/cases/{case_id}/forms/consent-narrowing?consent_id={consent_id}"
    assert link in client.get(f"/ui/cases/{case_id}").text, "the case page links to the partial withdrawal"
    form = client.get(link).text
    assert labelled(form)
    offered = set(re.findall(r'<input type="checkbox" name="(?:agencies|categories)" value="([^"]+)"', form))
    assert offered == {"coordination", "hikikomori", "elderly-shiba", "basic", "consultation", "health"}
    before = case_version(services, case_id)
    nothing, _ = post_form(client, link, {"consent_id": consent_id, "reason": "本人の申し出"})
    assert nothing.status_code == 422 and "撤回する機関か情報の種類を" in nothing.text
    assert case_version(services, case_id) == before

    response, _ = post_form(client, link, {"consent_id": consent_id, "agencies": ["hikikomori"],
                                           "categories": ["health"], "reason": "通院のことは知られたくないとの申し出"})
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/ui/cases/{case_id}?done=consent-narrowing")
    event = list(services.tsunagu.events.get(UUID(case_id)))[-1]
    assert (event.kind, event.agencies, event.categories) == ("ConsentNarrowed", ["hikikomori"], ["health"])
    page = client.get(response.headers["location"]).text
    assert "「同意の一部撤回」を記録しました。" in page
    consents = side_panel(page, "consents")
    assert "一部撤回あり" in consents and "ひきこもり" not in consents and "心身の状況" not in consents
    assert "基本情報・相談内容" in consents


def test_a_support_meeting_tables_members_and_information_until_an_end_shown_on_the_case(
        browser, services) -> None:
    case_id, _, daughter = young_carer_case(services)
    client = browser(COORDINATOR)
    path = f"/ui/cases/{case_id}/forms/meeting"
    today = local_date(services.tsunagu.clock())
    form = client.get(path).text
    assert labelled(form)
    assert f'name="until" type="date" value="{(today + timedelta(days=28)).isoformat()}"' in form
    body = {"kind": "support", "held_on": today.isoformat(), "purpose": "長女の負担と見守りの検討",
            "participants.0.staff": COORDINATOR, "participants.0.pledged": "on",
            "participants.1.staff": "hayashi-mai", "participants.1.pledged": "on",
            "tabled_subjects": [daughter], "tabled_categories": ["basic", "family"],
            "until": (today + timedelta(days=28)).isoformat(),
            "external_members.0.name": "芝 一郎", "external_members.0.organisation": "芝地区民生委員",
            "decisions.0.kind": "refer", "decisions.0.text": "子ども家庭支援センターにつなぐ",
            "decisions.0.target_agency": "children-family", "decisions.0.categories": ["basic", "family"]}
    before = case_version(services, case_id)
    half_row, _ = post_form(client, path, {**body, "external_members.1.name": "所属のない人"})
    assert half_row.status_code == 422
    assert re.search(r'data-repeat="external_members">.*?<p class="field-error">', half_row.text, re.S), "per field"
    unpledged, _ = post_form(client, path, body)
    assert unpledged.status_code == 422 and "未誓約：芝 一郎" in unpledged.text
    assert case_version(services, case_id) == before

    response, _ = post_form(client, path, {**body, "external_members.0.pledged": "on"})
    assert response.status_code == 303, response.text
    event = list(services.tsunagu.events.get(UUID(case_id)))[-1]
    assert (event.tabled_subjects, event.tabled_categories, event.until) == (
        [daughter], ["basic", "family"], today + timedelta(days=28))
    assert [{k: m[k] for k in ("name", "organisation", "pledged")} for m in event.external_members] == [
        {"name": "芝 一郎", "organisation": "芝地区民生委員", "pledged": True}]
    assert event.decisions[0]["categories"] == ["basic", "family"]
    ended, _ = post_form(client, path, {**body, "external_members.0.pledged": "on", "purpose": "前回の会議の記録",
                                        "held_on": (today - timedelta(days=60)).isoformat(),
                                        "until": (today - timedelta(days=30)).isoformat()})
    assert ended.status_code == 303, ended.text

    meetings = side_panel(client.get(f"/ui/cases/{case_id}").text, "meetings")
    assert meetings.count("対象：港 さくら（長女）") == 2 and meetings.count("情報：基本情報・家族関係・養育") == 2
    assert "外部 1名" in meetings
    assert meetings.count("共有期間終了") == 1, "only the meeting whose end has passed"
    until = today + timedelta(days=28)
    assert f"共有期限：{until.year}年{until.month}月{until.day}日" in meetings.replace(" ", "")
    attendee = browser("hayashi-mai").get(f"/ui/cases/{case_id}")  # sat in it, under a pledge
    assert attendee.status_code == 200 and "対象：港 さくら（長女）" in side_panel(attendee.text, "meetings")


def test_a_consultation_names_whom_it_concerns_and_none_ticked_means_the_household(browser, services) -> None:
    case_id, mother, daughter = young_carer_case(services)
    client = browser(COORDINATOR)
    path = f"/ui/cases/{case_id}/forms/consultation"
    form = client.get(path).text
    assert "どれにもチェックしないと、世帯全員に関わる記録になります。" in form
    assert f'name="subjects" value="{daughter}"' in form and f'name="subjects" value="{mother}"' in form
    body = {"field": "children", "category": "family", "channel": "電話", "summary": "長女の担任から電話。"}
    for subjects, recorded in (([daughter], [daughter]), ([], [])):
        response, _ = post_form(client, path, {**body, "subjects": subjects})
        assert response.status_code == 303, response.text
        assert list(services.tsunagu.events.get(UUID(case_id)))[-1].subjects == recorded
    timeline = client.get(f"/ui/cases/{case_id}").text
    assert "世帯全員" in timeline and "港 さくら（長女）" in timeline


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


def search(client: TestClient, query: str, **filters: str) -> object:
    """Post a name search as the search box does (with the session's CSRF token); nothing in the URL."""
    token = csrf_of(client.get("/ui/cases/new").text)  # any page carries it (this one reads no case)
    return client.post("/ui/cases/search", data={"csrf_token": token, "q": query, **filters})


def result_row(html: str, case_id: str) -> str:
    """The results table's row for a case (empty when the case is not listed)."""
    found = re.search(rf'<tr>\s*<td[^>]*>\s*<a href="/ui/cases/{case_id}".*?</tr>', html, re.S)
    return found.group(0) if found else ""


def listed_case_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/ui/cases/([0-9a-f-]{36})" class="open-case">', html)


def test_name_search_is_posted_and_answers_with_the_rows_the_name_in_no_url(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    case = services.tsunagu.repository.get(UUID(case_id))
    client = browser(COORDINATOR)
    home = client.get("/ui/").text
    assert re.search(r'<form class="search-bar" method="post" action="/ui/cases/search"', home)
    assert re.search(r'<form class="filters" method="post" action="/ui/cases/search"', client.get("/ui/cases").text)
    surname = case.household_name.removesuffix("家")
    kana = case.household_name_kana.removesuffix("け")
    katakana = "".join(chr(ord(c) + 0x60) for c in kana)
    for query in (surname, kana, katakana, f"　{katakana}　"):
        page = search(client, query)
        assert page.status_code == 200 and page.history == [], "the results answer the POST itself"
        assert page.url.path == "/ui/cases/search" and page.url.query == b"", "no name in the URL"
        row = result_row(page.text, case_id)
        assert row and case.household_name in row, query  # the read is recorded, so the household is named
        links = re.findall(r'(?:href|action)="([^"]*)"', page.text)
        assert not [link for link in links if query.strip() in link or "q=" in link], "no link carries the name"
    assert case_id not in search(client, "存在しない名前").text
    assert search(client, case_id).headers["location"] == f"/ui/cases/{case_id}"
    assert search(client, "", status="open").headers["location"] == "/ui/cases?status=open"
    assert client.get("/ui/cases/search").headers["location"] == "/ui/cases", "a reload of the results lists"

    before = len(access_records(services.tsunagu))
    by_url = client.get("/ui/cases", params={"q": surname})
    assert by_url.status_code == 400 and "氏名はURLでは検索できません" in by_url.text
    assert case_id not in by_url.text, "a GET with a name searches nothing"
    assert surname not in by_url.text and quote(surname) not in by_url.text, "nor repeats the name in a link"
    assert len(access_records(services.tsunagu)) == before
    token = csrf_of(client.get("/ui/").text)
    too_long = client.post("/ui/cases/search", data={"csrf_token": token, "q": "あ" * 101})
    assert too_long.status_code == 422 and "100文字以内" in too_long.text
    assert client.post("/ui/cases/search", data={"q": surname}).status_code == 403, "the form's token is required"


def test_name_search_finds_only_cases_the_reader_s_agency_is_involved_in(browser, services) -> None:
    other = unseen_case(services, "kimura-haruka")
    surname = services.tsunagu.repository.get(UUID(other)).household_name.removesuffix("家")
    assert other not in search(browser("kimura-haruka"), surname).text
    assert other in search(browser(AUDITOR), surname).text


def shinonome_case(services: Services) -> tuple[str, str, str]:
    """A case the coordinator keeps: the mother consented to the ひきこもり desk reading her basic facts and
    consultations; her son did not. Issues are noted for each (case, mother's given name, son's given name)."""
    tsunagu = services.tsunagu
    coordinator = tsunagu.registry.staff_member(COORDINATOR).as_actor()
    today = local_date(tsunagu.clock())
    case_id = UUID(tsunagu.execute(coordinator, OpenCase(
        household_name="東雲家", household_name_kana="しののめけ", district=None,
        summary="母から、長男のことで相談。")).case_id)
    ids = [tsunagu.execute(coordinator, AddMember(case_id=case_id, name=name, name_kana=kana, birth_date=born,
                                                  relationship=relationship)).created_id
           for name, kana, born, relationship in (
               ("東雲 麻衣子", "しののめ まいこ", date(today.year - 52, 5, 1), "母"),
               ("東雲 颯真", "しののめ そうま", date(today.year - 24, 8, 9), "長男"))]
    mother, son = (str(member_id) for member_id in ids)
    tsunagu.execute(coordinator, GrantConsent(
        case_id=case_id, member_id=mother, agencies=("hikikomori",),
        categories=(InformationCategory.BASIC, InformationCategory.CONSULTATION), purpose="ひきこもり相談につなぐため",
        method=ConsentMethod.WRITTEN, document_ref="同意書 R8-0999", valid_until=today + timedelta(days=180)))
    tsunagu.execute(coordinator, IdentifyIssue(case_id=case_id, tag=IssueTag.ISOLATION, subjects=(mother,)))
    tsunagu.execute(coordinator, IdentifyIssue(case_id=case_id, tag=IssueTag.ABUSE, subjects=(son,)))
    services.runner.catch_up()
    assert "hikikomori" in services.read_models.case_state.view.case(str(case_id))["agencies"]
    return str(case_id), "麻衣子", "颯真"


def test_a_case_found_only_by_a_member_the_reader_may_not_see_is_not_found_nor_read(browser, services) -> None:
    case_id, mother, son = shinonome_case(services)
    reader = browser(HIKIKOMORI)
    before = len(access_records(services.tsunagu))
    for query in (son, "そうま", "東雲 颯真"):
        assert case_id not in search(reader, query).text, query
    assert not [r for r in access_records(services.tsunagu)[before:] if r.case_id == case_id], \
        "a case dropped from the results is not read"
    for query in (mother, "しののめ　まいこ", "東雲"):  # the mother's own name, which she let the desk see
        assert result_row(search(reader, query).text, case_id), query
    assert case_id in search(browser(COORDINATOR), son).text  # the coordinator's agency sees the son
    assert case_id in search(browser(AUDITOR), "そうま").text


def test_tags_and_names_from_withheld_entries_are_not_shown_in_lists_or_results(browser, services) -> None:
    case_id, mother, _ = shinonome_case(services)
    reader = browser(HIKIKOMORI)
    for page in (search(reader, mother).text, reader.get("/ui/cases").text):
        row = result_row(page, case_id)
        assert "社会的孤立" in row, "the mother's issue, under her consent"
        assert "虐待" not in row and "東雲家" not in row and "（非表示）" in row, "nothing of the son's entries"
    row = result_row(search(browser(COORDINATOR), mother).text, case_id)
    assert "社会的孤立" in row and "虐待" in row and "東雲家" in row


def test_every_row_listed_or_found_is_a_recorded_read_on_the_web_channel(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    kana = services.tsunagu.repository.get(UUID(case_id)).household_name_kana.removesuffix("け")
    client = browser(COORDINATOR)
    for purpose, answer in (("list", lambda: client.get("/ui/cases")),
                            ("list", lambda: client.get("/ui/cases", params={"status": "open", "offset": 1})),
                            ("search", lambda: search(client, kana)),
                            ("search", lambda: search(client, "存在しない名前"))):
        before = len(access_records(services.tsunagu))
        page = answer()
        assert page.status_code == 200
        shown = listed_case_ids(page.text)
        records = access_records(services.tsunagu)[before:]
        assert [(r.case_id, r.purpose, r.channel, r.reader_staff) for r in records] == [
            (shown_id, purpose, "web", COORDINATOR) for shown_id in shown], "one record per row shown, no more"
        assert shown or purpose == "search"
        if purpose == "search" and shown:
            assert case_id in shown


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
