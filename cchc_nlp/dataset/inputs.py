"""Input discovery: the files a run reads, and every path it could not look at.

`scan_inputs(paths)` walks the folders named on the command line (recursively, following
symbolic links to folders once each) and returns the input files (`InputFile`) and the
problems met on the way (`InputProblem`): a folder that cannot be listed, a dangling
symbolic link, a link loop, a file that cannot be read or that vanished while the folder
was listed. A problem never stops the walk; the run records each one as an errors row
(stage ``input``) and goes on with the rest. Problems are found again on every run, so a
folder whose permissions are fixed is simply read the next time.

A path named on the command line that does not exist (or is a dangling link) is a usage
error (`InputError`), as is a file of an unsupported type named there.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cchc_nlp.errors import InputError, one_line

__all__ = [
    "INPUT_KINDS",
    "InputFile",
    "InputProblem",
    "InputScan",
    "input_kind",
    "scan_inputs",
    "find_inputs",
]

# file name ending -> kind; checked longest first (".warc.gz" before ".gz").
INPUT_KINDS = {".warc.gz": "warc", ".warc": "warc", ".jsonl": "jsonl", ".txt": "txt", ".html": "html", ".htm": "html"}
_TYPES = ".txt, .html, .htm, .warc, .warc.gz or .jsonl"


@dataclass(frozen=True)
class InputFile:
    """An input file: `path` as the user wrote it, `real` the resolved path (the state key)."""

    path: str
    real: str
    kind: str
    size: int
    mtime_ns: int
    id_name: str  # the file's name under its input argument's folder, the doc_id source when there is no URL

    @property
    def key(self) -> str:
        """Identifies this version of the file: a change of size or mtime is a new version."""
        return f"{self.size}:{self.mtime_ns}"


@dataclass(frozen=True)
class InputProblem:
    """A path under an input that could not be looked at; one errors row (stage "input")."""

    path: str  # the path, under the input argument as the user wrote it
    given: str  # the input argument it was found under
    error: str  # PermissionError, DanglingSymlink, SymlinkLoop, FileNotFoundError...
    message: str  # one line: what went wrong and what to do


@dataclass
class InputScan:
    files: list[InputFile] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


def input_kind(path: str | os.PathLike) -> str | None:
    name = os.fspath(path).lower()
    for ending, kind in INPUT_KINDS.items():
        if name.endswith(ending):
            return kind
    return None


def _may_hold_inputs(name: str) -> bool:
    """Whether a path we cannot follow could be an input file or a folder of them: an
    input's name, or a name without a file extension ("2019", "mirror")."""
    return input_kind(name) is not None or not Path(name).suffix


def scan_inputs(paths: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()) -> InputScan:
    """The input files named by `paths` (files, or folders searched recursively), and the
    problems met while looking for them.

    Hidden files and folders, files of other types inside folders, and anything under an
    `exclude` folder (the output directory) are left out. A file reached twice (named twice,
    or through a link) is one input. Raises InputError for a path that does not exist, a
    file of an unsupported type, or no readable input file at all.
    """
    paths = list(paths)
    scan = _Scan({os.path.realpath(p) for p in exclude})
    for given in paths:
        scan.add_argument(Path(given), os.fspath(given))
    if not scan.found:
        names = ", ".join(os.fspath(p) for p in paths) or "(nothing)"
        if scan.problems:
            first = scan.problems[0]
            more = f" (and {len(scan.problems) - 1} more problems)" if len(scan.problems) > 1 else ""
            raise InputError(f"no readable {_TYPES} files in {names}: {first.path}: {first.message}{more}")
        raise InputError(f"no .txt, .html, .warc(.gz) or .jsonl files in {names}")
    return InputScan(list(scan.found.values()), scan.problems)


def find_inputs(paths: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()) -> list[InputFile]:
    """The input files of `scan_inputs` (its problems are left out: use scan_inputs to see them)."""
    return scan_inputs(paths, exclude).files


