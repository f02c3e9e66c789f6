"""The double-care household: each member's consent at once (the small child's through the
parent), referrals between the children's and elderly services (declined to the right district
now and then), and a plan for both.
"""

from __future__ import annotations

from domain.commands import MeetingDecision, PlanRole
from domain.vocabulary import ConsentMethod, DecisionKind, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from infra.demo.story import Story


class DoubleCare(Story):
    """ダブルケア: one person raising a small child and caring for a parent with dementia."""

    SCENARIO = "double_care"
    LABEL_JA = "ダブルケア"
    WEIGHT = 9

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, SHAKYO, CHILDREN = self.coordination, self.shakyo, self.children
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
                     f"育児と{elder}の介護が重なり、睡眠が十分にとれていない。頼れる親族が近くにいない。",
                     about=["self"])
        self.issue(opener, IssueTag.DOUBLE_CARE, f"{kid_age}歳の子の育児と{elder}の介護を一人で担っている。",
                   about=["self"])
        self.issue(opener, IssueTag.DEMENTIA, f"{elder}は認知症の診断あり。要介護認定は未申請。", about=["elder"])
        self.wait(3, 14)
        other = E if opener == CHILDREN else CHILDREN
        agencies = [CHILDREN, E, COORDINATION] + ([SHAKYO] if self.chance(0.3) else [])
        categories = [Cat.BASIC, Cat.CONSULTATION, Cat.FAMILY, Cat.HEALTH, Cat.SUPPORT]
        if self.chance(0.5):
            categories.append(Cat.FINANCE)
        purpose = "育児と介護の両方の支援を関係機関で調整するため"
        consent = self.grant(opener, "self", agencies=agencies, categories=categories, purpose=purpose,
                             method=ConsentMethod.WRITTEN)
        self.grant(opener, "kid", agencies=agencies, categories=[Cat.BASIC, Cat.FAMILY, Cat.HEALTH, Cat.SUPPORT],
                   purpose=purpose, parent="self", method=ConsentMethod.WRITTEN)
        # The elder has dementia but can still say yes for themselves, with the family present.
        elder_consent = self.grant(opener, "elder", agencies=agencies, categories=categories,
                                   purpose=f"{elder}の介護サービスの調整のため（家族同席で本人が了承）")
        if "husband" in self.members and self.chance(0.7):
            self.grant(opener, "husband", agencies=agencies, categories=[Cat.BASIC, Cat.FAMILY, Cat.SUPPORT],
                       purpose=purpose, method=ConsentMethod.WRITTEN)
        self.wait(1, 5)
        self.refer(opener, other, [Cat.BASIC, Cat.FAMILY, Cat.HEALTH],
                   f"{elder}の介護サービスの調整を依頼します。" if other == E
                   else "子育て支援サービスの調整を依頼します。", about=["elder"] if other == E else ["self", "kid"])
        self.wait(1, 6)
        # Another district's elderly centre (where the ward has one per district).
        elsewhere_desks = [d for d in self.run.ward.district_ids if self.run.ward.of(d).elderly != E]
        if other == E and self.chance(0.15, "decline_district") and elsewhere_desks:
            elsewhere = rng.choice(elsewhere_desks)
            other = self.run.ward.of(elsewhere).elderly
            self.decline(E, f"{elder}の住所地は{self.run.ward.district_ja[elsewhere]}地区のため、"
                            "担当は同地区の高齢者相談センターとなる。", alternative=other)
            self.wait(0.5, 4)
            self.grant(opener, "elder", agencies=[other], categories=categories,
                       purpose=f"{elder}の住所地の高齢者相談センターと情報を共有するため（同意の範囲の追加）",
                       method=ConsentMethod.WRITTEN)
            agencies.append(other)
            self.refer(opener, other, [Cat.BASIC, Cat.FAMILY, Cat.HEALTH],
                       f"{elder}の介護サービスの調整を依頼します（{self.run.ward.agency_ja(E)}からの案内による）。",
                       about=["elder"])
            self.wait(1, 6)
        self.accept(other, "担当者が本人に連絡します。")
        elderly_centre = other if other != CHILDREN else E
        self.wait(7, 21)
        meeting = self.multi_meeting("ダブルケア世帯の支援プランの検討", agencies,
                                     [MeetingDecision(
                                         DecisionKind.SUPPORT_SETUP, "育児と介護の支援を同時に調整する。")])
        assert meeting is not None
        roles = [PlanRole(CHILDREN, "一時保育・子育て支援サービスの調整"),
                 PlanRole(elderly_centre, f"{elder}の要介護認定と介護サービスの調整"),
                 PlanRole(COORDINATION, "全体の進行管理"), PlanRole(SHAKYO, "ファミリー・サポートの紹介")]
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
            self.withdraw(opener, consent,
                          "本人から、家計の情報を含め関係機関との共有範囲を見直したいとの申し出があった。")
            self.wait(0.5, 4)
            self.grant(opener, "self", agencies=[CHILDREN, elderly_centre, COORDINATION],
                       categories=[Cat.BASIC, Cat.FAMILY, Cat.SUPPORT],
                       purpose="育児と介護の支援の調整のため（共有範囲を限定して再同意）", method=ConsentMethod.WRITTEN)
            return
        if self.chance(0.15, "narrow") and Cat.FINANCE in categories:
            self.wait(10, 40)
            self.narrow(elderly_centre, elder_consent, categories=[Cat.FINANCE],
                        reason=f"{elder}から、年金や預金のことは家族以外に知られたくないとの申し出があった"
                               "（経済状況の共有のみ撤回）。")
        if self.chance(0.25, "close"):
            self.wait(20, 50)
            if self.evaluate(agencies, f"{elder}の施設入所が決まり、本人の負担が軽減した。", True):
                self.close(COORDINATION, f"{elder}の特別養護老人ホーム入所により終結する。", "目標達成")
