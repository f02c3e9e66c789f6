"""The composition root: the only place that turns settings into running parts."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from eventsourcing.cryptography import AESCipher
from pydantic import SecretStr, ValidationError

from domain.application import Tsunagu
from domain.policy import PlausibleDates, Policy
from domain.referral_feed import ReferralFeed
from domain.registry import Registry
from infra.auth import TokenIssuer
from infra.indicators import with_indicator_set
from infra.kafka.settings import ConsumerSigningSettings, KafkaSettings, RelaySigningSettings, refuse_unsafe
from infra.referral_feed import build_referral_feed
from infra.revocations import RevokedTokens, revoked_tokens
from infra.settings import WARDS, Settings
from infra.startup import check_not_demo_data, check_safe, demo_secrets_file, problems_of
from infra.store import eventsourcing_env
from projections import ReadModels, build_read_models
from projections.runner import BatchRunner

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def load_settings(**overrides: Any) -> Settings:
    """The process's settings, from the environment (``TSUNAGU_*``) and ``overrides``: built here only.

    Invalid settings raise :class:`~infra.startup.RefusedConfiguration`, whose messages name the
    variable and never its value."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise problems_of(error) from None


def ward_overrides(ward: str | None) -> dict[str, Any]:
    """Settings for ``--ward``: the bundled ward file, winning over ``TSUNAGU_WARD`` and ``TSUNAGU_REGISTRY_PATH``."""
    return {} if ward is None else {"ward": ward, "registry_path": WARDS / f"{ward}.json"}


def load_kafka_settings(**overrides: Any) -> KafkaSettings:
    """The broker's settings (``TSUNAGU_KAFKA_*``), built here only."""
    return KafkaSettings(**overrides)


def load_relay_signing_settings(**overrides: Any) -> RelaySigningSettings:
    """The relay's signing secret (``TSUNAGU_KAFKA_SIGNING_SECRET``); raises ``SettingRefused`` if unsafe."""
    return refuse_unsafe(RelaySigningSettings, **overrides)


def load_consumer_signing_settings(**overrides: Any) -> ConsumerSigningSettings:
    """An agency consumer's key(s) (``TSUNAGU_KAFKA_SIGNING_KEY``); raises ``SettingRefused`` if unsafe."""
    return refuse_unsafe(ConsumerSigningSettings, **overrides)


@dataclass(frozen=True)
class Configured:
    """Settings that passed the start-up checks, and whether the demo's own secret signs the tokens."""

    settings: Settings
    demo_sign_in: bool = False
    warnings: tuple[str, ...] = ()


def configure(*, demo: bool, tokens: bool, store: bool, create_demo: bool = False, **overrides: Any) -> Configured:
    """Settings for a command, refused (:class:`~infra.startup.RefusedConfiguration`) when unsafe.

    Outside ``demo`` the demo's secrets are never read, and their presence in the data directory
    is refused. With ``demo`` they fill what is unset (``create_demo``: made on first use), and a ward
    file without staff gets demo staff (:func:`ward_registry`). ``overrides`` win over the environment
    (``ward`` from ``--ward``)."""
    settings, signs = load_settings(**overrides), False
    if demo:
        settings, signs = demo_settings(settings.as_demo(), create=create_demo)
    else:
        check_not_demo_data(settings)
    warnings = check_safe(settings, tokens=tokens, store=store)
    return Configured(settings, demo_sign_in=signs and tokens, warnings=tuple(warnings))


@cache
def load_registry(path: Path) -> Registry:
    """A ward's configuration file, validated (``docs/wards.md``)."""
    return Registry.model_validate(with_indicator_set(json.loads(path.read_text(encoding="utf-8"))))


def ward_registry(settings: Settings) -> Registry:
    """The ward the process serves: its configuration file, and in demo mode only (``--demo``), demo staff
    when the file names none."""
    if settings.demo:
        return _with_demo_staff(settings.registry_path)
    return load_registry(settings.registry_path)


@cache
def _with_demo_staff(path: Path) -> Registry:
    from infra.demo.staff import with_demo_staff

    return with_demo_staff(load_registry(path))


