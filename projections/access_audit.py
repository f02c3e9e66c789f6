"""The audit trail: every access decision, with what the auditor needs to judge it.

Beside each decision it keeps the facts as they stood: which consents existed (and their
scope), which 支援会議 were held and who took part, which emergency accesses were made and
how they were reviewed, and which members belong to which case.

Like every read model it holds ids, codes, agencies, staff and times, never free text from the
events: a break-glass grant's reason and its review's finding stay in the (encrypted) event store
and are read from there, each read recorded (``Tsunagu.read_emergency_grants``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

from domain.access_record import ACCESS_RECORD_TOPIC, AccessRecord
from domain.calendar import fiscal_year, local_date
from domain.case import Case
from domain.case.meetings import pledged_agencies
from domain.meeting_kinds import needs_consent
from domain.vocabulary import Basis
from domain.write_refusal import WRITE_REFUSAL_TOPIC, WriteRefusal
from projections.base import Positioned, ReadModel, case_topics
from projections.rows import RowCache, decode, dumps, iso
from projections.view import Change, ReadModelView, Row

ACCESS_COLUMNS = ("record_id", "position", "decided_at", "fiscal_year", "reader_staff", "reader_agency",
                  "reader_roles", "case_id", "case_found", "case_version", "purpose", "channel", "granted",
                  "bases", "unconsented", "has_own_record", "has_consent", "has_support_meeting", "has_emergency",
                  "has_audit", "shown", "grounds", "withheld", "withheld_count", "active_consents")
ACCESS_JSON = ("reader_roles", "shown", "grounds", "withheld", "active_consents")
BASIS_FLAGS = {Basis.OWN_RECORD: "has_own_record", Basis.CONSENT: "has_consent",
               Basis.SUPPORT_MEETING: "has_support_meeting", Basis.EMERGENCY: "has_emergency",
               Basis.AUDIT: "has_audit"}
CONSENT_COLUMNS = ("consent_id", "case_id", "member_id", "given_by", "method", "obtained_by", "recorded_by_agency",
                   "for_review", "agencies", "categories", "granted_at", "valid_until", "withdrawn_at", "narrowed")
REFUSED_COLUMNS = ("record_id", "position", "decided_at", "fiscal_year", "actor_staff", "actor_agency", "actor_roles",
                   "case_id", "case_found", "case_version", "command", "refused_by", "answer")
EMERGENCY_COLUMNS = ("grant_id", "case_id", "staff", "agency", "legal_ground", "repeated", "granted_at", "expires_at",
                     "reviewed", "justified", "reviewed_by", "reviewed_at")


def _insert(table: str, columns: tuple[str, ...], *, upsert_key: str | None = None) -> str:
    sql = (f"INSERT INTO {{{table}}} ({', '.join(columns)}) VALUES ({', '.join(f'%({c})s' for c in columns)})")
    if upsert_key:
        sql += f" ON CONFLICT ({upsert_key}) DO UPDATE SET " + ", ".join(
            f"{c} = excluded.{c}" for c in columns if c != upsert_key)
    return sql


class AccessAuditView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "access": "record_id TEXT PRIMARY KEY, position BIGINT NOT NULL, decided_at TEXT NOT NULL, "
                  "fiscal_year INTEGER NOT NULL, reader_staff TEXT NOT NULL, reader_agency TEXT NOT NULL, "
                  "reader_roles TEXT NOT NULL, case_id TEXT NOT NULL, case_found INTEGER NOT NULL, "
                  "case_version INTEGER NOT NULL, purpose TEXT NOT NULL, channel TEXT NOT NULL, "
                  "granted INTEGER NOT NULL, bases TEXT NOT NULL, unconsented INTEGER NOT NULL, "
                  "has_own_record INTEGER NOT NULL, has_consent INTEGER NOT NULL, "
                  "has_support_meeting INTEGER NOT NULL, has_emergency INTEGER NOT NULL, "
                  "has_audit INTEGER NOT NULL, shown TEXT NOT NULL, grounds TEXT NOT NULL, withheld TEXT NOT NULL, "
                  "withheld_count INTEGER NOT NULL, active_consents TEXT NOT NULL",
        "refused_write": "record_id TEXT PRIMARY KEY, position BIGINT NOT NULL, decided_at TEXT NOT NULL, "
                         "fiscal_year INTEGER NOT NULL, actor_staff TEXT NOT NULL, actor_agency TEXT NOT NULL, "
                         "actor_roles TEXT NOT NULL, case_id TEXT NOT NULL, case_found INTEGER NOT NULL, "
                         "case_version INTEGER NOT NULL, command TEXT NOT NULL, refused_by TEXT NOT NULL, "
                         "answer TEXT NOT NULL",
        "case_member": "member_id TEXT PRIMARY KEY, case_id TEXT NOT NULL",
        "consent": "consent_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, member_id TEXT NOT NULL, "
                   "given_by TEXT NOT NULL, method TEXT NOT NULL, obtained_by TEXT NOT NULL, "
                   "recorded_by_agency TEXT NOT NULL, for_review INTEGER NOT NULL, agencies TEXT NOT NULL, "
                   "categories TEXT NOT NULL, granted_at TEXT NOT NULL, valid_until TEXT NOT NULL, withdrawn_at TEXT, "
                   "narrowed INTEGER NOT NULL",
        "support_meeting": "meeting_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, held_on TEXT NOT NULL, "
                           "held_at TEXT NOT NULL, members TEXT NOT NULL, tabled_subjects TEXT NOT NULL, "
                           "tabled_categories TEXT NOT NULL, until TEXT",
        "emergency_read": "record_id TEXT NOT NULL, grant_id TEXT NOT NULL, position BIGINT NOT NULL, "
                          "decided_at TEXT NOT NULL, entries INTEGER NOT NULL, PRIMARY KEY (record_id, grant_id)",
        "emergency": "grant_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, staff TEXT NOT NULL, agency TEXT NOT NULL, "
                     "legal_ground TEXT NOT NULL, repeated INTEGER NOT NULL, granted_at TEXT NOT NULL, "
                     "expires_at TEXT NOT NULL, reviewed INTEGER NOT NULL, justified INTEGER, reviewed_by TEXT, "
                     "reviewed_at TEXT",
    }
    INDEXES: ClassVar[list[str]] = [
        "CREATE INDEX IF NOT EXISTS rm_access_case ON {access} (case_id, decided_at)",
        "CREATE INDEX IF NOT EXISTS rm_access_reader ON {access} (reader_staff, decided_at)",
        "CREATE INDEX IF NOT EXISTS rm_access_agency ON {access} (reader_agency, decided_at)",
        "CREATE INDEX IF NOT EXISTS rm_access_unconsented ON {access} (unconsented, case_id, fiscal_year)",
        "CREATE INDEX IF NOT EXISTS rm_access_period ON {access} (decided_at)",
        "CREATE INDEX IF NOT EXISTS rm_refused_case ON {refused_write} (case_id, decided_at)",
        "CREATE INDEX IF NOT EXISTS rm_refused_actor ON {refused_write} (actor_staff, decided_at)",
        "CREATE INDEX IF NOT EXISTS rm_emergency_pending ON {emergency} (reviewed, granted_at)",
    ]
    STATEMENTS: ClassVar[dict[str, str]] = {
        "insert_access": _insert("access", ACCESS_COLUMNS),
        "insert_refused": _insert("refused_write", REFUSED_COLUMNS),
        "insert_member": _insert("case_member", ("member_id", "case_id")),
        "upsert_consent": _insert("consent", CONSENT_COLUMNS, upsert_key="consent_id"),
        "insert_meeting": _insert("support_meeting", ("meeting_id", "case_id", "held_on", "held_at", "members",
                                                      "tabled_subjects", "tabled_categories", "until")),
        "insert_emergency_read": _insert("emergency_read", ("record_id", "grant_id", "position", "decided_at",
                                                            "entries")),
        "upsert_emergency": _insert("emergency", EMERGENCY_COLUMNS, upsert_key="grant_id"),
    }

    def decisions(self, *, case_id: str | None = None, member_id: str | None = None,
                  reader_staff: str | None = None, reader_agency: str | None = None, basis: Basis | None = None,
                  granted: bool | None = None, unconsented: bool | None = None, since: datetime | None = None,
                  until: datetime | None = None, fiscal_year: int | None = None, limit: int = 100,
                  offset: int = 0) -> list[Row]:
        """Access decisions matching every given filter, newest first."""
        clauses: list[str] = []
        params: dict[str, Any] = {"limit": limit, "offset": offset}

        def where(clause: str, **values: Any) -> None:
            clauses.append(clause)
            params.update(values)

        if member_id is not None:
            where("case_id = (SELECT case_id FROM {case_member} WHERE member_id = %(member_id)s)",
                  member_id=member_id)
        if case_id is not None:
            where("case_id = %(case_id)s", case_id=case_id)
        if reader_staff is not None:
            where("reader_staff = %(reader_staff)s", reader_staff=reader_staff)
        if reader_agency is not None:
            where("reader_agency = %(reader_agency)s", reader_agency=reader_agency)
        if basis is not None:
            clauses.append(f"{BASIS_FLAGS[basis]} = 1")
        if granted is not None:
            where("granted = %(granted)s", granted=int(granted))
        if unconsented is not None:
            where("unconsented = %(unconsented)s", unconsented=int(unconsented))
        if since is not None:
            where("decided_at >= %(since)s", since=iso(since))
        if until is not None:
            where("decided_at < %(until)s", until=iso(until))
        if fiscal_year is not None:
            where("fiscal_year = %(fiscal_year)s", fiscal_year=fiscal_year)
        condition = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.query(f"SELECT * FROM {{access}} {condition} ORDER BY position DESC "
                          "LIMIT %(limit)s OFFSET %(offset)s", params)
        return [decode(r, ACCESS_JSON) for r in rows]

    def refused_writes(self, *, case_id: str | None = None, actor_staff: str | None = None,
                       actor_agency: str | None = None, since: datetime | None = None,
                       until: datetime | None = None, limit: int = 100, offset: int = 0) -> list[Row]:
        """Refused writes matching every given filter, newest first."""
        clauses: list[str] = []
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        for column, value in (("case_id", case_id), ("actor_staff", actor_staff), ("actor_agency", actor_agency)):
            if value is not None:
                clauses.append(f"{column} = %({column})s")
                params[column] = value
        if since is not None:
            clauses.append("decided_at >= %(since)s")
            params["since"] = iso(since)
        if until is not None:
            clauses.append("decided_at < %(until)s")
            params["until"] = iso(until)
        condition = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.query(f"SELECT * FROM {{refused_write}} {condition} ORDER BY position DESC "
                          "LIMIT %(limit)s OFFSET %(offset)s", params)
        return [decode(r, ("actor_roles",)) for r in rows]

    def unconsented(self, **filters: Any) -> list[Row]:
        """Granted accesses on SUPPORT_MEETING or EMERGENCY, each with the facts as of that moment:
        the consents then active (with their scope), the meetings' members, the emergency grants."""
        rows = self.decisions(unconsented=True, **filters)
        for row in rows:
            grounds = row["grounds"]
            row["meetings"] = [self._one("support_meeting", "meeting_id", m, ("members",))
                               for m in grounds.get(Basis.SUPPORT_MEETING.value, [])]
            row["emergencies"] = [self._one("emergency", "grant_id", g, ())
                                  for g in grounds.get(Basis.EMERGENCY.value, [])]
            row["consents_then"] = [self._one("consent", "consent_id", c, ("agencies", "categories"))
                                    for c in row["active_consents"]]
        return rows

    def _one(self, table: str, key: str, value: str, json_columns: tuple[str, ...]) -> Row | None:
        found = self.query(f"SELECT * FROM {{{table}}} WHERE {key} = %(value)s", {"value": value})
        return decode(found[0], json_columns) if found else None

    def emergency_grants(self, *, reviewed: bool | None = None, limit: int = 100) -> list[Row]:
        """Break-glass grants (the review queue: not yet reviewed), each with the reads it granted."""
        condition = "" if reviewed is None else "WHERE reviewed = %(reviewed)s"
        grants = self.query(f"SELECT * FROM {{emergency}} {condition} ORDER BY granted_at LIMIT %(limit)s",
                            {"reviewed": int(bool(reviewed)), "limit": limit})
        for grant in grants:
            grant["reads"] = self.query("SELECT record_id, position, decided_at, entries FROM {emergency_read} "
                                        "WHERE grant_id = %(grant_id)s ORDER BY position", grant)
        return grants

    def consents(self, *, case_id: str | None = None, for_review: bool | None = None,
                 limit: int = 100, offset: int = 0) -> list[Row]:
        """Every consent with who recorded it and how; ``for_review``: the oral ones its recorder's own
        agency benefits from."""
        clauses: list[str] = []
        params: dict[str, object] = {"limit": limit, "offset": offset}
        if case_id is not None:
            clauses.append("case_id = %(case_id)s")
            params["case_id"] = case_id
        if for_review is not None:
            clauses.append("for_review = %(for_review)s")
            params["for_review"] = int(for_review)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.query(f"SELECT * FROM {{consent}} {where} ORDER BY granted_at DESC LIMIT %(limit)s "
                          "OFFSET %(offset)s", params)
        return [decode(r, ("agencies", "categories")) for r in rows]


