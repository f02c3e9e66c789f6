"""A realistic ward year of demo data, written through the domain.

``seed_demo`` plays out one fiscal year of a ward's household cases (8050, double
care, young carers, support refusal, hoarding, poverty, disability, hikikomori,
老老介護) as the agencies would record them: every record is a command
(:mod:`domain.commands`) issued through ``Tsunagu.execute`` by a staff member of the
ward registry, so the rules of who may record what (a basis on the case, 支援会議
convened by the ward's office with registry staff, consent for a 重層的支援会議,
closure by the lead agency or a coordinator, break-glass read-only) hold for the demo
as for real use, and no write is refused.

Consent is a person's: each member consents for their own information (a child under the
ward's age through a 親権者, with a young carer's own view recorded; an adult with a 成年後見人
through them, with the adult's view), on a numbered form or orally to a named worker, and may
later take some agencies or categories out of it (a partial withdrawal). Consultations, issues
and referrals name the members they are about. A 支援会議 tables some members and categories
until its next sitting; stories that still need it sit again, and once consent moves a case on
to a 重層的支援会議 the last sitting's sharing simply ends.

Each household's story has its own random stream (derived from ``seed`` and the
household's number) and is cut off at ``until``: the same seed and ``until`` give
the same events; a later ``until`` carries the same stories further.

Emergency (break-glass) access is always dated by the application's clock, as the
application records it; it is the last record of its case.

It runs on any ward's configuration (``infra/wards/``): the stories turn to *desks* chosen from
the ward file by role, field and project (``desks``), and a ward file that names no staff gets
demo staff, in a process started with ``--demo`` only (``staff``).

Modules: ``ward`` (who works where, the run), ``desks`` (which agency plays which part for a
household), ``staff`` (demo staff for a ward file without any), ``story`` (how a household's steps
are recorded), ``stories/`` (what happens in each kind of household), ``seed`` (the year),
``showcases`` (the cases worth opening) and ``summary`` (what a seeding answers).
"""

from __future__ import annotations

from infra.demo.seed import FIXED_HOUSEHOLDS, seed_demo
from infra.demo.stories import SCENARIO_LABELS, SCENARIO_WEIGHTS
from infra.demo.summary import DemoSummary, Showcase
from infra.demo.ward import SHOWCASE_COORDINATOR, SHOWCASE_HIKIKOMORI

__all__ = [
    "FIXED_HOUSEHOLDS", "SCENARIO_LABELS", "SCENARIO_WEIGHTS", "SHOWCASE_COORDINATOR", "SHOWCASE_HIKIKOMORI",
    "DemoSummary", "Showcase", "seed_demo",
]
