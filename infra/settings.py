"""Configuration, from environment variables prefixed ``TSUNAGU_`` (or a ``.env`` file).

Validators refuse unsafe values with messages that name the variable and never repeat the value
(``hide_input_in_errors``): a rejected secret must not reach a terminal or a log.
"""

from __future__ import annotations

from base64 import b64decode
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.policy import FLOOR_BIRTH_DATE, FLOOR_RECORD_DATE, MAX_YEARS_AHEAD

WARDS = Path(__file__).parent / "wards"
MIN_SECRET_CHARS = 32
MIN_DISTINCT_CHARS = 10


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TSUNAGU_", env_file=".env", extra="ignore",
                                      hide_input_in_errors=True)

    store: Literal["sqlite", "postgres"] = "sqlite"
    data_dir: Path = Path("var")
    sqlite_path: Path | None = Field(default=None, description="Defaults to <data_dir>/tsunagu.db")
    postgres_dsn: SecretStr | None = Field(default=None, description="postgresql://user:password@host:port/db")
    postgres_schema: str | None = None
    create_tables: bool = Field(default=True, description="Create missing tables at start (false for a "
                                                         "least-privilege role after `tsunagu db harden`)")
    postgres_pool_size: int = Field(default=10, ge=1, le=100)

    # Secrets: start-up refuses to run without them outside `--demo` (infra/startup.py).
    cipher_key: SecretStr | None = Field(default=None, description="AES key (base64 of 16, 24 or 32 bytes)")
    unsafe_plaintext_store: bool = Field(default=False, description="Run without TSUNAGU_CIPHER_KEY: personal "
                                                                    "data stored unencrypted. Never in production")
    checkpoint_key: SecretStr | None = Field(
        default=None, description="HMAC key that signs audit-chain checkpoints (keep a copy outside the database)")
    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "tsunagu"
    jwt_audience: str = "tsunagu-api"
    token_ttl_minutes: int = Field(default=480, ge=1, le=24 * 60,
                                   description="Tokens living longer than this are refused, whoever signed them")

    ward: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]{0,39}$",
                             description="A bundled ward configuration (infra/wards/<ward>.json): minato, chuo, "
                                         "bunkyo, ota, toshima")
    registry_path: Path = Field(default=WARDS / "minato.json", description="The ward's configuration file; "
                                "set, it wins over TSUNAGU_WARD (default: the bundled minato.json)")
    emergency_ttl_hours: int = Field(default=24, ge=1, le=72)
    self_consent_age: int = Field(default=15, ge=6, le=18, description="A child below this age consents "
                                  "through a 親権者 (practice: about 12–15)")
    consent_max_days: int | None = Field(default=None, ge=1, le=1098, description="A consent is valid at most "
                                         "this long (unset: the ward file's, else 366)")
    support_meeting_max_days: int | None = Field(default=None, ge=1, le=366, description="A 支援会議's sharing "
                                                 "lasts until its stated end, at most this long (unset: the ward "
                                                 "file's, else 92)")
    transition_ages: tuple[int, ...] | None = Field(default=None, description="Ages at which the responsible "
                                                    "agency changes, as a JSON list (unset: the ward file's)")
    earliest_record_date: date = Field(default=FLOOR_RECORD_DATE, ge=FLOOR_RECORD_DATE, le=date(2100, 1, 1),
                                       description="When the ward's records begin: nothing is dated earlier "
                                                   "(occurred_at, meetings, plans, as_of)")
    earliest_birth_date: date = Field(default=FLOOR_BIRTH_DATE, ge=FLOOR_BIRTH_DATE,
                                      description="Nobody's birth date is earlier")
    max_years_ahead: int = Field(default=5, ge=1, le=MAX_YEARS_AHEAD, description="No date (a plan, a review, "
                                 "a consent's end, as_of) is more than this many years after today")

    # HTTP limits (api/limits.py, api/rate_limits.py, infra/web_server.py).
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    body_timeout_seconds: float = Field(default=30.0, gt=0, le=600,
                                        description="A request body must arrive within this time (else 408)")
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600,
                                          description="A request's head must arrive within this time")
    keep_alive_timeout_seconds: int = Field(default=5, ge=1, le=600)
    max_header_bytes: int = Field(default=16_384, ge=1_024, le=1_048_576)
    trusted_proxies: str = Field(default="127.0.0.1", description="Addresses whose X-Forwarded-For is believed "
                                                                  "(the TLS proxy in front): rate limits key on "
                                                                  "the client address")
    rate_limits: bool = Field(default=True, description="Per staff member and per address (off only to benchmark)")
    rate_limit_sign_in_per_address: str = "10/minute;60/hour"
    rate_limit_sign_in_per_staff: str = "10/minute;60/hour"
    rate_limit_break_glass_per_address: str = "30/hour"
    rate_limit_break_glass_per_staff: str = "10/hour"
    rate_limit_reads_per_address: str = "3000/minute"
    rate_limit_reads_per_staff: str = "300/minute"
    docs: bool = Field(default=True, description="Serve /docs and /redoc (their scripts from a pinned package)")

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
            except ValueError:
                raise ValueError("base64 ではありません / must be base64") from None
            if size not in (16, 24, 32):
                raise ValueError("16・24・32 バイトの鍵を base64 で指定してください / "
                                 "must decode to 16, 24 or 32 bytes")
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _jwt_secret_is_strong(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (weakness := secret_weakness(value.get_secret_value())) is not None:
            raise ValueError(weakness)
        return value

    @field_validator("rate_limit_sign_in_per_address", "rate_limit_sign_in_per_staff",
                     "rate_limit_break_glass_per_address", "rate_limit_break_glass_per_staff",
                     "rate_limit_reads_per_address", "rate_limit_reads_per_staff")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError("「10/minute;100/hour」の形で指定してください / "
                             "write it as e.g. 10/minute;100/hour") from None
        return value

    _demo: bool = PrivateAttr(default=False)

    @field_validator("ward")
    @classmethod
    def _ward_is_bundled(cls, value: str | None) -> str | None:
        if value is not None and not (WARDS / f"{value}.json").is_file():
            bundled = ", ".join(sorted(path.stem for path in WARDS.glob("*.json")))
            raise ValueError(f"同梱の区の設定にありません（{bundled}） / is not a bundled ward ({bundled})")
        return value

    @model_validator(mode="after")
    def _ward_names_the_registry(self) -> Settings:
        """TSUNAGU_REGISTRY_PATH wins; else TSUNAGU_WARD names a bundled ward file; else Minato's."""
        if self.ward is not None and "registry_path" not in self.model_fields_set:
            self.registry_path = WARDS / f"{self.ward}.json"
        return self

    @property
    def demo(self) -> bool:
        """Whether this process runs the demo (``--demo``): set only by :meth:`as_demo`, never from the
        environment. It adds demo staff to a ward file that names none."""
        return self._demo

    def as_demo(self) -> Settings:
        """These settings, for a process started with ``--demo``."""
        copy = self.model_copy()
        copy._demo = True
        return copy

    @model_validator(mode="after")
    def _birth_dates_precede_records(self) -> Settings:
        if self.earliest_birth_date > self.earliest_record_date:
            raise ValueError("TSUNAGU_EARLIEST_BIRTH_DATE must not be after TSUNAGU_EARLIEST_RECORD_DATE")
        return self

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


def secret_weakness(secret: str) -> str | None:
    """Why ``secret`` is too weak to sign tokens (Japanese / English), or None. Never quotes it."""
    stripped = secret.strip()
    visible = [c for c in stripped if not c.isspace()]
    if len(visible) < MIN_SECRET_CHARS:
        return (f"空白を除いて {MIN_SECRET_CHARS} 文字以上のランダムな値にしてください / must be at least "
                f"{MIN_SECRET_CHARS} characters, not counting whitespace")
    if len(visible) < len(stripped) * 0.9:
        return "空白が多すぎます / contains too much whitespace"
    if len(set(visible)) < MIN_DISTINCT_CHARS:
        return (f"使われている文字の種類が少なすぎます（{MIN_DISTINCT_CHARS} 種類以上） / has too few distinct "
                f"characters (fewer than {MIN_DISTINCT_CHARS}): low entropy")
    if _repeats(stripped):
        return "同じ並びの繰り返しです / is one short pattern repeated"
    return None


def _repeats(text: str) -> bool:
    """True if ``text`` is a shorter unit repeated (``abcabcab…``), the tail possibly cut."""
    return any(text[period:] == text[:-period] for period in range(1, len(text) // 2 + 1))