@dataclass
class Services:
    """Everything a process needs, built once from settings."""

    settings: Settings
    tsunagu: Tsunagu
    read_models: ReadModels
    runner: BatchRunner
    token_issuer: TokenIssuer | None = None
    demo_sign_in: bool = False
    """The process was started with ``--demo`` and the demo's own secret signs the tokens: the sign-in
    page lists the staff to pick from. Never from configuration."""
    _referral_feed: ReferralFeed | None = None

    @property
    def referral_feed(self) -> ReferralFeed:
        """The referral messages read from the log (built on first use, with ``TSUNAGU_REFERRALS_*``)."""
        if self._referral_feed is None:
            self._referral_feed = build_referral_feed(self.tsunagu)
        return self._referral_feed


def build_services(settings: Settings, *, with_tokens: bool = True, demo_sign_in: bool = False) -> Services:
    tsunagu = build_tsunagu(settings)
    read_models = build_read_models(eventsourcing_env(settings))
    runner = BatchRunner(tsunagu, read_models.all(), batch_size=settings.projection_batch_size)
    return Services(settings=settings, tsunagu=tsunagu, read_models=read_models, runner=runner,
                    token_issuer=build_token_issuer(settings) if with_tokens else None,
                    demo_sign_in=demo_sign_in and with_tokens)


def build_tsunagu(settings: Settings) -> Tsunagu:
    prepare_data_dir(settings)
    registry = ward_registry(settings)
    return Tsunagu(eventsourcing_env(settings), registry=registry, policy=policy(settings, registry))


def policy(settings: Settings, registry: Registry | None = None) -> Policy:
    """The ward's limits on consent, 支援会議, break-glass and dates, and its transition ages: the ward
    file's practice, unless a setting (``TSUNAGU_CONSENT_MAX_DAYS`` …) says otherwise."""
    practice = (registry or load_registry(settings.registry_path)).practice
    return Policy(self_consent_age=settings.self_consent_age,
                  consent_max_days=settings.consent_max_days or practice.consent_max_days,
                  support_meeting_max_days=settings.support_meeting_max_days or practice.support_meeting_max_days,
                  transition_ages=settings.transition_ages or practice.transition_ages,
                  emergency_ttl=timedelta(hours=settings.emergency_ttl_hours),
                  dates=PlausibleDates(earliest_record=settings.earliest_record_date,
                                       earliest_birth=settings.earliest_birth_date,
                                       years_ahead=settings.max_years_ahead))


def prepare_data_dir(settings: Settings) -> None:
    """The SQLite store's directory, created private (0700) when missing."""
    if settings.store == "sqlite":
        settings.sqlite_file.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)


def build_revoked_tokens(settings: Settings) -> RevokedTokens:
    """The deny-list of signed-out tokens, in the store's own database."""
    prepare_data_dir(settings)
    return revoked_tokens(eventsourcing_env(settings))


def build_token_issuer(settings: Settings) -> TokenIssuer:
    if settings.jwt_secret is None:
        raise RuntimeError("TSUNAGU_JWT_SECRET is not set (at least 32 characters); "
                           "`tsunagu serve --demo` creates one for the demo.")
    return TokenIssuer(secret=settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer,
                       audience=settings.jwt_audience, ttl=timedelta(minutes=settings.token_ttl_minutes),
                       registry=ward_registry(settings), revoked=build_revoked_tokens(settings))


def demo_settings(base: Settings, *, create: bool) -> tuple[Settings, bool]:
    """Fill unset secrets from the demo's secrets file (made by ``serve --demo`` when ``create``).

    Answers the settings and whether the demo's own JWT secret signs the tokens. Only for ``--demo``."""
    secrets_file = demo_secrets_file(base)
    if secrets_file.exists():
        stored = json.loads(secrets_file.read_text())
    elif create:
        stored = {"jwt_secret": secrets.token_urlsafe(48), "cipher_key": AESCipher.create_key(32),
                  "checkpoint_key": secrets.token_urlsafe(32)}
        base.data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        write_private(secrets_file, json.dumps(stored).encode())
    else:
        return base, False
    filled = {name: SecretStr(value) for name, value in stored.items() if getattr(base, name) is None}
    return base.model_copy(update=filled), "jwt_secret" in filled


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner may read (0600), whatever the umask; an existing file is replaced."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
