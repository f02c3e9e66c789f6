"""A full day in the pages, in a real browser, five people each in their own session: a caseworker opens a
case, adds members, records a consultation with its subjects, consent and a referral; the receiver answers it
from the live inbox (declining, and handing it to 多機関協働); the coordinator sees the escalation and the
young carer's handover at 18 on the home page, holds a meeting with an external participant, prints the
meeting sheet and adopts a plan; a caseworker of another agency finds the household by name for emergency
access, reason first; the auditor exports a CSV in Japan time with names. Every page visited is checked by
axe-core and at 390 px, and kept as screenshots at 1366 and 390 px (test-artifacts/screenshots/day-*)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.calendar import local_date
from tests.browser.conftest import TIMEOUT_MS, VIEWPORT, DemoSite
from tests.browser.pages import check_page
from tests.services.chromium import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

CASEWORKER, RECEIVER, COORDINATOR, OTHER_AGENCY, AUDITOR = (
    "okada-yoko", "hayashi-mai", "tanaka-yui", "takahashi-aoi", "watanabe-makoto")
HOUSEHOLD, KANA = "桐生家", "きりゅうけ"
FATHER, DAUGHTER = "桐生 誠", "桐生 陽菜"


@pytest.fixture(scope="module")
def people(chromium: Path, playwright_driver, demo_site: DemoSite) -> Iterator[Callable[[str], Any]]:
    """A browser in which each person signs in in a context of their own (their own cookies and storage)."""
    browser = playwright_driver.chromium.launch(executable_path=str(chromium), headless=True,
                                                args=list(CHROMIUM_ARGS))
    pages: dict[str, Any] = {}

    def sign_in(staff_id: str) -> Any:
        if staff_id not in pages:
            context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo",
                                          accept_downloads=True)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto(f"{demo_site.base_url}/")
            page.locator(f"button[name=staff_id][value='{staff_id}']").click()
            page.wait_for_url(re.compile(r"/ui/$"))
            pages[staff_id] = page
        return pages[staff_id]

    try:
        yield sign_in
    finally:
        browser.close()


def eighteen_in_ten_days(today: date) -> date:
    """A birth date on which the young carer turns 18 ten days from today."""
    day = today + timedelta(days=10)
    try:
        return day.replace(year=day.year - 18)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28)


def test_a_full_day_in_the_pages(people, demo_site: DemoSite) -> None:
    from playwright.sync_api import expect

    today = local_date(demo_site.services.tsunagu.clock())
    base = demo_site.base_url

    # 1. A caseworker of the district's 福祉総合窓口 opens a case from the home page.
    okada = people(CASEWORKER)
    check_page(okada, "01-caseworker-home")
    okada.get_by_role("link", name="＋ 新しいケースを開始").click()
    okada.locator("#f-household_name").fill(HOUSEHOLD)
    okada.get_by_label("世帯名のふりがな").fill(KANA)
    okada.get_by_label("地区").select_option("shiba")
    okada.get_by_label("相談の概要").fill("父と高校生の娘の二人世帯。娘が父の介護と家事を担っている。")
    check_page(okada, "02-open-case-form")
    okada.get_by_role("button", name="ケースを開始する").click()
    expect(okada.locator(".alert.success")).to_contain_text("ケースを開始しました")
    case_id = okada.url.split("/cases/")[1].split("?")[0]

    # 2. Adds the two members; the page shows 和暦 birth dates with ages.
    for name, kana, born, relationship, principal in (
            (FATHER, "きりゅう まこと", date(1962, 3, 10), "父", False),
            (DAUGHTER, "きりゅう ひな", eighteen_in_ten_days(today), "長女", True)):
        okada.get_by_role("link", name="世帯員の追加").click()
        okada.locator("#f-name").fill(name)
        okada.get_by_label("ふりがな").fill(kana)
        okada.get_by_label("生年月日").fill(born.isoformat())
        okada.get_by_label("続柄").fill(relationship)
        if principal:
            okada.get_by_label("この人が本人").check()
            check_page(okada, "03-add-member-form")
        okada.get_by_role("button", name="記録する").click()
        expect(okada.locator(".alert.success")).to_contain_text("世帯員の追加")
    members = okada.locator("ul.members")
    expect(members).to_contain_text("昭和37年3月10日生")
    expect(members).to_contain_text("（17歳）")
    expect(okada.locator("ol.timeline > li").first).to_contain_text("この世帯員が本人")

    # 3. A consultation about the daughter (its subject), and each member's own consent.
    okada.get_by_role("link", name="相談", exact=True).click()
    okada.get_by_label("分野").select_option("children")
    okada.get_by_label(f"{DAUGHTER}（").check()
    okada.get_by_label("相談内容").fill("陽菜さんが毎朝父の介助をしてから登校している。学校の欠席が増えている。")
    check_page(okada, "04-consultation-form")
    okada.get_by_role("button", name="記録する").click()
    expect(okada.locator(".alert.success")).to_contain_text("相談の記録")
    for member in (FATHER, DAUGHTER):
        okada.get_by_role("link", name="同意の取得").click()
        expect(okada.get_by_label("芝地区総合支所区民課 福祉総合窓口")).to_be_checked()  # the recording agency
        whose = okada.locator("#f-member_id option", has_text=member).get_attribute("value")
        okada.get_by_label("誰の情報についての同意か").select_option(whose)
        okada.get_by_label("子ども家庭支援センター", exact=True).check()
        okada.get_by_label("保健福祉課（多機関協働事業）").check()
        okada.get_by_label("支援経過").check()
        okada.get_by_label("同意書の文書番号・保管場所").fill(f"同意書 R8-{len(member)}")
        okada.get_by_label("目的").fill("ヤングケアラー支援のための関係機関の情報共有")
        if member == DAUGHTER:
            check_page(okada, "05-consent-form")
        okada.get_by_role("button", name="記録する").click()
        expect(okada.locator(".alert.success")).to_contain_text("同意の取得")

    # 4. The receiver has the inbox open; the caseworker refers the daughter to 子ども家庭支援センター.
    hayashi = people(RECEIVER)
    hayashi.goto(f"{base}/ui/inbox")
    badge = hayashi.locator("[data-inbox-badge]")
    waiting_before = int(badge.inner_text())
    okada.get_by_role("link", name="つなぎの依頼").click()
    okada.get_by_label("つなぎ先").select_option("children-family")
    okada.get_by_label(f"{DAUGHTER}（").check()
    okada.get_by_label("基本情報").check()
    okada.get_by_label("相談内容").check()
    okada.get_by_label("つなぐ理由").fill("ヤングケアラーとしての支援の検討をお願いしたい。")
    check_page(okada, "06-referral-form")
    okada.get_by_role("button", name="記録する").click()
    expect(okada.locator(".alert.success")).to_contain_text("つなぎの依頼")

    # 5. ... and it arrives live: the badge counts it, the inbox offers to refresh; she declines and escalates.
    expect(badge).to_have_text(str(waiting_before + 1), timeout=15_000)
    expect(hayashi.locator("[data-inbox-live]")).to_be_visible()
    check_page(hayashi, "07-receiver-inbox-live")
    hayashi.locator("[data-inbox-reload]").click()
    row = hayashi.locator("tr", has_text=HOUSEHOLD)
    expect(row).to_be_visible()
    hayashi.set_viewport_size({"width": 390, "height": 844})  # on a phone the answer button is on screen
    answer = row.get_by_role("link", name="内容を見て回答")
    answer.scroll_into_view_if_needed()
    box = answer.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    hayashi.set_viewport_size(VIEWPORT)
    check_page(hayashi, "07b-receiver-inbox-refreshed")
    answer.click()
    hayashi.get_by_label("辞退の理由").fill("当センターの対象年齢を間もなく超えるため、多機関で検討していただきたい。")
    hayashi.get_by_label("多機関協働（コーディネーター）へ引き継ぐ").check()
    check_page(hayashi, "08-receiver-answer-form")
    hayashi.get_by_role("button", name="辞退する").click()
    expect(hayashi.locator(".alert.success")).to_contain_text("つなぎの辞退")

    # 6. The coordinator's home: the escalation, and the daughter's handover at 18, both named.
    tanaka = people(COORDINATOR)
    tanaka.goto(f"{base}/ui/")
    escalations = tanaka.locator("section[aria-labelledby=escalations-heading]")
    expect(escalations).to_contain_text(HOUSEHOLD)
    handovers = tanaka.locator("section[aria-labelledby=handovers-heading]")
    expect(handovers).to_contain_text(DAUGHTER)
    expect(handovers).to_contain_text("18歳")
    check_page(tanaka, "09-coordinator-home")

    # 7. A 重層的支援会議 with an external participant (a 民生委員, pledged), and its printed sheet.
    escalations.get_by_role("link", name=HOUSEHOLD).click()
    expect(tanaka.locator(".case-bar ul.attention")).to_contain_text("18歳の制度切替")  # what is due, at the top
    check_page(tanaka, "10-coordinator-case")
    tanaka.get_by_role("link", name="会議", exact=True).click()
    tanaka.get_by_text("本人同意のもとで、支援プランの").click()
    tanaka.get_by_label("開始時刻").fill("14:00")
    tanaka.get_by_label("場所").fill("芝地区総合支所 3階会議室")
    tanaka.get_by_label("目的・議題").fill("陽菜さんの生活と進学の支援、父の介護サービスの導入")
    tanaka.get_by_label("参加者 2", exact=True).select_option(CASEWORKER)
    tanaka.get_by_label("外部の構成員の氏名 1").fill("芝 一郎")
    tanaka.get_by_label("外部の構成員の所属 1").fill("芝地区民生委員")
    tanaka.get_by_label("外部の構成員の立場 1").select_option("welfare_commissioner")
    tanaka.locator("input[name='external_members.0.pledged']").check()
    tanaka.get_by_label("議事録（このケースについて）").fill("父の介護保険申請を急ぐ。陽菜さんの登校を優先する。")
    check_page(tanaka, "11-meeting-form")
    tanaka.get_by_role("button", name="記録する").click()
    expect(tanaka.locator(".alert.success")).to_contain_text("会議の記録")
    tanaka.get_by_role("link", name="会議シート").first.click()
    sheet = tanaka.locator("main")
    expect(tanaka.locator(".confidential").first).to_have_text("取扱注意")
    expect(tanaka.locator(".record-id-full").first).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))
    for text in ("芝 一郎", "芝地区民生委員", "民生委員・児童委員", "14:00", "3階会議室", "父の介護保険申請を急ぐ"):
        expect(sheet).to_contain_text(text)
    tanaka.emulate_media(media="print")
    expect(tanaka.locator(".print-tools")).to_be_hidden()
    tanaka.screenshot(path=str(Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
                               / "day-12-meeting-sheet-print.png"), full_page=True)
    tanaka.emulate_media(media="screen")
    check_page(tanaka, "12-meeting-sheet")
    tanaka.go_back()

    # 8. The plan, adopted at that meeting.
    tanaka.get_by_text("その他の記録").click()
    tanaka.get_by_role("link", name="支援プラン").click()
    tanaka.get_by_label("決定した重層的支援会議").select_option(index=1)
    tanaka.get_by_label("目標（1行に1つ）").fill("父が介護サービスを使い始める\n陽菜さんが毎日登校できる")
    check_page(tanaka, "13-plan-form")
    tanaka.get_by_role("button", name="記録する").click()
    expect(tanaka.locator(".alert.success")).to_contain_text("支援プランの決定")
    expect(tanaka.locator("section[aria-labelledby=plan-heading]")).to_contain_text("陽菜さんが毎日登校できる")

    # 9. The lead agency puts its caseworker in charge; it shows on the case and on her home page.
    okada.goto(f"{base}/ui/cases/{case_id}")
    okada.locator(".case-bar").get_by_role("link", name="決める").click()
    okada.get_by_label("担当者").select_option(CASEWORKER)
    check_page(okada, "14-staff-in-charge-form")
    okada.get_by_role("button", name="記録する").click()
    expect(okada.locator(".case-bar")).to_contain_text("岡田 陽子")
    okada.goto(f"{base}/ui/")
    expect(okada.locator("section[aria-labelledby=mine-heading]")).to_contain_text(HOUSEHOLD)
    okada.goto(f"{base}/ui/cases?mine=1")
    expect(okada.locator("table.cases")).to_contain_text(DAUGHTER)
    check_page(okada, "15-my-cases-list")

    # 10. Another agency, without any basis, finds the household by name for emergency access: reason first.
    takahashi = people(OTHER_AGENCY)
    takahashi.goto(f"{base}/ui/emergency")
    takahashi.get_by_label("理由（10文字以上）").fill("父が自宅で倒れたと近隣から通報があり、緊急連絡先と服薬状況を確認する必要がある。")
    takahashi.get_by_label("氏名・ふりがな").fill("桐生")
    takahashi.get_by_role("button", name="候補を探す").click()
    candidates = takahashi.locator("ul.candidates > li")
    expect(candidates).to_have_count(1)
    expect(candidates.first).not_to_contain_text(FATHER)  # no personal content before the grant
    check_page(takahashi, "16-emergency-search")
    candidates.first.get_by_role("button", name="この世帯の記録を緊急時アクセスで開く").click()
    expect(takahashi.locator(".alert.success")).to_contain_text("緊急時アクセスを記録しました")
    expect(takahashi.locator("ul.attention")).to_contain_text("あなたの緊急時アクセスは")
    expect(takahashi.locator(".access-notice")).to_contain_text("本人の同意によらない閲覧です")
    check_page(takahashi, "17-emergency-case")

    # 11. The auditor sees that read and downloads it: Japan time, names, one row for the page view.
    demo_site.caught_up()
    watanabe = people(AUDITOR)
    watanabe.goto(f"{base}/ui/audit?case_id={case_id}")
    expect(watanabe.locator("table.audit")).to_contain_text("高橋 葵")
    check_page(watanabe, "18-auditor-unconsented")
    with watanabe.expect_download() as download:
        watanabe.get_by_role("link", name="CSVでダウンロード").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and "判定日時（日本時間）" in rows[0], rows[:1]
    reads = [r for r in rows if r["閲覧者"] == "高橋 葵" and r["閲覧内容"] == "ケースの閲覧"]
    assert len(reads) == 1, "one access record, one row, for the one page view"
    assert reads[0]["閲覧機関"] == "港区ひきこもり支援専用相談窓口"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", reads[0]["判定日時（日本時間）"])
    assert reads[0]["判定日時（日本時間）"][:10] == today.isoformat(), "the day in Japan"


def test_what_was_typed_survives_a_session_that_expired_and_is_recorded_after_signing_in_again(
        people, demo_site: DemoSite) -> None:
    from playwright.sync_api import expect

    from domain.commands import OpenCase

    tsunagu = demo_site.services.tsunagu
    case_id = tsunagu.execute(tsunagu.registry.staff_member("suzuki-kenta").as_actor(), OpenCase(
        household_name="早瀬家", household_name_kana="はやせけ", district="shiba", summary="")).case_id
    page = people("suzuki-kenta")
    page.goto(f"{demo_site.base_url}/ui/cases/{case_id}/forms/consultation")
    typed = "母が夜中に外に出てしまうことが増えた。長男は仕事で不在がち。"
    page.get_by_label("相談内容").fill(typed)
    page.get_by_label("分野").select_option("elderly")
    page.context.clear_cookies()  # the session expires while the note is being written
    page.get_by_role("button", name="記録する").click()
    expect(page).to_have_url(re.compile(r"/ui/signin\?next="))
    page.locator("button[name=staff_id][value='suzuki-kenta']").click()
    expect(page).to_have_url(re.compile(rf"/ui/cases/{case_id}/forms/consultation$"))
    expect(page.get_by_label("相談内容")).to_have_value(typed)  # kept on this device, restored
    expect(page.get_by_label("分野")).to_have_value("elderly")
    expect(page.locator(".alert.info")).to_contain_text("前回入力していた内容を復元しました")
    check_page(page, "19-draft-restored", phone=False)
    page.get_by_role("button", name="記録する").click()
    expect(page.locator(".alert.success")).to_contain_text("相談の記録")
    drafts = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('tsunagu-draft:'))")
    assert not [key for key in drafts if case_id in key], "a recorded draft is cleared"
    assert not page.evaluate("() => Object.keys(localStorage).some(k => k.includes('search'))"), \
        "the name search never keeps a draft"
