"""The five ward configurations shipped in ``infra/wards/``: each holds the agencies and meeting bodies its
seed (the ward's own plan, ``../shared/seeds/``) names, as the seed writes them, and no other; the registry
refuses a configuration that does not hold together; and the ward file reaches the running parts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from domain.errors import NotFound
from domain.registry import Registry
from domain.vocabulary import Field, MeetingKind, Role
from infra.bootstrap import load_registry, policy, ward_overrides, ward_registry
from infra.referral_feed import referral_feed_settings
from infra.settings import WARDS, Settings

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_OF = {"minato": "000_730db0a7f109a501.txt", "chuo": "001_384bd0ce6b92f302.txt",
           "bunkyo": "002_10d963fa7997e3e5.txt", "ota": "003_92dcc3047278c2f1.txt",
           "toshima": "004_a06aef761f5e47a8.txt"}

MINATO_DISTRICTS = ("shiba", "azabu", "akasaka", "takanawa", "shibaura-konan")
OTA_AREAS = ("omori", "chofu", "kamata", "kojiya-haneda")

# (name as the seed writes it, the seed's line holding it, the configuration's agencies it stands for)
AGENCIES: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {
    "minato": [
        ("保健福祉課", 259, ("coordination", "audit-office")),  # 事務局; the audit office is part of it
        ("福祉総合窓口", 43, tuple(f"general-{d}" for d in MINATO_DISTRICTS)),
        ("高齢者相談センター", 101, tuple(f"elderly-{d}" for d in MINATO_DISTRICTS)),
        ("障害者基幹相談支援センター", 108, ("disability-core",)),
        ("障害保健福祉センター", 108, ("disability-health-welfare",)),
        ("新橋はつらつ太陽", 108, ("disability-shimbashi",)),
        ("精神障害者支援センター", 108, ("disability-mental",)),
        ("障害者支援ホーム南麻布", 108, ("disability-minamiazabu",)),
        ("子ども家庭支援センター", 115, ("children-family",)),
        ("子育てひろば あい・ぽーと", 115, ("children-aiport",)),
        ("こども家庭センター", 129, ("children-center",)),
        ("みなと保健所", 136, ("health-center",)),
        ("港区生活・就労支援センター", 143, ("livelihood",)),
        ("港区ひきこもり支援専用相談窓口", 150, ("hikikomori",)),
        ("港区児童相談所", 154, ("child-guidance",)),
        ("在宅療養相談センター", 43, ("home-care",)),
        ("港区社会福祉協議会", 43, ("shakyo",)),
        ("ふれあい相談室", 241, ("fureai",)),
    ],
    "chuo": [
        ("管理課", 93, ("kanri",)),
        ("福祉総合相談窓口（仮称）", 37, ("general-kyobashi", "general-nihonbashi", "general-tsukishima")),
        ("おとしより相談センター", 33, ("elderly",)),
        ("基幹相談支援センター", 34, ("disability-core",)),
        ("子ども家庭支援センター", 35, ("children-family",)),
        ("あかちゃん天国", 35, ("akachan-tengoku",)),
        ("保健所(保健センター)", 35, ("health-center",)),
        ("くらしとしごとの相談", 36, ("kurashi-shigoto",)),
        ("地域福祉コーディネーター", 73, ("community-coordinator",)),
        ("中央区社会福祉協議会", 145, ("shakyo",)),
    ],
    "bunkyo": [
        ("多機関協働事業", 180, ("coordination",)),
        ("高齢者あんしん相談センター", 20, ("elderly",)),
        ("障害者基幹相談支援センター", 21, ("disability-core",)),
        ("子ども家庭支援センター", 22, ("children-family",)),
        ("児童発達支援センター", 23, ("child-development",)),
        ("保健所", 24, ("health-center",)),
        ("教育センター", 25, ("education-center",)),
        ("権利擁護センター(あんしんサポート文京)", 27, ("advocacy-center",)),
        ("ボランティア支援センター", 28, ("volunteer-center",)),
        ("ファミコム(地域連携ステーション)", 29, ("famicom",)),
        ("ファミリー・サポート・センター", 30, ("family-support",)),
        ("文京区社会福祉協議会", 36, ("shakyo",)),
        ("地域福祉コーディネーター", 40, ("community-coordinator",)),
    ],
    "ota": [
        ("福祉管理課", 184, ("welfare-management",)),
        ("多機関連携調整担当", 238, tuple(f"coordination-{a}" for a in OTA_AREAS)),
        ("地域包括支援センター", 207, ("elderly",)),
        ("大田区立障がい者総合サポートセンター", 181, ("disability-support",)),
        ("地域健康課", 182, ("community-health",)),
        ("こども家庭センター", 211, ("children-center",)),
        ("児童館", 210, ("jidokan",)),
        ("保育サービスアドバイザー", 182, ("childcare-advisor",)),
        ("大田区生活再建・就労サポートセンターJOBOTA", 183, ("jobota",)),
        ("蒲田生活福祉課", 183, ("kamata-livelihood",)),
        ("大田区ひきこもり支援室SAPOTA", 185, ("sapota",)),
        ("大田区若者サポートセンターフラットおおた", 187, ("flat-ota",)),
        ("ヤングケアラー・コーディネーター", 224, ("young-carer",)),
        ("地域福祉コーディネート事業", 186, ("community-coordination",)),
        ("子ども家庭支援センター", 196, ("children-family",)),
        ("おおたこども家庭センター", 196, ("ota-children-family",)),
        ("大田区社会福祉協議会", 306, ("shakyo",)),
    ],
    "toshima": [
        ("保健福祉部 福祉総務課", 823, ("welfare-general-affairs",)),
        ("高齢者総合相談センター", 443, ("elderly-centers",)),  # ８か所, unnamed in the seed: one agency for them
        ("心身障害者福祉センター", 445, ("disability-center",)),
        ("子育てインフォメーション", 450, ("childcare-information",)),
        ("保育課", 452, ("childcare-division",)),
        ("池袋保健所", 454, ("ikebukuro-health",)),
        ("長崎健康相談所", 456, ("nagasaki-health",)),
        ("くらし・しごと相談支援センター", 458, ("kurashi-shigoto",)),
        ("ひきこもり相談窓口", 598, ("hikikomori",)),
        ("コミュニティソーシャルワーク事業", 600, ("csw",)),
        ("子ども若者総合相談アシスとしま", 656, ("asis-toshima",)),
        ("地域生活支援センター「こかげ」", 604, ("kokage",)),
        ("保健福祉部 高齢者福祉課", 824, ("elderly-welfare",)),
        ("保健福祉部 障害福祉課", 825, ("disability-welfare",)),
        ("保健福祉部 生活福祉課", 826, ("livelihood-welfare",)),
        ("保健福祉部 西部生活福祉課", 827, ("west-livelihood-welfare",)),
        ("保健福祉部 介護保険課", 828, ("care-insurance",)),
        ("保健福祉部 健康推進課", 829, ("health-promotion",)),
        ("子ども家庭部 子ども若者課", 831, ("children-youth",)),
        ("子ども家庭部 子育て支援課", 832, ("childcare-support",)),
        ("子ども家庭部 （仮称）児童相談所", 833, ("child-guidance",)),
        ("子ども家庭部 子ども家庭支援センター", 834, ("children-family",)),
        ("都市整備部 住宅課", 835, ("housing",)),
        ("教育部 教育センター", 836, ("education-center",)),
        ("豊島区民社会福祉協議会 地域相談支援課", 837, ("shakyo",)),
    ],
}

# Where the seed says how many there are: (line, the words, the names above whose agencies make that many)
COUNTS: dict[str, list[tuple[int, str, tuple[str, ...], int]]] = {
    "minato": [(43, "総合支所（5地区）", ("福祉総合窓口",), 5), (102, "5 か所", ("高齢者相談センター",), 5),
               (109, "5 か所", ("障害者基幹相談支援センター", "障害保健福祉センター", "新橋はつらつ太陽",
                               "精神障害者支援センター", "障害者支援ホーム南麻布"), 5),
               (116, "2 か所", ("子ども家庭支援センター", "子育てひろば あい・ぽーと"), 2)],
    "chuo": [(37, "日常生活圏域ごとに設置する", ("福祉総合相談窓口（仮称）",), 3)],  # 京橋・日本橋・月島
    "bunkyo": [], "ota": [], "toshima": [],
}

# (name as the seed writes it, its line, the configuration's meeting bodies it stands for)
BODIES: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {
    "minato": [("重層的支援プラン検討会議", 258, ("plan-meeting",)), ("支援会議", 258, ("support-meeting",))],
    "chuo": [("重層的支援会議", 95, ("multi-layered",)), ("支援会議", 96, ("support",))],
    "bunkyo": [("支援会議", 185, ("support",)), ("重層的支援会議", 207, ("multi-layered",))],
    "ota": [("重層的支援会議", 240, tuple(f"multi-layered-{a}" for a in OTA_AREAS)),
            ("地域ケア会議", 333, ("community-care",))],
    "toshima": [("福祉包括化推進会議", 712, ("promotion-council",)),
                ("福祉包括化推進部会", 750, ("promotion-subcommittee",)),
                ("地域ケア個別会議", 679, ("community-care",)), ("個別ケース検討会議", 681, ("child-protection",))],
}

MINATO_STORED_AGENCIES = (
    "coordination", "audit-office", "general-shiba", "general-azabu", "general-akasaka", "general-takanawa",
    "general-shibaura-konan", "elderly-shiba", "elderly-azabu", "elderly-akasaka", "elderly-takanawa",
    "elderly-shibaura-konan", "disability-core", "disability-health-welfare", "disability-shimbashi",
    "disability-mental", "disability-minamiazabu", "children-family", "children-center", "children-aiport",
    "child-guidance", "livelihood", "hikikomori", "health-center", "home-care", "shakyo")
"""The agency ids Minato's events have been stored with: the file must keep every one."""