class AccessAuditProjection(ReadModel[AccessAuditView]):
    name = "access_audit"
    schema_version = 3  # 3: the emergency table keeps no reason or finding (free text stays in the store)
    view_interface = AccessAuditView
    topics = (ACCESS_RECORD_TOPIC, WRITE_REFUSAL_TOPIC,
              *case_topics("MemberAdded", "ConsentGranted", "ConsentWithdrawn", "ConsentNarrowed", "MeetingHeld",
                           "EmergencyAccessGranted", "EmergencyAccessReviewed"))

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        accesses, refused, members, meetings, emergency_reads = [], [], [], [], []
        consents = RowCache(self.view, "consent", "consent_id", "upsert_consent",
                            json_columns=("agencies", "categories"))
        grants = RowCache(self.view, "emergency", "grant_id", "upsert_emergency")
        events = list(events)
        consents.preload(e.consent_id for _, e in events
                         if isinstance(e, Case.ConsentWithdrawn | Case.ConsentNarrowed))
        grants.preload(e.grant_id for _, e in events if isinstance(e, Case.EmergencyAccessReviewed))
        for position, event in events:
            case_id = str(event.originator_id)
            if isinstance(event, WriteRefusal.Recorded):
                refused.append(_refused_row(position, event))
            elif isinstance(event, AccessRecord.Recorded):
                accesses.append(_access_row(position, event))
                emergency_reads.extend(_emergency_reads(position, event))
            elif isinstance(event, Case.MemberAdded):
                members.append({"member_id": event.member_id, "case_id": case_id})
            elif isinstance(event, Case.ConsentGranted):
                consents.put(event.consent_id, {
                    "consent_id": event.consent_id, "case_id": case_id, "member_id": event.member_id,
                    "given_by": event.given_by, "method": event.method, "obtained_by": event.obtained_by,
                    "recorded_by_agency": event.by_agency, "for_review": int(event.for_review()),
                    "agencies": list(event.agencies), "categories": list(event.categories),
                    "granted_at": iso(event.occurred_at), "valid_until": iso(event.valid_until),
                    "withdrawn_at": None, "narrowed": 0})
            elif isinstance(event, Case.ConsentWithdrawn):
                consents.change_existing(event.consent_id)["withdrawn_at"] = iso(event.occurred_at)
            elif isinstance(event, Case.ConsentNarrowed):
                _narrow(consents.change_existing(event.consent_id), event)
            elif isinstance(event, Case.MeetingHeld) and not needs_consent(event.meeting_kind):
                meetings.append({"meeting_id": event.meeting_id, "case_id": case_id, "held_on": iso(event.held_on),
                                 "held_at": iso(event.occurred_at), "members": dumps(pledged_agencies(
                                     event.participants)), "tabled_subjects": dumps(event.tabled_subjects),
                                 "tabled_categories": dumps(event.tabled_categories), "until": iso(event.until)})
            elif isinstance(event, Case.EmergencyAccessGranted):
                grants.put(event.grant_id, {
                    "grant_id": event.grant_id, "case_id": case_id, "staff": event.by_staff,
                    "agency": event.by_agency, "legal_ground": event.legal_ground, "repeated": int(event.repeated),
                    "granted_at": iso(event.occurred_at), "expires_at": iso(event.expires_at), "reviewed": 0,
                    "justified": None, "reviewed_by": None, "reviewed_at": None})
            elif isinstance(event, Case.EmergencyAccessReviewed):
                grants.change_existing(event.grant_id).update(reviewed=1, justified=int(event.justified),
                                                              reviewed_by=event.by_staff,
                                                              reviewed_at=iso(event.occurred_at))
        return [("insert_access", accesses), ("insert_refused", refused), ("insert_member", members),
                ("insert_meeting", meetings), ("insert_emergency_read", emergency_reads), *consents.changes(),
                *grants.changes()]


