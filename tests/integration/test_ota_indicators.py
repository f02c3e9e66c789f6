"""Ota's own rows, with Ota's names, on both stores: SAPOTA's のべ支援件数 (うち新規相談件数), and the ward's table as
a download laid out like the plan's (title with the 令和 year, rows under their 基本目標, units, Shift_JIS)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest

from api.queries.indicators import indicators_spreadsheet, yearly_indicators
from domain.actor import Actor
from domain.application import Tsunagu
from domain.commands import AdoptPlan, GrantConsent, MatchParticipation, Participant, RequestReferral
from domain.commands.sittings import hold_meeting
from domain.registry import Registry
from domain.vocabulary import ConsentMethod, InformationCategory, MeetingKind, PlanKind, ResourceKind
from infra.bootstrap import load_registry
from infra.demo.staff import with_demo_staff
from infra.settings import WARDS
from tests.integration.test_indicators import MARCH, MAY, caught_up, household, visit

pytestmark = pytest.mark.integration

SAPOTA = "demo-sapota-caseworker-1"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return with_demo_staff(load_registry(WARDS / "ota.json"))


def consult_at(app: Tsunagu, staff_id: str, case_id, at: datetime) -> None:
    from domain.commands import RecordConsultation
    from domain.vocabulary import Field, InformationCategory

    app.execute(app.registry.staff_member(staff_id).as_actor(), RecordConsultation(
        case_id=case_id, field=Field.HIKIKOMORI, category=InformationCategory.CONSULTATION, channel="電話",
        summary="相談", occurred_at=at))


def test_sapota_counts_every_contact_and_as_new_only_a_case_s_first_consultation_there(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    may = datetime(2026, 5, 10, 1, 0, tzinfo=UTC)
    a, (a1,) = household(tsunagu, SAPOTA, "一郎")
    consult_at(tsunagu, SAPOTA, a, MARCH)  # A's first consultation: FY2025
    consult_at(tsunagu, SAPOTA, a, may)
    visit(tsunagu, SAPOTA, a, a1)
    b, (b1,) = household(tsunagu, SAPOTA, "次郎")
    visit(tsunagu, SAPOTA, b, b1, at=datetime(2026, 4, 20, 1, 0, tzinfo=UTC))  # a visit first: not a consultation
    consult_at(tsunagu, SAPOTA, b, may)  # B's first consultation: new in FY2026
    consult_at(tsunagu, SAPOTA, b, may)
    c, _ = household(tsunagu, "demo-jidokan-caseworker-1", "三郎")
    consult_at(tsunagu, "demo-jidokan-caseworker-1", c, may)  # another agency's: not SAPOTA's
    table = yearly_indicators(caught_up(tsunagu, store_env), tsunagu, 2026)
    row = next(r for r in table.rows if r.indicator == "sapota_support")
    assert row.indicator_ja == "ひきこもり支援室SAPOTAにおけるのべ支援件数" and row.of_which_ja == "うち新規相談件数"
    assert (row.value, row.of_which, row.unit) == (5, 1, "件")  # A: 1 consultation + 1 visit, B: 1 + 2; new: B
    jidokan = next(r for r in table.rows if r.indicator == "jidokan_consultations")
    assert jidokan.value == 1
    assert [r.goal for r in table.rows][:2] == ["goal-1", "goal-1"]  # grouped by 基本目標, as the plan's table


def test_the_table_downloads_like_the_ward_s_with_the_reiwa_year_and_in_shift_jis(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    read_models = caught_up(tsunagu, store_env)
    response = indicators_spreadsheet(read_models, tsunagu, 2026, "csv", "shift_jis")
    assert "Shift_JIS" in response.headers["content-type"]
    rows = list(csv.reader(io.StringIO(bytes(response.body).decode("cp932"))))
    assert rows[0] == ["大田区地域福祉計画の基本目標と重層的支援体制整備事業におけるアウトプット指標（令和8年度）"]
    assert rows[1][:6] == ["基本目標", "法対象事業", "番号", "アウトプット指標", "内訳", "実績"]
    goals = [r[0] for r in rows[2:] if r[0]]
    assert goals == ["基本目標1 「つながりを感じることができる地域をめざします」",
                     "基本目標3 「安心して生活できる地域を支えます」"]  # named once per group; goal 2 has no case rows
    meetings = next(r for r in rows[2:] if r[3] == "重層的支援会議の開催回数")
    assert (meetings[2], meetings[5], meetings[8]) == ("5", "0", "回")
    xlsx = indicators_spreadsheet(read_models, tsunagu, 2026, "xlsx")
    assert xlsx.body[:2] == b"PK"


def staff_of(app: Tsunagu, agency: str, role: str = "caseworker") -> tuple[str, Actor]:
    staff_id = f"demo-{agency}-{role}-1"
    return staff_id, app.registry.staff_member(staff_id).as_actor()


def consent_to(app: Tsunagu, by: str, case_id, member: str, *agencies: str) -> None:
    _, actor = staff_of(app, by)
    app.execute(actor, GrantConsent(case_id=case_id, member_id=member, agencies=agencies,
                                    categories=tuple(InformationCategory), purpose="支援のため",
                                    method=ConsentMethod.WRITTEN, document_ref="同意書", valid_until=date(2027, 3, 31),
                                    occurred_at=MAY))


def refer(app: Tsunagu, by: str, case_id, member: str, to: str) -> None:
    _, actor = staff_of(app, by)
    app.execute(actor, RequestReferral(case_id=case_id, to_agency=to, categories=(InformationCategory.BASIC,),
                                       reason="連携", subjects=(member,), occurred_at=MAY))


def sitting(app: Tsunagu, convener: tuple[str, Actor], body: str, kind: MeetingKind, case_id, member: str,
            held_on: date, *attending: str) -> str:
    staff_id, actor = convener
    participants = tuple(Participant(agency=app.registry.staff_member(s).agency, staff=s, pledged=True)
                         for s in (staff_id, *attending))
    return app.execute(actor, hold_meeting(
        kind, case_id=case_id, held_on=held_on, body_id=body, start_time=time(14, 0), purpose="個別ケースの検討",
        participants=participants, tabled_subjects=(member,), tabled_categories=(InformationCategory.BASIC,),
        until=held_on + timedelta(days=60), occurred_at=datetime(held_on.year, held_on.month, held_on.day, 6,
                                                                 tzinfo=UTC))).created_id or ""


def test_each_of_otas_other_rows_counts_what_its_definition_says_on_a_hand_made_year(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    a, (a1,) = household(tsunagu, "demo-childcare-advisor-caseworker-1", "一子")
    b, (b1,) = household(tsunagu, "demo-jobota-caseworker-1", "二郎")
    c, (c1,) = household(tsunagu, SAPOTA, "三郎")
    consult_at(tsunagu, "demo-childcare-advisor-caseworker-1", a, MAY)
    consult_at(tsunagu, "demo-childcare-advisor-caseworker-1", a, MAY)
    consent_to(tsunagu, "jobota", b, b1, "childcare-advisor", "sapota")
    refer(tsunagu, "jobota", b, b1, "childcare-advisor")  # the adviser's うち: a consultation another agency sent
    refer(tsunagu, "jobota", b, b1, "sapota")  # B again: JOBOTA counts cases, not referrals
    consent_to(tsunagu, "sapota", c, c1, "jobota", "coordination-omori")
    refer(tsunagu, "sapota", c, c1, "jobota")  # C: JOBOTA on the receiving side
    consent_to(tsunagu, "childcare-advisor", a, a1, "community-coordination")
    _, matcher = staff_of(tsunagu, "community-coordination")
    tsunagu.execute(matcher, MatchParticipation(case_id=a, member_id=a1, resource_name="地域のサロン",
                                                resource_kind=ResourceKind.SALON, starts_on=date(2026, 6, 1),
                                                occurred_at=MAY))
    care = staff_of(tsunagu, "elderly", "coordinator")
    may_sitting = date(2026, 5, 15)  # one sitting of the 地域ケア会議 discussing A and B; the 基幹 centre attends
    sitting(tsunagu, care, "community-care", MeetingKind.COMMUNITY_CARE, a, a1, may_sitting,
            "demo-disability-support-caseworker-1")
    sitting(tsunagu, care, "community-care", MeetingKind.COMMUNITY_CARE, b, b1, may_sitting,
            "demo-disability-support-caseworker-1")
    sitting(tsunagu, care, "community-care", MeetingKind.COMMUNITY_CARE, c, c1, date(2026, 5, 20))  # without it
    omori = staff_of(tsunagu, "coordination-omori", "coordinator")
    support = sitting(tsunagu, omori, "multi-layered-omori", MeetingKind.SUPPORT, c, c1, date(2026, 5, 25), SAPOTA)
    tsunagu.execute(omori[1], AdoptPlan(case_id=c, meeting_id=support, goals=("月1回の訪問",), roles=(),
                                        next_review_on=date(2026, 8, 25), kind=PlanKind.OUTREACH,
                                        occurred_at=datetime(2026, 5, 25, 7, tzinfo=UTC)))

    rows = {r.indicator: r for r in yearly_indicators(caught_up(tsunagu, store_env), tsunagu, 2026).rows}
    assert (rows["childcare_advisor_consultations"].value, rows["childcare_advisor_consultations"].of_which) == (2, 1)
    assert rows["jobota_collaboration_cases"].value == 2  # B and C
    assert rows["community_coordination_matches"].value == 1
    assert rows["community_care_case_discussions"].value == 3  # A and B at one sitting, C at another
    assert rows["disability_support_meetings_attended"].value == 1  # one sitting, however many cases
    assert rows["outreach_plans"].value == 1