class SeedLines:
    """The ward plan's lines, where the tables above were transcribed from. Without the plans beside the
    repository (a clone on its own), the configuration is still checked against the transcription; only
    the transcription's own check against the plan's line is left out."""

    def __init__(self, ward: str) -> None:
        path = SEEDS / SEED_OF[ward]
        self.lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else None

    def says(self, words: str, line: int) -> bool:
        return self.lines is None or words in self.lines[line - 1]


def seed_lines(ward: str) -> SeedLines:
    return SeedLines(ward)


def registry_of(ward: str) -> Registry:
    return load_registry(WARDS / f"{ward}.json")


def test_every_ward_in_the_seeds_ships_a_configuration_and_nothing_else_does() -> None:
    assert sorted(path.stem for path in WARDS.glob("*.json")) == sorted(SEED_OF)
    for ward in SEED_OF:
        assert registry_of(ward).ward.id == ward


@pytest.mark.parametrize("ward", sorted(SEED_OF))
def test_each_agency_the_seed_lists_is_configured_under_the_seeds_name_and_no_other_is(ward: str) -> None:
    lines, registry = seed_lines(ward), registry_of(ward)
    listed: list[str] = []
    for name, line, agency_ids in AGENCIES[ward]:
        assert lines.says(name, line), f"line {line} of the {ward} seed names {name}"
        for agency_id in agency_ids:
            assert name in registry.agency(agency_id).name_ja, f"{agency_id} is named as the seed names it"
        listed += agency_ids
    assert len(listed) == len(set(listed)), "each configured agency stands for one name in the seed"
    assert sorted(listed) == sorted(a.id for a in registry.agencies), "the counts match: no agency the seed lacks"


