"""A read model = a projection (events -> changes) and its view (tables + tracking)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment

from projections.view import Change, PostgresView, ReadModelView, SQLiteView

V = TypeVar("V", bound=ReadModelView)

CASE = "domain.case.aggregate:Case."
ACCESS = "domain.access_record:AccessRecord.Recorded"


class ReadModel(Projection[V], Generic[V]):
    """Translates a batch of events into changes for its view, applied with the batch's position.

    ``changes`` is a pure function of the events (and of what the view already holds, read
    through ``self.view``), so replaying the log from the start rebuilds the same rows.
    """

    name: ClassVar[str]
    view_interface: ClassVar[type[ReadModelView]]
    topics: tuple[str, ...] = ()

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # the library's per-event API
        self.process_batch([domain_event], tracking)

    def process_batch(self, events: list[Any], tracking: Tracking) -> None:
        self.view.apply(self.changes(events), tracking)

    def changes(self, events: Iterable[Any]) -> list[Change]:
        raise NotImplementedError


@cache
def concrete_view(interface: type[ReadModelView], persistence_module: str) -> type[ReadModelView]:
    base = {"eventsourcing.postgres": PostgresView, "eventsourcing.sqlite": SQLiteView}[persistence_module]
    prefix = "Postgres" if base is PostgresView else "SQLite"
    return type(f"{prefix}{interface.__name__}", (interface, base), {"__module__": interface.__module__})


def construct_view(model: type[ReadModel[Any]], env: dict[str, str]) -> ReadModelView:
    """Build a model's view with the store's settings, in tables of its own.

    On SQLite each read model lives in a file of its own beside the event store (the
    library's SQLite tracking table has one fixed name); on PostgreSQL it has its own
    tables and tracking table in the store's schema.
    """
    env = dict(env)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" and env.get("SQLITE_DBNAME", ":memory:") != ":memory:":
        env["SQLITE_DBNAME"] = f"{env['SQLITE_DBNAME'].removesuffix('.db')}.{model.name}.db"
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        env.setdefault("POSTGRES_POOL_SIZE", "2")
    factory = InfrastructureFactory.construct(Environment(model.name, env))
    view_class = concrete_view(model.view_interface, env["PERSISTENCE_MODULE"])
    return factory.tracking_recorder(view_class)  # type: ignore[arg-type]
