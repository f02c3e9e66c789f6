"""Read models built from the event log alone: one module per model, each rebuildable.

``build_read_models`` wires them to a store; ``BatchRunner`` keeps them up to date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from projections.access_audit import AccessAuditProjection, AccessAuditView
from projections.audit_chain import AuditChainProjection, AuditChainView
from projections.base import ReadModel, construct_view
from projections.case_state import CaseStateProjection, CaseStateView
from projections.indicators import IndicatorsProjection, IndicatorsView
from projections.name_index import NameIndexProjection, NameIndexView
from projections.timeline import TimelineProjection, TimelineView
from projections.transitions import TransitionsProjection, TransitionsView
from projections.workload import WorkloadProjection, WorkloadView

READ_MODELS: tuple[type[ReadModel[Any]], ...] = (
    CaseStateProjection, TimelineProjection, AccessAuditProjection, WorkloadProjection, IndicatorsProjection,
    AuditChainProjection, NameIndexProjection, TransitionsProjection)
BY_NAME = {model.name: model for model in READ_MODELS}


@dataclass(frozen=True)
class ReadModels:
    case_state: CaseStateProjection
    timeline: TimelineProjection
    access_audit: AccessAuditProjection
    workload: WorkloadProjection
    indicators: IndicatorsProjection
    audit_chain: AuditChainProjection
    name_index: NameIndexProjection
    transitions: TransitionsProjection

    def all(self) -> list[ReadModel[Any]]:
        return [getattr(self, model.name) for model in READ_MODELS]

    def named(self, *names: str) -> list[ReadModel[Any]]:
        unknown = set(names) - set(BY_NAME)
        if unknown:
            raise KeyError(f"unknown read model(s): {', '.join(sorted(unknown))}; known: {', '.join(BY_NAME)}")
        return [m for m in self.all() if not names or m.name in names]


M = TypeVar("M", bound=ReadModel[Any])


def build_read_models(env: dict[str, str]) -> ReadModels:
    def build(model: type[M]) -> M:
        return model(view=construct_view(model, env))

    models = ReadModels(  # in the order of READ_MODELS
        case_state=build(CaseStateProjection), timeline=build(TimelineProjection),
        access_audit=build(AccessAuditProjection), workload=build(WorkloadProjection),
        indicators=build(IndicatorsProjection), audit_chain=build(AuditChainProjection),
        name_index=build(NameIndexProjection), transitions=build(TransitionsProjection))
    models.name_index.use_key_from(env)  # its HMAC key derives from the store's cipher key
    return models


__all__ = ["READ_MODELS", "AccessAuditView", "AuditChainView", "CaseStateView", "IndicatorsView", "NameIndexView",
           "ReadModels", "TimelineView", "TransitionsView", "WorkloadView", "build_read_models"]
