"""The auditor's CSV as people read it: times in Japan time (JST, as every page shows them), staff and agencies
by name beside their ids, bases and purposes in words. One row per access record, so one page view (one
recorded read) is one row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.responses import Response

from api.exports import csv_response
from domain.calendar import JST
from domain.registry import Registry
from domain.vocabulary import Basis

COLUMNS = [("decided_at", "判定日時（日本時間）"), ("reader_name", "閲覧者"), ("reader_staff", "閲覧者ID"),
           ("reader_agency_name", "閲覧機関"), ("case_id", "ケースID"), ("purpose", "閲覧内容"),
           ("channel", "経路"), ("granted", "表示あり"), ("bases", "根拠"), ("unconsented", "同意によらない閲覧"),
           ("withheld_count", "非表示件数"), ("grounds", "根拠の詳細"), ("active_consents", "その時点の有効な同意"),
           ("record_id", "閲覧記録ID"), ("position", "ログ位置")]
PURPOSES = {"timeline": "ケースの閲覧", "case_state": "ケースの状況", "list": "一覧", "search": "氏名検索",
            "home": "ホーム画面", "inbox": "つなぎ受付", "emergency_review": "緊急時アクセスの検証",
            "emergency_search": "緊急時アクセスの候補検索"}
CHANNELS = {"web": "画面", "api": "API", "print": "印刷"}


def jst(value: Any) -> str:
    """An ISO time (UTC in the read models) as Japan time, 2026-04-01 10:30:15."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S")


def _basis(value: str) -> str:
    try:
        return Basis(value).label_ja
    except ValueError:
        return value


def access_row(row: dict[str, Any], registry: Registry) -> dict[str, Any]:
    staff = {s.id: s for s in registry.staff}
    reader = staff.get(row.get("reader_staff", ""))
    agency = row.get("reader_agency", "")
    return {
        **row,
        "decided_at": jst(row.get("decided_at")),
        "reader_name": reader.name if reader else row.get("reader_staff", ""),
        "reader_agency_name": registry.agency(agency).name_ja if registry.has_agency(agency) else agency,
        "purpose": PURPOSES.get(row.get("purpose", ""), row.get("purpose", "")),
        "channel": CHANNELS.get(row.get("channel", ""), row.get("channel", "")),
        "granted": "はい" if row.get("granted") else "いいえ",
        "unconsented": "はい" if row.get("unconsented") else "いいえ",
        "bases": [_basis(b) for b in row.get("bases") or []],
        "grounds": {_basis(k): v for k, v in (row.get("grounds") or {}).items()},
    }


def access_csv_jst(filename: str, rows: list[dict[str, Any]], registry: Registry) -> Response:
    """Access records as a CSV download (UTF-8 with BOM, Japanese headers, JST, names)."""
    return csv_response(filename, COLUMNS, [access_row(row, registry) for row in rows])
