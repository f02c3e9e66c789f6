"""開催回数と検討件数: a fiscal year's case meetings by the day held, each sitting counted once and each case
discussed at it once (Ota's 「重層的支援会議の開催回数」 counts sittings, its 「地域ケア会議…の検討件数」 cases).

Reproducible from the event log and free of personal data (ids and codes only): any signed-in staff member
may read them, like the output indicators.
"""

from __future__ import annotations

from api.schemas.meetings import BodyCount, KindCount, SittingCountsPublic
from domain.calendar import fiscal_year_bounds
from domain.vocabulary import MeetingKind
from projections import ReadModels


def sitting_counts(read_models: ReadModels, fiscal_year: int) -> SittingCountsPublic:
    view = read_models.indicators.view
    rows = view.sittings(fiscal_year)
    totals = view.sitting_totals(fiscal_year)
    by_kind = []
    for kind in MeetingKind:
        of_kind = [r for r in rows if r["meeting_kind"] == kind.value]
        by_kind.append(KindCount(kind=kind.value, label_ja=kind.label_ja,
                                 sittings=sum(r["sittings"] for r in of_kind),
                                 case_discussions=sum(r["case_discussions"] for r in of_kind)))
    by_body = view.sittings_by_body(fiscal_year)
    start, end = fiscal_year_bounds(fiscal_year)
    return SittingCountsPublic(fiscal_year=fiscal_year, period=(start.isoformat(), end.isoformat()),
                               sittings=totals["sittings"], case_discussions=totals["case_discussions"],
                               by_kind=by_kind, by_body=[BodyCount(**row) for row in by_body])
