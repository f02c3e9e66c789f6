"""A checkpoint is kept off the server for years: what it signs must not change between releases, or an
honest log would fail against an honest checkpoint after an upgrade."""

from __future__ import annotations

from dataclasses import replace

from projections.audit_chain import Checkpoint

KEY = b"k" * 32
CHECKPOINT = Checkpoint(position=42, count=40, head_hash="ab" * 32, created_at="2026-12-03T07:00:00+00:00")
SIGNED_BY_RELEASE_0_1 = "16f8bcb4ac3a0196a8300770683df56c04d0b046a6a80c768fa791cb1757b008"
"""The signature this release gives ``CHECKPOINT`` under ``KEY`` (a checkpoint exported on 2026-12-03)."""


def test_a_checkpoint_signs_its_fields_as_sorted_json_so_an_exported_one_still_verifies_after_an_upgrade() -> None:
    assert CHECKPOINT.payload() == (b'{"count": 40, "created_at": "2026-12-03T07:00:00+00:00", '
                                    b'"head_hash": "' + b"ab" * 32 + b'", "position": 42}')
    assert CHECKPOINT.signed(KEY).signature == SIGNED_BY_RELEASE_0_1
    assert replace(CHECKPOINT, signature=SIGNED_BY_RELEASE_0_1).is_authentic(KEY)


def test_the_signature_is_not_part_of_what_is_signed() -> None:
    signed = CHECKPOINT.signed(KEY)
    assert signed.payload() == CHECKPOINT.payload() and signed.signed(KEY) == signed
