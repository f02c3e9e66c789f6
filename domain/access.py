"""Who may read what: each entry's decision names its basis, or says why it is withheld.

Pure functions over the case's state at the moment of reading. The caller records
every decision before any personal data leaves (see ``domain.application``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.actor import Actor
from domain.case import Case, EntryRef
from domain.vocabulary import Basis, Role


@dataclass(frozen=True)
class Decision:
    seq: int
    basis: Basis | None
    ground: str | None = None  # the consent, meeting or emergency grant that the basis rests on
    reason_ja: str = ""
    reason_en: str = ""

    @property
    def granted(self) -> bool:
        return self.basis is not None


BREAK_GLASS_KINDS = frozenset({"EmergencyAccessGranted", "EmergencyAccessReviewed"})

WITHHELD_JA = "本人同意の範囲外で、支援会議や緊急時の根拠もないため非表示です。"
WITHHELD_EN = "Withheld: not covered by the person's consent, a support meeting or an emergency."


def decide_entry(reader: Actor, entry: EntryRef, case: Case, at: datetime) -> Decision:
    """Decide one entry. Bases are tried from the least to the most exceptional."""
    if reader.is_auditor:
        return Decision(entry.seq, Basis.AUDIT)
    if _is_own(reader, entry):
        return Decision(entry.seq, Basis.OWN_RECORD)
    consent = case.consent_covering(reader.agency_id, entry.category, at)
    if consent is not None:
        return Decision(entry.seq, Basis.CONSENT, consent["consent_id"])
    addressed = _referral_addressed_to_reader(reader, entry, case, at)
    if addressed is not None:
        return addressed
    meeting = case.support_meeting_for(reader.agency_id, at)
    if meeting is not None:
        return Decision(entry.seq, Basis.SUPPORT_MEETING, meeting["meeting_id"])
    grant = case.emergency_grant_for(reader.staff_id, at)
    if grant is not None:
        return Decision(entry.seq, Basis.EMERGENCY, grant["grant_id"])
    return Decision(entry.seq, None, reason_ja=WITHHELD_JA, reason_en=WITHHELD_EN)


def _is_own(reader: Actor, entry: EntryRef) -> bool:
    """The reader's agency wrote it; a break-glass request is its requester's own record only."""
    if entry.agency != reader.agency_id:
        return False
    return entry.kind not in BREAK_GLASS_KINDS or entry.staff == reader.staff_id


def _referral_addressed_to_reader(reader: Actor, entry: EntryRef, case: Case, at: datetime) -> Decision | None:
    """A referral's entries are shown to the agency it was made to, on the basis that allowed it.

    The referral was allowed by a consent covering that agency (for the shared categories) or
    by a 支援会議's decision; while that basis still holds, the receiving agency sees the
    referral itself — whatever category the referral entry is filed under.
    """
    referral = case.referrals.get(entry.referral_id) if entry.referral_id else None
    if referral is None or referral["to_agency"] != reader.agency_id:
        return None
    kind, _, ground = referral["authorised_by"].partition(":")
    if kind == "consent":
        consent = case.consents.get(ground)
        if consent is not None and consent in case.active_consents(at) and reader.agency_id in consent["agencies"]:
            return Decision(entry.seq, Basis.CONSENT, ground)
        return None
    meeting = case.support_meeting_for(reader.agency_id, at)
    return Decision(entry.seq, Basis.SUPPORT_MEETING, meeting["meeting_id"]) if meeting is not None else None


def decide_case(reader: Actor, case: Case, at: datetime) -> list[Decision]:
    return [decide_entry(reader, entry, case, at) for entry in case.entries]


def may_write(actor: Actor, case: Case, at: datetime) -> bool:
    """Whether an actor may record on a case at all.

    Agencies involved with the case (authors, referral receivers, consented agencies,
    support-meeting members, emergency holders) may; coordinators may, because they
    convene the meetings of any case in the ward. Auditors only review. Asking for
    break-glass access does not make an agency an author: it writes only while it holds it.
    """
    if actor.is_auditor:
        return False
    if actor.has_role(Role.COORDINATOR):
        return True
    if any(entry.agency == actor.agency_id and entry.kind not in BREAK_GLASS_KINDS for entry in case.entries):
        return True
    if any(r["to_agency"] == actor.agency_id for r in case.referrals.values()):
        return True
    return (case.consent_covering(actor.agency_id, None, at) is not None
            or case.support_meeting_for(actor.agency_id, at) is not None
            or case.emergency_grant_for(actor.staff_id, at) is not None)
