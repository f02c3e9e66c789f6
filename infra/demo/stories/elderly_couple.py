"""The elderly-couple household (老老介護): the one-stop desk takes the wife's call, refers to
the elderly centre, and closes the case once care services have started.
"""

from __future__ import annotations

from domain.commands import EscalateToMultiAgency, PlanRole
from domain.vocabulary import ClosureReason, ConsentMethod, Field, IssueTag
from domain.vocabulary import InformationCategory as Cat
from domain.vocabulary import VisitOutcome as Visit
from infra.demo.story import Story


class ElderlyCouple(Story):
    """老老介護: a wife caring alone for a husband with dementia; the one-stop desk takes the call."""

    SCENARIO = "elderly_couple"
    LABEL_JA = "老老介護（総合窓口）"
    WEIGHT = 8

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION = self.coordination
        rng, G, E = self.rng, self.general, self.elderly
        husband = rng.randint(78, 92)
        wife = husband - rng.randint(0, 6)
        self.open(G, f"{husband}歳の夫の物忘れが進み、{wife}歳の妻が一人で介護している（老老介護）。"
                     "妻が福祉総合窓口に相談。")
        self.add("self", G, relationship="本人", gender="m", age=husband, principal=True)
        self.add("wife", G, relationship="配偶者", gender="f", age=wife)
        self.consult(G, Field.GENERAL, Cat.CONSULTATION, "来所",
                     "夫が夜間に外に出ようとすることがあり、妻が眠れていない。どこに相談すればよいかわからなかった。",
                     about=["self", "wife"])
        self.issue(G, IssueTag.DEMENTIA, "夫に認知症の疑い。未受診。", about=["self"])
        self.issue(G, IssueTag.ISOLATION, "子どもは遠方に住んでいる。", about=())
        self.wait(0.1, 5)
        agencies = [G, E, COORDINATION]
        categories = [Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH, Cat.FAMILY, Cat.SUPPORT]
        # Each spouse says yes for themselves, at the desk (heard by the worker; the ward's auditors
        # review oral consents that the recording desk itself relies on).
        self.grant(G, "self", agencies=agencies, categories=categories,
                   purpose="介護サービスの利用に向けて関係機関で情報を共有するため（妻同席）",
                   method=ConsentMethod.ORAL)
        self.grant(G, "wife", agencies=agencies, categories=categories,
                   purpose="夫の介護と妻の負担軽減に向けて関係機関で情報を共有するため",
                   method=ConsentMethod.ORAL)
        self.wait(0.5, 3)
        self.refer(G, E, [Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH],
                   "要介護認定の申請と介護サービスの調整を依頼します。", about=["self", "wife"])
        self.wait(1, 5)
        self.accept(E, "担当者が自宅を訪問します。")
        self.wait(3, 10)
        self.visit(E, None, "self", Visit.MET, "夫婦と面談。かかりつけ医への受診を勧めた。")
        if self.chance(0.3):
            self.wait(7, 20)
            self.do(G, EscalateToMultiAgency(
                case_id=self.case_id,
                reason="妻の体調も悪化しており、複数の課題が重なるため多機関協働での対応を依頼する。"))
            self.wait(7, 20)
            meeting = self.multi_meeting("老老介護世帯の支援プランの検討", agencies)
            if meeting is not None:
                self.adopt(meeting, ["夫が介護サービスを利用できる", "妻が休息をとれる"],
                           [PlanRole(E, "介護サービスの調整"), PlanRole(G, "各種手続きの支援"),
                            PlanRole(COORDINATION, "全体の進行管理")])
        self.wait(20, 45)
        self.complete(E, "要介護1の認定が出て、デイサービスの利用が始まった。")
        if self.chance(0.4, "close"):
            self.wait(10, 30)
            if self.plan_in_progress and not self.evaluate(agencies, "介護サービスの利用が定着した。", True):
                return
            # The one-stop desk opened the case and leads it: a lead cannot just end its own part
            # (関与終了), so it closes the case once the elderly centre's own support has taken over.
            self.close(G, "介護サービスの利用が始まり、高齢者相談センターによる支援に移行したため終結する。",
                       "他機関の支援へ移行", reason=ClosureReason.TRANSFERRED)