@pytest.mark.parametrize("ward", sorted(SEED_OF))
def test_where_the_seed_counts_an_agencys_places_the_configuration_has_as_many(ward: str) -> None:
    lines, rows = seed_lines(ward), {name: ids for name, _, ids in AGENCIES[ward]}
    for line, words, names, count in COUNTS[ward]:
        assert lines.says(words, line)
        assert sum(len(rows[name]) for name in names) == count


@pytest.mark.parametrize("ward", sorted(SEED_OF))
def test_each_meeting_body_the_seed_names_is_configured_and_no_other_is(ward: str) -> None:
    lines, registry = seed_lines(ward), registry_of(ward)
    listed: list[str] = []
    for name, line, body_ids in BODIES[ward]:
        assert lines.says(name, line)
        listed += [body_id for body_id in body_ids if name in registry.meeting_body(body_id).name_ja]
    assert sorted(listed) == sorted(b.id for b in registry.meeting_bodies)


@pytest.mark.parametrize("ward", sorted(SEED_OF))
def test_each_ward_can_coordinate_share_without_consent_and_escalate(ward: str) -> None:
    registry = registry_of(ward)
    assert registry.bodies_of_kind(MeetingKind.MULTI_LAYERED) and registry.bodies_of_kind(MeetingKind.SUPPORT)
    assert registry.support_meeting_office and registry.escalation_target
    assert any(5 in a.projects for a in registry.agencies), "someone runs 多機関協働 (第5号)"


