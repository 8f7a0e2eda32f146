"""The one output policy: every file graphspec writes is checked, written atomically and recorded.

Every command that writes a file (``compile``, ``render``, ``codegen``, ``import``, ``schema``,
``export``, ``fit``, ``compare``) and every Python function that writes one goes through this module, so the
rules are the same everywhere:

- an output that is the same file as an input (same path, symbolic link or hard link) is refused,
  even with ``force``;
- an existing file is replaced only when graphspec wrote it and nobody changed it since (a
  *refresh*: graphspec keeps the SHA-256 of every file it writes, see :func:`state_dir`), or
  with ``force``;
- a new file gets the mode the umask gives (0644 under umask 022); a replaced file keeps its mode;
- a missing folder is an error unless ``mkdir`` is given (folders it created are removed again
  when the write fails);
- anything that stops the write raises :class:`~graphspec.errors.OutputError` with one line,
  ``cannot write PATH: reason``; the content goes to a temporary file beside the target and is
  renamed onto it only when complete, so a failed write leaves no temporary file and an existing
  target byte-identical.

Example (a command writing its one output, refusing to overwrite its spec):

>>> import os, tempfile
>>> from graphspec.base.output import OutputPolicy
>>> folder = tempfile.mkdtemp()
>>> spec = os.path.join(folder, "model.yaml")
>>> _ = open(spec, "w").write("inputs: {}\\n")
>>> policy = OutputPolicy(inputs=(spec,))
>>> policy.write_text(os.path.join(folder, "model.py"), "print('hi')\\n").state
'new'
>>> policy.write_text(os.path.join(folder, "model.py"), "print('hello')\\n").state
'refresh'
>>> policy.write_text(spec, "oops")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graphspec.errors.OutputError: cannot write .../model.yaml: it is the input ...
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from graphspec.base.output import _records
from graphspec.base.output._records import STATE_ENV, state_dir
from graphspec.base.output._target import State, Target, inspect, reason_of
from graphspec.errors import OutputError

__all__ = [
    "STATE_ENV",
    "OutputError",
    "OutputPolicy",
    "State",
    "Target",
    "check_output",
    "state_dir",
    "write_bytes",
    "write_text",
    "writing",
]

PathLike = str | os.PathLike[str]
_NAME_ROOM = 100
"""Characters of the target's name kept in the temporary file's name."""


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=4)


@dataclass(frozen=True)
class OutputPolicy:
    """How one run may write files.

    ``inputs``: every file the run reads (spec files, data files); none of them is ever
    overwritten. ``force``: replace existing files graphspec did not write (or that changed
    since). ``mkdir``: create missing folders. ``notify``: receives notes that do not stop the
    write (a record that could not be kept); the default issues a :class:`RuntimeWarning`.
    """

    inputs: tuple[PathLike, ...] = ()
    force: bool = False
    mkdir: bool = False
    notify: Callable[[str], None] | None = None

    def with_inputs(self, *paths: PathLike | None) -> OutputPolicy:
        """The same policy protecting more input files (``None`` entries are skipped)."""
        extra = tuple(p for p in paths if p is not None)
        return replace(self, inputs=(*self.inputs, *extra))

    def check(self, *paths: PathLike | None, directory: bool = False) -> list[Target]:
        """Check outputs before doing any work (``None`` entries are skipped; ``directory``:
        they are folders written whole, see :meth:`writing_dir`).

        Raises :class:`OutputError` for the first path that may not be written, or when two
        outputs of one run are the same file.
        """
        targets: list[Target] = []
        for path in paths:
            if path is None:
                continue
            target = inspect(
                path, inputs=self.inputs, force=self.force, mkdir=self.mkdir, directory=directory
            )
            for earlier in targets:
                if earlier.real == target.real:
                    raise OutputError(path, f"it is also the output {earlier.path}")
            targets.append(target)
        return targets

    @contextlib.contextmanager
    def writing(self, path: PathLike, *, suffix: str | None = None) -> Iterator[Path]:
        """Yield a temporary path beside ``path`` to fill; move it onto ``path`` on success.

        ``suffix`` is the temporary file's suffix (default: the target's), for writers that
        look at it (Keras saves only to ``.keras``). An :class:`OSError` while writing becomes
        :class:`OutputError`; any exception leaves no temporary file and the target untouched.
        """
        with self._write(path, suffix) as (tmp, _):
            yield tmp

    @contextlib.contextmanager
    def writing_dir(self, path: PathLike) -> Iterator[Path]:
        """Yield a path beside ``path`` (not yet created) for a writer that makes a whole folder
        there (a SavedModel); on success the folder replaces ``path`` by a rename.

        The same rules as for a file: an existing folder is replaced only when graphspec wrote
        it and nothing in it changed since, or with ``force``; a folder holding an input is
        never replaced. A previous folder is first renamed aside, then the new one renamed into
        place, then the old one removed, so ``path`` is never a half-written folder; any failure
        leaves no temporary folder and the previous folder as it was.

        >>> import os, tempfile
        >>> out = os.path.join(tempfile.mkdtemp(), "model")
        >>> with OutputPolicy().writing_dir(out) as tmp:
        ...     os.mkdir(tmp)
        ...     _ = (tmp / "saved_model.pb").write_bytes(b"pb")
        >>> sorted(os.listdir(out))
        ['saved_model.pb']
        """
        target = inspect(
            path, inputs=self.inputs, force=self.force, mkdir=self.mkdir, directory=True
        )
        created: list[Path] = []
        tmp: Path | None = None
        done = False
        try:
            created = _make_folders(target)
            tmp = _free_name(target, ".tmp")
            yield tmp
            if not tmp.is_dir():
                raise OSError(f"the writer left no folder at {tmp}")
            final = inspect(
                path,
                inputs=self.inputs,
                force=self.force,
                mkdir=self.mkdir,
                probe=False,
                directory=True,
            )
            if target.mode is not None:
                os.chmod(tmp, target.mode)
            size = _records.size_of(tmp)
            digest = _records.digest_of(tmp)
            _swap_folder(tmp, final.real)
            done = True
        except OSError as err:
            raise OutputError(target.path, reason_of(err, target.real.parent)) from None
        finally:
            if tmp is not None and not done:
                shutil.rmtree(tmp, ignore_errors=True)
            if not done:
                for folder in reversed(created):
                    with contextlib.suppress(OSError):
                        folder.rmdir()
        self._remember(target, final.real, digest, size)

    def _remember(self, target: Target, real: Path, digest: str, size: int) -> None:
        """Record a written output (file or folder) so that a later run may replace it."""
        problem = _records.remember(real, digest, size)
        if problem is not None:
            (self.notify or _warn)(
                f"could not record {target.path} as written by graphspec ({problem}); "
                "replacing it later will need --force"
            )

    def write_bytes(self, path: PathLike, data: bytes) -> Target:
        """Write ``data`` to ``path`` under this policy; returns the checked target."""
        with self._write(path, None) as (tmp, target):
            tmp.write_bytes(data)
        return target

    def write_text(self, path: PathLike, text: str) -> Target:
        """Write ``text`` (UTF-8) to ``path`` under this policy; returns the checked target."""
        return self.write_bytes(path, text.encode("utf-8"))

    @contextlib.contextmanager
    def _write(self, path: PathLike, suffix: str | None) -> Iterator[tuple[Path, Target]]:
        target = inspect(path, inputs=self.inputs, force=self.force, mkdir=self.mkdir)
        created: list[Path] = []
        tmp: Path | None = None
        done = False
        try:
            created = _make_folders(target)
            tmp, new_mode = _create_temp(target, suffix)
            yield tmp, target
            os.chmod(tmp, target.mode if target.mode is not None else new_mode)
            # checked again just before the rename: nothing may have appeared there meanwhile
            final = inspect(
                path, inputs=self.inputs, force=self.force, mkdir=self.mkdir, probe=False
            )
            size = tmp.stat().st_size
            digest = _records.digest_of(tmp)
            os.replace(tmp, final.real)
            done = True
        except OSError as err:
            raise OutputError(target.path, reason_of(err, target.real.parent)) from None
        finally:
            if tmp is not None and not done:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            if not done:
                for folder in reversed(created):
                    with contextlib.suppress(OSError):
                        folder.rmdir()
        self._remember(target, final.real, digest, size)


def _make_folders(target: Target) -> list[Path]:
    created: list[Path] = []
    for folder in target.missing:
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue
        except OSError as err:
            for done in reversed(created):
                with contextlib.suppress(OSError):
                    done.rmdir()
            raise OutputError(
                target.path, f"cannot create folder {folder}: {reason_of(err)}"
            ) from None
        created.append(folder)
    return created


def _free_name(target: Target, tail: str) -> Path:
    """A name beside the target that nothing uses yet (for a folder the writer creates)."""
    name = target.real.name[:_NAME_ROOM]
    for _ in range(100):
        candidate = target.real.parent / f".{name}.{secrets.token_hex(4)}{tail}"
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(f"no free temporary name beside {target.real}")


def _swap_folder(new: Path, final: Path) -> None:
    """Put the folder ``new`` at ``final``: the old folder is moved aside first, removed last."""
    if not os.path.lexists(final):
        os.rename(new, final)
        return
    old = _free_name(Target(final, final, "forced"), ".old")
    os.rename(final, old)
    try:
        os.rename(new, final)
    except OSError:
        os.rename(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _create_temp(target: Target, suffix: str | None) -> tuple[Path, int]:
    """An empty file beside the target, created with mode 0666 so that the umask applies."""
    name = target.real.name[:_NAME_ROOM]
    tail = suffix or target.real.suffix or ".tmp"
    for _ in range(100):
        tmp = target.real.parent / f".{name}.{secrets.token_hex(4)}{tail}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            mode = os.fstat(fd).st_mode & 0o7777
        finally:
            os.close(fd)
        return tmp, mode
    raise FileExistsError(f"no free temporary name beside {target.real}")


def check_output(
    path: PathLike, *, inputs: Sequence[PathLike] = (), force: bool = False, mkdir: bool = False
) -> Target:
    """Check one output path under the policy without writing it (raises :class:`OutputError`)."""
    return OutputPolicy(tuple(inputs), force, mkdir).check(path)[0]


def write_bytes(
    path: PathLike,
    data: bytes,
    *,
    inputs: Sequence[PathLike] = (),
    force: bool = False,
    mkdir: bool = False,
) -> Target:
    """Write bytes under the output policy (see the module docstring)."""
    return OutputPolicy(tuple(inputs), force, mkdir).write_bytes(path, data)


def write_text(
    path: PathLike,
    text: str,
    *,
    inputs: Sequence[PathLike] = (),
    force: bool = False,
    mkdir: bool = False,
) -> Target:
    """Write UTF-8 text under the output policy (see the module docstring)."""
    return OutputPolicy(tuple(inputs), force, mkdir).write_text(path, text)


def writing(
    path: PathLike,
    *,
    inputs: Sequence[PathLike] = (),
    force: bool = False,
    mkdir: bool = False,
    suffix: str | None = None,
) -> contextlib.AbstractContextManager[Path]:
    """A temporary path to fill, moved onto ``path`` under the output policy on success.

    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "plot.png")
    >>> with writing(out) as tmp:
    ...     _ = tmp.write_bytes(b"PNG")
    >>> open(out, "rb").read()
    b'PNG'
    """
    return OutputPolicy(tuple(inputs), force, mkdir).writing(path, suffix=suffix)
