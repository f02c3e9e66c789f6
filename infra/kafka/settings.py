"""Kafka configuration, from environment variables prefixed ``TSUNAGU_KAFKA_`` (or a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.referral_feed import AgencyKey
from infra.kafka.topics import LEGAL_NAME

ENV_PREFIX = "TSUNAGU_KAFKA_"
MIN_SECRET_CHARACTERS = 32
MIN_DISTINCT_CHARACTERS = 10


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "tsunagu"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None

    topic_prefix: str = Field(default="tsunagu.referrals.v1.", description="One topic per agency: <prefix><agency id>")
    group_prefix: str = Field(default="tsunagu.referrals.v1.", description="Consumer group: <prefix><agency id>")
    partitions: int = Field(default=3, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)

    relay_name: str = Field(default="referral-relay", description="The relay's name in the tracking table.")
    relay_batch_size: int = Field(default=200, ge=1, le=10_000)
    relay_poll_interval_s: float = Field(default=0.05, gt=0, le=10)
    send_timeout_s: float = Field(default=10.0, gt=0, le=300, description="How long a send may take to be acked.")
    backoff_initial_s: float = Field(default=0.5, gt=0, le=60)
    backoff_max_s: float = Field(default=30.0, gt=0, le=600)

    consumer_session_timeout_ms: int = Field(default=10_000, ge=6_000, le=300_000)
    commit_interval_s: float = Field(default=0.0, ge=0, le=3600,
                                     description="Commit offsets at most this often (0: after every batch).")
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, description="Signs each webhook body (HMAC-SHA256).")
    webhook_timeout_s: float = Field(default=5.0, gt=0, le=60)
    webhook_backoff_initial_s: float = Field(default=1.0, gt=0, le=600)
    webhook_backoff_max_s: float = Field(default=300.0, gt=0, le=86_400)

    @field_validator("topic_prefix", "group_prefix")
    @classmethod
    def _legal_kafka_name(cls, value: str) -> str:
        if not LEGAL_NAME.fullmatch(value):
            raise ValueError("may contain only ASCII letters, digits, '.', '_' and '-'")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_is_http(cls, value: str | None) -> str | None:
        if not value:
            return None  # unset, or set to "" (docker-compose's default)
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("webhook_url must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _sasl_is_complete(self) -> KafkaSettings:
        uses_sasl = self.security_protocol.startswith("SASL")
        if uses_sasl and not (self.sasl_mechanism and self.sasl_username and self.sasl_password):
            raise ValueError("SASL needs TSUNAGU_KAFKA_SASL_MECHANISM, _SASL_USERNAME and _SASL_PASSWORD")
        if not uses_sasl and self.sasl_mechanism:
            raise ValueError("TSUNAGU_KAFKA_SASL_MECHANISM is set but the security protocol is not SASL_*")
        return self

    def client_config(self) -> dict[str, Any]:
        """The connection settings every Kafka client of Tsunagu shares."""
        config: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers.split(","),
                                  "client_id": self.client_id, "security_protocol": self.security_protocol}
        if self.sasl_mechanism:
            assert self.sasl_password is not None
            config.update(sasl_mechanism=self.sasl_mechanism, sasl_plain_username=self.sasl_username,
                          sasl_plain_password=self.sasl_password.get_secret_value())
        if self.ssl_cafile:
            config["ssl_cafile"] = str(self.ssl_cafile)
        return config


class SettingRefused(RuntimeError):
    """A setting that is missing or unsafe: the message names the variable, never its value."""


class RelaySigningSettings(BaseSettings):
    """The relay's signing secret: each agency's key is derived from it (``infra.kafka.signing``). No default."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")
    HINTS: ClassVar[dict[str, str]] = {"signing_secret": (
        "the relay signs every message with a key derived from it; use at least 32 random characters, "
        "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`")}

    signing_secret: SecretStr = Field(description="Each agency's message-signing key is derived from this.")

    @field_validator("signing_secret")
    @classmethod
    def _strong(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        if len(text.strip()) < MIN_SECRET_CHARACTERS or len(set(text)) < MIN_DISTINCT_CHARACTERS:
            raise ValueError("is too weak")
        return value


class ConsumerSigningSettings(BaseSettings):
    """An agency consumer's key (and, while keys are rotated, the previous one). No default."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")
    HINTS: ClassVar[dict[str, str]] = {
        name: "the agency's key verifies every record; `tsunagu consume signing-key --agency ID`, run where "
              "TSUNAGU_KAFKA_SIGNING_SECRET is set, prints it" for name in ("signing_key", "signing_key_previous")}

    signing_key: SecretStr = Field(description="This agency's key, from `tsunagu consume signing-key`.")
    signing_key_previous: SecretStr | None = Field(
        default=None, description="Also accepted, while the relay's secret is being rotated.")

    @field_validator("signing_key", "signing_key_previous")
    @classmethod
    def _is_a_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                AgencyKey.decode(value.get_secret_value())
            except ValueError:
                raise ValueError("is not an agency signing key (43 base64url characters)") from None
        return value

    def keys(self) -> tuple[AgencyKey, ...]:
        """The keys the consumer accepts, current first."""
        return tuple(AgencyKey.decode(key.get_secret_value())
                     for key in (self.signing_key, self.signing_key_previous) if key is not None)


S = TypeVar("S", RelaySigningSettings, ConsumerSigningSettings)


def refuse_unsafe(settings_class: type[S], **overrides: Any) -> S:
    """Build the settings, or raise SettingRefused naming each variable at fault (never its value)."""
    try:
        return settings_class(**overrides)
    except ValidationError as error:
        problems = []
        for problem in error.errors(include_url=False, include_input=False, include_context=False):
            name = str(problem["loc"][0]) if problem["loc"] else ""
            what = "is not set" if problem["type"] == "missing" else problem["msg"].removeprefix("Value error, ")
            hint = settings_class.HINTS.get(name)
            problems.append(f"{ENV_PREFIX}{name.upper()} {what}" + (f": {hint}" if hint else ""))
        raise SettingRefused("; ".join(problems)) from None