class _Scan:
    """One discovery. Paths are kept as strings (a corpus folder can hold 100,000 files)."""

    def __init__(self, excluded: set[str]):
        self.excluded = excluded
        self.found: dict[str, InputFile] = {}
        self.problems: list[InputProblem] = []

    def problem(self, path: str, given: str, error: str, message: str) -> None:
        self.problems.append(InputProblem(path, given, error, one_line(message)))

    def add_argument(self, given_path: Path, given: str) -> None:
        try:
            info = given_path.stat()
        except OSError as exc:
            raise InputError(_missing_argument(given_path, exc)) from None
        root = os.path.realpath(given_path)
        # the doc_id source of a file without URL: its path under the argument's parent folder
        prefix = os.path.join(os.path.dirname(root), "")
        if stat.S_ISDIR(info.st_mode):
            if root in self.excluded:
                return
            top = str(given_path)
            base = os.path.basename(root)
            for path, real, kind in self._walk(top, root, given):
                # reached through a link to elsewhere: its name under the input argument
                logical = base + path[len(top) :] if not real.startswith(prefix) else ""
                self.add_file(path, real, kind, given, prefix, logical)
            return
        kind = input_kind(given_path)
        if kind is None:
            raise InputError(f"input {given} is not a {_TYPES} file")
        self.add_file(str(given_path), root, kind, given, prefix, os.path.basename(root))

    def add_file(self, path: str, real: str, kind: str, given: str, prefix: str, logical: str) -> None:
        if real in self.found:
            return
        try:
            info = os.stat(real)
        except FileNotFoundError:
            self.problem(path, given, "FileNotFoundError", "the file vanished while its folder was listed; run again")
            return
        except OSError as exc:
            message = f"cannot look at the file ({exc.strerror}); fix it and run again"
            self.problem(path, given, type(exc).__name__, message)
            return
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO or a device would block or never end
            self.problem(path, given, "NotAFile", "not a regular file (a FIFO, socket or device); leave it out")
            return
        if not os.access(real, os.R_OK):
            message = "cannot read the file (permission denied); fix its permissions and run again"
            self.problem(path, given, "PermissionError", message)
            return
        id_name = real[len(prefix) :] if real.startswith(prefix) else logical
        self.found[real] = InputFile(
            path=path,
            real=real,
            kind=kind,
            size=info.st_size,
            mtime_ns=info.st_mtime_ns,
            id_name=id_name.replace(os.sep, "/"),
        )

    def _walk(self, top: str, top_real: str, given: str) -> list[tuple[str, str, str]]:
        """(path, real path, kind) of the input files under `top`, in path order. Folders
        are listed one at a time (no recursion); a symbolic link to a folder is followed
        unless it leads to a folder being walked above it (a loop) or already walked."""
        files: list[tuple[str, str, str]] = []
        visited = {top_real}
        stack: list[tuple[str, str, tuple[str, ...]]] = [(top, top_real, (top_real,))]
        while stack:
            folder, folder_real, ancestors = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError as exc:
                self.problem(
                    folder,
                    given,
                    type(exc).__name__,
                    f"cannot list the folder ({exc.strerror}); its files are left out; fix its permissions and run "
                    "again",
                )
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                path = entry.name if folder == os.curdir else os.path.join(folder, entry.name)  # as Path() writes it
                found = self._entry(entry, path, folder_real, given)
                if found is None:
                    continue
                is_dir, real = found
                if not is_dir:
                    kind = input_kind(entry.name)
                    if kind is not None:
                        files.append((path, real, kind))
                    continue
                if real in self.excluded:
                    continue
                if real in ancestors:
                    self.problem(
                        path,
                        given,
                        "SymlinkLoop",
                        f"symbolic link to {real}, a folder that contains it (a loop); its files are read once, "
                        "under that folder; remove the link to silence this",
                    )
                    continue
                if real in visited:  # the same folder through another link: its files are read once
                    continue
                visited.add(real)
                stack.append((path, real, (*ancestors, real)))
        files.sort(key=lambda found: found[0].split(os.sep))  # the order of sorted Paths
        return files

    def _entry(self, entry: os.DirEntry, path: str, folder_real: str, given: str) -> tuple[bool, str] | None:
        """(is a folder, real path) of a folder entry, or None when it cannot be followed."""
        is_link = False
        try:
            is_link = entry.is_symlink()
            if not is_link:
                return entry.is_dir(follow_symlinks=False), os.path.join(folder_real, entry.name)
            target = os.stat(path)
        except FileNotFoundError:
            if is_link:
                if _may_hold_inputs(entry.name):
                    self.problem(
                        path,
                        given,
                        "DanglingSymlink",
                        f"symbolic link to {_link_target(path)}, which does not exist; fix or remove the link",
                    )
            else:
                self.problem(path, given, "FileNotFoundError", "vanished while its folder was listed; run again")
            return None
        except OSError as exc:
            if not _may_hold_inputs(entry.name):
                return None
            if exc.errno == errno.ELOOP:
                self.problem(
                    path, given, "SymlinkLoop", "symbolic link loop (the link leads back to itself); fix or remove it"
                )
            else:
                message = f"cannot follow it ({exc.strerror}); fix it and run again"
                self.problem(path, given, type(exc).__name__, message)
            return None
        return stat.S_ISDIR(target.st_mode), os.path.realpath(path)


def _link_target(path: str | Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "a missing target"


def _missing_argument(path: Path, exc: OSError) -> str:
    """The one-line message for an input argument that cannot be looked at."""
    if path.is_symlink():
        if exc.errno == errno.ELOOP:
            return f"input {path} is a symbolic link loop; fix the link or give its target"
        return f"input {path} is a symbolic link to {_link_target(path)}, which does not exist; fix the link"
    if isinstance(exc, FileNotFoundError):
        return f"input {path} does not exist; give files or folders of .txt, .html, .warc(.gz) or .jsonl"
    return f"cannot look at input {path} ({exc.strerror}); check its permissions"
