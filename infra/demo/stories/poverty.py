"""The poverty household: 自立相談支援 with the livelihood centre, 社協 and the one-stop desk,
with referrals declined to the right desk, now and then a partial withdrawal (社協 taken out of
the consent), and closure once work is found.
"""

from __future__ import annotations

from domain.commands import PlanRole
from domain.vocabulary import ClosureReason, ConsentMethod, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from infra.demo.story import Story, unique


class Poverty(Story):
    """生活困窮: income gone, rent in arrears; 自立相談支援 and the desks it refers to."""

    SCENARIO = "poverty"
    LABEL_JA = "生活困窮"
    WEIGHT = 18

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, LIVELIHOOD, SHAKYO = self.coordination, self.livelihood, self.shakyo
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
                     f"{cause}で収入がなくなり、家賃を{rng.randint(1, 4)}か月滞納。所持金が数千円しかない。",
                     about=["self"])
        self.issue(opener, IssueTag.POVERTY, f"{cause}による収入の途絶。", about=["self"])
        if self.chance(0.4):
            self.issue(opener, IssueTag.DEBT, "消費者金融からの借入が複数ある。", about=["self"])
        if not self.chance(0.8, "consent"):
            if self.chance(0.7):
                self.wait(5, 25)
                self.close(opener, "住居確保給付金と各種減免制度の情報を提供し、本人が自ら手続きを進めたため終結する。",
                           "情報提供により解決", reason=ClosureReason.NO_NEED)
            return
        self.wait(0.1, 3)
        agencies = unique([opener, LIVELIHOOD, self.general, SHAKYO, COORDINATION])
        categories = [Cat.BASIC, Cat.CONSULTATION, Cat.FINANCE, Cat.SUPPORT] + ([Cat.FAMILY] if kids else []) \
            + ([Cat.HEALTH] if cause == "病気による休職" else [])
        purpose = "生活の立て直しに向けて、支援制度の利用を関係機関で検討するため"
        consent = self.grant(opener, "self", agencies=agencies, categories=categories, purpose=purpose,
                             method=ConsentMethod.WRITTEN)
        if "spouse" in self.members:
            self.grant(opener, "spouse", agencies=agencies, categories=[Cat.BASIC, Cat.FINANCE, Cat.SUPPORT],
                       purpose=purpose, method=ConsentMethod.WRITTEN)
        if kids:
            self.grant(opener, "kid", agencies=agencies, categories=[Cat.BASIC, Cat.FAMILY, Cat.SUPPORT],
                       purpose="子どもの生活と学習の支援を関係機関で検討するため", parent="self",
                       method=ConsentMethod.WRITTEN)
        self.wait(1, 7)
        shared = [Cat.BASIC, Cat.FINANCE, Cat.CONSULTATION]
        if opener == SHAKYO:
            self.refer(SHAKYO, LIVELIHOOD, shared, "生活福祉資金の相談者。自立相談支援事業による支援を依頼します。",
                       about=["self"])
            self.wait(1, 6)
            if self.chance(0.3, "decline"):
                self.decline(LIVELIHOOD, "収入と資産の状況から、生活保護の要件に該当する可能性が高い。"
                                         "まず福祉総合窓口での保護の相談が適切。", alternative=self.general)
                self.wait(0.5, 3)
                self.refer(SHAKYO, self.general, shared,
                           "生活・就労支援センターの助言により、生活保護の相談を依頼します。", about=["self"])
                self.wait(1, 5)
                self.accept(self.general, "地区担当員が面接します。")
                self.wait(7, 21)
                self.complete(self.general, "生活保護の申請を受け付けた。")
                return
            self.accept(LIVELIHOOD, "相談支援員が担当します。")
        elif opener == self.general:
            self.refer(self.general, LIVELIHOOD, shared, "就労支援と家計改善支援を依頼します。", about=["self"])
            self.wait(1, 6)
            self.accept(LIVELIHOOD, "相談支援員が担当します。")
        else:
            target = SHAKYO if rng.random() < 0.5 else self.general
            self.refer(LIVELIHOOD, target, shared,
                       "生活福祉資金（緊急小口資金）の貸付相談を依頼します。" if target == SHAKYO
                       else "生活保護の相談を依頼します。", about=["self"])
            self.wait(1, 6)
            self.accept(target, "担当者が面談します。")
            self.wait(5, 20)
            self.complete(target, "緊急小口資金の貸付が決定した。" if target == SHAKYO
                          else "生活保護の申請を受け付けた。")
        if age < 60 and self.chance(0.6):
            self.wait(10, 30)
            self.participate(LIVELIHOOD, "self", ("区内の協力企業での就労体験（清掃）", ResourceKind.WORK_TRIAL),
                             [(15, 30, "週3日の就労体験を続けている。")])
        if LIVELIHOOD in self.referrals:
            self.wait(10, 30)
            self.complete(LIVELIHOOD, "住居確保給付金の支給が決まり、就職活動を続けている。")
        if kids and self.chance(0.35):
            self.wait(10, 30)
            meeting = self.multi_meeting("家計と子どもの生活を支える支援プランの検討", agencies)
            if meeting is not None:
                self.adopt(meeting, ["家賃の滞納を解消する", "安定した仕事に就く"],
                           [PlanRole(LIVELIHOOD, "家計改善支援と就労支援"), PlanRole(self.general, "各種手当の手続き"),
                            PlanRole(SHAKYO, "貸付と子ども食堂の紹介"), PlanRole(COORDINATION, "全体の進行管理")])
        if self.chance(0.1, "narrow") and opener != SHAKYO:
            # A partial withdrawal of the person's own consent: 社協 leaves it, the rest stands.
            self.wait(10, 30)
            self.narrow(LIVELIHOOD, consent, agencies=[SHAKYO],
                        reason="本人から、社会福祉協議会への情報提供をやめてほしいとの申し出があった。")
            agencies = [a for a in agencies if a != SHAKYO]
        if self.chance(0.5, "close"):
            self.wait(15, 45)
            if self.plan_in_progress:
                if not self.evaluate(agencies, "就職が決まり、家計が安定した。", True):
                    return
            # The case's lead (the desk that opened it) closes it, on the livelihood centre's word.
            self.close(self.lead, "就職が決まり家計が安定したため終結する。", "目標達成", reason=ClosureReason.NO_NEED)
