"""The statutory kinds of case meeting, as data: each names its law and article, whether sharing at it
needs the person's consent, the confidentiality duty its members bear, and what its basis covers.

One kind needs consent: the 重層的支援会議. Every other kind is a basis for sharing *without* consent,
and the reading rules treat them all alike, as the 支援会議 (art. 106-6) is treated: its basis covers
the members and information categories it tabled, as recorded up to the sitting, for the registered
members who attended under a recorded pledge, until its stated end (at most the ward's maximum) or
the case's closure; it is granted as ``Basis.SUPPORT_MEETING`` (an unconsented basis) with the meeting
as its ground. Which body of a ward holds which kinds is the ward's configuration (``MeetingBody.kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.vocabulary import MeetingKind


@dataclass(frozen=True)
class StatutoryKind:
    kind: MeetingKind
    law_ja: str
    law_en: str
    article_ja: str
    article_en: str
    needs_consent: bool
    """True: the person's consent must cover every participant; False: shared on the statute, bounded."""
    confidentiality_ja: str
    confidentiality_en: str
    covers_ja: str
    covers_en: str

    @property
    def id(self) -> str:
        return self.kind.value

    @property
    def basis_ja(self) -> str:
        """The legal basis as one line (for sheets and the auditor's view)."""
        return f"{self.law_ja} {self.article_ja}"


_BOUNDED_JA = ("会議が検討のために取り上げた世帯員・情報の種類（開催時点までの記録）を、守秘義務を誓約して出席した"
               "構成員の機関が、会議の決定に基づく支援のために、定めた期限（次回開催等、区の上限以内）またはケースの"
               "終結まで閲覧できる。")
_BOUNDED_EN = ("The members and information categories it tabled (as recorded up to the sitting), for the agencies "
               "that attended under a pledge, to act on its decisions, until its stated end (the next sitting, at "
               "most the ward's maximum) or the case's closure.")

MEETING_KINDS: dict[MeetingKind, StatutoryKind] = {k.kind: k for k in (
    StatutoryKind(
        MeetingKind.MULTI_LAYERED, "社会福祉法", "Social Welfare Act", "第106条の4・第106条の5（本人同意による）",
        "arts. 106-4, 106-5 (on the person's consent)", needs_consent=True,
        confidentiality_ja="同意の範囲（機関・情報の種類・目的）に限る。外部の出席者は守秘の誓約による。",
        confidentiality_en="Within the consent's scope (agencies, categories, purpose); external attendees on "
                           "their own pledge.",
        covers_ja="本人同意が対象とする機関・情報の種類。支援プランの決定・モニタリング・終結評価。",
        covers_en="What the person's consent covers; adopting, monitoring and evaluating the support plan."),
    StatutoryKind(
        MeetingKind.SUPPORT, "社会福祉法", "Social Welfare Act", "第106条の6", "art. 106-6", needs_consent=False,
        confidentiality_ja="支援会議の事務に従事する者（従事していた者を含む）の守秘義務（同条、罰則あり）。",
        confidentiality_en="A statutory duty of confidentiality for those who take part (art. 106-6, with a "
                           "penalty).",
        covers_ja=_BOUNDED_JA, covers_en=_BOUNDED_EN),
    StatutoryKind(
        MeetingKind.COMMUNITY_CARE, "介護保険法", "Long-Term Care Insurance Act", "第115条の48", "art. 115-48",
        needs_consent=False,
        confidentiality_ja="地域ケア会議の事務に従事する者（従事していた者を含む）の守秘義務（同条、罰則あり）。",
        confidentiality_en="A statutory duty of confidentiality for those who take part (art. 115-48, with a "
                           "penalty).",
        covers_ja="要介護者等への支援の検討に必要な範囲で。" + _BOUNDED_JA,
        covers_en="As needed to consider support for the older person. " + _BOUNDED_EN),
    StatutoryKind(
        MeetingKind.CHILD_PROTECTION, "児童福祉法", "Child Welfare Act", "第25条の2", "art. 25-2", needs_consent=False,
        confidentiality_ja="協議会の職務に関して知り得た秘密の守秘義務（第25条の5、罰則あり）。",
        confidentiality_en="A statutory duty of confidentiality for the council's members (art. 25-5, with a "
                           "penalty).",
        covers_ja="要保護児童等への適切な支援のために必要な範囲で。" + _BOUNDED_JA,
        covers_en="As needed to support the child in need of protection. " + _BOUNDED_EN),
    StatutoryKind(
        MeetingKind.POVERTY_SUPPORT, "生活困窮者自立支援法", "Act on Self-Reliance Support for Needy Persons", "第9条",
        "art. 9", needs_consent=False,
        confidentiality_ja="支援会議の事務に従事する者（従事していた者を含む）の守秘義務（同条、罰則あり）。",
        confidentiality_en="A statutory duty of confidentiality for those who take part (art. 9, with a penalty).",
        covers_ja="生活困窮者に対する自立の支援のために必要な範囲で。" + _BOUNDED_JA,
        covers_en="As needed to support the needy person's self-reliance. " + _BOUNDED_EN),
    StatutoryKind(
        MeetingKind.PUBLIC_ASSISTANCE, "生活保護法", "Public Assistance Act", "第27条の3", "art. 27-3",
        needs_consent=False,
        confidentiality_ja="調整会議の事務に従事する者（従事していた者を含む）の守秘義務（同条）。",
        confidentiality_en="A statutory duty of confidentiality for those who take part (art. 27-3; in force "
                           "2025-04-01).",
        covers_ja="被保護者に対する支援のために必要な範囲で。" + _BOUNDED_JA,
        covers_en="As needed to support the recipient of public assistance. " + _BOUNDED_EN),
)}
"""Every kind of case meeting the product knows (national law; a ward's bodies say which they hold)."""


def statutory_kind(kind: str) -> StatutoryKind:
    """The statutory facts of ``kind`` (a stored ``MeetingKind`` value)."""
    return MEETING_KINDS[MeetingKind(kind)]


def needs_consent(kind: str) -> bool:
    """Whether a meeting of ``kind`` shares on the person's consent (else on its statute, bounded)."""
    return statutory_kind(kind).needs_consent


UNCONSENTED_KINDS: frozenset[MeetingKind] = frozenset(k for k, spec in MEETING_KINDS.items() if not spec.needs_consent)
"""The kinds whose sharing rests on a statute, without consent (``Basis.SUPPORT_MEETING`` when they grant)."""
