"""Start-up safety: refuse to run on a configuration that would expose personal data.

Each refusal names the variable to set and why, in Japanese and English, and never repeats a
value. Outside ``--demo``: a token-signing process needs ``TSUNAGU_JWT_SECRET``; a process that
opens the store needs ``TSUNAGU_CIPHER_KEY`` (or the explicitly unsafe
``TSUNAGU_UNSAFE_PLAINTEXT_STORE=true``, which is announced loudly); and a data directory holding
the demo's secrets is the demo's, opened only with ``--demo``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from infra.settings import Settings

DEMO_SECRETS_FILE = "demo-secrets.json"
NEW_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
NEW_CIPHER_KEY = 'python -c "from eventsourcing.cryptography import AESCipher; print(AESCipher.create_key(32))"'


@dataclass(frozen=True)
class Problem:
    variable: str
    message_ja: str
    message_en: str

    def lines(self) -> list[str]:
        return [f"{self.variable}: {self.message_ja}", f"{self.variable}: {self.message_en}"]


class RefusedConfiguration(Exception):
    """The configuration is unsafe or invalid; the process must not start."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.variable}: {p.message_en}" for p in problems))
        self.problems = problems

    def lines(self) -> list[str]:
        return [line for problem in self.problems for line in problem.lines()]


def problems_of(error: ValidationError) -> RefusedConfiguration:
    """A settings validation error as refusals: the variable and the message, never the input."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        variable = f"TSUNAGU_{str(item['loc'][0]).upper()}" if item["loc"] else "TSUNAGU_*"
        message = str(item["msg"]).removeprefix("Value error, ")
        ja, _, en = message.partition(" / ")
        problems.append(Problem(variable, ja, en or ja))
    return RefusedConfiguration(problems)


def demo_secrets_file(settings: Settings) -> Path:
    return settings.data_dir / DEMO_SECRETS_FILE


def check_not_demo_data(settings: Settings) -> None:
    """Outside ``--demo``, a data directory that holds the demo's secrets is refused, never used."""
    if demo_secrets_file(settings).exists():
        raise RefusedConfiguration([Problem(
            "TSUNAGU_DATA_DIR",
            f"このデータディレクトリにはデモの秘密鍵（{DEMO_SECRETS_FILE}）があります。デモは --demo を付けて"
            "起動し、本番では別のディレクトリを指定してください。",
            f"this data directory holds the demo's secrets ({DEMO_SECRETS_FILE}): start the demo with --demo, "
            "and point production at another directory.")])


def check_safe(settings: Settings, *, tokens: bool, store: bool) -> list[str]:
    """Refuse what must not run; answer the warnings the command announces (on stderr, the process's log)."""
    problems = []
    if tokens and settings.jwt_secret is None:
        problems.append(Problem(
            "TSUNAGU_JWT_SECRET",
            "設定されていません。トークンの署名に使う 32 文字以上のランダムな値を設定してください"
            f"（例: {NEW_SECRET}）。",
            f"is not set: set a random value of at least 32 characters to sign tokens (e.g. {NEW_SECRET})."))
    if store and settings.cipher_key is None and not settings.unsafe_plaintext_store:
        problems.append(Problem(
            "TSUNAGU_CIPHER_KEY",
            f"設定されていません。個人情報を暗号化して保存する鍵を設定してください（例: {NEW_CIPHER_KEY}）。"
            "暗号化せずに保存する場合に限り TSUNAGU_UNSAFE_PLAINTEXT_STORE=true を指定します（本番では不可）。",
            f"is not set: set the key that encrypts personal data at rest (e.g. {NEW_CIPHER_KEY}). Only to store "
            "it unencrypted, set TSUNAGU_UNSAFE_PLAINTEXT_STORE=true (never in production)."))
    if problems:
        raise RefusedConfiguration(problems)
    warnings = []
    if store and settings.cipher_key is None:
        warnings.append("危険: TSUNAGU_UNSAFE_PLAINTEXT_STORE=true — 個人情報を暗号化せずに保存します。"
                        "本番では使わないでください。 / UNSAFE: TSUNAGU_UNSAFE_PLAINTEXT_STORE=true — "
                        "personal data is stored UNENCRYPTED. Never in production.")
    if store and settings.checkpoint_key is None:
        warnings.append("TSUNAGU_CHECKPOINT_KEY が未設定です: 監査チェックポイントに署名できません。 / "
                        "TSUNAGU_CHECKPOINT_KEY is not set: audit checkpoints cannot be signed.")
    if store and settings.store == "sqlite" and _open_to_others(settings.data_dir):
        warnings.append(f"{settings.data_dir} は他のユーザーも読めます（chmod 700 を推奨）。 / "
                        f"{settings.data_dir} is readable by other users (chmod 700 it).")
    return warnings


def _open_to_others(directory: Path) -> bool:
    try:
        return bool(os.stat(directory).st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except FileNotFoundError:
        return False
