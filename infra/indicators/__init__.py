"""The shipped sets of output indicators (``<set>.json`` beside this module; see ``docs/indicators.md``).

A ward file names the set it reports in ``"indicators": {"set": "ota"}`` (default ``national``) and may add
rows (and 基本目標) of its own there; :func:`with_indicator_set` puts the set and the ward's rows together
before the registry validates them (every agency a definition names must be the ward's).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domain.indicators import Goal, IndicatorDefinition, IndicatorSet

SETS = Path(__file__).parent


def shipped_sets() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in SETS.glob("*.json")))


def load_set(name: str) -> IndicatorSet:
    path = SETS / f"{name}.json"
    if name not in shipped_sets():
        raise ValueError(f"indicators: unknown set {name!r} (shipped: {', '.join(shipped_sets())})")
    return IndicatorSet.model_validate({**json.loads(path.read_text(encoding="utf-8")), "set": name})


def with_indicator_set(ward: dict[str, Any]) -> dict[str, Any]:
    """The ward file's data with its indicators resolved: the chosen set, then the ward's own rows."""
    chosen = dict(ward.get("indicators") or {})
    unknown = set(chosen) - {"set", "goals", "indicators"}
    if unknown:
        raise ValueError(f"indicators: unknown key {sorted(unknown)[0]!r} (set, goals, indicators)")
    shipped = load_set(chosen.get("set", "national"))
    own = [IndicatorDefinition.model_validate(row) for row in chosen.get("indicators", [])]
    goals = [Goal.model_validate(goal) for goal in chosen.get("goals", [])]
    return {**ward, "indicators": shipped.with_own(own, goals).model_dump(mode="json")}
