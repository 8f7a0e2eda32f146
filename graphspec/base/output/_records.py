"""Provenance of outputs: which files graphspec wrote, and their content hash at that moment."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "MAX_RECORDS",
    "STATE_ENV",
    "Record",
    "digest_of",
    "lookup",
    "remember",
    "size_of",
    "state_dir",
]

STATE_ENV: Final = "GRAPHSPEC_STATE_DIR"
"""Environment variable naming the folder where records are kept (overrides the default)."""

MAX_RECORDS: Final = 4096
"""Records kept at most; beyond it, records of vanished files and then the oldest are pruned."""

_CHUNK: Final = 1 << 20


@dataclass(frozen=True)
class Record:
    """What graphspec wrote at ``path``: the size and SHA-256 of the bytes it put there."""

    path: str
    sha256: str
    size: int

    def matches(self, path: Path, size: int) -> bool:
        """True when the file at ``path`` (of ``size`` bytes) still holds exactly these bytes."""
        if size != self.size:
            return False
        try:
            return digest_of(path) == self.sha256
        except OSError:
            return False


def state_dir() -> Path:
    """The folder holding graphspec's records of the files it wrote.

    ``$GRAPHSPEC_STATE_DIR`` when set, else ``$XDG_STATE_HOME/graphspec``, else
    ``~/.local/state/graphspec``.
    """
    explicit = os.environ.get(STATE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return Path(base) / "graphspec"


def digest_of(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in chunks; of a folder, of every file's relative
    path and digest in sorted order (a folder output such as a SavedModel is one record)."""
    if os.path.isdir(path):
        tree = hashlib.sha256()
        for relative, full in _tree_files(Path(path)):
            tree.update(f"{relative}\0{digest_of(full)}\n".encode())
        return tree.hexdigest()
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def size_of(path: str | os.PathLike[str]) -> int:
    """A file's size in bytes; a folder's: the sum of the sizes of the files below it."""
    if os.path.isdir(path):
        return sum(full.stat().st_size for _, full in _tree_files(Path(path)))
    return os.stat(path).st_size


def _tree_files(root: Path) -> list[tuple[str, Path]]:
    """Every file below ``root`` as (relative POSIX path, path), sorted; links are not followed."""
    found: list[tuple[str, Path]] = []
    for folder, _, names in os.walk(root):
        for name in names:
            full = Path(folder) / name
            found.append((full.relative_to(root).as_posix(), full))
    return sorted(found)


def _folder() -> Path:
    return state_dir() / "outputs"


def _record_file(real: Path) -> Path:
    key = hashlib.sha256(os.fsencode(real)).hexdigest()[:40]
    return _folder() / f"{key}.json"


def lookup(real: Path) -> Record | None:
    """The record of the file graphspec last wrote at the resolved path ``real``, if any."""
    try:
        data = json.loads(_record_file(real).read_text(encoding="utf-8"))
        record = Record(str(data["path"]), str(data["sha256"]), int(data["size"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if record.path == str(real) else None


def remember(real: Path, sha256: str, size: int) -> str | None:
    """Record that graphspec wrote ``size`` bytes hashing to ``sha256`` at ``real``.

    Returns ``None`` on success, else why the record could not be kept (the write itself
    already succeeded; only a later refresh without ``--force`` is affected).
    """
    folder = _folder()
    target = _record_file(real)
    text = json.dumps({"path": str(real), "sha256": sha256, "size": size})
    tmp = folder / f".{target.name}.{secrets.token_hex(6)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return f"{folder}: {err.strerror or err}"
    _prune(folder)
    return None


def _prune(folder: Path) -> None:
    """Keep the record folder bounded: drop records of vanished files, then the oldest."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".json")]
    except OSError:
        return
    if len(entries) <= MAX_RECORDS:
        return
    survivors: list[tuple[float, str]] = []
    for entry in entries:
        try:
            path = json.loads(Path(entry.path).read_text(encoding="utf-8"))["path"]
            if os.path.exists(path):
                survivors.append((entry.stat().st_mtime, entry.path))
                continue
        except (OSError, ValueError, KeyError, TypeError):
            pass
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
    survivors.sort()
    for _, path in survivors[: max(0, len(survivors) - MAX_RECORDS // 2)]:
        with contextlib.suppress(OSError):
            os.unlink(path)
