"""The kinds of household a ward's year holds, one story each (or two close ones per module)."""

from __future__ import annotations

from infra.demo.stories.disability import Disability, DisabilityChild
from infra.demo.stories.double_care import DoubleCare
from infra.demo.stories.eighty_fifty import EightyFifty
from infra.demo.stories.elderly_couple import ElderlyCouple
from infra.demo.stories.hikikomori import Hikikomori
from infra.demo.stories.hoarding import Hoarding
from infra.demo.stories.poverty import Poverty
from infra.demo.stories.refusal import SupportRefusal
from infra.demo.stories.young_carer import YoungCarer
from infra.demo.story import Story

STORIES: tuple[type[Story], ...] = (
    EightyFifty, Hikikomori, DoubleCare, YoungCarer, SupportRefusal, Hoarding, Poverty, Disability,
    DisabilityChild, ElderlyCouple,
)
"""Every story, in the order a household's scenario is drawn from."""

BY_SCENARIO: dict[str, type[Story]] = {story.SCENARIO: story for story in STORIES}
SCENARIO_LABELS: dict[str, str] = {story.SCENARIO: story.LABEL_JA for story in STORIES}
SCENARIO_WEIGHTS: dict[str, int] = {story.SCENARIO: story.WEIGHT for story in STORIES}
"""Rough shares of a ward's year (per 100 households)."""

__all__ = ["BY_SCENARIO", "SCENARIO_LABELS", "SCENARIO_WEIGHTS", "STORIES"]
