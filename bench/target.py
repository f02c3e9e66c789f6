"""What the HTTP measures talk to: the API's address, tokens, and the database for raw baselines."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg

from bench.load import Client
from domain.registry import Registry
from infra.auth import TokenIssuer

SCRATCH_TABLE = "bench_baseline_rows"


@dataclass(frozen=True)
class Target:
    base_url: str
    issuer: TokenIssuer
    registry: Registry
    dsn: str
    schema: str

    def token(self, staff_id: str) -> str:
        return self.issuer.issue(self.registry.staff_member(staff_id))

    def headers(self, staff_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(staff_id)}"}

    def http(self, call: Any) -> Client[httpx.Client]:
        """Clients with a keep-alive connection each."""
        return Client(self.http_client, call, lambda c: c.close())

    def http_client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=120)

    def database(self, call: Any) -> Client[psycopg.Connection[Any]]:
        """Clients with a database connection each, committing every statement (durably, as the server is set)."""
        return Client(self.connect, call, lambda c: c.close())

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.dsn, autocommit=True, options=f"-c search_path={self.schema}")

    def create_scratch_table(self) -> None:
        """A table for the baselines' durable single-row INSERTs."""
        self.execute(f"CREATE TABLE IF NOT EXISTS {self.table(SCRATCH_TABLE)} "
                     "(id BIGSERIAL PRIMARY KEY, payload BYTEA NOT NULL)")

    def insert_scratch_row(self, conn: psycopg.Connection[Any], size: int) -> None:
        conn.execute(f"INSERT INTO {self.table(SCRATCH_TABLE)} (payload) VALUES (%s)", (os.urandom(size),))

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"'

    def query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Any = None) -> None:
        with self.connect() as conn:
            conn.execute(sql, params)


def expect(response: httpx.Response, status: int) -> httpx.Response:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.status_code} "
                           f"{response.text[:300]}")
    return response
