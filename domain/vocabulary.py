"""The closed vocabularies of the domain, with their Japanese labels.

Values are stored in events as plain strings (StrEnum values), so renaming a
member's Python name is safe but changing its value is a schema change.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a Japanese and an English label."""

    label_ja: str
    label_en: str

    def __new__(cls, value: str, label_ja: str = "", label_en: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label_ja = label_ja
        member.label_en = label_en
        return member


class Field(LabelledEnum):
    """The welfare field (分野) an agency works in."""

    ELDERLY = "elderly", "高齢", "Elderly"
    DISABILITY = "disability", "障害", "Disability"
    CHILDREN = "children", "子ども・子育て", "Children"
    POVERTY = "poverty", "生活困窮", "Poverty"
    HIKIKOMORI = "hikikomori", "ひきこもり", "Hikikomori"
    HEALTH = "health", "保健・医療", "Health"
    GENERAL = "general", "総合相談", "General"
    COMMUNITY = "community", "地域福祉", "Community"
    HOUSING = "housing", "住まい", "Housing"
    EDUCATION = "education", "教育", "Education"
    YOUTH = "youth", "若者", "Young people"
    EMPLOYMENT = "employment", "就労", "Employment"


class Role(LabelledEnum):
    CASEWORKER = "caseworker", "相談支援員", "Caseworker"
    COORDINATOR = "coordinator", "相談支援包括化推進員", "Coordinator"
    AUDITOR = "auditor", "監査担当", "Auditor"
    ADMIN = "admin", "管理者", "Administrator"


class InformationCategory(LabelledEnum):
    """What kind of personal information an entry holds; consent is given per category."""

    BASIC = "basic", "基本情報", "Basic information"
    CONSULTATION = "consultation", "相談内容", "Consultation content"
    HEALTH = "health", "心身の状況", "Health and disability"
    FINANCE = "finance", "経済状況", "Finances"
    FAMILY = "family", "家族関係・養育", "Family and upbringing"
    SUPPORT = "support", "支援経過", "Support record"


class Basis(LabelledEnum):
    """The legal basis on which an entry is shown to a reader."""

    OWN_RECORD = "OWN_RECORD", "自機関の記録", "Own agency's record"
    CONSENT = "CONSENT", "本人同意", "Consent"
    SUPPORT_MEETING = "SUPPORT_MEETING", "支援会議等（守秘義務）", "Support meeting or other statutory meeting " \
        "(confidentiality duty)"
    """Every meeting held without consent (支援会議 art. 106-6, 地域ケア会議, …: :mod:`domain.meeting_kinds`)."""
    EMERGENCY = "EMERGENCY", "緊急時（生命・身体の保護）", "Emergency (protection of life or body)"
    AUDIT = "AUDIT", "監査", "Audit"

    @property
    def is_unconsented(self) -> bool:
        return self in (Basis.SUPPORT_MEETING, Basis.EMERGENCY)


class WriteBasis(LabelledEnum):
    """What makes an agency part of a case, so that it may record on it (break-glass never does)."""

    OWN_RECORD = "OWN_RECORD", "自機関の記録がある", "Has recorded on the case"
    CONSENT = "CONSENT", "本人同意の範囲内", "Covered by the person's consent"
    SUPPORT_MEETING = "SUPPORT_MEETING", "支援会議等の構成員", "Member of a current support or statutory meeting"
    REFERRAL = "REFERRAL", "つなぎ先", "The case was referred to it"


class MeetingKind(LabelledEnum):
    MULTI_LAYERED = "multi_layered", "重層的支援会議", "Multi-layered support meeting"
    SUPPORT = "support", "支援会議", "Support meeting (art. 106-6)"
    COMMUNITY_CARE = "community_care", "地域ケア会議", "Community care meeting (Long-Term Care Insurance Act)"
    CHILD_PROTECTION = "child_protection", "要保護児童対策地域協議会", "Council for children in need of protection"
    POVERTY_SUPPORT = "poverty_support", "支援会議（生活困窮者自立支援）", "Support meeting (Self-Reliance Support Act)"
    PUBLIC_ASSISTANCE = "public_assistance", "調整会議（生活保護法）", "Coordination meeting (Public Assistance Act)"
    """What each kind's legal basis is and covers: :mod:`domain.meeting_kinds`."""


class ExternalRole(LabelledEnum):
    """What an external meeting participant (not registry staff) sits as."""

    WELFARE_COMMISSIONER = "welfare_commissioner", "民生委員・児童委員", "Welfare commissioner"
    MEDICAL = "medical", "医療機関", "Medical institution"
    CARE_MANAGER = "care_manager", "ケアマネ事業所", "Care management office"
    RESIDENT = "resident", "地域住民", "Local resident"
    SUPERVISOR = "supervisor", "スーパーバイザー", "Supervisor"
    OTHER = "other", "その他", "Other"


class DecisionKind(LabelledEnum):
    WATCH = "watch", "見守り", "Watch"
    OUTREACH = "outreach", "アウトリーチ", "Outreach"
    REFER = "refer", "つなぎ（紹介）", "Refer"
    ESCALATE = "escalate", "多機関協働へ", "Escalate to multi-agency"
    SUPPORT_SETUP = "support_setup", "支援体制の構築", "Set up support"
    OTHER = "other", "その他", "Other"


class LegalGround(LabelledEnum):
    """The statutory ground of a break-glass access (個人情報保護法), by who operates the agency."""

    WARD_DIVISION = "appi-69-2", "個人情報保護法 第69条第2項（本人の利益のための目的外利用・提供）", \
        "APPI art. 69(2): use or provision clearly in the person's interest (ward division)"
    PRIVATE_OPERATOR = "appi-27-1-2", "個人情報保護法 第27条第1項第2号（生命・身体・財産の保護）", \
        "APPI art. 27(1)(ii): protection of life, body or property (private operator)"
    UNRECORDED = "unrecorded", "記録なし（旧版の記録）", "Not recorded (made before grounds were recorded)"


class ConsentGiver(LabelledEnum):
    """Who gave a member's consent."""

    SELF = "self", "本人", "The member themselves"
    PARENT = "parent", "親権者", "A person with parental authority"
    GUARDIAN = "guardian", "成年後見人・保佐人・補助人", "A court-appointed guardian, curator or assistant"


class ConsentMethod(LabelledEnum):
    WRITTEN = "written", "書面", "Written"
    ORAL = "oral", "口頭", "Oral"


class VisitOutcome(LabelledEnum):
    MET = "met", "面会できた", "Met"
    NOT_AT_HOME = "not_at_home", "不在", "Not at home"
    REFUSED = "refused", "拒否", "Refused"
    SPOKE_WITH_FAMILY = "spoke_with_family", "家族と話した", "Spoke with family"


class ResourceKind(LabelledEnum):
    SALON = "salon", "サロン・居場所", "Salon / drop-in"
    KODOMO_SHOKUDO = "kodomo_shokudo", "子ども食堂", "Children's cafeteria"
    VOLUNTEERING = "volunteering", "ボランティア", "Volunteering"
    WORK_TRIAL = "work_trial", "就労体験", "Work trial"
    OTHER = "other", "その他", "Other"


class IssueTag(LabelledEnum):
    """Household issues named in the ward plans."""

    ISSUE_8050 = "8050", "8050問題", "8050 problem"
    DOUBLE_CARE = "double_care", "ダブルケア", "Double care"
    YOUNG_CARER = "young_carer", "ヤングケアラー", "Young carer"
    HOARDING = "hoarding", "ごみ屋敷", "Hoarding"
    SUPPORT_REFUSAL = "support_refusal", "支援拒否", "Support refusal"
    POVERTY = "poverty", "生活困窮", "Poverty"
    HIKIKOMORI = "hikikomori", "ひきこもり", "Withdrawal (hikikomori)"
    DEMENTIA = "dementia", "認知症", "Dementia"
    ABUSE = "abuse", "虐待", "Abuse"
    DEBT = "debt", "多重債務", "Debt"
    ISOLATION = "isolation", "社会的孤立", "Social isolation"
    MENTAL_HEALTH = "mental_health", "精神保健", "Mental health"
    OTHER = "other", "その他", "Other"


class CaseStatus(LabelledEnum):
    OPEN = "open", "支援中", "Open"
    CLOSED = "closed", "終結", "Closed"


class ClosureReason(LabelledEnum):
    """Why a case closes without its plan's 終結評価 (recorded instead of one, with a note)."""

    MOVED_OUT = "moved_out", "転出", "Moved out of the ward"
    DIED = "died", "死亡", "Died"
    REFUSED = "refused", "本人の拒否", "The person refused support"
    NO_NEED = "no_need", "支援の必要なし", "No further support needed"
    TRANSFERRED = "transferred", "他の制度・機関の支援へ移行", "Support moved to another service"
    OTHER = "other", "その他（理由を記入）", "Other (note the reason)"


class EvaluationOutcome(LabelledEnum):
    """What a plan's evaluation (評価) concludes: the support ends, or a new cycle begins (再プラン)."""

    CLOSE = "close", "終結", "Close"
    REPLAN = "replan", "再プラン", "New plan cycle"


class PlanKind(LabelledEnum):
    """The kinds of 支援プラン the ward plans name (Bunkyo, Ota)."""

    COMPREHENSIVE = "comprehensive", "総合的な支援プラン", "Comprehensive support plan"
    OUTREACH = "outreach", "アウトリーチ支援プラン", "Outreach support plan"
    PARTICIPATION = "participation", "参加支援プラン", "Participation support plan"


class ReferralStatus(LabelledEnum):
    REQUESTED = "requested", "依頼中", "Requested"
    ACCEPTED = "accepted", "受理", "Accepted"
    DECLINED = "declined", "辞退", "Declined"
    COMPLETED = "completed", "完了", "Completed"
    REVOKED = "revoked", "取り下げ", "Revoked"


TRANSITION_AGES: tuple[int, ...] = (18, 40, 65)
"""Ages at which the responsible agency changes (制度切替)."""
