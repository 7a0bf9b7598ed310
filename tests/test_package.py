"""The package's shape: a light root, the command line's start-up."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

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


def test_extract_on_a_text_dump_loads_only_what_it_needs(tmp_path):
    """The start-up of extract on page dumps: no pandas (the tables are built from Arrow
    buffers), no HTML parser, no WARC reader, no scikit-learn."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        "UBND tỉnh Vĩnh Long\n\nNgày 02/7/2018, tỉnh đã tiếp nhận 1.234 hồ sơ, đạt 98,5% đúng hạn.\n",
        encoding="utf-8",
    )
    code = (
        "import contextlib, io\n"
        "from cchc_nlp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['extract', {str(tmp_path / 'in')!r}, '--out', {str(tmp_path / 'out')!r}, '--quiet']) == 0\n"
    )
    assert _loaded_after(code) == ["pyarrow", "spacy", "underthesea"]
    probe = code + "import sys\nprint(sorted(m for m in ('warcio', 'pyarrow.dataset', 'skops') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_public_names_resolve_lazily():
    assert cchc_nlp.__all__[0] == "__version__"
    for name in cchc_nlp.__all__:
        assert getattr(cchc_nlp, name) is not None, name
    assert set(cchc_nlp.__all__) <= set(dir(cchc_nlp))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        cchc_nlp.nothing_here  # noqa: B018


# --------------------------------------------------------------------------- import graph

PACKAGE = Path(cchc_nlp.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def import_graph() -> tuple[dict[str, set[str]], dict[str, int]]:
    """Every module of the package -> the package modules it imports (at module level or
    inside functions; not under TYPE_CHECKING), and the number of imports inside functions."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "data" not in p.relative_to(PACKAGE).parts}
    graph: dict[str, set[str]] = {name: set() for name in files}
    in_functions: dict[str, int] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or _under_type_checking(node, parents):
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            targets = [t for t in targets if t in files and t != name]
            if not targets:
                continue
            scope = node
            while scope in parents and not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                scope = parents[scope]
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                in_functions[f"{name}:{node.lineno}"] = len(targets)
            for target in targets:
                graph[name].add(target)
                # importing a.b.c runs the __init__ of a.b first (unless the importer is inside it)
                parts = target.split(".")
                for i in range(2, len(parts)):
                    ancestor = ".".join(parts[:i])
                    if not (name == ancestor or name.startswith(ancestor + ".")) and ancestor in files:
                        graph[name].add(ancestor)
    return graph, in_functions


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_modules():
    graph, _ = import_graph()
    assert len(graph) > 30
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_no_import_cycle_between_subpackages():
    """Data flows one way: collapsed to subpackages (and the root's modules), the graph has no cycle."""
    graph, _ = import_graph()

    def unit(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2])

    units: dict[str, set[str]] = {}
    for module, targets in graph.items():
        units.setdefault(unit(module), set()).update(unit(t) for t in targets if unit(t) != unit(module))
    assert _cycle(units) is None, " -> ".join(_cycle(units) or [])


def test_few_package_imports_inside_functions_each_with_its_reason():
    _, in_functions = import_graph()
    assert len(in_functions) < 10, sorted(in_functions)
    for where in in_functions:
        module, line = where.rsplit(":", 1)
        path = PACKAGE.parent / (module.replace(".", "/") + ".py")
        if not path.is_file():
            path = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
        lines = path.read_text(encoding="utf-8").splitlines()
        number = int(line) - 1
        assert "#" in lines[number] or lines[number - 1].strip().startswith("#"), (
            f"{where}: say why it is imported here"
        )


def test_modules_are_small_and_the_top_level_is_short():
    sizes = {
        p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert max(sizes.values()) <= 700, {name: n for name, n in sizes.items() if n > 700}
    top = sorted(name for name in sizes if "/" not in name)
    assert len(top) <= 10, top
