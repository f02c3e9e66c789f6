"""A read model = a projection (events -> changes) and its view (tables + tracking)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment

from projections.view import Change, PostgresView, ReadModelView, SQLiteView

V = TypeVar("V", bound=ReadModelView)
Positioned = tuple[int, Any]
"""An event with its position (notification id) in the log."""


def _case_topics() -> tuple[str, ...]:
    from eventsourcing.utils import get_topic

    from domain.case import Case, CaseEvent

    nested = [v for v in vars(Case).values() if isinstance(v, type) and issubclass(v, CaseEvent)]
    return tuple(sorted(get_topic(cls) for cls in nested))


CASE_TOPICS = _case_topics()
"""The topic of every case event (for selecting from the notification log)."""


def case_topics(*kinds: str) -> tuple[str, ...]:
    return tuple(t for t in CASE_TOPICS if t.rsplit(".", 1)[-1] in kinds)


class ReadModel(Projection[V], Generic[V]):
    """Translates a batch of events into changes for its view, applied with the batch's position.

    ``changes`` is a pure function of the events (and of what the view already holds, read
    through ``self.view``), so replaying the log from the start rebuilds the same rows.
    """

    name: str  # a class attribute, as on the library's Projection (which defaults it to the class's name)
    view_interface: ClassVar[type[ReadModelView]]
    topics: tuple[str, ...] = ()
    """The topics it reads; empty means every notification."""
    schema_version: ClassVar[int] = 1
    """Raise it when the view's tables change: the new version gets new tables and a tracking position
    of its own, so it is rebuilt from the log on start, beside the old one (which can then be dropped)."""
    earlier_tables: ClassVar[tuple[str, ...]] = ()
    """Tables an earlier schema version had and this one no longer has: dropped with the rest of that version."""
    raw: ClassVar[bool] = False
    """Whether it takes the stored notifications as they are (bytes) instead of decoded events."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # the library's per-event API
        self.process_batch([(tracking.notification_id, domain_event)], tracking)

    def process_batch(self, events: list[Positioned], tracking: Tracking) -> None:
        self.view.apply(self.changes(events), tracking)

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        """The view changes for these events (each with its log position)."""
        raise NotImplementedError


def table_prefix(model: type[ReadModel[Any]]) -> str:
    """The prefix of a read model's tables at its schema version (``rm_``, ``rm2_`` …)."""
    return "rm_" if model.schema_version == 1 else f"rm{model.schema_version}_"


@cache
def concrete_view(interface: type[ReadModelView], persistence_module: str, version: int = 1) -> type[ReadModelView]:
    base = {"eventsourcing.postgres": PostgresView, "eventsourcing.sqlite": SQLiteView}[persistence_module]
    prefix = "Postgres" if base is PostgresView else "SQLite"
    return type(f"{prefix}{interface.__name__}", (interface, base),
                {"__module__": interface.__module__, "TABLE_PREFIX": "rm_" if version == 1 else f"rm{version}_"})


def construct_view(model: type[ReadModel[Any]], env: dict[str, str]) -> ReadModelView:
    """Build a model's view with the store's settings, in tables of its own.

    On SQLite each read model lives in a file of its own beside the event store (the
    library's SQLite tracking table has one fixed name); on PostgreSQL it has its own
    tables and tracking table in the store's schema.
    """
    given, env = env, dict(env)
    storage = model.name if model.schema_version == 1 else f"{model.name}_v{model.schema_version}"
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" and env.get("SQLITE_DBNAME", ":memory:") != ":memory:":
        env["SQLITE_DBNAME"] = f"{env['SQLITE_DBNAME'].removesuffix('.db')}.{storage}.db"
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        # A view writes one batch at a time; a few more connections serve the API's queries.
        # (The store's own pool size, in env, is for the application, not for each of the views.)
        env.update(POSTGRES_POOL_SIZE="2", POSTGRES_MAX_OVERFLOW="4")
    factory: InfrastructureFactory[ReadModelView] = InfrastructureFactory.construct(Environment(storage, env))
    view_class = concrete_view(model.view_interface, env["PERSISTENCE_MODULE"], model.schema_version)
    if model.schema_version > 1 and env.get("CREATE_TABLE", "y").lower() not in ("n", "no", "false", "0"):
        _drop_superseded(model, given)  # a least-privileged role (CREATE_TABLE=n): `db harden` builds as owner
    return factory.tracking_recorder(view_class)


def _drop_superseded(model: type[ReadModel[Any]], env: dict[str, str]) -> None:
    """Drop the tables (or the SQLite file) of the model's earlier schema versions.

    A new version is rebuilt from the log beside the old one; the old one is then only a stale copy,
    and may hold what the new version no longer keeps (version 2 of access_audit kept break-glass
    reasons in plaintext), so it is removed rather than left behind.
    """
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        base = env.get("SQLITE_DBNAME", ":memory:")
        if base == ":memory:":
            return
        for version in range(1, model.schema_version):
            storage = model.name if version == 1 else f"{model.name}_v{version}"
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{base.removesuffix('.db')}.{storage}.db{suffix}").unlink(missing_ok=True)
        return
    import psycopg  # only with PostgreSQL
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    schema = env.get("POSTGRES_SCHEMA") or "public"
    earlier_versions = range(1, model.schema_version)
    tables = [f"{'rm_' if v == 1 else f'rm{v}_'}{table}"
              for v in earlier_versions for table in (*model.view_interface.TABLES, *model.earlier_tables)]
    tables += [f"{(model.name if v == 1 else f'{model.name}_v{v}').lower()}_tracking" for v in earlier_versions]
    conninfo = {"dbname": env["POSTGRES_DBNAME"], "host": env["POSTGRES_HOST"], "port": env.get("POSTGRES_PORT"),
                "user": env["POSTGRES_USER"], "password": env["POSTGRES_PASSWORD"]}
    with psycopg.connect(make_conninfo(**{k: v for k, v in conninfo.items() if v}), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(
            sql.SQL(", ").join(sql.Identifier(schema, table) for table in tables)))
