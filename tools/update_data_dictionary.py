"""Regenerate the README's data dictionary from cchc_nlp.dataset.tables (tests/test_readme.py
checks that they agree). Run after changing a schema, or after a rebase conflict in it:

    .venv/bin/python tools/update_data_dictionary.py
"""

from __future__ import annotations

import re
from pathlib import Path

from cchc_nlp.dataset.tables import data_dictionary_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"(<!-- DATA DICTIONARY.*?-->\n)(.*?)(\n<!-- END DATA DICTIONARY -->)", re.S)


def main() -> None:
    text = README.read_text(encoding="utf-8")
    if not _BLOCK.search(text):
        raise SystemExit(f"{README}: no <!-- DATA DICTIONARY --> ... <!-- END DATA DICTIONARY --> block")
    updated = _BLOCK.sub(lambda m: m.group(1) + data_dictionary_markdown().strip() + "\n" + m.group(3), text)
    README.write_text(updated, encoding="utf-8")
    print("README.md data dictionary:", "updated" if updated != text else "already current")


if __name__ == "__main__":
    main()
