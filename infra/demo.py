"""A realistic ward year of demo data, written through the domain.

``seed_demo`` plays out one fiscal year of a ward's household cases (8050, double
care, young carers, support refusal, hoarding, poverty, disability, hikikomori,
老老介護) as the agencies would record them: every record is a domain command issued
by a staff member of the ward registry, through ``Tsunagu.open_case``,
``Tsunagu.update_case`` and ``Tsunagu.grant_emergency_access``, so the domain's
rules (consent, 支援会議, coordinators, dates) hold for the demo as for real use.

Each household's story has its own random stream (derived from ``seed`` and the
household's number) and is cut off at ``until``: the same seed and ``until`` give
the same events; a later ``until`` carries the same stories further.

Emergency (break-glass) access is always dated by the application's clock, as the
application records it; it is the last record of its case.
"""

from __future__ import annotations

import random
import time as _time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from domain.access import decide_case
from domain.actor import Actor
from domain.application import Tsunagu
from domain.calendar import JST, age_on, local_date
from domain.case import Case
from domain.registry import Registry
from domain.vocabulary import Basis, ConsentMethod, DecisionKind, Field, IssueTag, MeetingKind, ResourceKind, Role
from domain.vocabulary import InformationCategory as Cat
from domain.vocabulary import VisitOutcome as Visit

COORDINATION = "coordination"
HIKIKOMORI = "hikikomori"
LIVELIHOOD = "livelihood"
CHILDREN = "children-family"
CHILD_GUIDANCE = "child-guidance"
DISABILITY = "disability-core"
SHAKYO = "shakyo"
HEALTH = "health-center"
WARD_WIDE_AGENCIES = (COORDINATION, HIKIKOMORI, LIVELIHOOD, CHILDREN, CHILD_GUIDANCE, DISABILITY, SHAKYO, HEALTH)

SHOWCASE_COORDINATOR = "tanaka-yui"
SHOWCASE_HIKIKOMORI = "takahashi-aoi"

ALL_CATEGORIES = list(Cat)

SCENARIO_LABELS = {
    "8050": "8050世帯",
    "hikikomori": "ひきこもり",
    "double_care": "ダブルケア",
    "young_carer": "ヤングケアラー",
    "refusal": "支援拒否（独居高齢者）",
    "hoarding": "ごみ屋敷",
    "poverty": "生活困窮",
    "disability": "障害（親亡き後）",
    "disability_child": "障害のある子（18歳の制度切替）",
    "elderly_couple": "老老介護（総合窓口）",
}

# Rough shares of a ward's year (per 100 households).
SCENARIO_WEIGHTS = {
    "8050": 22, "hikikomori": 7, "double_care": 9, "young_carer": 7, "refusal": 10, "hoarding": 7,
    "poverty": 18, "disability": 9, "disability_child": 3, "elderly_couple": 8,
}

# The first households of every run: early in the year, so that even a small run shows
# the showcases and every kind of record. (scenario, forced features, assigned staff)
FIXED_HOUSEHOLDS: tuple[tuple[str, dict[str, bool], dict[str, str]], ...] = (
    ("8050", {"finance": True, "met": True, "close": False, "withdraw": False, "revise": False},
     {COORDINATION: SHOWCASE_COORDINATOR}),
    ("8050", {"hik_mix": True, "finance": True, "met": True, "close": False, "withdraw": False},
     {HIKIKOMORI: SHOWCASE_HIKIKOMORI}),
    ("8050", {"hik_withheld": True}, {HIKIKOMORI: SHOWCASE_HIKIKOMORI}),
    ("poverty", {"opener_shakyo": True, "decline": True, "consent": True}, {}),
    ("double_care", {"withdraw": True, "revise": True, "close": False}, {}),
    ("young_carer", {"refer_disability": True, "decline": True, "met": True}, {}),
    ("refusal", {"met": True, "close": True, "reopen": True, "emergency": False}, {}),
    ("hoarding", {"met": True, "emergency": True, "close": False}, {}),
    ("disability", {"variant65": True}, {}),
    ("elderly_couple", {"close": True}, {}),
)

MAX_REOPENINGS = 2


# ----- the answer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Showcase:
    """A case worth opening in the demo, with who should look at it and why."""

    key: str
    case_id: str
    reader: str
    description_ja: str


@dataclass
class DemoSummary:
    households: int
    events: int
    fiscal_year: int
    seed: int
    until: datetime
    elapsed_seconds: float
    scenarios: dict[str, int]
    meetings: dict[str, int]
    consents_granted: int
    consents_withdrawn: int
    referrals: dict[str, int]
    plans: dict[str, int]
    outreach_visits: int
    participation_matches: int
    handovers: dict[str, int]
    emergency_accesses: int
    closures: int
    reopenings: int
    commands: dict[str, int] = field(default_factory=dict)
    showcases: list[Showcase] = field(default_factory=list)

    def showcase(self, key: str) -> Showcase:
        for showcase in self.showcases:
            if showcase.key == key:
                return showcase
        raise KeyError(key)

    def lines_ja(self) -> list[str]:
        """The summary as Japanese lines for a command line."""
        lines = [
            f"{self.fiscal_year}年度のデモデータ：{self.households}世帯・{self.events}件の記録"
            f"（{self.until.astimezone(JST):%Y-%m-%d %H:%M}まで、{self.elapsed_seconds:.1f}秒）",
            f"  重層的支援会議 {self.meetings.get(MeetingKind.MULTI_LAYERED.value, 0)}回・"
            f"支援会議 {self.meetings.get(MeetingKind.SUPPORT.value, 0)}回",
            f"  同意 取得{self.consents_granted}件・撤回{self.consents_withdrawn}件",
            "  つなぎ " + "・".join(f"{_REFERRAL_JA[k]}{v}件" for k, v in self.referrals.items()),
            "  支援プラン " + "・".join(f"{_PLAN_JA[k]}{v}件" for k, v in self.plans.items()),
            f"  アウトリーチ訪問 {self.outreach_visits}回・参加支援 {self.participation_matches}件・"
            f"制度切替 計画{self.handovers.get('planned', 0)}件／完了{self.handovers.get('completed', 0)}件",
            f"  緊急時アクセス {self.emergency_accesses}件・終結 {self.closures}件・再開 {self.reopenings}件",
        ]
        for showcase in self.showcases:
            lines.append(f"  [{showcase.key}] {showcase.case_id}（{showcase.reader}）{showcase.description_ja}")
        return lines


_REFERRAL_JA = {"requested": "依頼", "accepted": "受理", "declined": "辞退", "completed": "完了",
                "escalated": "多機関協働へ"}
_PLAN_JA = {"adopted": "決定", "revised": "見直し", "reviewed": "モニタリング", "evaluated": "終結評価"}


# ----- names ----------------------------------------------------------------------------------

SURNAMES = (
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("伊藤", "いとう"), ("渡辺", "わたなべ"),
    ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう"), ("吉田", "よしだ"),
    ("山田", "やまだ"), ("佐々木", "ささき"), ("松本", "まつもと"), ("井上", "いのうえ"), ("木村", "きむら"),
    ("斎藤", "さいとう"), ("清水", "しみず"), ("阿部", "あべ"), ("山下", "やました"), ("中島", "なかじま"),
    ("石井", "いしい"), ("坂本", "さかもと"), ("遠藤", "えんどう"), ("青木", "あおき"), ("藤井", "ふじい"),
    ("西村", "にしむら"), ("福田", "ふくだ"), ("太田", "おおた"), ("三浦", "みうら"), ("藤原", "ふじわら"),
    ("岡本", "おかもと"), ("松田", "まつだ"), ("中川", "なかがわ"), ("中野", "なかの"), ("原田", "はらだ"),
    ("小野", "おの"), ("田村", "たむら"), ("竹内", "たけうち"), ("金子", "かねこ"), ("和田", "わだ"),
    ("中山", "なかやま"), ("石田", "いしだ"), ("上田", "うえだ"), ("森田", "もりた"), ("原", "はら"),
    ("柴田", "しばた"), ("酒井", "さかい"), ("工藤", "くどう"), ("横山", "よこやま"), ("宮崎", "みやざき"),
    ("宮本", "みやもと"), ("内田", "うちだ"), ("高木", "たかぎ"), ("安藤", "あんどう"), ("谷口", "たにぐち"),
    ("大野", "おおの"), ("丸山", "まるやま"), ("今井", "いまい"), ("河野", "こうの"), ("藤本", "ふじもと"),
    ("村田", "むらた"), ("武田", "たけだ"), ("上野", "うえの"), ("杉山", "すぎやま"), ("増田", "ますだ"),
    ("平野", "ひらの"), ("大塚", "おおつか"), ("千葉", "ちば"), ("久保", "くぼ"), ("松井", "まつい"),
    ("小島", "こじま"), ("岩崎", "いわさき"), ("桜井", "さくらい"), ("野口", "のぐち"), ("松尾", "まつお"),
    ("野村", "のむら"), ("木下", "きのした"), ("菊地", "きくち"), ("佐野", "さの"), ("大西", "おおにし"),
    ("杉本", "すぎもと"), ("新井", "あらい"), ("浜田", "はまだ"), ("菅原", "すがわら"), ("市川", "いちかわ"),
)

GIVEN_NAMES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("elder", "m"): (("茂", "しげる"), ("勇", "いさむ"), ("清", "きよし"), ("博", "ひろし"), ("実", "みのる"),
                     ("昭", "あきら"), ("進", "すすむ"), ("正雄", "まさお"), ("和夫", "かずお"), ("武", "たけし"),
                     ("保", "たもつ"), ("修", "おさむ"), ("豊", "ゆたか"), ("義男", "よしお"), ("幸雄", "ゆきお")),
    ("elder", "f"): (("和子", "かずこ"), ("幸子", "さちこ"), ("節子", "せつこ"), ("洋子", "ようこ"),
                     ("敏子", "としこ"), ("久子", "ひさこ"), ("弘子", "ひろこ"), ("美代子", "みよこ"),
                     ("文子", "ふみこ"), ("京子", "きょうこ"), ("恵美子", "えみこ"), ("静子", "しずこ"),
                     ("ハナ", "はな"), ("キヨ", "きよ"), ("照子", "てるこ")),
    ("mid", "m"): (("浩之", "ひろゆき"), ("健一", "けんいち"), ("誠", "まこと"), ("直樹", "なおき"),
                   ("剛", "つよし"), ("哲也", "てつや"), ("和彦", "かずひこ"), ("秀樹", "ひでき"),
                   ("正樹", "まさき"), ("聡", "さとし"), ("健二", "けんじ"), ("信也", "しんや"),
                   ("達也", "たつや"), ("浩二", "こうじ"), ("隆", "たかし")),
    ("mid", "f"): (("真由美", "まゆみ"), ("由美子", "ゆみこ"), ("智子", "ともこ"), ("恵子", "けいこ"),
                   ("久美子", "くみこ"), ("直美", "なおみ"), ("裕子", "ゆうこ"), ("明美", "あけみ"),
                   ("典子", "のりこ"), ("美穂", "みほ"), ("香織", "かおり"), ("陽子", "ようこ")),
    ("young", "m"): (("大輔", "だいすけ"), ("拓也", "たくや"), ("健太", "けんた"), ("翔", "しょう"),
                     ("大樹", "だいき"), ("翔太", "しょうた"), ("亮", "りょう"), ("直人", "なおと"),
                     ("雄一", "ゆういち"), ("和也", "かずや"), ("祐介", "ゆうすけ"), ("海斗", "かいと")),
    ("young", "f"): (("愛", "あい"), ("彩", "あや"), ("麻衣", "まい"), ("沙織", "さおり"), ("恵", "めぐみ"),
                     ("美咲", "みさき"), ("優子", "ゆうこ"), ("千尋", "ちひろ"), ("瞳", "ひとみ"),
                     ("由佳", "ゆか"), ("彩花", "あやか"), ("友美", "ともみ")),
    ("child", "m"): (("蓮", "れん"), ("陽翔", "はると"), ("湊", "みなと"), ("悠真", "ゆうま"), ("大和", "やまと"),
                     ("颯太", "そうた"), ("悠人", "ゆうと"), ("朝陽", "あさひ"), ("樹", "いつき"), ("陸", "りく")),
    ("child", "f"): (("陽葵", "ひまり"), ("結菜", "ゆいな"), ("凛", "りん"), ("芽依", "めい"), ("さくら", "さくら"),
                     ("結愛", "ゆあ"), ("紬", "つむぎ"), ("心春", "こはる"), ("杏", "あん"), ("美桜", "みお")),
}


