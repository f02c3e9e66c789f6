"""Disability households: a disabled adult whose mother is ageing (the switch to 介護保険 at
40 or 65; now and then the adult has a 成年後見人 who consents with the adult's own view noted),
and a disabled 17-year-old who consents for themselves, handed over to adult services at 18.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.commands import PlanRole
from domain.vocabulary import ConsentMethod, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from infra.demo.names import GIVEN_NAMES, SURNAMES
from infra.demo.story import ALL_CATEGORIES, Story

ADULT_VIEWS = (
    "「今の作業所に通い続けたい。お母さんと一緒に暮らしたい」と話した。",
    "「グループホームは見学してから決めたい」と話し、関係機関で相談することには賛成した。",
    "後見人の説明に頷き、「ヘルパーさんが来てくれるならいい」と話した。",
)
"""What a disabled adult said when their 成年後見人 consented for them."""


class Disability(Story):
    """親亡き後: a disabled adult and an ageing mother; the switch to 介護保険 at 40 or 65."""

    SCENARIO = "disability"
    LABEL_JA = "障害（親亡き後）"
    WEIGHT = 9

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, SHAKYO, DISABILITY = self.coordination, self.shakyo, self.disability
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
            summary = (f"{age}歳の本人（若年性認知症）と{parent_age}歳の母の二人暮らし。"
                       "40歳到達で介護保険の第2号被保険者となる。")
        else:
            condition = "知的障害"
            summary = (f"{age}歳の本人（知的障害）と{parent_age}歳の母の二人暮らし。"
                       "母の高齢化により、親亡き後の生活に不安。")
            if variant == 65:
                summary += "本人は65歳を迎え、介護保険サービスへの移行が必要。"
        self.open(D, summary)
        birth = date(due.year - variant, due.month, due.day) if due and variant else None
        self.add("self", D, relationship="本人", gender=rng.choice("mf"), age=age, birth=birth, principal=True)
        self.add("mother", D, relationship="母", gender="f", age=parent_age)
        self.consult(D, Field.DISABILITY, Cat.HEALTH, "来所",
                     f"本人は{condition}があり、日中は作業所に通っている。母が腰を痛め、家事と通所の送迎が難しくなった。",
                     about=["self", "mother"])
        self.issue(D, IssueTag.DEMENTIA if variant == 40 else IssueTag.OTHER,
                   "若年性認知症の進行" if variant == 40 else "親亡き後の生活の場と支援者の確保", about=["self"])
        if self.chance(0.4):
            self.issue(D, IssueTag.ISOLATION, "母以外に頼れる親族がいない。", about=())
        self.wait(3, 14)
        agencies = [D, E, COORDINATION] + ([SHAKYO] if self.chance(0.3) else [])
        purpose = "本人と母の今後の生活を関係機関で支えるため"
        if condition == "知的障害" and self.chance(0.35, "guardian"):
            # The adult has a 成年後見人: the guardian consents, and the adult's own view is recorded.
            surname, _ = rng.choice(SURNAMES)
            given, _ = rng.choice(GIVEN_NAMES[("mid", rng.choice("mf"))])
            role = rng.choice(["司法書士", "社会福祉士", "弁護士"])
            self.grant(D, "self", agencies=agencies, categories=ALL_CATEGORIES, purpose=purpose,
                       method=ConsentMethod.WRITTEN, guardian=f"{surname} {given}（{role}・成年後見人）",
                       view=rng.choice(ADULT_VIEWS))
        else:
            self.grant(D, "self", agencies=agencies, categories=ALL_CATEGORIES, purpose=purpose,
                       method=ConsentMethod.WRITTEN)
        self.grant(D, "mother", agencies=agencies, categories=ALL_CATEGORIES, purpose=purpose,
                   method=ConsentMethod.WRITTEN)
        refer_mother = self.chance(0.5)
        if refer_mother:
            self.wait(1, 7)
            self.refer(D, E, [Cat.BASIC, Cat.HEALTH, Cat.FAMILY],
                       "母の介護保険サービスの利用について相談を依頼します。", about=["mother"])
            self.wait(1, 6)
            self.accept(E, "母の自宅を訪問します。")
        self.wait(7, 21)
        meeting = self.multi_meeting("本人と母の生活を支える支援プランの検討", agencies)
        assert meeting is not None
        self.adopt(meeting, ["本人が日中活動を続けられる", "母の介護と本人の支援を一体的に調整する"],
                   [PlanRole(D, "障害福祉サービスの調整"), PlanRole(E, "母の介護と本人の介護保険移行の調整"),
                    PlanRole(SHAKYO, "日常生活自立支援事業による金銭管理"), PlanRole(COORDINATION, "全体の進行管理")])
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
                        [PlanRole(D, "グループホームの体験利用の調整"), PlanRole(E, "母の介護の調整"),
                         PlanRole(COORDINATION, "全体の進行管理")],
                        "母の入院をきっかけに、本人の住まいの場の検討を前倒しするため。")
        if variant is not None and due is not None:
            self.wait(5, 15)
            if variant == 65:
                note = "65歳到達により介護保険サービスへ移行した。障害福祉サービスの一部は併給を継続。"
            else:
                note = "40歳到達により介護保険の第2号被保険者となり、高齢者相談センターへ引き継いだ。"
            self.handover(D, "self", variant, E, due, E, note)


class DisabilityChild(Story):
    """A disabled 17-year-old: children's services hand over to adult disability services at 18."""

    SCENARIO = "disability_child"
    LABEL_JA = "障害のある子（18歳の制度切替）"
    WEIGHT = 3

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, LIVELIHOOD, CHILDREN, DISABILITY = (
            self.coordination, self.livelihood, self.children, self.disability)
        rng, C, D = self.rng, CHILDREN, DISABILITY
        due = self.today() + timedelta(days=rng.randint(80, 220))
        due = due.replace(day=min(due.day, 28))
        self.open(C, "発達障害のある17歳の本人。高校卒業後の進路と、18歳以降の支援の継続が課題。")
        self.add("self", C, relationship="本人", gender=rng.choice("mf"), birth=date(due.year - 18, due.month, due.day),
                 principal=True)
        self.add("mother", C, relationship="母", gender="f", age=rng.randint(40, 52))
        self.consult(C, Field.CHILDREN, Cat.HEALTH, "来所",
                     "放課後等デイサービスを利用中。18歳以降の日中活動の場が決まっていない。", about=["self"])
        self.issue(C, IssueTag.OTHER, "18歳以降の支援の継続（制度の切れ目）", about=["self"])
        self.wait(3, 14)
        agencies = [C, D, COORDINATION] + ([LIVELIHOOD] if self.chance(0.3) else [])
        purpose = "18歳以降の支援への移行を関係機関で準備するため"
        # At 17 the child consents for themselves; the mother consents for her own information.
        self.grant(C, "self", agencies=agencies, categories=ALL_CATEGORIES, purpose=purpose,
                   method=ConsentMethod.WRITTEN)
        self.grant(C, "mother", agencies=agencies, categories=[Cat.BASIC, Cat.FAMILY, Cat.SUPPORT], purpose=purpose,
                   method=ConsentMethod.WRITTEN)
        self.wait(1, 7)
        self.refer(C, D, [Cat.BASIC, Cat.HEALTH, Cat.SUPPORT],
                   "18歳以降の障害福祉サービスの利用計画の作成を依頼します。", about=["self"])
        self.wait(1, 7)
        self.accept(D, "相談支援専門員が担当します。")
        self.wait(7, 21)
        meeting = self.multi_meeting("18歳以降の生活に向けた支援プランの検討", agencies)
        assert meeting is not None
        self.adopt(meeting, ["卒業後の日中活動の場を決める", "18歳到達時に支援を途切れさせない"],
                   [PlanRole(C, "在学中の支援と移行準備"), PlanRole(D, "サービス等利用計画の作成"),
                    PlanRole(COORDINATION, "全体の進行管理")])
        self.wait(10, 30)
        self.participate(D, "self", ("地域活動支援センターの体験利用", ResourceKind.OTHER),
                         [(20, 40, "体験利用に参加できた。")])
        self.wait(5, 20)
        self.handover(C, "self", 18, D, due, D, "18歳到達により障害者の相談支援へ引き継いだ。")
        # The lead has moved to the disability centre with the handover: the children's centre,
        # no longer the lead, ends its own part (関与終了) and the case goes on.
        self.end_involvement(C, "18歳到達により障害者の相談支援へ引き継いだため、"
                                "子ども家庭支援センターとしての関与を終える。")
        self.wait(5, 20)
        self.complete(D, "サービス等利用計画を作成し、卒業後の通所先が決まった。")
