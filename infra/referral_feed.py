"""Where referral messages go: the routing settings shared by the Kafka relay and the HTTP stream.

The message contract and the feed itself are the domain's (:mod:`domain.referral_feed`); this module
only turns settings (``TSUNAGU_REFERRALS_*``) into a feed.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.application import Tsunagu
from domain.referral_feed import ReferralFeed
from domain.registry import Registry


class ReferralFeedSettings(BaseSettings):
    """Routing shared by every channel (``TSUNAGU_REFERRALS_*``), so Kafka and HTTP agree."""

    model_config = SettingsConfigDict(env_prefix="TSUNAGU_REFERRALS_", env_file=".env", extra="ignore")

    coordination_agency: str = Field(default="coordination",
                                     description="The registry agency that receives escalations (多機関協働).")


def referral_feed_settings(registry: Registry) -> ReferralFeedSettings:
    """Where escalations go: ``TSUNAGU_REFERRALS_COORDINATION_AGENCY`` if set, else the ward's
    ``escalation_target``, else ``coordination``."""
    settings = ReferralFeedSettings()
    if "coordination_agency" in settings.model_fields_set or registry.escalation_target is None:
        return settings
    return settings.model_copy(update={"coordination_agency": registry.escalation_target})


def build_referral_feed(app: Tsunagu, settings: ReferralFeedSettings | None = None) -> ReferralFeed:
    """The feed of ``app``'s ward: the same routing for the relay, the HTTP stream and the pages."""
    settings = settings or referral_feed_settings(app.registry)
    return ReferralFeed(app, coordination_agency=settings.coordination_agency)