def _generation(age: int) -> str:
    if age >= 70:
        return "elder"
    if age >= 45:
        return "mid"
    if age >= 20:
        return "young"
    return "child"


def _one_year_after(day: date) -> date:
    """About a year later: the day before the anniversary."""
    try:
        anniversary = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        anniversary = day.replace(year=day.year + 1, day=28)
    return anniversary - timedelta(days=1)


def _unique(items: Iterable[str | None]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item is not None and item not in seen:
            seen.append(item)
    return seen


# ----- the ward and the run -------------------------------------------------------------------


class _Stop(Exception):
    """The story has reached ``until``: nothing later is written."""


class _Ward:
    """Who works where, from the registry: caseworkers, and coordinators at the coordination office."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.district_ids = [d.id for d in registry.districts]
        self.district_ja = {d.id: d.name_ja for d in registry.districts}
        self._actors = {s.id: s.as_actor() for s in registry.staff}
        self._names = {s.id: s.name for s in registry.staff}
        self._staff: dict[str, list[str]] = {}
        for member in registry.staff:
            needed = Role.COORDINATOR if member.agency == COORDINATION else Role.CASEWORKER
            if needed in member.roles:
                self._staff.setdefault(member.agency, []).append(member.id)
        needed_agencies = [*WARD_WIDE_AGENCIES,
                           *(f"elderly-{d}" for d in self.district_ids),
                           *(f"general-{d}" for d in self.district_ids)]
        missing = [a for a in needed_agencies if a not in self._staff]
        if missing:
            raise ValueError("The demo needs a caseworker (a coordinator at 'coordination') at each of these "
                             f"agencies, which the registry lacks: {', '.join(missing)}")
        for staff_id in (SHOWCASE_COORDINATOR, SHOWCASE_HIKIKOMORI):
            registry.staff_member(staff_id)  # raises NotFound if the registry lacks them

    def staff_of(self, agency: str) -> list[str]:
        return self._staff[agency]

    def actor(self, staff_id: str) -> Actor:
        return self._actors[staff_id]

    def name(self, staff_id: str) -> str:
        return self._names[staff_id]

    def agency_ja(self, agency_id: str) -> str:
        return self.registry.agency(agency_id).name_ja


class _Run:
    def __init__(self, app: Tsunagu, ward: _Ward, until: datetime) -> None:
        self.app = app
        self.ward = ward
        self.until = until
        self.stats: Counter[str] = Counter()
        self.events = 0

    def count(self, command: str, kwargs: dict[str, Any]) -> None:
        self.stats[command] += 1
        if command == "hold_meeting":
            self.stats[f"meeting:{kwargs['kind'].value}"] += 1
        if command == "decline_referral" and kwargs.get("escalate"):
            self.stats["escalate_to_multi_agency"] += 1


# ----- one household's story ------------------------------------------------------------------


class _Story:
    """One household: a case, its cursor in time, and what has been recorded so far."""

    def __init__(self, run: _Run, index: int, rng: random.Random, scenario: str, district: str,
                 opened_at: datetime, force: dict[str, bool], workers: dict[str, str], pace: float) -> None:
        self.run = run
        self.index = index
        self.rng = rng
        self.scenario = scenario
        self.district = district
        self.t = opened_at
        self.last_at: datetime | None = None
        self.force = force
        self.workers = dict(workers)
        self.pace = pace
        self.case_id: UUID | None = None
        self.version = 0
        self.surname, self.surname_kana = rng.choice(SURNAMES)
        self.household = f"{self.surname}家"
        self.members: dict[str, str] = {}
        self.births: dict[str, date] = {}
        self.involved: list[str] = []  # agencies with any part in the case
        self.attended: list[str] = []  # agencies that sat in a 支援会議
        self.consents: dict[str, dict[str, list[Any]]] = {}  # active consents as this story granted them
        self.referrals: dict[str, str] = {}  # to_agency -> referral id, while in progress
        self.plan_in_progress = False
        self.closed = False
        self.milestones: list[str] = []
        self.flags: list[str] = []
        self.emergency_staff: str | None = None

    # -- agencies of the household's district --

    @property
    def elderly(self) -> str:
        return f"elderly-{self.district}"

    @property
    def general(self) -> str:
        return f"general-{self.district}"

    # -- chance and time --

    def chance(self, p: float, feature: str | None = None) -> bool:
        draw = self.rng.random()  # drawn even when forced, so stories keep their shape
        if feature is not None and feature in self.force:
            return self.force[feature]
        return draw < p

    def _business(self, day: date) -> datetime:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        minutes = self.rng.randrange(9 * 60, 17 * 60 + 15, 5)
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=JST)

    def _move(self, t: datetime) -> None:
        if t > self.run.until:
            raise _Stop
        self.t = t

    def wait(self, low: float, high: float, *, paced: bool = True) -> None:
        """Let some days pass, to a weekday during office hours (showcase households move faster)."""
        target = self.t + timedelta(days=self.rng.uniform(low, high) * (self.pace if paced else 1.0))
        t = self._business(local_date(target))
        if t <= self.t:
            t = self.t + timedelta(minutes=self.rng.randrange(10, 65, 5))
        self._move(t)

    def now(self) -> datetime:
        """When the next record happens: a few minutes after the last one, if the clock has not moved."""
        if self.last_at is not None and self.t <= self.last_at:
            self._move(self.last_at + timedelta(minutes=self.rng.randrange(3, 21)))
        return self.t

    def today(self) -> date:
        return local_date(self.now())

    # -- staff --

    def worker(self, agency: str) -> str:
        if agency not in self.workers:
            self.workers[agency] = self.rng.choice(self.run.ward.staff_of(agency))
        return self.workers[agency]

    def _involve(self, *agencies: str | None) -> None:
        for agency in agencies:
            if agency is not None and agency not in self.involved:
                self.involved.append(agency)

    # -- writing through the application --

    def open(self, agency: str, summary: str) -> None:
        actor = self.run.ward.actor(self.worker(agency))
        result = self.run.app.open_case(actor, household_name=self.household,
                                        household_name_kana=f"{self.surname_kana}け", district=self.district,
                                        summary=summary, occurred_at=self.now())
        self.case_id = UUID(result.case_id)
        self.run.events += result.version
        self.version = result.version
        self.last_at = self.t
        self.run.stats["open_case"] += 1
        self._involve(agency)

    def do(self, agency: str, command: str, *, refs: Sequence[str | None] = (), **kwargs: Any) -> str | None:
        """Issue one case command as this household's worker at ``agency``, dated at the cursor."""
        assert self.case_id is not None
        at = self.now()
        actor = self.run.ward.actor(self.worker(agency))

        def run_command(case: Case, at: datetime) -> Any:
            return getattr(case, command)(actor, at, **kwargs)

        result = self.run.app.update_case(actor, self.case_id, run_command, occurred_at=at,
                                          agencies=_unique(refs))
        self.run.events += result.version - self.version
        self.version = result.version
        self.last_at = at
        self.run.count(command, kwargs)
        self._involve(agency, *refs)
        return result.created_id

    # -- intake --

    def add(self, key: str, agency: str, *, relationship: str, gender: str, age: int | None = None,
            birth: date | None = None, principal: bool = False) -> str:
        if birth is None:
            assert age is not None
            birth = self.today() - timedelta(days=age * 365 + age // 4 + self.rng.randrange(0, 360))
        given, given_kana = self.rng.choice(GIVEN_NAMES[(_generation(age_on(birth, self.today())), gender)])
        member_id = self.do(agency, "add_member", name=f"{self.surname} {given}",
                            name_kana=f"{self.surname_kana} {given_kana}", birth_date=birth,
                            relationship=relationship, is_principal=principal)
        assert member_id is not None
        self.members[key] = member_id
        self.births[key] = birth
        return member_id

    def consult(self, agency: str, field_: Field, category: Cat, channel: str, summary: str) -> None:
        self.do(agency, "record_consultation", field=field_, category=category, channel=channel, summary=summary)

    def issue(self, agency: str, tag: IssueTag, note: str) -> None:
        self.do(agency, "identify_issue", tag=tag, note=note)

    def resolve(self, agency: str, tag: IssueTag, note: str) -> None:
        self.do(agency, "resolve_issue", tag=tag, note=note)

    # -- consent --

    def grant(self, agency: str, *, by: str, agencies: Sequence[str], categories: Sequence[Cat], purpose: str,
              method: ConsentMethod | None = None) -> str:
        if method is None:
            method = ConsentMethod.WRITTEN if self.rng.random() < 0.7 else ConsentMethod.ORAL
        agencies = _unique(agencies)
        consent_id = self.do(agency, "grant_consent", refs=agencies, given_by_member=self.members[by],
                             agencies=agencies, categories=list(categories), purpose=purpose, method=method,
                             valid_until=_one_year_after(self.today()))
        assert consent_id is not None
        self.consents[consent_id] = {"agencies": list(agencies), "categories": list(categories)}
        self.milestones.append("同意")
        return consent_id

    def withdraw(self, agency: str, consent_id: str, reason: str) -> None:
        self.do(agency, "withdraw_consent", consent_id=consent_id, reason=reason)
        del self.consents[consent_id]
        self.milestones.append("同意撤回")
        self.flags.append("consent_withdrawn")

    def covers(self, agency: str, categories: Sequence[Cat] = ()) -> bool:
        return any(agency in c["agencies"] and all(cat in c["categories"] for cat in categories)
                   for c in self.consents.values())

    # -- meetings and plans --

    def support_meeting(self, purpose: str, attendees: Sequence[str],
                        decisions: Sequence[tuple[DecisionKind, str, str | None]]) -> str:
        """A 支援会議 convened by the coordinator: every member pledges confidentiality."""
        attendees = _unique([COORDINATION, *attendees])
        participants = [{"agency": a, "staff": self.worker(a), "pledged": True} for a in attendees]
        held_on = self.today()
        meeting_id = self.do(
            COORDINATION, "hold_meeting", refs=[*attendees, *(d[2] for d in decisions)],
            kind=MeetingKind.SUPPORT, held_on=held_on, purpose=purpose, participants=participants,
            decisions=[{"kind": kind, "text": text, "target_agency": target} for kind, text, target in decisions])
        assert meeting_id is not None
        self.attended = _unique([*self.attended, *attendees])
        self.milestones.append("支援会議")
        return meeting_id

    def multi_meeting(self, purpose: str, attendees: Sequence[str],
                      decisions: Sequence[tuple[DecisionKind, str, str | None]] = ()) -> str | None:
        """A 重層的支援会議, with the agencies the person's consent covers (None if it cannot be held)."""
        attendees = [a for a in _unique([COORDINATION, *attendees]) if self.covers(a)]
        if COORDINATION not in attendees or len(attendees) < 2:
            return None
        participants = [{"agency": a, "staff": self.worker(a), "pledged": False} for a in attendees]
        held_on = self.today()
        meeting_id = self.do(
            COORDINATION, "hold_meeting", refs=[*attendees, *(d[2] for d in decisions)],
            kind=MeetingKind.MULTI_LAYERED, held_on=held_on, purpose=purpose, participants=participants,
            decisions=[{"kind": kind, "text": text, "target_agency": target} for kind, text, target in decisions])
        self.milestones.append("重層的支援会議")
        return meeting_id

    def adopt(self, meeting_id: str, goals: list[str], roles: Sequence[tuple[str, str]]) -> None:
        roles = [(a, r) for a, r in roles if self.covers(a)]
        self.do(COORDINATION, "adopt_plan", refs=[a for a, _ in roles], meeting_id=meeting_id, goals=goals,
                roles=[{"agency": a, "role": r} for a, r in roles],
                next_review_on=self.today() + timedelta(days=self.rng.randint(60, 100)))
        self.plan_in_progress = True
        self.milestones.append("プラン決定")

    def review(self, agency: str, findings: str) -> None:
        self.do(agency, "review_plan", findings=findings,
                next_review_on=self.today() + timedelta(days=self.rng.randint(60, 100)))
        self.milestones.append("モニタリング")

    def revise(self, attendees: Sequence[str], goals: list[str], roles: Sequence[tuple[str, str]],
               reason: str) -> bool:
        meeting_id = self.multi_meeting("支援プランの見直し", attendees)
        if meeting_id is None:
            return False
        roles = [(a, r) for a, r in roles if self.covers(a)]
        self.do(COORDINATION, "revise_plan", refs=[a for a, _ in roles], meeting_id=meeting_id, goals=goals,
                roles=[{"agency": a, "role": r} for a, r in roles],
                next_review_on=self.today() + timedelta(days=self.rng.randint(60, 100)), reason=reason)
        self.milestones.append("プラン見直し")
        return True

    def evaluate(self, attendees: Sequence[str], evaluation: str, goals_met: bool) -> bool:
        meeting_id = self.multi_meeting("終結評価", attendees,
                                        [(DecisionKind.OTHER, "支援プランの目標の達成状況を評価し、終結を確認した。", None)])
        if meeting_id is None:
            return False
        self.do(COORDINATION, "evaluate_plan", meeting_id=meeting_id, evaluation=evaluation, goals_met=goals_met)
        self.plan_in_progress = False
        self.milestones.append("終結評価")
        return True

    # -- referrals --

    def refer(self, from_agency: str, to_agency: str, categories: Sequence[Cat], reason: str) -> str:
        referral_id = self.do(from_agency, "request_referral", refs=[to_agency], to_agency=to_agency,
                              categories=list(categories), reason=reason)
        assert referral_id is not None
        self.referrals[to_agency] = referral_id
        self.milestones.append("つなぎ")
        return referral_id

    def accept(self, to_agency: str, note: str) -> None:
        self.do(to_agency, "accept_referral", referral_id=self.referrals[to_agency], note=note)

    def decline(self, to_agency: str, reason: str, *, alternative: str | None = None,
                escalate: bool = False) -> None:
        self.do(to_agency, "decline_referral", refs=[alternative], referral_id=self.referrals.pop(to_agency),
                reason=reason, alternative_agency=alternative, escalate=escalate)
        self.milestones.append("つなぎ辞退")
        self.flags.append("referral_declined")

    def complete(self, to_agency: str, outcome: str) -> None:
        self.do(to_agency, "complete_referral", referral_id=self.referrals.pop(to_agency), outcome=outcome)

    # -- outreach and participation --

    def plan_outreach(self, agency: str, member: str, approach: str) -> str:
        outreach_id = self.do(agency, "plan_outreach", member_id=self.members[member], approach=approach,
                              planned_on=self.today() + timedelta(days=self.rng.randint(3, 10)))
        assert outreach_id is not None
        return outreach_id

    def visit(self, agency: str, outreach_id: str | None, member: str, outcome: Visit, notes: str) -> None:
        self.do(agency, "record_visit", outreach_id=outreach_id, member_id=self.members[member], outcome=outcome,
                notes=notes)
        if "訪問" not in self.milestones:
            self.milestones.append("訪問")

    def refuse(self, agency: str, member: str, reason: str) -> None:
        self.do(agency, "record_support_refusal", member_id=self.members[member], reason=reason)

    def participate(self, agency: str, member: str, resource: tuple[str, ResourceKind],
                    follow_ups: Sequence[tuple[float, float, str]]) -> None:
        match_id = self.do(agency, "match_participation", member_id=self.members[member], resource_name=resource[0],
                           resource_kind=resource[1], starts_on=self.today() + timedelta(days=self.rng.randint(3, 14)))
        self.milestones.append("参加支援")
        for low, high, note in follow_ups:
            self.wait(low, high)
            continuing = self.rng.random() < 0.85
            self.do(agency, "follow_up_participation", match_id=match_id, continuing=continuing,
                    note=note if continuing else "欠席が続いている。本人の意向を確認し、別の活動も検討する。")

    # -- transitions and closure --

    def handover(self, agency: str, member: str, at_age: int, to_agency: str, due_on: date,
                 completed_by: str, note: str) -> None:
        handover_id = self.do(agency, "plan_handover", refs=[to_agency], member_id=self.members[member],
                              at_age=at_age, to_agency=to_agency, due_on=due_on)
        self.milestones.append(f"{at_age}歳の制度切替計画")
        days_to_due = (due_on - self.today()).days
        self.wait(max(days_to_due, 0) + 0.2, max(days_to_due, 0) + 12, paced=False)
        self.do(completed_by, "complete_handover", handover_id=handover_id, note=note)
        self.milestones.append("制度切替完了")
        self.flags.append("handover_completed")

    def close(self, agency: str, evaluation: str, outcome: str) -> None:
        self.do(agency, "close", evaluation=evaluation, outcome=outcome)
        self.closed = True
        self.milestones.append("終結")

    def reopen(self, agency: str, reason: str) -> None:
        self.do(agency, "reopen", reason=reason)
        self.closed = False
        self.milestones.append("再開")
        self.flags.append("reopened")

    def maybe_correct(self, agency: str, member: str) -> None:
        """Now and then a worker corrects a birth date against an official document, as a new event."""
        if self.chance(0.08):
            corrected = self.births[member] + timedelta(days=self.rng.choice([-3, -2, -1, 1, 2, 3]))
            self.do(agency, "correct_member_details", member_id=self.members[member],
                    corrections={"birth_date": corrected}, reason="介護保険被保険者証で生年月日を確認し、入力誤りを訂正")
            self.births[member] = corrected

    def emergency(self, reason_by_agency: Sequence[tuple[str, str]]) -> None:
        """Break-glass by a staff member of an agency with no part in the case (dated by the app's clock)."""
        if self.case_id is None or self.closed:
            return
        for agency, reason in reason_by_agency:
            if agency in self.involved or agency in self.attended or self.covers(agency):
                continue
            staff_id = self.worker(agency)
            result = self.run.app.grant_emergency_access(self.run.ward.actor(staff_id), self.case_id, reason=reason)
            self.run.events += result.version - self.version
            self.version = result.version
            self.run.stats["grant_emergency_access"] += 1
            self.emergency_staff = staff_id
            self.milestones.append("緊急時アクセス")
            self.flags.append("emergency")
            return

    # -- the scenarios --

    def play(self) -> None:
        getattr(self, "_" + ("s8050" if self.scenario == "8050" else self.scenario))()

    def _s8050(self) -> None:
        rng, E = self.rng, self.elderly
        hik_mix, withheld = self.force.get("hik_mix", False), self.force.get("hik_withheld", False)
        parent_f = rng.random() < 0.7
        parent = "母" if parent_f else "父"
        child_rel = rng.choice(["長男", "長男", "長男", "次男", "長女"])
        child_m = child_rel != "長女"
        page = rng.randint(78, 89)
        cage = max(44, min(58, page - rng.randint(26, 36)))
        years = rng.choice([5, 8, 10, 12, 15, 20, 25])
        spouse_age = max(75, page + rng.randint(-4, 4)) if rng.random() < 0.2 else None
        who = f"{page}歳の{parent}"
        if spouse_age is not None:
            who += f"、{spouse_age}歳の{'父' if parent_f else '母'}"
        self.open(E, f"{who}と{cage}歳の{child_rel}が同居。{child_rel}は約{years}年ひきこもり状態で、"
                     f"{parent}の介護と家計に不安がある（8050）。")
        self.add("parent", E, relationship="本人", gender="f" if parent_f else "m", age=page, principal=True)
        if spouse_age is not None:
            self.add("spouse", E, relationship="配偶者", gender="m" if parent_f else "f", age=spouse_age)
        self.add("child", E, relationship=child_rel, gender="m" if child_m else "f", age=cage)
        channel = rng.choice(["来所", "電話", "民生委員からの連絡", "ケアマネジャーからの連絡"])
        self.consult(E, Field.ELDERLY, Cat.CONSULTATION, channel,
                     f"{parent}本人から、足腰が弱り買い物や通院が難しいとの相談。同居の{child_rel}は日中も自室で過ごし、"
                     "家族以外との交流がない。")
        self.issue(E, IssueTag.ISSUE_8050, f"高齢の{parent}が{cage}歳の{child_rel}の生活を支えている。")
        self.issue(E, IssueTag.HIKIKOMORI, f"{child_rel}は約{years}年、ほとんど外出していない。")
        if self.chance(0.3):
            self.issue(E, IssueTag.DEMENTIA, f"{parent}の物忘れが増え、服薬の管理ができていない。")
        if self.chance(0.35):
            self.issue(E, IssueTag.ISOLATION, "近所付き合いがなく、親族とも疎遠。")
        finance = self.chance(0.55, "finance")
        if finance:
            self.wait(1, 10)
            self.consult(E, Field.ELDERLY, Cat.FINANCE, "訪問",
                         f"{parent}の年金（月額約{rng.randint(9, 16)}万円）で{child_rel}の生活費も賄っている。"
                         "預貯金が減り、公共料金の滞納が出始めている。")
            if self.chance(0.4):
                self.issue(E, IssueTag.POVERTY, "年金収入のみで二人分の生活費を賄っている。")
        self.wait(3, 14)
        self.visit(E, None, "child", Visit.SPOKE_WITH_FAMILY,
                   f"自宅を訪問し{parent}と面談。{child_rel}は自室から出てこなかった。")
        if self.chance(0.35):
            self.refuse(E, "child", f"{child_rel}が第三者の訪問を拒んでいると{parent}から伝えられた。")
        self.maybe_correct(E, "parent")

        # 支援会議: no consent yet, shared under the members' duty of confidentiality.
        self.wait(7, 30)
        attendees = [E] + ([] if withheld else [HIKIKOMORI])
        if finance and self.chance(0.4):
            attendees.append(LIVELIHOOD)
        if self.chance(0.2):
            attendees.append(HEALTH)
        decisions: list[tuple[DecisionKind, str, str | None]] = [
            (DecisionKind.WATCH, f"高齢者相談センターが月1回訪問し、{parent}の生活状況を見守る。", E)]
        refer = withheld or self.chance(0.45, "refer")
        if not withheld:
            decisions.append((DecisionKind.OUTREACH,
                              f"ひきこもり窓口が{parent}を通じて手紙を届け、段階的に訪問する。", HIKIKOMORI))
        if refer:
            decisions.append((DecisionKind.REFER, f"{child_rel}への支援をひきこもり支援専用相談窓口につなぐ。", HIKIKOMORI))
        if LIVELIHOOD in attendees:
            decisions.append((DecisionKind.SUPPORT_SETUP, "家計の見直しを生活・就労支援センターが支援する。", LIVELIHOOD))
        self.support_meeting(f"{parent}と{child_rel}の世帯の状況共有と支援方針の検討（8050）", attendees, decisions)
        if refer:
            self.wait(0.5, 5)
            self.refer(E, HIKIKOMORI, [Cat.CONSULTATION, Cat.FAMILY, Cat.SUPPORT],
                       f"支援会議の決定に基づき、{child_rel}への支援を依頼します。")
            self.wait(1, 6)
            self.accept(HIKIKOMORI, "担当者を決め、訪問の準備を始めます。")

        # Outreach to the withdrawn child.
        self.wait(3, 10)
        outreach = self.plan_outreach(HIKIKOMORI, "child",
                                      f"{parent}を通じて手紙を届け、玄関先での声かけから短時間の面会へと段階的に進める。")
        visits = rng.randint(2, 5)
        met = False
        for number in range(visits):
            self.wait(7, 25)
            if number == visits - 1 and self.chance(0.6, "met") and not withheld:
                outcome, notes = Visit.MET, f"{child_rel}と初めて玄関先で10分ほど話せた。次回の訪問を了承。"
                met = True
            else:
                outcome = rng.choice([Visit.NOT_AT_HOME, Visit.REFUSED, Visit.SPOKE_WITH_FAMILY])
                notes = {Visit.NOT_AT_HOME: "訪問したが応答なし。手紙を投函した。",
                         Visit.REFUSED: f"{child_rel}がドア越しに「来ないでほしい」と話した。",
                         Visit.SPOKE_WITH_FAMILY: f"{parent}と面談。手紙は{child_rel}が読んでいる様子とのこと。",
                         }[outcome]
            self.visit(HIKIKOMORI, outreach, "child", outcome, notes)
        if not met:
            self.wait(10, 30)
            self.visit(E, None, "parent", Visit.MET, f"見守り訪問。{parent}の体調に大きな変化はない。")
            return

        # Consent, then the 重層的支援会議 and the plan.
        self.wait(7, 21)
        agencies = [E, HIKIKOMORI, COORDINATION]
        if finance and self.chance(0.45):
            agencies.append(LIVELIHOOD)
        if self.chance(0.3):
            agencies.append(SHAKYO)
        if hik_mix:
            categories = [Cat.BASIC, Cat.CONSULTATION, Cat.FAMILY, Cat.SUPPORT]
        elif self.chance(0.2):
            categories = [c for c in ALL_CATEGORIES if c != Cat.HEALTH]
        else:
            categories = ALL_CATEGORIES
        consent = self.grant(HIKIKOMORI, by="child", agencies=agencies, categories=categories,
                             purpose="本人と家族の生活の立て直しに向けて、関係機関で支援方針を検討するため")
        self.wait(7, 21)
        meeting = self.multi_meeting(f"{child_rel}の社会参加と{parent}の介護に向けた支援プランの検討", agencies,
                                     [(DecisionKind.SUPPORT_SETUP, "役割分担を決め、支援プランを作成する。", None)])
        assert meeting is not None
        roles = [(E, f"{parent}の介護保険サービスの調整と見守り"),
                 (HIKIKOMORI, f"{child_rel}への継続訪問と居場所へのつなぎ"),
                 (COORDINATION, "全体の進行管理とモニタリング"),
                 (LIVELIHOOD, "家計改善支援"), (SHAKYO, "地域の見守りと居場所の紹介")]
        goals = [f"{child_rel}が月2回、支援者と外出できる", f"{parent}が介護サービスを利用し、在宅生活を続けられる"]
        self.adopt(meeting, goals, roles)
        if LIVELIHOOD in agencies and self.chance(0.6):
            self.wait(2, 10)
            self.refer(HIKIKOMORI, LIVELIHOOD, [Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT],
                       f"{child_rel}の就労準備支援と世帯の家計改善支援を依頼します。")
            self.wait(1, 7)
            self.accept(LIVELIHOOD, "家計改善支援員が担当します。")
        self.wait(10, 30)
        resource = rng.choice([("ひきこもり当事者の居場所「ほっとスペース」", ResourceKind.SALON),
                               ("区内NPOでの軽作業体験", ResourceKind.WORK_TRIAL),
                               ("社協の公園清掃ボランティア", ResourceKind.VOLUNTEERING)])
        self.participate(HIKIKOMORI, "child", resource,
                         [(20, 40, "週1回の参加が続いている。表情が明るくなった。")]
                         + ([(25, 45, "参加が定着。ほかの参加者とも会話ができている。")] if self.chance(0.6) else []))
        self.wait(15, 40)
        self.review(COORDINATION, f"{child_rel}の外出の機会が増えた。{parent}は週2回デイサービスを利用している。")
        if LIVELIHOOD in self.referrals:
            self.wait(5, 20)
            self.complete(LIVELIHOOD, "家計の見直しが終わり、滞納が解消した。")
        if self.chance(0.3, "revise"):
            self.wait(10, 30)
            self.revise(agencies, goals + [f"{child_rel}が就労体験に参加する"], roles,
                        f"{child_rel}から就労体験への関心が示されたため。")
        if self.chance(0.15, "withdraw"):
            self.wait(10, 40)
            self.withdraw(HIKIKOMORI, consent,
                          f"{child_rel}から、ひきこもり窓口以外との情報共有をやめてほしいとの申し出があった。")
            self.wait(0.5, 3)
            self.grant(HIKIKOMORI, by="child", agencies=[HIKIKOMORI, COORDINATION],
                       categories=[Cat.BASIC, Cat.SUPPORT], purpose="ひきこもり窓口による継続支援のため（範囲を限定）",
                       method=ConsentMethod.WRITTEN)
            return
        if self.chance(0.35, "close"):
            self.wait(20, 50)
            if self.evaluate(agencies, f"{child_rel}の居場所への参加が定着し、{parent}の介護体制も整った。", True):
                self.resolve(E, IssueTag.HIKIKOMORI, f"{child_rel}は週1回の外出が定着した。")
                self.close(E, "支援プランの目標を達成したため終結する。", "目標達成")

    def _hikikomori(self) -> None:
        rng, H = self.rng, HIKIKOMORI
        age = rng.randint(22, 39)
        years = rng.randint(2, 12)
        male = rng.random() < 0.75
        self.open(H, f"{age}歳の本人が退職後、約{years}年自宅にひきこもっている。母から電話相談。")
        self.add("self", H, relationship="本人", gender="m" if male else "f", age=age, principal=True)
        self.add("mother", H, relationship="母", gender="f", age=age + rng.randint(24, 34))
        if self.chance(0.6):
            self.add("father", H, relationship="父", gender="m", age=age + rng.randint(26, 38))
        self.consult(H, Field.HIKIKOMORI, Cat.CONSULTATION, "電話",
                     "母から、本人が昼夜逆転の生活で家族とも会話が少ないとの相談。本人は相談に来ることを拒んでいる。")
        self.issue(H, IssueTag.HIKIKOMORI, f"約{years}年、ほとんど外出していない。")
        mental = self.chance(0.3)
        if mental:
            self.issue(H, IssueTag.MENTAL_HEALTH, "不眠と強い不安を訴えている。受診歴なし。")
        self.wait(7, 21)
        self.consult(H, Field.HIKIKOMORI, Cat.FAMILY, "来所", "母が来所し家族相談。家族会への参加を案内した。")
        self.wait(5, 15)
        outreach = self.plan_outreach(H, "self", "母を通じて手紙を渡し、本人の了承を得てから自宅を訪問する。")
        met = False
        for number in range(rng.randint(1, 4)):
            self.wait(10, 25)
            if number >= 1 and self.chance(0.45):
                self.visit(H, outreach, "self", Visit.MET, "本人と自室の前で話せた。ゲームの話題で会話が続いた。")
                met = True
                break
            self.visit(H, outreach, "self", rng.choice([Visit.NOT_AT_HOME, Visit.REFUSED, Visit.SPOKE_WITH_FAMILY]),
                       "本人とは会えず。母と今後の声かけの方法を話し合った。")
        if not met:
            if mental and self.chance(0.5):
                self.wait(7, 20)
                self.support_meeting("本人の心身の状況の共有と支援方針の検討", [H, HEALTH],
                                     [(DecisionKind.OUTREACH, "ひきこもり窓口が訪問を続ける。", H),
                                      (DecisionKind.REFER, "保健所の精神保健相談につなぐ。", HEALTH)])
                self.wait(1, 5)
                self.refer(H, HEALTH, [Cat.CONSULTATION, Cat.HEALTH], "不眠と不安が強く、精神保健相談を依頼します。")
                self.wait(2, 7)
                if self.chance(0.2):
                    self.decline(HEALTH, "現時点で医療につなぐ緊急性は認められない。訪問による関係づくりを優先すべき。",
                                 escalate=True)
                else:
                    self.accept(HEALTH, "保健師が家族面談から始めます。")
            return
        self.wait(7, 20)
        agencies = [H, COORDINATION] + ([LIVELIHOOD] if self.chance(0.5) else [])
        categories = [Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT, Cat.FAMILY]
        consent = self.grant(H, by="self", agencies=agencies, categories=categories,
                             purpose="居場所や就労準備の支援を関係機関と検討するため")
        self.wait(7, 20)
        self.participate(H, "self", ("ひきこもり当事者の居場所「ほっとスペース」", ResourceKind.SALON),
                         [(20, 40, "月2回参加している。"), (25, 45, "同世代の参加者と話すようになった。")])
        if LIVELIHOOD in agencies and self.chance(0.2, "withdraw"):
            self.wait(5, 20)
            self.withdraw(H, consent, "本人から、就労の話はまだ考えられないので、生活・就労支援センターへの情報提供は"
                                      "やめてほしいとの申し出があった。")
            self.wait(0.2, 2)
            self.grant(H, by="self", agencies=[H, COORDINATION], categories=categories,
                       purpose="居場所の支援を続けるため（生活・就労支援センターを除いて再同意）")
            return
        if LIVELIHOOD in agencies:
            self.wait(10, 30)
            self.refer(H, LIVELIHOOD, [Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT], "就労準備支援事業の利用を依頼します。")
            self.wait(2, 8)
            self.accept(LIVELIHOOD, "就労準備支援員が面談します。")
            self.wait(20, 50)
            self.complete(LIVELIHOOD, "就労準備支援事業の利用を開始した。")
            if self.chance(0.3):
                self.wait(20, 40)
                self.close(H, "就労準備支援事業に移行し、ひきこもり窓口としての支援は終結する。", "他機関の支援へ移行")

    def _double_care(self) -> None:
        rng, E = self.rng, self.elderly
        opener = CHILDREN if rng.random() < 0.6 else E
        age = rng.randint(35, 46)
        kid_age = rng.randint(0, 6)
        elder = rng.choice(["母", "母", "父", "義母"])
        elder_age = rng.randint(72, 88)
        self.open(opener, f"{age}歳の本人が{kid_age}歳の子の育児と、認知症の{elder}（{elder_age}歳）の介護を"
                          "同時に担っている（ダブルケア）。")
        self.add("self", opener, relationship="本人", gender="f", age=age, principal=True)
        self.add("kid", opener, relationship=rng.choice(["長男", "長女"]), gender=rng.choice("mf"), age=kid_age)
        self.add("elder", opener, relationship=elder, gender="m" if elder == "父" else "f", age=elder_age)
        if self.chance(0.6):
            self.add("husband", opener, relationship="配偶者", gender="m", age=age + rng.randint(-2, 6))
        self.consult(opener, Field.CHILDREN if opener == CHILDREN else Field.ELDERLY, Cat.FAMILY,
                     rng.choice(["来所", "電話", "乳幼児健診で把握"]),
                     f"育児と{elder}の介護が重なり、睡眠が十分にとれていない。頼れる親族が近くにいない。")
        self.issue(opener, IssueTag.DOUBLE_CARE, f"{kid_age}歳の子の育児と{elder}の介護を一人で担っている。")
        self.issue(opener, IssueTag.DEMENTIA, f"{elder}は認知症の診断あり。要介護認定は未申請。")
        self.wait(3, 14)
        other = E if opener == CHILDREN else CHILDREN
        agencies = [CHILDREN, E, COORDINATION] + ([SHAKYO] if self.chance(0.3) else [])
        categories = [Cat.BASIC, Cat.CONSULTATION, Cat.FAMILY, Cat.HEALTH, Cat.SUPPORT]
        if self.chance(0.5):
            categories.append(Cat.FINANCE)
        consent = self.grant(opener, by="self", agencies=agencies, categories=categories,
                             purpose="育児と介護の両方の支援を関係機関で調整するため", method=ConsentMethod.WRITTEN)
        self.wait(1, 5)
        self.refer(opener, other, [Cat.BASIC, Cat.FAMILY, Cat.HEALTH],
                   f"{elder}の介護サービスの調整を依頼します。" if other == E else "子育て支援サービスの調整を依頼します。")
        self.wait(1, 6)
        if other == E and self.chance(0.15, "decline_district"):
            elsewhere = rng.choice([d for d in self.run.ward.district_ids if d != self.district])
            other = f"elderly-{elsewhere}"
            self.decline(E, f"{elder}の住所地は{self.run.ward.district_ja[elsewhere]}地区のため、"
                            "担当は同地区の高齢者相談センターとなる。", alternative=other)
            self.wait(0.5, 4)
            self.grant(opener, by="self", agencies=[other], categories=categories,
                       purpose=f"{elder}の住所地の高齢者相談センターと情報を共有するため（同意の範囲の追加）",
                       method=ConsentMethod.WRITTEN)
            agencies.append(other)
            self.refer(opener, other, [Cat.BASIC, Cat.FAMILY, Cat.HEALTH],
                       f"{elder}の介護サービスの調整を依頼します（{self.run.ward.agency_ja(E)}からの案内による）。")
            self.wait(1, 6)
        self.accept(other, "担当者が本人に連絡します。")
        elderly_centre = other if other != CHILDREN else E
        self.wait(7, 21)
        meeting = self.multi_meeting("ダブルケア世帯の支援プランの検討", agencies,
                                     [(DecisionKind.SUPPORT_SETUP, "育児と介護の支援を同時に調整する。", None)])
        assert meeting is not None
        roles = [(CHILDREN, "一時保育・子育て支援サービスの調整"),
                 (elderly_centre, f"{elder}の要介護認定と介護サービスの調整"),
                 (COORDINATION, "全体の進行管理"), (SHAKYO, "ファミリー・サポートの紹介")]
        goals = [f"{elder}が介護サービスを利用できる", "本人が週1回は休息の時間をとれる"]
        self.adopt(meeting, goals, roles)
        self.wait(14, 35)
        self.complete(other, f"{elder}の要介護認定（要介護2）が出て、デイサービスの利用を始めた。"
                      if other == elderly_centre else "一時保育の利用を始めた。")
        self.wait(5, 20)
        self.participate(CHILDREN, "self", ("子育てひろば（親子の交流の場）", ResourceKind.SALON),
                         [(20, 40, "週1回、子どもと参加している。")])
        self.wait(10, 30)
        self.review(COORDINATION, "介護と育児の負担が分散され、本人の睡眠時間が増えた。")
        if self.chance(0.3, "revise"):
            self.wait(10, 30)
            self.revise(agencies, goals + [f"{elder}のショートステイを月1回利用する"], roles,
                        f"{elder}の認知症が進み、夜間の介護負担が増えたため。")
        if self.chance(0.15, "withdraw"):
            self.wait(10, 40)
            self.withdraw(opener, consent, "本人から、家計の情報を含め関係機関との共有範囲を見直したいとの申し出があった。")
            self.wait(0.5, 4)
            self.grant(opener, by="self", agencies=[CHILDREN, elderly_centre, COORDINATION],
                       categories=[Cat.BASIC, Cat.FAMILY, Cat.SUPPORT],
                       purpose="育児と介護の支援の調整のため（共有範囲を限定して再同意）", method=ConsentMethod.WRITTEN)
            return
        if self.chance(0.25, "close"):
            self.wait(20, 50)
            if self.evaluate(agencies, f"{elder}の施設入所が決まり、本人の負担が軽減した。", True):
                self.close(COORDINATION, f"{elder}の特別養護老人ホーム入所により終結する。", "目標達成")

    def _young_carer(self) -> None:
        rng, C = self.rng, CHILDREN
        age = rng.randint(12, 17)
        handover_due: date | None = None
        if age == 17 and self.chance(0.7):
            handover_due = self.today() + timedelta(days=rng.randint(90, 200))
            handover_due = handover_due.replace(day=min(handover_due.day, 28))
        mother_age = age + rng.randint(24, 36)
        school = "高校" if age >= 15 else "中学校"
        self.open(C, f"{age}歳の本人（{school}）が、精神疾患のある母の世話ときょうだいの世話を担い、"
                     "欠席が増えている（ヤングケアラー）。")
        birth = date(handover_due.year - 18, handover_due.month, handover_due.day) if handover_due else None
        self.add("self", C, relationship="本人", gender=rng.choice("mf"), age=age, birth=birth, principal=True)
        self.add("mother", C, relationship="母", gender="f", age=mother_age)
        if self.chance(0.7):
            sib = rng.choice(["弟", "妹"])
            self.add("sibling", C, relationship=sib, gender="m" if sib == "弟" else "f",
                     age=rng.randint(6, max(6, age - 2)))
        self.consult(C, Field.CHILDREN, Cat.FAMILY, "学校（スクールソーシャルワーカー）からの連絡",
                     "本人が母の通院の付き添いと家事、きょうだいの世話をしており、遅刻と欠席が増えている。")
        self.issue(C, IssueTag.YOUNG_CARER, "本人が家族の世話を日常的に担い、学業に影響が出ている。")
        self.issue(C, IssueTag.MENTAL_HEALTH, "母はうつ病で通院が中断している。")
        if self.chance(0.3):
            self.issue(C, IssueTag.POVERTY, "母の就労が難しく、児童扶養手当が主な収入。")
        self.wait(3, 10)
        self.visit(C, None, "self", Visit.MET, "放課後に本人と面談。「母のことは自分がやらないと」と話す。")
        self.wait(7, 21)
        with_disability = self.chance(0.45, "refer_disability")
        attendees = [C, HEALTH] + ([DISABILITY] if with_disability else []) \
            + ([CHILD_GUIDANCE] if self.chance(0.2) else [])
        decisions: list[tuple[DecisionKind, str, str | None]] = [
            (DecisionKind.WATCH, "学校と連携し、本人の出席状況と様子を見守る。", C),
            (DecisionKind.REFER, "母の精神保健相談につなぐ。", HEALTH)]
        if with_disability:
            decisions.append((DecisionKind.REFER, "母の障害福祉サービス（家事援助）の利用を検討する。", DISABILITY))
        self.support_meeting("ヤングケアラーの状況共有と支援体制の検討", attendees, decisions)
        self.wait(1, 5)
        self.refer(C, HEALTH, [Cat.CONSULTATION, Cat.FAMILY, Cat.HEALTH], "母の精神保健相談と通院再開の支援を依頼します。")
        self.wait(1, 5)
        self.accept(HEALTH, "保健師が家庭訪問します。")
        if with_disability:
            self.refer(C, DISABILITY, [Cat.CONSULTATION, Cat.FAMILY, Cat.HEALTH],
                       "母の家事援助（居宅介護）の利用について相談したい。")
            self.wait(2, 8)
            if self.chance(0.4, "decline"):
                self.decline(DISABILITY, "母は精神科の受診が中断しており、障害福祉サービスの利用要件を確認できない。"
                                         "受診の再開を含め、多機関協働での検討が必要。", escalate=True)
                with_disability = False
            else:
                self.accept(DISABILITY, "相談支援専門員が母と面談します。")
        self.wait(5, 15)
        self.visit(HEALTH, None, "mother", rng.choice([Visit.MET, Visit.MET, Visit.REFUSED]),
                   "保健師が訪問し、母に通院の再開を勧めた。")
        if not self.chance(0.75, "met"):
            return
        self.wait(7, 21)
        agencies = [C, HEALTH, COORDINATION] + ([DISABILITY] if with_disability else []) \
            + ([SHAKYO] if self.chance(0.4) else []) + ([LIVELIHOOD] if handover_due else [])
        self.grant(C, by="mother", agencies=agencies,
                   categories=ALL_CATEGORIES if self.chance(0.6) else [c for c in ALL_CATEGORIES if c != Cat.FINANCE],
                   purpose="本人の負担を減らし、母の療養を支えるため関係機関で支援を検討する")
        self.wait(5, 15)
        meeting = self.multi_meeting("ヤングケアラー世帯の支援プランの検討", agencies)
        assert meeting is not None
        self.adopt(meeting, ["本人が週5日登校できる", "母の通院が定期的に続く"],
                   [(C, "本人の学習・生活の支援と学校との連携"), (HEALTH, "母の通院・服薬の支援"),
                    (DISABILITY, "家事援助サービスの調整"), (COORDINATION, "全体の進行管理"),
                    (SHAKYO, "子ども食堂の紹介")])
        self.wait(10, 30)
        self.complete(HEALTH, "母の通院が再開した。")
        self.wait(5, 20)
        resource = rng.choice([("子ども食堂「みなとキッチン」", ResourceKind.KODOMO_SHOKUDO),
                               ("無料の学習支援教室", ResourceKind.OTHER)])
        self.participate(C, "self", resource, [(20, 40, "毎週参加している。友人ができた。")])
        self.wait(10, 30)
        self.review(COORDINATION, "本人の欠席が減った。母の体調は波があるが通院は続いている。")
        if handover_due is not None:
            self.wait(5, 20)
            self.handover(C, "self", 18, LIVELIHOOD, handover_due, C,
                          "18歳到達により、若者の自立・就労支援の担当へ引き継いだ。")

    def _refusal(self) -> None:
        rng, E = self.rng, self.elderly
        age = rng.randint(75, 92)
        male = rng.random() < 0.55
        self.open(E, f"{age}歳の独居の本人。民生委員の声かけに応じず、郵便物がたまっている。支援を拒否している。")
        self.add("self", E, relationship="本人", gender="m" if male else "f", age=age, principal=True)
        if self.chance(0.5):
            rel = rng.choice(["長女", "長男", "孫"])
            self.add("relative", E, relationship=rel, gender="m" if rel == "長男" else rng.choice("mf"),
                     age=rng.randint(22, 35) if rel == "孫" else rng.randint(45, 62))
        self.consult(E, Field.ELDERLY, Cat.CONSULTATION, "民生委員からの連絡",
                     "夏でも厚着で外出する姿があり、食事をとれているか心配との連絡。")
        self.issue(E, IssueTag.SUPPORT_REFUSAL, "「役所の世話にはならない」と訪問を断っている。")
        self.issue(E, IssueTag.ISOLATION, "近隣との交流がない。")
        if self.chance(0.4):
            self.issue(E, IssueTag.DEMENTIA, "同じ話を繰り返す。認知症の疑い。")
        self.wait(2, 10)
        outreach = self.plan_outreach(E, "self", "民生委員と同行し、玄関先での短時間の声かけから始める。")
        for _ in range(rng.randint(1, 3)):
            self.wait(5, 15)
            outcome = rng.choice([Visit.REFUSED, Visit.NOT_AT_HOME])
            self.visit(E, outreach, "self", outcome, "インターホン越しに「用はない」と言われた。" if outcome == Visit.REFUSED
                       else "不在。民生委員の連絡先を記したメモを投函した。")
        self.refuse(E, "self", "「自分のことは自分でできる」と支援を拒否。")
        self.wait(7, 21)
        attendees = [E, SHAKYO, self.general] + ([HEALTH] if self.chance(0.3) else [])
        self.support_meeting("支援を拒む独居高齢者の見守り体制の検討", attendees,
                             [(DecisionKind.WATCH, "民生委員・社協の地域見守りを続け、異変時は高齢者相談センターへ連絡する。", SHAKYO),
                              (DecisionKind.OUTREACH, "高齢者相談センターが月2回の訪問を続ける。", E)])
        met = False
        for _ in range(rng.randint(1, 4)):
            self.wait(10, 25)
            if self.chance(0.4, "met"):
                self.visit(E, outreach, "self", Visit.MET, "玄関先で体調の話ができた。血圧の薬が切れているとのこと。")
                met = True
                break
            self.visit(E, outreach, "self", Visit.REFUSED, "声かけには応じたが、訪問は断られた。")
        if not met:
            return
        self.wait(5, 15)
        self.grant(E, by="self", agencies=[E, SHAKYO, COORDINATION],
                   categories=[Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH, Cat.SUPPORT],
                   purpose="受診と地域の見守りのため関係機関で情報を共有する", method=ConsentMethod.ORAL)
        self.wait(10, 30)
        self.participate(SHAKYO, "self", ("地域のふれあい・いきいきサロン", ResourceKind.SALON),
                         [(20, 40, "月2回のサロンに参加している。")])
        if self.chance(0.4, "close"):
            self.wait(10, 40)
            self.resolve(E, IssueTag.SUPPORT_REFUSAL, "訪問とサロンへの参加を受け入れるようになった。")
            self.close(E, "受診が再開し、サロンと民生委員による見守り体制が整ったため終結する。", "見守り体制の構築")
            if self.chance(0.1, "reopen") and self.run.stats["reopen"] < MAX_REOPENINGS:
                self.wait(20, 60)
                self.reopen(E, "民生委員から、再び食事がとれていない様子との連絡があったため再開する。")
                self.consult(E, Field.ELDERLY, Cat.HEALTH, "民生委員からの連絡", "体重が減り、室内で転倒した跡がある。")
                self.wait(1, 4)
                self.visit(E, outreach, "self", Visit.MET, "訪問し本人と面談。受診に同行することを了承した。")

    def _hoarding(self) -> None:
        rng = self.rng
        opener = SHAKYO if rng.random() < 0.5 else self.general
        age = rng.randint(55, 85)
        self.open(opener, f"集合住宅の一室にごみが堆積し、悪臭で近隣から苦情。{age}歳の本人は片付けを拒んでいる（ごみ屋敷）。")
        self.add("self", opener, relationship="本人", gender=rng.choice("mf"), age=age, principal=True)
        self.consult(opener, Field.COMMUNITY if opener == SHAKYO else Field.GENERAL, Cat.CONSULTATION,
                     rng.choice(["近隣住民からの通報", "管理会社からの相談"]),
                     "ベランダまでごみがあふれ、害虫が発生している。本人は「全部必要なもの」と話す。")
        self.issue(opener, IssueTag.HOARDING, "居室とベランダにごみが堆積している。")
        self.issue(opener, IssueTag.ISOLATION, "親族とは長年連絡をとっていない。")
        if self.chance(0.25):
            self.issue(opener, IssueTag.MENTAL_HEALTH, "ためこみの背景に精神的な不調がうかがえる。")
        self.wait(3, 10)
        approach = "CSWが定期的に訪問し、本人の困りごとを聴きながら関係をつくる。"
        outreach: str | None = None
        if opener == SHAKYO:
            outreach = self.plan_outreach(SHAKYO, "self", approach)
            self.visit(SHAKYO, outreach, "self", Visit.REFUSED, "玄関先で「放っておいてほしい」と言われた。")
        else:
            self.visit(opener, None, "self", Visit.REFUSED, "総合支所の職員が訪問。玄関先で「放っておいてほしい」と言われた。")
        self.wait(7, 21)
        attendees = [SHAKYO, self.general, HEALTH] + ([self.elderly] if age >= 65 else [])
        refer_health = self.chance(0.5)
        decisions: list[tuple[DecisionKind, str, str | None]] = [
            (DecisionKind.OUTREACH, "CSWが週1回訪問し、関係づくりを続ける。", SHAKYO),
            (DecisionKind.WATCH, "総合支所が管理会社・近隣との調整窓口となる。", self.general)]
        if refer_health:
            decisions.append((DecisionKind.REFER, "害虫と悪臭への対応について保健所の助言を得る。", HEALTH))
        self.support_meeting("ごみの堆積と近隣トラブルへの対応の検討", attendees, decisions)
        if refer_health:
            self.wait(1, 5)
            self.refer(opener, HEALTH, [Cat.CONSULTATION, Cat.SUPPORT], "衛生害虫と悪臭について助言を依頼します。")
            self.wait(1, 5)
            self.accept(HEALTH, "環境衛生担当が対応します。")
            self.wait(5, 15)
            self.complete(HEALTH, "害虫駆除の方法を助言し、管理会社が駆除を実施した。")
        if outreach is None:
            self.wait(2, 7)
            outreach = self.plan_outreach(SHAKYO, "self", approach)
        met = False
        for _ in range(rng.randint(1, 4)):
            self.wait(7, 20)
            if self.chance(0.45, "met"):
                self.visit(SHAKYO, outreach, "self", Visit.MET, "室内に入れてもらえた。台所だけでも片付けたいと話す。")
                met = True
                break
            self.visit(SHAKYO, outreach, "self", rng.choice([Visit.REFUSED, Visit.NOT_AT_HOME]),
                       "本人と会えず。手紙を残した。")
        if not met:
            return
        self.wait(3, 10)
        agencies = [SHAKYO, self.general, COORDINATION] + ([self.elderly] if age >= 65 else [])
        self.grant(SHAKYO, by="self", agencies=agencies,
                   categories=[Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH, Cat.SUPPORT],
                   purpose="片付けと生活の立て直しを関係機関で支援するため", method=ConsentMethod.ORAL)
        self.wait(7, 20)
        meeting = self.multi_meeting("片付け支援と生活の立て直しに向けた支援プランの検討", agencies)
        assert meeting is not None
        self.adopt(meeting, ["本人の同意のもとで段階的に片付ける", "地域とのつながりを取り戻す"],
                   [(SHAKYO, "ボランティアによる片付け支援と定期訪問"), (self.general, "管理会社との調整"),
                    (self.elderly, "介護保険サービスの検討"), (COORDINATION, "全体の進行管理")])
        self.wait(7, 20)
        self.visit(SHAKYO, outreach, "self", Visit.MET, "ボランティア8名と片付けを実施（1回目）。本人も分別に参加した。")
        self.wait(20, 40)
        self.review(COORDINATION, "居室の半分が片付いた。本人は次回の片付けを楽しみにしている。")
        self.participate(SHAKYO, "self", ("地域の食事会", ResourceKind.SALON), [(20, 40, "月1回参加している。")])
        if self.chance(0.25, "close"):
            self.wait(20, 40)
            if self.evaluate(agencies, "片付けが終わり、食事会への参加が続いている。", True):
                self.resolve(SHAKYO, IssueTag.HOARDING, "居室の片付けが終わった。")
                self.close(SHAKYO, "片付けが終わり、地域の見守りにつながったため終結する。", "目標達成")

    def _poverty(self) -> None:
        rng = self.rng
        shakyo_opens = self.chance(0.2, "opener_shakyo")
        opener = SHAKYO if shakyo_opens else (LIVELIHOOD if rng.random() < 0.65 else self.general)
        age = rng.randint(28, 64)
        cause = rng.choice(["失業", "病気による休職", "自営業の不振", "離婚"])
        self.open(opener, f"{age}歳の本人。{cause}により収入が途絶え、家賃と公共料金を滞納している。")
        self.add("self", opener, relationship="本人", gender=rng.choice("mf"), age=age, principal=True)
        if self.chance(0.3):
            self.add("spouse", opener, relationship="配偶者", gender=rng.choice("mf"), age=age + rng.randint(-4, 4))
        kids = age < 55 and self.chance(0.35)
        if kids:
            rel = rng.choice(["長男", "長女"])
            self.add("kid", opener, relationship=rel, gender="m" if rel == "長男" else "f",
                     age=rng.randint(3, min(17, age - 20)))
        self.consult(opener, Field.POVERTY, Cat.FINANCE, rng.choice(["来所", "電話", "メール"]),
                     f"{cause}で収入がなくなり、家賃を{rng.randint(1, 4)}か月滞納。所持金が数千円しかない。")
        self.issue(opener, IssueTag.POVERTY, f"{cause}による収入の途絶。")
        if self.chance(0.4):
            self.issue(opener, IssueTag.DEBT, "消費者金融からの借入が複数ある。")
        if not self.chance(0.8, "consent"):
            if self.chance(0.7):
                self.wait(5, 25)
                self.close(opener, "住居確保給付金と各種減免制度の情報を提供し、本人が自ら手続きを進めたため終結する。",
                           "情報提供により解決")
            return
        self.wait(0.1, 3)
        agencies = _unique([opener, LIVELIHOOD, self.general, SHAKYO, COORDINATION])
        categories = [Cat.BASIC, Cat.CONSULTATION, Cat.FINANCE, Cat.SUPPORT] + ([Cat.FAMILY] if kids else []) \
            + ([Cat.HEALTH] if cause == "病気による休職" else [])
        consent = self.grant(opener, by="self", agencies=agencies, categories=categories,
                             purpose="生活の立て直しに向けて、支援制度の利用を関係機関で検討するため",
                             method=ConsentMethod.WRITTEN)
        self.wait(1, 7)
        shared = [Cat.BASIC, Cat.FINANCE, Cat.CONSULTATION]
        if opener == SHAKYO:
            self.refer(SHAKYO, LIVELIHOOD, shared, "生活福祉資金の相談者。自立相談支援事業による支援を依頼します。")
            self.wait(1, 6)
            if self.chance(0.3, "decline"):
                self.decline(LIVELIHOOD, "収入と資産の状況から、生活保護の要件に該当する可能性が高い。"
                                         "まず福祉総合窓口での保護の相談が適切。", alternative=self.general)
                self.wait(0.5, 3)
                self.refer(SHAKYO, self.general, shared, "生活・就労支援センターの助言により、生活保護の相談を依頼します。")
                self.wait(1, 5)
                self.accept(self.general, "地区担当員が面接します。")
                self.wait(7, 21)
                self.complete(self.general, "生活保護の申請を受け付けた。")
                return
            self.accept(LIVELIHOOD, "相談支援員が担当します。")
            lead = LIVELIHOOD
        elif opener == self.general:
            self.refer(self.general, LIVELIHOOD, shared, "就労支援と家計改善支援を依頼します。")
            self.wait(1, 6)
            self.accept(LIVELIHOOD, "相談支援員が担当します。")
            lead = LIVELIHOOD
        else:
            lead = LIVELIHOOD
            target = SHAKYO if rng.random() < 0.5 else self.general
            self.refer(LIVELIHOOD, target, shared, "生活福祉資金（緊急小口資金）の貸付相談を依頼します。" if target == SHAKYO
                       else "生活保護の相談を依頼します。")
            self.wait(1, 6)
            self.accept(target, "担当者が面談します。")
            self.wait(5, 20)
            self.complete(target, "緊急小口資金の貸付が決定した。" if target == SHAKYO else "生活保護の申請を受け付けた。")
        if age < 60 and self.chance(0.6):
            self.wait(10, 30)
            self.participate(lead, "self", ("区内の協力企業での就労体験（清掃）", ResourceKind.WORK_TRIAL),
                             [(15, 30, "週3日の就労体験を続けている。")])
        if LIVELIHOOD in self.referrals:
            self.wait(10, 30)
            self.complete(LIVELIHOOD, "住居確保給付金の支給が決まり、就職活動を続けている。")
        if kids and self.chance(0.35):
            self.wait(10, 30)
            meeting = self.multi_meeting("家計と子どもの生活を支える支援プランの検討", agencies)
            if meeting is not None:
                self.adopt(meeting, ["家賃の滞納を解消する", "安定した仕事に就く"],
                           [(LIVELIHOOD, "家計改善支援と就労支援"), (self.general, "各種手当の手続き"),
                            (SHAKYO, "貸付と子ども食堂の紹介"), (COORDINATION, "全体の進行管理")])
        if self.chance(0.1, "withdraw"):
            self.wait(10, 30)
            self.withdraw(lead, consent, "本人から、社会福祉協議会への情報提供をやめてほしいとの申し出があった。")
            agencies = [a for a in agencies if a != SHAKYO]
            self.wait(0.5, 3)
            consent = self.grant(lead, by="self", agencies=agencies, categories=categories,
                                 purpose="生活の立て直しに向けた支援のため（社会福祉協議会を除いて再同意）",
                                 method=ConsentMethod.WRITTEN)
        if self.chance(0.5, "close"):
            self.wait(15, 45)
            if self.plan_in_progress:
                if not self.evaluate(agencies, "就職が決まり、家計が安定した。", True):
                    return
            self.close(lead, "就職が決まり家計が安定したため終結する。", "目標達成")

    def _disability(self) -> None:
        rng, D, E = self.rng, DISABILITY, self.elderly
        variant = 65 if self.chance(0.55, "variant65") else (40 if self.chance(0.2) else None)
        due: date | None = None
        if variant is not None:
            due = self.today() + timedelta(days=rng.randint(60, 200))
            due = due.replace(day=min(due.day, 28))
            age = variant - 1
        else:
            age = rng.randint(42, 60)
        parent_age = max(age + 24, rng.randint(70, 90))
        if variant == 40:
            condition = "若年性認知症"
            summary = f"{age}歳の本人（若年性認知症）と{parent_age}歳の母の二人暮らし。40歳到達で介護保険の第2号被保険者となる。"
        else:
            condition = "知的障害"
            summary = f"{age}歳の本人（知的障害）と{parent_age}歳の母の二人暮らし。母の高齢化により、親亡き後の生活に不安。"
            if variant == 65:
                summary += "本人は65歳を迎え、介護保険サービスへの移行が必要。"
        self.open(D, summary)
        birth = date(due.year - variant, due.month, due.day) if due and variant else None
        self.add("self", D, relationship="本人", gender=rng.choice("mf"), age=age, birth=birth, principal=True)
        self.add("mother", D, relationship="母", gender="f", age=parent_age)
        self.consult(D, Field.DISABILITY, Cat.HEALTH, "来所",
                     f"本人は{condition}があり、日中は作業所に通っている。母が腰を痛め、家事と通所の送迎が難しくなった。")
        self.issue(D, IssueTag.DEMENTIA if variant == 40 else IssueTag.OTHER,
                   "若年性認知症の進行" if variant == 40 else "親亡き後の生活の場と支援者の確保")
        if self.chance(0.4):
            self.issue(D, IssueTag.ISOLATION, "母以外に頼れる親族がいない。")
        self.wait(3, 14)
        agencies = [D, E, COORDINATION] + ([SHAKYO] if self.chance(0.3) else [])
        self.grant(D, by="self", agencies=agencies, categories=ALL_CATEGORIES,
                   purpose="本人と母の今後の生活を関係機関で支えるため", method=ConsentMethod.WRITTEN)
        refer_mother = self.chance(0.5)
        if refer_mother:
            self.wait(1, 7)
            self.refer(D, E, [Cat.BASIC, Cat.HEALTH, Cat.FAMILY], "母の介護保険サービスの利用について相談を依頼します。")
            self.wait(1, 6)
            self.accept(E, "母の自宅を訪問します。")
        self.wait(7, 21)
        meeting = self.multi_meeting("本人と母の生活を支える支援プランの検討", agencies)
        assert meeting is not None
        self.adopt(meeting, ["本人が日中活動を続けられる", "母の介護と本人の支援を一体的に調整する"],
                   [(D, "障害福祉サービスの調整"), (E, "母の介護と本人の介護保険移行の調整"),
                    (SHAKYO, "日常生活自立支援事業による金銭管理"), (COORDINATION, "全体の進行管理")])
        if refer_mother:
            self.wait(10, 30)
            self.complete(E, "母の要支援認定が出て、訪問介護の利用が始まった。")
        self.wait(7, 20)
        self.participate(D, "self", rng.choice([("地域活動支援センターの創作活動", ResourceKind.OTHER),
                                                ("就労継続支援B型の体験利用", ResourceKind.WORK_TRIAL)]),
                         [(20, 40, "週2回通っている。")])
        self.wait(10, 30)
        self.review(COORDINATION, "日中活動は安定して続いている。")
        if self.chance(0.25, "revise"):
            self.wait(10, 30)
            self.revise(agencies, ["本人がグループホームの体験利用を始める", "母の介護と本人の支援を一体的に調整する"],
                        [(D, "グループホームの体験利用の調整"), (E, "母の介護の調整"), (COORDINATION, "全体の進行管理")],
                        "母の入院をきっかけに、本人の住まいの場の検討を前倒しするため。")
        if variant is not None and due is not None:
            self.wait(5, 15)
            if variant == 65:
                note = "65歳到達により介護保険サービスへ移行した。障害福祉サービスの一部は併給を継続。"
            else:
                note = "40歳到達により介護保険の第2号被保険者となり、高齢者相談センターへ引き継いだ。"
            self.handover(D, "self", variant, E, due, E, note)

    def _disability_child(self) -> None:
        rng, C, D = self.rng, CHILDREN, DISABILITY
        due = self.today() + timedelta(days=rng.randint(80, 220))
        due = due.replace(day=min(due.day, 28))
        self.open(C, "発達障害のある17歳の本人。高校卒業後の進路と、18歳以降の支援の継続が課題。")
        self.add("self", C, relationship="本人", gender=rng.choice("mf"), birth=date(due.year - 18, due.month, due.day),
                 principal=True)
        self.add("mother", C, relationship="母", gender="f", age=rng.randint(40, 52))
        self.consult(C, Field.CHILDREN, Cat.HEALTH, "来所", "放課後等デイサービスを利用中。18歳以降の日中活動の場が決まっていない。")
        self.issue(C, IssueTag.OTHER, "18歳以降の支援の継続（制度の切れ目）")
        self.wait(3, 14)
        agencies = [C, D, COORDINATION] + ([LIVELIHOOD] if self.chance(0.3) else [])
        self.grant(C, by="mother", agencies=agencies, categories=ALL_CATEGORIES,
                   purpose="18歳以降の支援への移行を関係機関で準備するため", method=ConsentMethod.WRITTEN)
        self.wait(1, 7)
        self.refer(C, D, [Cat.BASIC, Cat.HEALTH, Cat.SUPPORT], "18歳以降の障害福祉サービスの利用計画の作成を依頼します。")
        self.wait(1, 7)
        self.accept(D, "相談支援専門員が担当します。")
        self.wait(7, 21)
        meeting = self.multi_meeting("18歳以降の生活に向けた支援プランの検討", agencies)
        assert meeting is not None
        self.adopt(meeting, ["卒業後の日中活動の場を決める", "18歳到達時に支援を途切れさせない"],
                   [(C, "在学中の支援と移行準備"), (D, "サービス等利用計画の作成"), (COORDINATION, "全体の進行管理")])
        self.wait(10, 30)
        self.participate(D, "self", ("地域活動支援センターの体験利用", ResourceKind.OTHER), [(20, 40, "体験利用に参加できた。")])
        self.wait(5, 20)
        self.handover(C, "self", 18, D, due, D, "18歳到達により障害者の相談支援へ引き継いだ。")
        self.wait(5, 20)
        self.complete(D, "サービス等利用計画を作成し、卒業後の通所先が決まった。")

    def _elderly_couple(self) -> None:
        rng, G, E = self.rng, self.general, self.elderly
        husband = rng.randint(78, 92)
        wife = husband - rng.randint(0, 6)
        self.open(G, f"{husband}歳の夫の物忘れが進み、{wife}歳の妻が一人で介護している（老老介護）。妻が福祉総合窓口に相談。")
        self.add("self", G, relationship="本人", gender="m", age=husband, principal=True)
        self.add("wife", G, relationship="配偶者", gender="f", age=wife)
        self.consult(G, Field.GENERAL, Cat.CONSULTATION, "来所",
                     "夫が夜間に外に出ようとすることがあり、妻が眠れていない。どこに相談すればよいかわからなかった。")
        self.issue(G, IssueTag.DEMENTIA, "夫に認知症の疑い。未受診。")
        self.issue(G, IssueTag.ISOLATION, "子どもは遠方に住んでいる。")
        self.wait(0.1, 5)
        agencies = [G, E, COORDINATION]
        self.grant(G, by="self", agencies=agencies,
                   categories=[Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH, Cat.FAMILY, Cat.SUPPORT],
                   purpose="介護サービスの利用に向けて関係機関で情報を共有するため（妻同席）", method=ConsentMethod.ORAL)
        self.wait(0.5, 3)
        self.refer(G, E, [Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH], "要介護認定の申請と介護サービスの調整を依頼します。")
        self.wait(1, 5)
        self.accept(E, "担当者が自宅を訪問します。")
        self.wait(3, 10)
        self.visit(E, None, "self", Visit.MET, "夫婦と面談。かかりつけ医への受診を勧めた。")
        if self.chance(0.3):
            self.wait(7, 20)
            self.do(G, "escalate_to_multi_agency", reason="妻の体調も悪化しており、複数の課題が重なるため多機関協働での対応を依頼する。")
            self.wait(7, 20)
            meeting = self.multi_meeting("老老介護世帯の支援プランの検討", agencies)
            if meeting is not None:
                self.adopt(meeting, ["夫が介護サービスを利用できる", "妻が休息をとれる"],
                           [(E, "介護サービスの調整"), (G, "各種手続きの支援"), (COORDINATION, "全体の進行管理")])
        self.wait(20, 45)
        self.complete(E, "要介護1の認定が出て、デイサービスの利用が始まった。")
        if self.chance(0.4, "close"):
            self.wait(10, 30)
            if self.plan_in_progress and not self.evaluate(agencies, "介護サービスの利用が定着した。", True):
                return
            self.close(G, "高齢者相談センターによる支援に移行したため、総合窓口としては終結する。", "他機関の支援へ移行")


EMERGENCY_REASONS: tuple[tuple[str, str], ...] = (
    (HEALTH, "救急隊から、室内で倒れている本人を発見したと連絡があった。搬送先に服薬状況と既往歴を伝えるため、緊急に確認する。"),
    (LIVELIHOOD, "本人から「もう生きていけない」との電話があり、自殺のおそれがある。安否確認のため家族の連絡先を確認する。"),
    (CHILD_GUIDANCE, "世帯内の子の安全確認が必要との通告を受け、生命・身体の保護のため世帯の状況を緊急に確認する。"),
    (DISABILITY, "夜間に本人が行方不明との通報があった。捜索に必要な心身の状況と立ち回り先を緊急に確認する。"),
)


# ----- the run --------------------------------------------------------------------------------


def seed_demo(app: Tsunagu, *, households: int = 200, fiscal_year: int = 2026, seed: int = 2026,
              until: datetime | None = None, progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Write a ward's year of household cases through the domain, from April 1 up to ``until``."""
    started = _time.perf_counter()
    if households < 0:
        raise ValueError("households must not be negative")
    now = app.clock()
    if until is None:
        until = now
    if until.tzinfo is None:
        raise ValueError("until must be timezone-aware, e.g. 2026-11-01T18:00:00+09:00")
    until = min(until, now)
    start = datetime(fiscal_year, 4, 1, tzinfo=JST)
    if until <= start:
        raise ValueError(f"until ({until.isoformat()}) is not after the start of fiscal year {fiscal_year}")
    year_end = datetime(fiscal_year + 1, 4, 1, tzinfo=JST)
    until = min(until, year_end - timedelta(seconds=1))

    ward = _Ward(app.registry)
    run = _Run(app, ward, until)
    stories: list[_Story] = []
    scenarios = list(SCENARIO_WEIGHTS)
    weights = [SCENARIO_WEIGHTS[s] for s in scenarios]
    span = until - start
    for index in range(households):
        rng = random.Random(f"tsunagu-demo/{seed}/{fiscal_year}/{index}")
        if index < len(FIXED_HOUSEHOLDS):
            scenario, force, workers = FIXED_HOUSEHOLDS[index]
            offset, pace = timedelta(days=rng.uniform(0, 14)), 0.6
        else:
            scenario, force, workers = rng.choices(scenarios, weights)[0], {}, {}
            offset, pace = span * (rng.random() ** 1.5), 0.8
            if scenario == "refusal" and rng.random() < 0.05:
                force = {"emergency": True}
            elif scenario in ("8050", "hoarding") and rng.random() < 0.02:
                force = {"emergency": True}
        district = rng.choice(ward.district_ids)
        story = _Story(run, index, rng, scenario, district, start, dict(force), workers, pace)
        opened = story._business(local_date(start + min(offset, span)))
        story.t = max(start, min(opened, until))
        try:
            story.play()
        except _Stop:
            pass
        if story.force.get("emergency"):
            story.emergency(_emergency_reasons(story))
        stories.append(story)
        if progress is not None:
            progress(index + 1)

    stats = run.stats
    summary = DemoSummary(
        households=households,
        events=run.events,
        fiscal_year=fiscal_year,
        seed=seed,
        until=until,
        elapsed_seconds=0.0,
        scenarios=dict(Counter(s.scenario for s in stories)),
        meetings={kind.value: stats[f"meeting:{kind.value}"] for kind in MeetingKind},
        consents_granted=stats["grant_consent"],
        consents_withdrawn=stats["withdraw_consent"],
        referrals={"requested": stats["request_referral"], "accepted": stats["accept_referral"],
                   "declined": stats["decline_referral"], "completed": stats["complete_referral"],
                   "escalated": stats["escalate_to_multi_agency"]},
        plans={"adopted": stats["adopt_plan"], "revised": stats["revise_plan"], "reviewed": stats["review_plan"],
               "evaluated": stats["evaluate_plan"]},
        outreach_visits=stats["record_visit"],
        participation_matches=stats["match_participation"],
        handovers={"planned": stats["plan_handover"], "completed": stats["complete_handover"]},
        emergency_accesses=stats["grant_emergency_access"],
        closures=stats["close"],
        reopenings=stats["reopen"],
        commands={k: v for k, v in sorted(stats.items()) if not k.startswith("meeting:")},
        showcases=_showcases(app, ward, stories),
    )
    summary.elapsed_seconds = _time.perf_counter() - started
    return summary


def _emergency_reasons(story: _Story) -> list[tuple[str, str]]:
    return [(agency, reason) for agency, reason in EMERGENCY_REASONS] + [
        (f"general-{d}", "消防から、本人が自宅で意識不明の状態で見つかったと連絡があった。家族の緊急連絡先を確認する必要がある。")
        for d in story.run.ward.district_ids if d != story.district]


# ----- showcases --------------------------------------------------------------------------------


def _describe(story: _Story, ward: _Ward, tail: str) -> str:
    steps: list[str] = []
    for milestone in story.milestones:
        if not steps or steps[-1] != milestone:
            steps.append(milestone)
    return (f"{SCENARIO_LABELS[story.scenario]}・{story.household}（{ward.district_ja[story.district]}）："
            f"{'→'.join(steps) or 'ケース開始'}。{tail}")


def _bases(app: Tsunagu, ward: _Ward, staff_id: str, story: _Story) -> list[Basis | None]:
    """How the reader's agency would see each entry now (the domain's rules; nothing is read or recorded)."""
    assert story.case_id is not None
    case = app.repository.get(story.case_id)
    return [d.basis for d in decide_case(ward.actor(staff_id), case, app.clock())]


def _showcases(app: Tsunagu, ward: _Ward, stories: list[_Story]) -> list[Showcase]:
    found: list[Showcase] = []
    written = [s for s in stories if s.case_id is not None]
    cases_8050 = [s for s in written if s.scenario == "8050"]

    def richest(candidates: list[tuple[tuple[Any, ...], _Story]]) -> _Story | None:
        return max(candidates, key=lambda c: (c[0], -c[1].index))[1] if candidates else None

    coordinator = ward.registry.staff_member(SHOWCASE_COORDINATOR)
    scored = []
    for story in cases_8050[:40]:
        bases = _bases(app, ward, SHOWCASE_COORDINATOR, story)
        if all(b is not None for b in bases):
            scored.append(((story.workers.get(COORDINATION) == SHOWCASE_COORDINATOR, "プラン決定" in story.milestones,
                            len(bases)), story))
    if (best := richest(scored)) is not None:
        kinds = "・".join(b.label_ja for b in sorted(set(_bases(app, ward, SHOWCASE_COORDINATOR, best))))
        found.append(Showcase("coordinator_8050", str(best.case_id), SHOWCASE_COORDINATOR, _describe(
            best, ward, f"{coordinator.name}（コーディネーター）は{kinds}の根拠で全記録を閲覧できる（非表示なし）。")))

    hikikomori = ward.registry.staff_member(SHOWCASE_HIKIKOMORI)
    scored = []
    withheld = []
    for story in cases_8050[:40]:
        bases = _bases(app, ward, SHOWCASE_HIKIKOMORI, story)
        if Basis.SUPPORT_MEETING in bases:
            scored.append(((len(set(bases)), bases.count(Basis.SUPPORT_MEETING)), story))
        if None in bases and any(b is not None for b in bases):
            withheld.append(((bases.count(None), len(bases)), story))
    if (best := richest(scored)) is not None:
        bases = _bases(app, ward, SHOWCASE_HIKIKOMORI, best)
        kinds = "・".join(b.label_ja for b in sorted({b for b in bases if b is not None}))
        found.append(Showcase("hikikomori_support_meeting", str(best.case_id), SHOWCASE_HIKIKOMORI, _describe(
            best, ward, f"{hikikomori.name}（ひきこもり窓口）には{kinds}の根拠で表示され、"
                        f"うち{bases.count(Basis.SUPPORT_MEETING)}件は支援会議（守秘義務）のみが根拠。")))
    if (best := richest(withheld)) is not None:
        bases = _bases(app, ward, SHOWCASE_HIKIKOMORI, best)
        kinds = "・".join(b.label_ja for b in sorted({b for b in bases if b is not None}))
        shown = len(bases) - bases.count(None)
        found.append(Showcase("hikikomori_withheld", str(best.case_id), SHOWCASE_HIKIKOMORI, _describe(
            best, ward, f"{hikikomori.name}には{kinds}の根拠で{shown}件が表示され、"
                        f"本人同意の範囲外の{bases.count(None)}件は「非表示」として示される。")))

    def first(flag: str, key: str, tail: Callable[[_Story], str], reader: Callable[[_Story], str]) -> None:
        for story in written:
            if flag in story.flags:
                found.append(Showcase(key, str(story.case_id), reader(story), _describe(story, ward, tail(story))))
                return

    first("emergency", "emergency", lambda s: f"{ward.name(s.emergency_staff or '')}（関与のない機関）が"
          "理由を記して緊急時アクセスを行った（要検証）。", lambda s: s.emergency_staff or "")
    first("consent_withdrawn", "consent_withdrawn", lambda s: "同意が撤回され、範囲を限定して再同意された。",
          lambda s: SHOWCASE_COORDINATOR)
    first("referral_declined", "referral_declined", lambda s: "つなぎが理由と代替先（または多機関協働）を添えて辞退された。",
          lambda s: SHOWCASE_COORDINATOR)
    first("handover_completed", "handover", lambda s: "年齢到達による制度切替で担当機関が移った。",
          lambda s: SHOWCASE_COORDINATOR)
    first("reopened", "reopened", lambda s: "いったん終結した後、再度の連絡で再開された。", lambda s: SHOWCASE_COORDINATOR)
    return found