def test_minato_keeps_every_agency_id_its_stored_events_name() -> None:
    registry = registry_of("minato")
    assert all(registry.has_agency(agency_id) for agency_id in MINATO_STORED_AGENCIES)
    assert registry.staff, "Minato's file keeps its staff"


def test_the_wards_own_words_come_from_their_seeds() -> None:
    ota, toshima, chuo = registry_of("ota"), registry_of("toshima"), registry_of("chuo")
    assert seed_lines("ota").says("障がい", 74) and ota.spell(Field.DISABILITY.label_ja) == "障がい"
    assert ota.agency("disability-support").name_ja == "大田区立障がい者総合サポートセンター"
    assert seed_lines("ota").says("18歳や40歳、65歳", 110) and ota.practice.transition_ages == (18, 40, 65)
    for registry, ward, line, title in ((toshima, "toshima", 380, "福祉包括化推進員"),
                                        (chuo, "chuo", 92, "相談支援包括化推進員"),
                                        (ota, "ota", 238, "多機関連携調整担当")):
        assert seed_lines(ward).says(title, line) and registry.role_title(Role.COORDINATOR) == title
    assert registry_of("bunkyo").role_title(Role.CASEWORKER) == Role.CASEWORKER.label_ja


def test_otas_reorganisation_of_1_august_2026_hands_one_centre_to_the_next() -> None:
    ota = registry_of("ota")
    assert seed_lines("ota").says("令和8年8月1日", 196)
    old, new = ota.agency("children-family"), ota.agency("ota-children-family")
    assert old.succeeded_by == new.id
    assert old.active_on(date(2026, 7, 31)) and not old.active_on(date(2026, 8, 1))
    assert new.active_on(date(2026, 8, 1)) and not new.active_on(date(2026, 7, 31))
    assert old not in ota.agencies_active_on(date(2026, 8, 1)) and new in ota.agencies_active_on(date(2026, 8, 1))


