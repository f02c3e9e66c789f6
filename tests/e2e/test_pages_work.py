"""The pages staff do their day's work in, without a browser: every command has a form, lists and the home page
name households (each a recorded read) or say 「非表示」, errors name fields, agencies and staff, a conflict keeps
what was typed, break-glass starts from a reason and a name, printed sheets are headed 取扱注意 with their access
record, and the auditor's CSV is in Japan time with names."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from uuid import UUID

from fastapi.routing import APIRoute

from api.main import ROUTERS
from api.pages.form_specs import FORMS
from domain.calendar import local_date
from domain.commands import AddMember, GrantConsent, OpenCase, RecordConsultation, WithdrawConsent
from domain.vocabulary import ConsentMethod, Field, InformationCategory
from tests.e2e import test_pages as shared
from tests.e2e.test_pages import (
    AUDITOR,
    COORDINATOR,
    ELDERLY,
    HIKIKOMORI,
    case_version,
    csrf_of,
    listed_case_ids,
    post_form,
    shinonome_case,
)
from tests.support import access_records

site, services, summary, browser = shared.site, shared.services, shared.summary, shared.browser
"""The pages' site and signed-in clients, as ``test_pages`` builds them (a site of this module's own)."""


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def kiryu_case(services, *, consent_to: tuple[str, ...] = ()) -> tuple[str, str]:
    """A case the 芝 elderly centre opened, with a father and a daughter (who turns 18 in ten days)."""
    tsunagu = services.tsunagu
    actor = tsunagu.registry.staff_member(ELDERLY).as_actor()
    today = local_date(tsunagu.clock())
    case_id = UUID(tsunagu.execute(actor, OpenCase(household_name="霧島家", household_name_kana="きりしまけ",
                                                   district="shiba", summary="父と娘")).case_id)
    father = tsunagu.execute(actor, AddMember(case_id=case_id, name="霧島 剛", name_kana="きりしま ごう",
                                              birth_date=date(1960, 4, 1), relationship="父")).created_id
    born = (today + timedelta(days=10)).replace(year=today.year - 18) if (today.month, today.day) != (2, 19) \
        else date(today.year - 18, 3, 1)
    daughter = tsunagu.execute(actor, AddMember(case_id=case_id, name="霧島 結", name_kana="きりしま ゆい",
                                                birth_date=born, relationship="長女")).created_id
    for member in (father, daughter):
        if consent_to:
            tsunagu.execute(actor, GrantConsent(
                case_id=case_id, member_id=member, agencies=consent_to, categories=tuple(InformationCategory),
                purpose="支援のため", method=ConsentMethod.WRITTEN, document_ref="同意書 1",
                valid_until=today + timedelta(days=20)))
    services.runner.catch_up()
    return str(case_id), daughter


def test_every_command_on_a_case_has_a_form_that_opens(browser, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    for name in FORMS:
        page = client.get(f"/ui/cases/{case_id}/forms/{name}")
        assert page.status_code == 200, (name, text_of(page.text)[:300])
        assert 'name="csrf_token"' in page.text, name


ANSWERED_ON_OTHER_PAGES = {
    "EmergencyAccessCreate": "the case's break-glass page",
    "SittingCreate": "the meeting form, once per part: the same body, day and start time name the same sitting "
                     "(Ota's two functions in two steps; the API records both parts at once)",
}
"""API commands on a case whose page is not a case form, and where staff find it."""


def test_every_command_the_api_takes_on_a_case_has_a_page() -> None:
    schemas = {route.body_field.field_info.annotation.__name__ for module in ROUTERS for route in module.router.routes
               if isinstance(route, APIRoute) and "POST" in route.methods
               and route.path.startswith("/cases/{case_id}/") and route.body_field}
    with_forms = {form.schema.__name__ for form in FORMS.values()}
    assert schemas - with_forms == set(ANSWERED_ON_OTHER_PAGES)


def test_a_case_opened_from_the_pages_takes_its_members_shown_with_wareki_birth_dates_and_ages(
        browser, services) -> None:
    client = browser(ELDERLY)
    page = client.get("/ui/cases/new")
    response = client.post("/ui/cases/new", data={
        "csrf_token": csrf_of(page.text), "form_key": "open-1", "household_name": "白鳥家",
        "household_name_kana": "しらとりけ", "district": "shiba", "summary": "母の物忘れ"})
    assert response.status_code == 303 and response.headers["location"].endswith("?done=opened")
    case_id = response.headers["location"].split("/cases/")[1].split("?")[0]
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/member", {
        "name": "白鳥 澄子", "name_kana": "しらとり すみこ", "birth_date": "1944-11-03", "relationship": "本人",
        "is_principal": "on"})
    assert response.status_code == 303
    page = text_of(client.get(f"/ui/cases/{case_id}?done=member").text)
    age = local_date(services.tsunagu.clock()).year - 1944 - (local_date(services.tsunagu.clock()) < date(
        local_date(services.tsunagu.clock()).year, 11, 3))
    assert f"昭和19年11月3日生（{age}歳）" in page
    assert "この世帯員が本人" in page and "本人 はい" not in page, "yes/no said in words"
    assert page.index("「世帯員の追加」を記録しました") < page.index("タイムライン"), "the message is at the top"


def test_errors_name_the_field_and_refusals_name_agencies_never_ids(browser, services) -> None:
    case_id, daughter = kiryu_case(services)
    client = browser(ELDERLY)
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/referral", {
        "to_agency": "hikikomori", "categories": "basic", "subjects": daughter})
    assert response.status_code == 422
    assert "理由：入力してください。" in text_of(response.text), "the summary names the field"
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/referral", {
        "to_agency": "hikikomori", "categories": "basic", "subjects": daughter, "reason": "ひきこもり相談のため"})
    shown = text_of(response.text)
    assert response.status_code == 409 and "港区ひきこもり支援専用相談窓口" in shown
    assert "「hikikomori」" not in shown and "ひきこもり相談のため" in shown, "what was typed is kept"


def test_a_conflicting_save_keeps_what_was_typed_and_records_it_when_sent_again(browser, services) -> None:
    case_id, _ = kiryu_case(services)
    client = browser(ELDERLY)
    path = f"/ui/cases/{case_id}/forms/consultation"
    page = client.get(path).text
    stale = re.search(r'name="version" value="(\d+)"', page).group(1)
    tsunagu = services.tsunagu
    tsunagu.execute(tsunagu.registry.staff_member(ELDERLY).as_actor(), OpenCase(
        household_name="x", household_name_kana="x", district=None, summary=""))  # unrelated
    other, _ = post_form(browser(ELDERLY), path, {"field": "elderly", "category": "consultation", "channel": "電話",
                                                  "summary": "同僚が先に記録した相談"})
    assert other.status_code == 303
    typed = "父の通院に娘が付き添っている。学校を休んだ日がある。"
    conflict = client.post(path, data={"csrf_token": csrf_of(page), "form_key": "conflict-1", "version": stale,
                                       "field": "children", "category": "consultation", "channel": "来所",
                                       "summary": typed})
    assert conflict.status_code == 409
    assert typed in conflict.text and "この内容で記録し直す" in conflict.text and "data-conflict" in conflict.text
    current = re.search(r'name="version" value="(\d+)"', conflict.text).group(1)
    assert int(current) == case_version(services, case_id)
    again = client.post(path, data={"csrf_token": csrf_of(conflict.text), "form_key": "conflict-2",
                                    "version": current, "field": "children", "category": "consultation",
                                    "channel": "来所", "summary": typed})
    assert again.status_code == 303 and case_version(services, case_id) == int(current) + 1


def test_lists_name_households_and_members_with_ages_count_all_and_sort(browser, services) -> None:
    case_id, mother, _ = shinonome_case(services)
    reader = browser(HIKIKOMORI)
    page = reader.get("/ui/cases").text
    row = re.search(rf'<tr>\s*<td[^>]*>\s*<a href="/ui/cases/{case_id}".*?</tr>', page, re.S).group(0)
    assert f"東雲 {mother}" in text_of(row) and "52歳" in text_of(row), "the member the reader may see, with her age"
    assert "世帯名（非表示）" in text_of(row) and "颯真" not in row, "the household name and the son are withheld"
    total = services.read_models.case_state.view.count(agency="hikikomori")
    assert f"全{total}件中" in text_of(page)
    by_opened = listed_case_ids(reader.get("/ui/cases", params={"sort": "opened_oldest"}).text)
    latest = listed_case_ids(reader.get("/ui/cases").text)
    assert sorted(by_opened) == sorted(latest) and by_opened != latest


def test_the_home_page_lists_handovers_escalations_and_expiring_consents_by_name_each_a_recorded_read(
        browser, services) -> None:
    case_id, _ = kiryu_case(services, consent_to=("coordination", "elderly-shiba"))
    client = browser(COORDINATOR)
    before = len(access_records(services.tsunagu))
    home = client.get("/ui/")
    assert home.status_code == 200
    handovers = text_of(home.text.split('aria-labelledby="handovers-heading"')[1].split("</section>")[0])
    assert "霧島家" in handovers and "霧島 結" in handovers and "18歳になる日" in handovers
    records = [r for r in access_records(services.tsunagu)[before:] if r.case_id == case_id]
    assert [r.purpose for r in records] == ["home"], "one recorded read per case shown, for all it shows"
    lead = browser(ELDERLY).get("/ui/").text
    consents = text_of(lead.split('aria-labelledby="consents-heading"')[1].split("</section>")[0])
    assert "霧島家" in consents, "consents ending within 30 days, on the cases the agency leads"


def test_emergency_access_from_a_name_asks_the_reason_first_shows_no_names_and_records_each_candidate(
        browser, services) -> None:
    case_id, _ = kiryu_case(services)
    client = browser(HIKIKOMORI)
    page = client.get("/ui/emergency")
    token = csrf_of(page.text)
    no_reason = client.post("/ui/emergency", data={"csrf_token": token, "q": "霧島", "reason": "急ぎ"})
    assert no_reason.status_code == 422 and "case-id" not in no_reason.text.split("candidates")[-1]
    before = len(access_records(services.tsunagu))
    reason = "父が自宅で倒れていると通報があり、緊急連絡先を確認する必要がある。"
    found = client.post("/ui/emergency", data={"csrf_token": token, "q": "霧島", "reason": reason})
    assert found.status_code == 200 and f"/ui/cases/{case_id}/emergency" in found.text
    assert "霧島 剛" not in found.text and "霧島家" not in found.text, "no personal content before the grant"
    looked_up = access_records(services.tsunagu)[before:]
    shown = re.findall(r'action="/ui/cases/([0-9a-f-]{36})/emergency"', found.text)
    assert case_id in shown
    assert [(r.case_id, r.purpose, bool(r.shown)) for r in looked_up] == [
        (candidate, "emergency_search", False) for candidate in shown], "each candidate shown, recorded, none read"
    granted = client.post(f"/ui/cases/{case_id}/emergency", data={
        "csrf_token": token, "form_key": "glass-1", "reason": reason})
    assert granted.status_code == 303
    case = text_of(client.get(granted.headers["location"]).text)
    assert "あなたの緊急時アクセスは" in case and "まで" in case, "the grant's expiry is shown"


def test_printed_sheets_are_headed_confidential_with_their_access_record(browser, services, summary) -> None:
    case_id = summary.showcase("coordinator_8050").case_id
    client = browser(COORDINATOR)
    meeting_id = next(iter(services.tsunagu.repository.get(UUID(case_id)).meetings))
    for path in (f"/ui/cases/{case_id}/print", f"/ui/cases/{case_id}/meetings/{meeting_id}/print"):
        before = len(access_records(services.tsunagu))
        page = client.get(path)
        records = access_records(services.tsunagu)[before:]
        assert page.status_code == 200 and "取扱注意" in page.text
        assert [(r.purpose, r.channel) for r in records] == [("timeline", "print")]
        assert str(records[0].originator_id) in page.text, "the sheet names the read that printed it"
    assert client.get(f"/ui/cases/{case_id}/meetings/no-such-meeting/print").status_code == 404


def test_the_auditors_csv_is_in_japan_time_with_names_one_row_per_record(browser, services, summary) -> None:
    shared = browser(HIKIKOMORI).get(f"/ui/cases/{summary.showcase('hikikomori_support_meeting').case_id}")
    assert shared.status_code == 200  # a read on a 支援会議's basis: unconsented
    services.runner.catch_up()
    auditor = browser(AUDITOR)
    response = auditor.get("/ui/audit/unconsented.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows, "the unconsented read just made is listed"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["判定日時（日本時間）"]) for row in rows)
    names = {s.id: s.name for s in services.tsunagu.registry.staff}
    assert all(row["閲覧者"] == names[row["閲覧者ID"]] for row in rows)
    assert len({row["閲覧記録ID"] for row in rows}) == len(rows)


def test_the_lead_agency_assigns_the_staff_in_charge_who_then_finds_the_case_as_theirs(browser, services) -> None:
    case_id, _ = kiryu_case(services)
    lead = browser(ELDERLY)
    response, _ = post_form(lead, f"/ui/cases/{case_id}/forms/staff-in-charge", {"staff": "kondo-ayumi"})
    assert response.status_code == 303
    services.runner.catch_up()
    assert "近藤 歩美" in text_of(lead.get(f"/ui/cases/{case_id}").text)
    mine = browser("kondo-ayumi")
    assert case_id in listed_case_ids(mine.get("/ui/cases", params={"mine": "1"}).text)
    assert "霧島家" in mine.get("/ui/").text.split('aria-labelledby="mine-heading"')[1]
    refused, _ = post_form(lead, f"/ui/cases/{case_id}/forms/staff-in-charge", {"staff": "takahashi-aoi"})
    assert refused.status_code == 409 and "高橋 葵" in text_of(refused.text)
    assert "takahashi-aoi" not in text_of(refused.text).replace('value="takahashi-aoi"', "")


def test_a_correction_shows_what_it_corrects_and_is_linked_from_the_entry(browser, services) -> None:
    case_id, _ = kiryu_case(services)
    client = browser(ELDERLY)
    form = text_of(client.get(f"/ui/cases/{case_id}/forms/correction", params={"seq": 2}).text)
    assert "訂正する記録：#2 世帯員の追加" in form and "霧島 剛" in form
    response, _ = post_form(client, f"/ui/cases/{case_id}/forms/correction?seq=2",
                            {"seq": "2", "correction": "生年月日は1960年4月2日"})
    assert response.status_code == 303
    page = client.get(f"/ui/cases/{case_id}").text
    entry = page.split('id="entry-2"')[1].split("</li>")[0]
    assert "訂正あり" in entry and f'href="#entry-{case_version(services, case_id)}"' in entry


def test_a_listed_case_the_reader_sees_nothing_of_is_a_withheld_row_read_from_no_record(browser, services) -> None:
    case_id, _ = kiryu_case(services, consent_to=("hikikomori",))
    tsunagu = services.tsunagu
    lead = tsunagu.registry.staff_member(ELDERLY).as_actor()
    for consent_id in tsunagu.repository.get(UUID(case_id)).consents:
        tsunagu.execute(lead, WithdrawConsent(case_id=UUID(case_id), consent_id=consent_id, reason="撤回の申し出"))
    services.runner.catch_up()
    reader = browser(HIKIKOMORI)
    before = len(access_records(tsunagu))
    page = reader.get("/ui/cases").text
    row = re.search(rf'<tr>\s*<td[^>]*>\s*<a href="/ui/cases/{case_id}".*?</tr>', page, re.S).group(0)
    assert "非表示" in text_of(row) and "霧島" not in row and 'class="open-case unread"' in row
    assert case_id not in [r.case_id for r in access_records(tsunagu)[before:]], "nothing was read, nothing recorded"


def test_a_long_case_opens_on_its_newest_entries_with_older_ones_a_page_away(browser, services) -> None:
    case_id, _ = kiryu_case(services)
    tsunagu = services.tsunagu
    actor = tsunagu.registry.staff_member(ELDERLY).as_actor()
    for n in range(30):
        tsunagu.execute(actor, RecordConsultation(case_id=UUID(case_id), field=Field.ELDERLY,
                                                  category=InformationCategory.CONSULTATION, channel="電話",
                                                  summary=f"定期連絡 {n}"))
    version = case_version(services, case_id)
    client = browser(ELDERLY)
    page = client.get(f"/ui/cases/{case_id}").text
    seqs = [int(s) for s in re.findall(r'<li id="entry-(\d+)"', page)]
    assert seqs == list(range(version, version - 30, -1)), "the newest thirty, newest first"
    older = re.search(r'href="(/ui/cases/[^"]+\?older=\d+)"', page).group(1)
    rest = [int(s) for s in re.findall(r'<li id="entry-(\d+)"', client.get(older.replace("&amp;", "&")).text)]
    assert rest == list(range(version - 30, 0, -1))


def test_a_staff_in_charge_entry_names_the_person_not_the_id(browser, services) -> None:
    case_id, _ = kiryu_case(services)
    lead = browser(ELDERLY)
    post_form(lead, f"/ui/cases/{case_id}/forms/staff-in-charge", {"staff": "kondo-ayumi", "note": "地区担当"})
    entry = text_of(lead.get(f"/ui/cases/{case_id}").text.split(f'id="entry-{case_version(services, case_id)}"')[1]
                    .split("</li>")[0])
    assert "担当者 近藤 歩美" in entry and "kondo-ayumi" not in entry and "elderly-shiba" not in entry
