"""The package's shape: a light root, the command line's start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import cchc_nlp

HEAVY = ("spacy", "pandas", "pyarrow", "bs4", "underthesea", "sklearn")


def _loaded_after(code: str) -> list[str]:
    """The heavy packages loaded by `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_import_loads_no_heavy_dependency():
    assert _loaded_after("import cchc_nlp; cchc_nlp.__version__; cchc_nlp.normalize_text('a')") == []


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_load_no_heavy_dependency(argv):
    code = (
        "import contextlib, io\n"
        "from cchc_nlp.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({argv!r})\n"
    )
    assert _loaded_after(code) == []


def test_public_names_resolve_lazily():
    assert cchc_nlp.__all__[0] == "__version__"
    for name in cchc_nlp.__all__:
        assert getattr(cchc_nlp, name) is not None, name
    assert set(cchc_nlp.__all__) <= set(dir(cchc_nlp))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        cchc_nlp.nothing_here  # noqa: B018