def test_otas_areas_nest_their_branch_office_districts_and_toshimas_subcommittee_sits_under_its_council() -> None:
    ota, toshima = registry_of("ota"), registry_of("toshima")
    assert ota.district_lineage("kamata-nishi") == ["kamata-nishi", "kamata"]
    assert len([d for d in ota.districts if d.parent is None]) == 4
    assert {d.id for d in ota.leaf_districts()} == {d.id for d in ota.districts if d.parent is not None}
    both = ota.meeting_body("multi-layered-kamata")
    assert both.kinds == (MeetingKind.MULTI_LAYERED, MeetingKind.SUPPORT) and both.office == "coordination-kamata"
    subcommittee = toshima.meeting_body("promotion-subcommittee")
    assert subcommittee.parent == "promotion-council" and MeetingKind.SUPPORT in subcommittee.kinds
    assert toshima.bodies_of_kind("child_protection") == (toshima.meeting_body("child-protection"),)
    with pytest.raises(NotFound):
        toshima.meeting_body("plan-meeting")


# ----- the registry refuses a configuration that does not hold together -----------------------------

def minimal(**changes: Any) -> dict[str, Any]:
    registry: dict[str, Any] = {
        "ward": {"id": "w", "name_ja": "区", "name_en": "Ward"},
        "districts": [{"id": "a", "name_ja": "A", "name_en": "A"}],
        "agencies": [{"id": "office", "name_ja": "課", "name_en": "Division", "field": "general"},
                     {"id": "desk", "name_ja": "窓口", "name_en": "Desk", "field": "elderly", "district": "a"}],
        "staff": [],
        "meeting_bodies": [{"id": "m", "name_ja": "会議", "name_en": "Meeting", "kinds": ["support"],
                            "office": "office"}],
    }
    registry.update(changes)
    return registry


def with_agency(**fields: Any) -> dict[str, Any]:
    return minimal(agencies=[*minimal()["agencies"], {"id": "x", "name_ja": "x", "name_en": "x",
                                                       "field": "general", **fields}])


def with_body(**fields: Any) -> dict[str, Any]:
    return minimal(meeting_bodies=[*minimal()["meeting_bodies"], {"id": "b", "name_ja": "b", "name_en": "b",
                                                                   "kinds": ["multi_layered"], "office": "office",
                                                                   **fields}])


def test_a_minimal_configuration_holds_together() -> None:
    registry = Registry.model_validate(minimal())
    assert registry.practice.transition_ages == (18, 40, 65) and registry.practice.consent_max_days == 366
    assert registry.meeting_body("m").kinds == (MeetingKind.SUPPORT,)
    assert hash(registry) == hash(Registry.model_validate(minimal())), "a registry stays hashable"


