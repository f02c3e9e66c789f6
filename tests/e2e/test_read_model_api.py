"""The read models over HTTP: case list, workloads, indicators with downloads, and the auditor's pages."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.support import access_records

pytestmark = pytest.mark.integration

ELDERLY, HIKIKOMORI, COORDINATOR, AUDITOR = "suzuki-kenta", "takahashi-aoi", "tanaka-yui", "watanabe-makoto"


@pytest.fixture
def household(client, auth) -> dict:
    opened = client.post("/cases", json={"household_name": "佐藤家", "household_name_kana": "さとうけ",
                                         "district": "shiba"}, headers=auth(ELDERLY)).json()
    case = f"/cases/{opened['case_id']}"
    member = client.post(f"{case}/members", json={"name": "佐藤 健一", "name_kana": "さとう けんいち",
                                                  "birth_date": "1975-04-02", "relationship": "長男",
                                                  "is_principal": True}, headers=auth(ELDERLY)).json()
    client.post(f"{case}/consultations", json={"field": "elderly", "summary": "介護の相談"}, headers=auth(ELDERLY))
    meeting = client.post(f"{case}/meetings", headers=auth(COORDINATOR), json={
        "kind": "support", "held_on": "2026-06-01", "purpose": "共有",
        "participants": [{"agency": "elderly-shiba", "staff": ELDERLY, "pledged": True},
                         {"agency": "hikikomori", "staff": HIKIKOMORI, "pledged": True}],
        "tabled_subjects": [member["id"]], "tabled_categories": ["basic", "consultation", "support"],
        "until": "2026-08-31"}).json()
    return {"case_id": opened["case_id"], "member_id": member["id"], "position": meeting["position"]}


def test_case_list_waits_for_the_write_and_shows_only_involved_agencies_cases(client, auth, household,
                                                                           tsunagu) -> None:
    after = {"after": household["position"]}
    mine = client.get("/cases", params=after, headers=auth(ELDERLY)).json()["cases"]
    assert [c["case_id"] for c in mine] == [household["case_id"]]
    # A row shows what the reader's granted entries say, and is a recorded read like opening the case.
    assert mine[0]["household_name"] == "佐藤家"
    [listed] = [r for r in access_records(tsunagu) if str(r.originator_id) == mine[0]["access_record_id"]]
    assert (listed.purpose, listed.reader_staff, listed.case_id) == ("list", ELDERLY, household["case_id"])
    met = client.get("/cases", params=after, headers=auth(HIKIKOMORI)).json()["cases"]  # a 支援会議 member
    assert [c["case_id"] for c in met] == [household["case_id"]]
    assert client.get("/cases", params=after, headers=auth("inoue-kazuki")).json()["cases"] == []
    assert len(client.get("/cases", params=after, headers=auth(AUDITOR)).json()["cases"]) == 1


def test_read_your_writes_gives_503_rather_than_a_stale_answer_when_the_models_lag(client, auth, services) -> None:
    services.runner.stop()
    services.settings.read_wait_seconds = 0.2
    opened = client.post("/cases", json={"household_name": "鈴木家", "household_name_kana": "すずきけ"},
                         headers=auth(ELDERLY)).json()
    response = client.get("/cases", params={"after": opened["position"]}, headers=auth(ELDERLY))
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    ahead = client.get("/cases", params={"after": opened["position"] + 1}, headers=auth(ELDERLY))
    assert ahead.status_code == 422 and ahead.json()["detail"]["code"] == "position_not_written"


def test_workload_of_another_agency_is_for_coordinators_only(client, auth, household) -> None:
    after = {"after": household["position"], "as_of": "2026-06-30"}
    own = client.get("/workloads/elderly-shiba", params=after, headers=auth(ELDERLY))
    assert own.status_code == 200 and own.json()["cases_led"] == 1
    assert own.json()["agency_name_ja"].endswith("高齢者相談センター")
    assert client.get("/workloads/hikikomori", params=after, headers=auth(ELDERLY)).status_code == 403
    other = client.get("/workloads/hikikomori", params=after, headers=auth(COORDINATOR)).json()
    assert other["meetings_this_fiscal_year"] == 1


def test_indicators_download_as_csv_and_xlsx_with_japanese_headers(client, auth, household) -> None:
    params = {"after": household["position"]}
    table = client.get("/indicators/2026", params=params, headers=auth(COORDINATOR)).json()
    assert table["label_ja"] == "令和8年度" and table["period"] == ["2026-04-01", "2027-03-31"]
    rows = {(r["indicator"], r["key"]): r["value"] for r in table["rows"]}
    assert rows[("support_meetings", "")] == 1 and rows[("consultations", "elderly")] == 1
    csv = client.get("/indicators/2026/download", params={**params, "format": "csv"}, headers=auth(COORDINATOR))
    assert csv.content.startswith("\ufeff".encode()) and "アウトプット指標,内訳,実績" in csv.text
    assert csv.text.splitlines()[0] == "\ufeff重層的支援体制整備事業のアウトプット指標（令和8年度）"
    sjis = client.get("/indicators/2026/download", params={**params, "format": "csv", "encoding": "shift_jis"},
                      headers=auth(COORDINATOR))
    assert "アウトプット指標,内訳,実績" in sjis.content.decode("cp932")
    assert "filename*=UTF-8''" in csv.headers["content-disposition"]
    xlsx = client.get("/indicators/2026/download", params={**params, "format": "xlsx"}, headers=auth(COORDINATOR))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.title == "令和8年度" and sheet["A1"].value == "重層的支援体制整備事業のアウトプット指標（令和8年度）"
    assert sheet["D2"].value == "アウトプット指標"
    assert any(row[3].value == "支援会議の開催回数" and row[5].value == 1 for row in sheet.iter_rows(min_row=3))


def test_the_wards_office_submits_a_years_figures_once_and_a_later_record_shows_as_a_difference(
        client, auth, household, tsunagu) -> None:
    params = {"after": household["position"]}
    refused = client.post("/indicators/2026/submission", params=params, headers=auth(ELDERLY))
    assert refused.status_code == 403 and tsunagu.indicator_submission(2026) is None
    submitted = client.post("/indicators/2026/submission", params=params, headers=auth(COORDINATOR))
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["submission"]["by_staff"] == COORDINATOR
    again = client.post("/indicators/2026/submission", params=params, headers=auth(COORDINATOR))
    assert again.status_code == 409
    later = client.post(f"/cases/{household['case_id']}/consultations", headers=auth(ELDERLY),
                        json={"field": "elderly", "summary": "再度の相談"})
    assert later.status_code == 201, later.text
    table = client.get("/indicators/2026", params={"after": later.json()["position"]}, headers=auth(COORDINATOR))
    [row] = [r for r in table.json()["rows"] if (r["indicator"], r["key"]) == ("consultations", "elderly")]
    assert (row["submitted"], row["value"], row["difference"]) == (1, 2, 1)


def test_audit_pages_are_for_auditors_and_show_the_unconsented_access(client, auth, household) -> None:
    case = household["case_id"]
    read = client.get(f"/cases/{case}/timeline", headers=auth(HIKIKOMORI))
    assert {e["basis"] for e in read.json()["entries"]} == {"SUPPORT_MEETING"}
    params = {"after": household["position"] + 1, "member_id": household["member_id"]}
    assert client.get("/audit/unconsented", params=params, headers=auth(COORDINATOR)).status_code == 403
    [access] = client.get("/audit/unconsented", params=params, headers=auth(AUDITOR)).json()["accesses"]
    assert access["reader_staff"] == HIKIKOMORI and access["meetings"][0]["members"] == ["elderly-shiba",
                                                                                         "hikikomori"]
    exported = client.get("/audit/access", params={**params, "format": "csv"}, headers=auth(AUDITOR))
    assert exported.text.startswith("\ufeff判定日時（日本時間）") and HIKIKOMORI in exported.text
    assert "高橋 葵" in exported.text, "the API's CSV names the reader, as the auditor's page does"
    verify = client.get("/audit/verify", headers=auth(AUDITOR)).json()
    assert verify["ok"] and verify["records_checked"] == 1


def test_emergency_access_waits_in_the_review_queue_until_an_auditor_reviews_it(client, auth, household) -> None:
    case = household["case_id"]
    granted = client.post(f"/cases/{case}/emergency-access", headers=auth("inoue-kazuki"),
                          json={"reason": "本人と連絡が取れず、室内で倒れている可能性がある"}).json()
    queue = client.get("/audit/emergency-access", params={"after": granted["position"]},
                       headers=auth(AUDITOR)).json()["emergency_accesses"]
    assert [(g["grant_id"], g["staff"]) for g in queue] == [(granted["id"], "inoue-kazuki")]
    reviewed = client.post(f"/audit/emergency-access/{case}/{granted['id']}/review", headers=auth(AUDITOR),
                           json={"justified": True, "finding": "安否確認のため必要な範囲"})
    assert reviewed.status_code == 200
    assert client.get("/audit/emergency-access", params={"after": reviewed.json()["position"]},
                      headers=auth(AUDITOR)).json()["emergency_accesses"] == []
    refused = client.post(f"/audit/emergency-access/{case}/{granted['id']}/review", headers=auth(COORDINATOR),
                          json={"justified": True, "finding": "x"})
    assert refused.status_code == 403
