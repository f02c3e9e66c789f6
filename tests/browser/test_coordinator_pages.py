"""The pages in a real browser, as the seeds' people use them: a coordinator reads a household's
whole story, a caseworker of another agency meets withheld entries and no personal content, and
an auditor finds the unconsented access that was just made."""

from __future__ import annotations

import re
from urllib.parse import unquote
from uuid import UUID

import pytest

from tests.browser.conftest import DemoSite
from tests.support import personal_texts

pytestmark = pytest.mark.browser

COORDINATOR, HIKIKOMORI, AUDITOR = "tanaka-yui", "takahashi-aoi", "watanabe-makoto"


def katakana(hiragana: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in hiragana)


def test_coordinator_finds_a_household_by_kana_and_reads_its_full_timeline(
        demo_site: DemoSite, signed_in, screenshot) -> None:
    from playwright.sync_api import expect

    showcase = demo_site.summary.showcase("coordinator_8050")
    case = demo_site.services.tsunagu.repository.get(UUID(showcase.case_id))  # the test's own look, unrecorded
    page = signed_in(COORDINATOR)
    screenshot(page, "01-coordinator-home")

    surname_kana = case.household_name_kana.removesuffix("け")
    page.get_by_label("ケースを探す（氏名・ふりがな・ケースID）").fill(surname_kana)  # the home page's quick search
    page.get_by_role("button", name="検索").click()
    expect(page.locator("table.cases")).to_contain_text(showcase.case_id[:8])
    assert page.url == f"{demo_site.base_url}/ui/cases/search", "the name is posted, never in the URL"

    page.get_by_role("link", name="ケース検索").click()
    page.get_by_label("氏名・ふりがな・ケースID").fill(katakana(surname_kana))  # typed in katakana
    page.get_by_role("button", name="検索").click()
    row = page.locator("table.cases tr", has_text=showcase.case_id[:8])
    expect(row).to_contain_text(case.household_name)  # a recorded read names the household, to pick the right one
    assert page.url == f"{demo_site.base_url}/ui/cases/search"
    visited = [unquote(url) for url in page.evaluate("() => [location.href, document.referrer]")]
    assert not [url for url in visited if surname_kana in url or katakana(surname_kana) in url or "q=" in url]
    screenshot(page, "02-coordinator-search")

    page.locator(f"a[href$='/cases/{showcase.case_id}']").click()
    expect(page.locator("h1")).to_contain_text(case.household_name)
    page.keyboard.press("Tab")  # the first stop is the skip link, and it shows itself
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_in_viewport()
    entries = page.locator("ol.timeline > li.entry")
    expect(entries).to_have_count(case.version)
    expect(page.locator("li.entry.withheld")).to_have_count(0)
    seqs = [int(s.removeprefix("entry-")) for s in entries.evaluate_all("els => els.map(e => e.id)")]
    assert seqs == list(range(case.version, 0, -1)), "every entry, newest first"
    expect(page.locator(".access-notice")).to_contain_text("本人同意")
    expect(entries.first.locator(".basis")).to_be_visible()
    screenshot(page, "03-coordinator-case-timeline")
    screenshot(page, "03b-coordinator-case-timeline-full", full_page=True)

    page.get_by_role("checkbox", name=re.compile("本人同意")).uncheck()  # filters at once (script)
    expect(page.locator("li.entry[data-group=consent]").first).to_be_hidden()
    page.get_by_role("checkbox", name=re.compile("本人同意")).check()

    page.get_by_role("link", name="相談", exact=True).click()
    page.get_by_label("分野").select_option("hikikomori")
    page.get_by_label("相談内容").fill("長男が週に一度、地域のサロンに顔を出すようになった。")
    screenshot(page, "04-coordinator-consultation-form")
    page.get_by_role("button", name="記録する").click()
    expect(page.locator(".alert.success")).to_contain_text("相談の記録")
    expect(entries).to_have_count(case.version + 1)
    expect(entries.first).to_contain_text("長男が週に一度")  # newest first, under the message

    page.get_by_role("link", name="業務量").click()
    expect(page.locator("figure.chart svg").first).to_be_visible()
    screenshot(page, "10-coordinator-workloads")
    page.get_by_role("link", name="アウトプット指標").click()
    expect(page.locator("h1")).to_contain_text("令和")
    expect(page.get_by_role("link", name=re.compile("XLSX"))).to_be_visible()
    screenshot(page, "11-coordinator-indicators")


