"""The consent and meeting forms in a real browser: a coordinator records a child's consent through her
parent (with the child's own view), and a 支援会議 that tables the child's information until a stated
end; the parts of each form that apply to one choice only show when that choice is made."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.calendar import local_date
from domain.commands import AddMember, OpenCase
from infra.bootstrap import Services
from tests.browser.conftest import DemoSite

pytestmark = pytest.mark.browser

COORDINATOR = "tanaka-yui"


def young_carer_case(services: Services) -> tuple[str, str]:
    """A new case the coordinator opens: a mother and her daughter of 8 or 9 (case, daughter)."""
    tsunagu = services.tsunagu
    coordinator = tsunagu.registry.staff_member(COORDINATOR).as_actor()
    today = local_date(tsunagu.clock())
    case_id = UUID(tsunagu.execute(coordinator, OpenCase(
        household_name="港家", household_name_kana="みなとけ", district=None,
        summary="母の入院が続き、小学生の長女が家事と弟の世話をしている。")).case_id)
    tsunagu.execute(coordinator, AddMember(case_id=case_id, name="港 花子", name_kana="みなと はなこ",
                                           birth_date=date(today.year - 41, 4, 1), relationship="母",
                                           is_principal=True))
    daughter = tsunagu.execute(coordinator, AddMember(case_id=case_id, name="港 さくら", name_kana="みなと さくら",
                                                      birth_date=date(today.year - 9, 1, 15), relationship="長女"))
    assert daughter.created_id is not None
    return str(case_id), daughter.created_id


def test_coordinator_records_a_child_s_consent_and_a_bounded_support_meeting(
        demo_site: DemoSite, signed_in, screenshot) -> None:
    from playwright.sync_api import expect

    case_id, daughter = young_carer_case(demo_site.services)
    page = signed_in(COORDINATOR)
    page.goto(f"{demo_site.base_url}/ui/cases/{case_id}")

    page.get_by_role("link", name="同意の取得").click()
    representative = page.get_by_label("代わりに同意した人（氏名と続柄・資格）")
    expect(representative).to_be_hidden()  # 本人 is chosen until someone else consented
    expect(page.get_by_label("聞き取った職員")).to_be_hidden()  # 書面 is chosen
    expect(page.locator("#f-given_by-rule")).to_contain_text("15歳未満の子ども：親権者が同意します")
    screenshot(page, "12-coordinator-consent-form")
    page.get_by_label("誰の情報についての同意か").select_option(daughter)
    page.get_by_label("親権者", exact=True).check()
    expect(representative).to_be_visible()
    representative.fill("港 花子（母・親権者）")
    page.get_by_label("本人の意見・意向").fill("さくらさん本人も「学校の先生に話してもいい」と話した。")
    page.get_by_label("口頭", exact=True).check()
    expect(page.get_by_label("聞き取った職員")).to_have_value(COORDINATOR)  # the signed-in staff member
    expect(page.get_by_label("同意書の文書番号・保管場所")).to_be_hidden()
    page.get_by_label("子ども家庭支援センター", exact=True).check()
    page.get_by_label("保健福祉課（多機関協働事業）", exact=True).check()
    page.get_by_label("家族関係・養育").check()
    page.get_by_label("目的").fill("ヤングケアラー支援のため、子ども家庭支援センターと連携する")
    screenshot(page, "13-coordinator-consent-form-child-through-parent", full_page=True)
    page.get_by_role("button", name="記録する").click()
    expect(page.locator(".alert.success")).to_contain_text("同意の取得")
    consent = page.locator(".consent").first
    expect(consent).to_contain_text("港 さくら（長女）")
    expect(consent).to_contain_text("親権者（港 花子（母・親権者））")
    expect(consent).to_contain_text("口頭（聞き取り：田中 結衣）")
    expect(consent.locator(".tag.review")).to_have_text("要確認")

    page.get_by_role("link", name="会議", exact=True).click()
    support_part = page.locator("fieldset.support-only")
    expect(support_part).to_be_visible()  # 支援会議 is the default kind
    screenshot(page, "14-coordinator-meeting-form")
    page.get_by_label("目的・議題").fill("長女の負担と見守りの検討")
    page.get_by_label("参加者 1", exact=True).select_option(COORDINATOR)
    page.locator("input[name='participants.0.pledged']").check()
    page.get_by_label("参加者 2", exact=True).select_option("hayashi-mai")
    page.locator("input[name='participants.1.pledged']").check()
    support_part.get_by_label("港 さくら（長女・", exact=False).check()
    support_part.get_by_label("基本情報").check()
    support_part.get_by_label("家族関係・養育").check()
    page.get_by_label("外部の構成員の氏名 1").fill("芝 一郎")
    page.get_by_label("外部の構成員の所属 1").fill("芝地区民生委員")
    page.locator("input[name='external_members.0.pledged']").check()
    screenshot(page, "15-coordinator-support-meeting-form-filled", full_page=True)
    page.get_by_label("重層的支援会議", exact=False).first.check()
    expect(support_part).to_be_hidden()
    page.get_by_text("同意なし・守秘義務のもとで").click()
    expect(support_part).to_be_visible()
    page.get_by_role("button", name="記録する").click()
    expect(page.locator(".alert.success")).to_contain_text("会議の記録")
    meeting = page.locator("li.meeting").first
    expect(meeting).to_contain_text("対象：港 さくら（長女）")
    expect(meeting).to_contain_text("情報：基本情報・家族関係・養育")
    until = local_date(demo_site.services.tsunagu.clock()) + timedelta(days=28)
    expect(meeting.locator(".meeting-until")).to_contain_text(f"{until.year}年{until.month}月{until.day}日")
    expect(meeting).not_to_contain_text("共有期間終了")
    meeting.scroll_into_view_if_needed()
    screenshot(page, "16-coordinator-case-with-consent-and-meeting")

    page.locator(".consent").first.get_by_role("link", name="一部撤回を記録").click()
    page.get_by_label("家族関係・養育").check()
    page.get_by_label("理由").fill("家庭のことは学校に伝えないでほしいとの申し出")
    screenshot(page, "17-coordinator-consent-narrowing-form")
    page.get_by_role("button", name="記録する").click()
    expect(page.locator(".alert.success")).to_contain_text("同意の一部撤回")
    expect(page.locator(".consent").first).to_contain_text("一部撤回あり")
    expect(page.locator(".consent").first).not_to_contain_text("家族関係・養育")