@pytest.mark.parametrize("broken", [
    minimal(districts=[{"id": "a", "name_ja": "A", "name_en": "A", "parent": "nowhere"}]),
    minimal(districts=[{"id": "a", "name_ja": "A", "name_en": "A", "parent": "b"},
                       {"id": "b", "name_ja": "B", "name_en": "B", "parent": "a"}]),
    with_agency(operating_body="社会福祉法人"),  # 運営主体 only for 委託
    with_agency(projects=[7]),
    with_agency(projects=[1, 1]),
    with_agency(field="general", other_fields=["general"]),
    with_agency(field="transport"),
    with_agency(valid_from="2026-08-01", valid_until="2026-07-31"),
    with_agency(succeeded_by="desk"),  # only an agency that ends is succeeded
    with_agency(valid_until="2026-07-31", succeeded_by="nobody"),
    with_agency(district="nowhere"),
    with_body(office="nobody"),
    with_body(members=["desk", "nobody"]),
    with_body(members=["desk", "desk"]),
    with_body(kinds=[]),
    with_body(kinds=["support", "support"]),
    with_body(kinds=["case_conference"]),
    with_body(parent="nothing"),
    with_body(id="m"),
    minimal(meeting_bodies=[{"id": "p", "name_ja": "p", "name_en": "p", "kinds": ["support"], "office": "office",
                             "parent": "q"},
                            {"id": "q", "name_ja": "q", "name_en": "q", "kinds": ["support"], "office": "office",
                             "parent": "p"}]),
    minimal(escalation_target="nobody"),
    minimal(support_meeting_office="nobody"),
    minimal(practice={"transition_ages": [65, 18]}),
    minimal(practice={"transition_ages": []}),
    minimal(practice={"transition_ages": [0, 18]}),
    minimal(practice={"spelling": {"": "x"}}),
    minimal(practice={"role_titles": {"coordinator": " "}}),
    minimal(practice={"consent_max_days": 0}),
    minimal(practice={"support_meeting_max_days": 367}),
    minimal(practice={"unknown": 1}),
])
def test_a_configuration_that_does_not_hold_together_is_refused_on_load(broken: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Registry.model_validate(broken)


# ----- the ward file reaches the running parts ---------------------------------------------------------

def test_the_ward_is_chosen_by_tsunagu_ward_unless_a_registry_path_is_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(data_dir=tmp_path).registry_path == WARDS / "minato.json"
    monkeypatch.setenv("TSUNAGU_WARD", "ota")
    assert Settings(data_dir=tmp_path).registry_path == WARDS / "ota.json"
    monkeypatch.setenv("TSUNAGU_REGISTRY_PATH", str(tmp_path / "own.json"))
    assert Settings(data_dir=tmp_path).registry_path == tmp_path / "own.json"
    assert Settings(data_dir=tmp_path, **ward_overrides("toshima")).registry_path == WARDS / "toshima.json"
    for unknown in ("nerima", "../minato", "Ota"):
        with pytest.raises(ValidationError):
            Settings(data_dir=tmp_path, ward=unknown)


def test_the_policy_takes_the_wards_periods_and_ages_unless_a_setting_overrides_them(tmp_path: Path) -> None:
    ota = json.loads((WARDS / "ota.json").read_text(encoding="utf-8"))
    ota["practice"].update(consent_max_days=180, support_meeting_max_days=60, transition_ages=[15, 18, 40, 65])
    (tmp_path / "ota.json").write_text(json.dumps(ota, ensure_ascii=False), encoding="utf-8")
    own = Settings(data_dir=tmp_path, registry_path=tmp_path / "ota.json")
    ward = policy(own)
    assert (ward.consent_max_days, ward.support_meeting_max_days) == (180, 60)
    assert ward.transition_ages == (15, 18, 40, 65)
    overridden = policy(own.model_copy(update={"consent_max_days": 90, "transition_ages": (18, 65)}))
    assert overridden.consent_max_days == 90 and overridden.transition_ages == (18, 65)
    assert overridden.support_meeting_max_days == 60
    assert policy(Settings(data_dir=tmp_path)).consent_max_days == 366


def test_demo_staff_exist_only_in_a_demo_process_and_only_for_a_ward_file_without_staff(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_DEMO", "true")
    monkeypatch.setenv("TSUNAGU__DEMO", "true")
    ota = Settings(data_dir=tmp_path, ward="ota")
    assert not ota.demo and ward_registry(ota).staff == ()
    demo = ward_registry(ota.as_demo())
    assert demo.staff and all(s.id.startswith("demo-") for s in demo.staff)
    assert {Role.COORDINATOR, Role.CASEWORKER, Role.AUDITOR} <= {r for s in demo.staff for r in s.roles}
    assert all(demo.works_for(s.id, s.agency) for s in demo.staff)
    minato = Settings(data_dir=tmp_path).as_demo()
    assert ward_registry(minato) == load_registry(WARDS / "minato.json"), "Minato's own staff, no demo staff"


def test_escalations_go_to_the_wards_target_unless_the_referral_setting_names_another(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert referral_feed_settings(registry_of("ota")).coordination_agency == "welfare-management"
    assert referral_feed_settings(registry_of("minato")).coordination_agency == "coordination"
    monkeypatch.setenv("TSUNAGU_REFERRALS_COORDINATION_AGENCY", "sapota")
    assert referral_feed_settings(registry_of("ota")).coordination_agency == "sapota"
