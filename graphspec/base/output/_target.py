"""Inspecting an output path before writing: every reason it must not be written, in one place."""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from graphspec.base.output import _records
from graphspec.errors import OutputError

__all__ = ["State", "Target", "inspect", "reason_of"]

State = Literal["new", "refresh", "forced"]
"""``new``: no file there yet; ``refresh``: graphspec's own unchanged output; ``forced``: --force."""

FORCE_HINT: Final = "add --force to replace it"
_KINDS: Final = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True)
class Target:
    """An output path that passed every check: where to write and with which mode.

    ``path`` is the path as given; ``real`` the file actually written (symbolic links
    followed); ``mode`` the permission bits of an existing file (kept) or ``None`` for a new
    file (the umask decides); ``missing`` the folders ``--mkdir`` will create, outermost first.
    """

    path: Path
    real: Path
    state: State
    mode: int | None = None
    missing: tuple[Path, ...] = field(default=())


def reason_of(err: OSError, folder: Path | None = None) -> str:
    """A short, lower-case reason for an OS error (``permission denied``, ``read-only file system``)."""
    if err.errno == errno.ENOENT and folder is not None and folder.is_dir():
        return f"{folder} does not accept new files"
    text = err.strerror or str(err)
    return text[:1].lower() + text[1:]


def inspect(
    path: str | os.PathLike[str],
    *,
    inputs: Sequence[str | os.PathLike[str]] = (),
    force: bool = False,
    mkdir: bool = False,
    probe: bool = True,
    directory: bool = False,
) -> Target:
    """Check that ``path`` may be written; raise :class:`OutputError` saying why not.

    The checks, in order: the path names a file (not a folder, device or dangling link), its
    folder exists (or ``mkdir``), it is not the same file as any input (even with ``force``),
    an existing file is graphspec's own unchanged output or ``force`` is given, and (``probe``)
    the folder accepts a new file. With ``directory`` the output is a folder written as a whole
    (a SavedModel): the path must name a folder or nothing, and no input may lie inside it.
    """
    given = Path(path)
    if not str(path):
        raise OutputError("''", "the output path is empty")
    real = _resolve(given)
    missing = _check_folder(given, real.parent, mkdir)
    try:
        found = os.stat(real)
    except FileNotFoundError:
        found = None
    except OSError as err:
        raise OutputError(given, reason_of(err)) from None
    if found is not None:
        _check_kind(given, found, directory)
    _check_inputs(given, real, found, inputs)
    if directory and found is not None:
        _check_inside(given, real, inputs)
    state: State = "new"
    mode = None
    if found is not None:
        state = _check_existing(given, real, found, force, directory)
        mode = stat.S_IMODE(found.st_mode)
    if probe and not missing:
        _probe(given, real.parent)
    return Target(given, real, state, mode, missing)


def _resolve(given: Path) -> Path:
    real = Path(os.path.realpath(given))
    if given.is_symlink() and not real.exists():
        raise OutputError(
            given,
            f"it is a symbolic link to {os.readlink(given)}, which does not exist "
            "(graphspec does not create files through dangling links)",
        )
    return real


def _check_folder(given: Path, folder: Path, mkdir: bool) -> tuple[Path, ...]:
    shown = given.parent if str(given.parent) != "." else Path(".")
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise OutputError(given, f"{_first_file(shown)} is not a folder") from None
    except OSError as err:
        raise OutputError(given, f"cannot reach folder {shown}: {reason_of(err)}") from None
    if info is not None:
        if not stat.S_ISDIR(info.st_mode):
            raise OutputError(given, f"{shown} is not a folder")
        return ()
    missing = _missing_folders(folder)
    if missing is None:
        raise OutputError(given, f"{_first_file(shown)} is not a folder")
    if not mkdir:
        raise OutputError(given, f"folder {shown} does not exist (create it first, or add --mkdir)")
    return missing


def _missing_folders(folder: Path) -> tuple[Path, ...] | None:
    """The folders to create, outermost first; ``None`` when an ancestor is a file."""
    missing: list[Path] = []
    current = folder
    while True:
        try:
            info = os.stat(current)
        except FileNotFoundError:
            missing.append(current)
            if current.parent == current:
                return None
            current = current.parent
            continue
        except OSError:
            return None
        return tuple(reversed(missing)) if stat.S_ISDIR(info.st_mode) else None


def _first_file(folder: Path) -> Path:
    """The first ancestor of ``folder`` (outermost first) that exists and is not a folder."""
    for candidate in [*reversed(folder.parents), folder]:
        try:
            if candidate.exists() and not candidate.is_dir():
                return candidate
        except OSError:
            break
    return folder


def _check_kind(given: Path, found: os.stat_result, directory: bool) -> None:
    if directory:
        if not stat.S_ISDIR(found.st_mode):
            raise OutputError(given, "it is a file, and this output is a folder (name a folder)")
        return
    if stat.S_ISDIR(found.st_mode):
        raise OutputError(given, "it is a folder (name a file inside it)")
    for test, kind in _KINDS:
        if test(found.st_mode):
            raise OutputError(given, f"it is {kind}, not a regular file")


def _check_inputs(
    given: Path,
    real: Path,
    found: os.stat_result | None,
    inputs: Iterable[str | os.PathLike[str]],
) -> None:
    if found is None:
        return
    for item in inputs:
        source = Path(item)
        try:
            info = os.stat(source)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) != (found.st_dev, found.st_ino):
            continue
        shown = _shown(source)
        if given.is_symlink():
            how = f"it is a symbolic link to the input {shown}"
        elif Path(os.path.realpath(source)) == real:
            how = f"it is the input {shown}"
        else:
            how = f"it is a hard link to the input {shown}"
        raise OutputError(
            given, f"{how}; graphspec never overwrites an input (choose another output file)"
        )


def _check_inside(given: Path, real: Path, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """A folder output replaces everything inside it: no input may live there."""
    for item in inputs:
        source = Path(os.path.realpath(item))
        if source == real or real in source.parents:
            raise OutputError(
                given,
                f"the input {_shown(Path(item))} is inside it; graphspec never overwrites an "
                "input (choose another output folder)",
            )


def _shown(path: Path) -> Path:
    """An absolute path inside the working folder as a relative one (as the user would type it)."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd())
        except (ValueError, OSError):
            return path
    return path


def _check_existing(
    given: Path, real: Path, found: os.stat_result, force: bool, directory: bool
) -> State:
    if force:
        return "forced"
    what = "folder" if directory else "file"
    if not found.st_mode & stat.S_IWUSR:
        raise OutputError(given, f"the {what} is read-only ({FORCE_HINT})")
    record = _records.lookup(real)
    if record is None:
        raise OutputError(given, f"the {what} exists and graphspec did not write it ({FORCE_HINT})")
    try:
        size = _records.size_of(real) if directory else found.st_size
    except OSError as err:
        raise OutputError(given, reason_of(err)) from None
    if not record.matches(real, size):
        raise OutputError(given, f"the {what} was changed since graphspec wrote it ({FORCE_HINT})")
    return "refresh"


def _probe(given: Path, folder: Path) -> None:
    """Create and remove an empty file in ``folder``: a read-only or locked folder shows now."""
    probe = folder / f".graphspec-probe-{secrets.token_hex(6)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise OutputError(given, reason_of(err, folder)) from None
    os.close(fd)
    os.unlink(probe)
