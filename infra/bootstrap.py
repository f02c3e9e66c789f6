"""The composition root: the only place that turns settings into running parts."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from eventsourcing.cryptography import AESCipher
from pydantic import SecretStr

from domain.application import Tsunagu
from domain.referral_feed import ReferralFeed
from domain.registry import Registry
from infra.auth import TokenIssuer
from infra.kafka.settings import KafkaSettings
from infra.referral_feed import build_referral_feed
from infra.settings import Settings
from infra.store import eventsourcing_env
from projections import ReadModels, build_read_models
from projections.runner import BatchRunner


def load_settings(**overrides: Any) -> Settings:
    """The process's settings, from the environment (``TSUNAGU_*``) and ``overrides``: built here only."""
    return Settings(**overrides)


def load_kafka_settings(**overrides: Any) -> KafkaSettings:
    """The broker's settings (``TSUNAGU_KAFKA_*``), built here only."""
    return KafkaSettings(**overrides)


@cache
def load_registry(path: Path) -> Registry:
    return Registry.model_validate(json.loads(path.read_text(encoding="utf-8")))


@dataclass
class Services:
    """Everything a process needs, built once from settings."""

    settings: Settings
    tsunagu: Tsunagu
    read_models: ReadModels
    runner: BatchRunner
    token_issuer: TokenIssuer | None = None
    _referral_feed: ReferralFeed | None = None

    @property
    def referral_feed(self) -> ReferralFeed:
        """The referral messages read from the log (built on first use, with ``TSUNAGU_REFERRALS_*``)."""
        if self._referral_feed is None:
            self._referral_feed = build_referral_feed(self.tsunagu)
        return self._referral_feed


def build_services(settings: Settings, *, with_tokens: bool = True) -> Services:
    tsunagu = build_tsunagu(settings)
    read_models = build_read_models(eventsourcing_env(settings))
    runner = BatchRunner(tsunagu, read_models.all(), batch_size=settings.projection_batch_size)
    return Services(settings=settings, tsunagu=tsunagu, read_models=read_models, runner=runner,
                    token_issuer=build_token_issuer(settings) if with_tokens else None)


def build_tsunagu(settings: Settings) -> Tsunagu:
    return Tsunagu(eventsourcing_env(settings), registry=load_registry(settings.registry_path),
                   emergency_ttl=timedelta(hours=settings.emergency_ttl_hours))


def build_token_issuer(settings: Settings) -> TokenIssuer:
    if settings.jwt_secret is None:
        raise RuntimeError("TSUNAGU_JWT_SECRET is not set (at least 32 characters); "
                           "`tsunagu serve --demo` creates one for the demo.")
    return TokenIssuer(secret=settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer,
                       audience=settings.jwt_audience, ttl=timedelta(minutes=settings.token_ttl_minutes),
                       registry=load_registry(settings.registry_path))


def demo_settings(base: Settings, *, create: bool) -> Settings:
    """Fill unset secrets from the demo's secrets file (made by ``serve --demo`` when ``create``)."""
    secrets_file = base.data_dir / "demo-secrets.json"
    if secrets_file.exists():
        stored = json.loads(secrets_file.read_text())
    elif create:
        stored = {"jwt_secret": secrets.token_urlsafe(48), "cipher_key": AESCipher.create_key(32),
                  "checkpoint_key": secrets.token_urlsafe(32)}
        base.data_dir.mkdir(parents=True, exist_ok=True)
        secrets_file.touch(mode=0o600)
        secrets_file.write_text(json.dumps(stored))
    else:
        return base
    filled = {name: SecretStr(value) for name, value in stored.items() if getattr(base, name) is None}
    return base.model_copy(update={**filled, "demo": "jwt_secret" in filled})  # demo tokens: demo sign-in
