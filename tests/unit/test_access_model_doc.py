"""docs/access-model.md shows the rules the commands enforce: the table is printed from them."""

from __future__ import annotations

import sys
from pathlib import Path

from domain.commands import COMMANDS, rules_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "access-model.md"
BEGIN = "<!-- BEGIN rules table (generated from domain/commands) -->\n"
END = "<!-- END rules table -->"


def _documented() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(BEGIN) + len(BEGIN):text.index(END)]


def test_the_access_model_doc_shows_the_rules_the_commands_enforce() -> None:
    assert _documented() == rules_markdown(), (
        "docs/access-model.md is out of date: run `python -m tests.unit.test_access_model_doc --write`")


def test_every_command_has_a_rule_and_a_label() -> None:
    for command in COMMANDS:
        assert command.RULE, f"{command.__name__} has no rule"
        assert command.LABEL_JA, f"{command.__name__} has no Japanese label"


if __name__ == "__main__" and "--write" in sys.argv:
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(text[:start] + rules_markdown() + text[end:], encoding="utf-8")
