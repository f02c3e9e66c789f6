"""Who may read what: each entry's decision names its basis, or says why it is withheld.

Pure functions over the case's state at the moment of reading. The caller records
every decision before any personal data leaves (see ``domain.application``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.actor import Actor
from domain.case import Case, EntryRef
from domain.vocabulary import Basis, ReferralStatus, WriteBasis


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


RULES_VERSION = 2
"""The version of the reading rules below; access records name the version they were decided under. (Reading
every statutory meeting held without consent like the 支援会議 changed no decision on any existing history:
only the 支援会議 was stored before, so it is still version 2.)"""


def decide_entry(reader: Actor, entry: EntryRef, case: Case, at: datetime) -> Decision:
    """Decide one entry. Bases are tried from the least to the most exceptional."""
    return ReaderView(reader, case, at).decide(entry)


def decide_case(reader: Actor, case: Case, at: datetime) -> list[Decision]:
    view = ReaderView(reader, case, at)
    return [view.decide(entry) for entry in case.entries]


class ReaderView:
    """What one reader may see of one case at one moment.

    The case-wide facts (each member's consents covering the reader's agency, the meetings held without
    consent — 支援会議 and the other statutory kinds of :mod:`domain.meeting_kinds` — the agency attended, a
    referral made to it on such a meeting's decision, an emergency grant) are worked out once, so that
    deciding each entry is cheap. Every unconsented meeting grants on ``Basis.SUPPORT_MEETING``.
    """

    def __init__(self, reader: Actor, case: Case, at: datetime) -> None:
        self.reader = reader
        self.case = case
        self.at = at
        covering = [c for c in case.active_consents(at) if reader.agency_id in c["agencies"]]
        self.covering_ids = {c["consent_id"] for c in covering}
        self.consent_of: dict[tuple[str, str], str] = {}
        for consent in sorted(covering, key=lambda c: c["seq"]):
            for category in consent["categories"]:
                self.consent_of.setdefault((consent["member_id"], category), consent["consent_id"])
        self.household = tuple(sorted(case.members))
        self.may_record = reader.may_record
        self.scopes = [case.meeting_scope(m) for m in case.support_meetings_attended(reader.agency_id, at)]
        self.scopes += [case.meeting_scope(m, categories) for m, categories
                        in case.support_meetings_referring(reader.agency_id, at)]
        grant = case.emergency_grant_for(reader.staff_id, at)
        self.grant_id = grant["grant_id"] if grant is not None else None

    def decide(self, entry: EntryRef) -> Decision:
        reader = self.reader
        if reader.is_auditor:
            return Decision(entry.seq, Basis.AUDIT)
        if not self.may_record:  # an administrator runs the system; it reads no one's case
            return Decision(entry.seq, None, reason_ja=WITHHELD_JA, reason_en=WITHHELD_EN)
        if _is_own(reader, entry):
            return Decision(entry.seq, Basis.OWN_RECORD)
        consents = self.consents_for(entry)
        if consents is not None:
            return Decision(entry.seq, Basis.CONSENT, consents)
        addressed = self._referral_addressed_to_reader(entry)
        if addressed is not None:
            return addressed
        for scope in self.scopes:
            if scope.covers(entry):
                return Decision(entry.seq, Basis.SUPPORT_MEETING, scope.meeting_id)
        if self.grant_id is not None:
            return Decision(entry.seq, Basis.EMERGENCY, self.grant_id)
        return Decision(entry.seq, None, reason_ja=WITHHELD_JA, reason_en=WITHHELD_EN)

    def consents_for(self, entry: EntryRef) -> str | None:
        """The consents (``id+id…``) by which every member the entry concerns shares its category with the
        reader's agency; None when any member's consent is missing."""
        members = entry.subjects or self.household
        if not members:
            return None
        grounds = set()
        for member in members:
            consent_id = self.consent_of.get((member, entry.category))
            if consent_id is None:
                return None
            grounds.add(consent_id)
        return "+".join(sorted(grounds))

    def _referral_addressed_to_reader(self, entry: EntryRef) -> Decision | None:
        """A referral's entries are shown to the agency it was made to, on the basis that allowed it,
        while that basis still holds (every consent it rested on, or the meeting that decided it)."""
        referral = self.case.referrals.get(entry.referral_id) if entry.referral_id else None
        if referral is None or referral["to_agency"] != self.reader.agency_id:
            return None
        kind, _, ground = referral["authorised_by"].partition(":")
        if kind == "consent":
            return Decision(entry.seq, Basis.CONSENT, ground) if set(ground.split("+")) <= self.covering_ids else None
        meeting = self.case.meetings.get(ground)
        if meeting is not None and self.case.support_meeting_current(meeting, self.at):
            return Decision(entry.seq, Basis.SUPPORT_MEETING, ground)
        return None


def _is_own(reader: Actor, entry: EntryRef) -> bool:
    """The reader's agency wrote it; a break-glass request is its requester's own record only."""
    if entry.agency != reader.agency_id:
        return False
    return entry.kind not in BREAK_GLASS_KINDS or entry.staff == reader.staff_id



WRITING_REFERRAL = frozenset({ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED})


def write_basis(actor: Actor, case: Case, at: datetime) -> WriteBasis | None:
    """The actor's standing to record on a case now, or None.

    An agency records on a case it is part of: it wrote on it (and has not ended its involvement
    since), an active consent covers it, it sits in a current meeting held without consent (支援会議 or
    another statutory kind) on it, or a referral was made
    to it (and not declined or revoked). Break-glass gives none: it is read-only. Roles alone give
    none either: a coordinator records on the cases it is part of, not on every case in the ward.
    Auditors and administrators never record on cases.
    """
    if not actor.may_record:
        return None
    ended = case.ended_involvement.get(actor.agency_id, 0)
    if any(entry.agency == actor.agency_id and entry.seq > ended and entry.kind not in BREAK_GLASS_KINDS
           for entry in case.entries):
        return WriteBasis.OWN_RECORD
    if case.consent_covering(actor.agency_id, None, at) is not None:
        return WriteBasis.CONSENT
    if case.support_meeting_for(actor.agency_id, at) is not None:
        return WriteBasis.SUPPORT_MEETING
    if any(r["to_agency"] == actor.agency_id and r["status"] in WRITING_REFERRAL for r in case.referrals.values()):
        return WriteBasis.REFERRAL
    return None


def covers_agency(case: Case, agency_id: str, at: datetime) -> bool:
    """Whether an active consent or a current meeting held without consent covers ``agency_id`` (for roles and
    handovers)."""
    return (case.consent_covering(agency_id, None, at) is not None
            or case.support_meeting_for(agency_id, at) is not None)