def _narrow(consent: Row, event: Any) -> None:
    consent["agencies"] = [a for a in consent["agencies"] if a not in event.agencies]
    consent["categories"] = [c for c in consent["categories"] if c not in event.categories]
    consent["narrowed"] += 1
    if not consent["agencies"] or not consent["categories"]:
        consent["withdrawn_at"] = iso(event.occurred_at)


def _emergency_reads(position: int, record: Any) -> list[Row]:
    """Each read granted on a break-glass grant, linked to the grant for its review."""
    return [{"record_id": str(record.originator_id), "grant_id": grant_id, "position": position,
             "decided_at": iso(record.decided_at), "entries": len(record.ground_seqs.get(grant_id, ()))}
            for grant_id in record.grounds.get(Basis.EMERGENCY.value, [])]


def _access_row(position: int, record: Any) -> Row:
    bases = sorted(Basis(b) for b in record.shown)
    row = {
        "record_id": str(record.originator_id), "position": position, "decided_at": iso(record.decided_at),
        "fiscal_year": fiscal_year(local_date(record.decided_at)), "reader_staff": record.reader_staff,
        "reader_agency": record.reader_agency, "reader_roles": dumps(record.reader_roles),
        "case_id": record.case_id, "case_found": int(record.case_found), "case_version": record.case_version,
        "purpose": record.purpose, "channel": record.channel, "granted": int(bool(record.shown)),
        "bases": ",".join(bases), "unconsented": int(any(b.is_unconsented for b in bases)),
        "shown": dumps(record.shown), "grounds": dumps(record.grounds), "withheld": dumps(record.withheld),
        "withheld_count": len(record.withheld), "active_consents": dumps(record.active_consents),
    }
    row.update({flag: int(basis in bases) for basis, flag in BASIS_FLAGS.items()})
    return row


def _refused_row(position: int, record: WriteRefusal.Recorded) -> Row:
    return {"record_id": str(record.originator_id), "position": position, "decided_at": iso(record.decided_at),
            "fiscal_year": fiscal_year(local_date(record.decided_at)), "actor_staff": record.actor_staff,
            "actor_agency": record.actor_agency, "actor_roles": dumps(record.actor_roles), "case_id": record.case_id,
            "case_found": int(record.case_found), "case_version": record.case_version, "command": record.command,
            "refused_by": record.refused_by, "answer": record.answer}
