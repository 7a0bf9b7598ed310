"""The README is part of the interface: its commands and data dictionary must stay true."""

import re
from pathlib import Path

from cchc_nlp.cli import COMMANDS
from cchc_nlp.dataset.tables import data_dictionary_markdown

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_first_lines_are_the_two_commands():
    block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_data_dictionary_matches_the_schemas():
    match = re.search(r"<!-- DATA DICTIONARY.*?-->\n(.*?)\n<!-- END DATA DICTIONARY -->", README, re.S)
    assert match, "README lost its data dictionary markers"
    assert match.group(1).strip() == data_dictionary_markdown().strip()


def test_every_command_is_documented():
    for name in COMMANDS:
        assert f"cchc-nlp {name}" in README, name
