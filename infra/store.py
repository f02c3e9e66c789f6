"""The eventsourcing environment for the configured store: SQLite (embedded) or PostgreSQL."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from infra.settings import Settings

AES_CIPHER = "eventsourcing.cryptography:AESCipher"


def eventsourcing_env(settings: Settings) -> dict[str, str]:
    env = _sqlite_env(settings) if settings.store == "sqlite" else _postgres_env(settings)
    env["CREATE_TABLE"] = "y" if settings.create_tables else "n"
    if settings.cipher_key is not None:
        env["CIPHER_TOPIC"] = AES_CIPHER
        env["CIPHER_KEY"] = settings.cipher_key.get_secret_value()
    return env


def _sqlite_env(settings: Settings) -> dict[str, str]:
    settings.sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(settings.sqlite_file),
            "SQLITE_LOCK_TIMEOUT": "10"}


def _postgres_env(settings: Settings) -> dict[str, str]:
    assert settings.postgres_dsn is not None
    url = urlsplit(settings.postgres_dsn.get_secret_value())
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or ""),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_PRE_PING": "y",
    }
    if settings.postgres_schema:
        env["POSTGRES_SCHEMA"] = settings.postgres_schema
    return env