def test_caseworker_of_another_agency_sees_withheld_entries_and_no_personal_content(
        demo_site: DemoSite, signed_in, screenshot) -> None:
    from playwright.sync_api import expect

    showcase = demo_site.summary.showcase("hikikomori_withheld")
    events = list(demo_site.services.tsunagu.events.get(UUID(showcase.case_id)))
    page = signed_in(HIKIKOMORI)
    page.goto(f"{demo_site.base_url}/ui/cases/{showcase.case_id}")
    withheld = page.locator("li.entry.withheld")
    expect(withheld.first).to_be_visible()
    expect(withheld.first.locator(".withheld-reason")).to_contain_text("非表示（")
    expect(withheld.first.locator(".basis-withheld")).to_have_text("非表示")
    expect(page.locator(".access-notice")).to_contain_text("非表示")
    withheld.first.scroll_into_view_if_needed()
    screenshot(page, "05-hikikomori-withheld-entries")
    html = page.content()
    hidden_seqs = [int(i.removeprefix("entry-")) for i in withheld.evaluate_all("els => els.map(e => e.id)")]
    for event in events:
        if event.originator_version in hidden_seqs:
            for text in personal_texts(event):
                assert text not in html, f"withheld entry {event.originator_version} leaked {text!r}"

    other = next(row["case_id"] for row in demo_site.services.read_models.case_state.view.cases(limit=1000)
                 if "hikikomori" not in row["agencies"])  # a case the hikikomori desk has no part in
    household = demo_site.services.tsunagu.repository.get(UUID(other)).household_name
    response = page.goto(f"{demo_site.base_url}/ui/cases/{other}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("見つかりません")
    assert household not in page.content()
    missing = page.goto(f"{demo_site.base_url}/ui/cases/00000000-0000-4000-8000-000000000000")
    assert missing is not None and missing.status == 404
    expect(page.locator("h1")).to_have_text("見つかりません")
    screenshot(page, "06-hikikomori-not-found")


def test_auditor_sees_the_unconsented_access_just_made(demo_site: DemoSite, signed_in, screenshot) -> None:
    from playwright.sync_api import expect

    showcase = demo_site.summary.showcase("hikikomori_support_meeting")
    reader = signed_in(HIKIKOMORI)
    reader.goto(f"{demo_site.base_url}/ui/cases/{showcase.case_id}")
    expect(reader.locator(".access-notice.unconsented")).to_contain_text("本人の同意によらない閲覧です")
    expect(reader.locator(".basis-support_meeting").first).to_be_visible()
    screenshot(reader, "07-hikikomori-support-meeting-basis")
    demo_site.caught_up()

    auditor = signed_in(AUDITOR)
    auditor.get_by_role("link", name="監査", exact=True).click()
    auditor.get_by_label("ケースID").fill(showcase.case_id)
    auditor.get_by_role("button", name="絞り込む").click()
    newest = auditor.locator("table.audit tbody tr").first
    expect(newest).to_contain_text("高橋 葵")
    expect(newest).to_contain_text("支援会議")
    expect(newest).to_contain_text("画面")
    screenshot(auditor, "08-auditor-unconsented")

    auditor.get_by_role("link", name="緊急時アクセスの検証").click()
    expect(auditor.locator("h2").first).to_contain_text("検証待ち")
    screenshot(auditor, "09-auditor-emergency-queue")
