"""Configuration, from environment variables prefixed ``TSUNAGU_`` (or a ``.env`` file)."""

from __future__ import annotations

from base64 import b64decode
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WARDS = Path(__file__).parent / "wards"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TSUNAGU_", env_file=".env", extra="ignore")

    store: Literal["sqlite", "postgres"] = "sqlite"
    data_dir: Path = Path("var")
    sqlite_path: Path | None = Field(default=None, description="Defaults to <data_dir>/tsunagu.db")
    postgres_dsn: SecretStr | None = Field(default=None, description="postgresql://user:password@host:port/db")
    postgres_schema: str | None = None
    create_tables: bool = Field(default=True, description="Create missing tables at start (false for a "
                                                         "least-privilege role after `tsunagu db harden`)")
    postgres_pool_size: int = Field(default=10, ge=1, le=100)

    cipher_key: SecretStr | None = Field(default=None, description="AES key (base64 of 16, 24 or 32 bytes)")

    checkpoint_key: SecretStr | None = Field(
        default=None, description="HMAC key that signs audit-chain checkpoints (keep a copy outside the database)")
    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "tsunagu"
    jwt_audience: str = "tsunagu-api"
    token_ttl_minutes: int = Field(default=480, ge=1, le=24 * 60)
    demo: bool = Field(default=False, description="Set by the demo when its own secrets sign the tokens: the web "
                                                  "sign-in then lists the demo staff. Never set it in production")

    registry_path: Path = WARDS / "minato.json"
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    emergency_ttl_hours: int = Field(default=24, ge=1, le=72)

    projections_in_process: bool = Field(default=True, description="Run the read models inside the API process")
    projection_batch_size: int = Field(default=2000, ge=1, le=100_000)
    read_wait_seconds: float = Field(default=5.0, ge=0, le=60,
                                     description="How long a read may wait for projections to catch up")
    referral_overdue_business_days: int = Field(default=5, ge=1, le=60)

    @field_validator("cipher_key")
    @classmethod
    def _cipher_key_is_aes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                size = len(b64decode(value.get_secret_value(), validate=True))
            except ValueError as error:
                raise ValueError("cipher_key must be base64") from error
            if size not in (16, 24, 32):
                raise ValueError("cipher_key must decode to 16, 24 or 32 bytes")
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _jwt_secret_is_strong(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("jwt_secret must be at least 32 characters")
        return value

    @model_validator(mode="after")
    def _postgres_needs_dsn(self) -> Settings:
        if self.store == "postgres":
            if self.postgres_dsn is None:
                raise ValueError("store=postgres needs TSUNAGU_POSTGRES_DSN")
            if urlsplit(self.postgres_dsn.get_secret_value()).scheme not in ("postgresql", "postgres"):
                raise ValueError("TSUNAGU_POSTGRES_DSN must be a postgresql:// URL")
        return self

    @property
    def sqlite_file(self) -> Path:
        return self.sqlite_path or self.data_dir / "tsunagu.db"
