"""What manifest.json records besides the counts: the versions of the package, its main
dependencies, the models and the data files.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from cchc_nlp._version import __version__
from cchc_nlp.resources import PACKAGE_DIR

__all__ = ["environment"]


def environment() -> dict[str, Any]:
    """Versions of the package, its main dependencies and the models, for the manifest."""
    from cchc_nlp.text.pipeline import DEFAULT_COMPONENTS  # spaCy: loaded by now unless workers did the work

    versions = {"cchc_nlp": __version__, "python": sys.version.split()[0]}
    for package in ("underthesea", "spacy", "pyarrow", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "versions": versions,
        "models": _models(),
        "pipeline": [name for name, _ in DEFAULT_COMPONENTS],
        "data_sha256": _tree_digest(PACKAGE_DIR / "data"),
    }


def _models() -> dict[str, str]:
    """The underthesea CRF model the text core uses, and the model files shipped with
    cchc_nlp (in the package or the repository's models/ folder) with their SHA-256."""
    models: dict[str, str] = {}
    spec = importlib.util.find_spec("underthesea")
    if spec and spec.origin:
        folder = Path(spec.origin).parent / "pipeline" / "word_tokenize" / "models"
        if folder.is_dir():
            models["underthesea.word_tokenize"] = ",".join(sorted(p.name for p in folder.iterdir() if p.is_dir()))
    package = PACKAGE_DIR
    for root in (package, package.parent / "models"):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in (".skops", ".joblib", ".bin", ".crfsuite", ".onnx") and path.is_file():
                models[path.relative_to(package.parent).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return models


def _tree_digest(folder: Path) -> str | None:
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
