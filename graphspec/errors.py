"""The one exception tree of graphspec, and diagnostics as data."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import InitVar, asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

__all__ = [
    "CompileError",
    "CycleError",
    "Diagnostic",
    "ExportError",
    "Fix",
    "GraphSpecError",
    "GraphvizNotFoundError",
    "ImportModelError",
    "LayerPackageError",
    "LoadError",
    "OutputError",
    "RecordError",
    "Severity",
    "SpecError",
    "TextEdit",
    "TrainError",
    "UsageError",
    "split_related",
]


class Severity(StrEnum):
    """How bad a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class TextEdit:
    """Replace the text from ``line:column`` up to ``end_line:end_column`` (1-based, end
    exclusive) with ``text``; an insertion when start and end are equal."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A fix a tool may apply for the user (an editor's quick fix): a title and its edits.

    >>> Fix("write `Conv2D`", (TextEdit(3, 9, 3, 13, "Conv2D"),)).edits[0].text
    'Conv2D'
    """

    title: str
    edits: tuple[TextEdit, ...]


class Located(Protocol):
    """Anything with a 1-based ``line`` and ``column`` (a source location)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec, located in its source.

    The location is ``line``/``column``, or ``loc=`` (anything with a ``line`` and ``column``,
    such as a :class:`~graphspec.base.source.Loc`; ``None`` leaves it unknown).
    ``end_line``/``end_column`` (exclusive) close the range of the key or value at fault, when
    known; ``fixes`` are edits that resolve the problem, when one is certain enough to offer.
    ``related`` lines add context; one written ``FILE:LINE:COL: text`` points at that place
    (:func:`split_related`). ``instances`` names the block instances a fault inside a block definition shows in (one
    diagnostic for all of them, located in the definition; ``node`` is the first one's node).

    >>> d = Diagnostic("E201", "unknown layer type 'Conv'", file="a.yaml", line=3, column=9)
    >>> d.location
    'a.yaml:3:9'
    >>> from graphspec.base.source import Loc
    >>> Diagnostic("E201", "unknown layer type 'Conv'", file="a.yaml", loc=Loc(3, 9)) == d
    True
    """

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    severity: Severity = Severity.ERROR
    hint: str | None = None
    node: str | None = None
    related: tuple[str, ...] = field(default=())
    end_line: int | None = None
    end_column: int | None = None
    fixes: tuple[Fix, ...] = field(default=())
    instances: tuple[str, ...] = field(default=())
    loc: InitVar[Located | None] = None

    def __post_init__(self, loc: Located | None) -> None:
        if loc is not None:
            object.__setattr__(self, "line", loc.line)
            object.__setattr__(self, "column", loc.column)

    @property
    def location(self) -> str:
        """``file:line:col`` (parts that are unknown are left out)."""
        parts = [self.file or "<spec>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    @property
    def instance_nodes(self) -> tuple[str, ...]:
        """The node this diagnostic is about in each of its :attr:`instances` (``node`` alone,
        or nothing, when it names no instance).

        >>> d = Diagnostic("E202", "m", node="enc.0.attn", instances=("enc.0", "enc.1"))
        >>> d.instance_nodes
        ('enc.0.attn', 'enc.1.attn')
        """
        node = self.node
        if node is None:
            return ()
        first = self.instances[0] if self.instances else ""
        if not first or not node.startswith(f"{first}."):
            return (node,)
        local = node[len(first) + 1 :]
        return tuple(f"{name}.{local}" for name in self.instances)

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings and notes."""
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """Render as ``path:line:col: error[CODE]: message`` plus a ``hint:`` line."""
        text = f"{self.location}: {self.severity.value}[{self.code}]: {self.message}"
        for extra in self.related:
            text += f"\n  {extra}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``--format json``."""
        data = asdict(self)
        data["severity"] = self.severity.value
        data["related"] = list(self.related)
        data["instances"] = list(self.instances)
        data["fixes"] = [
            {"title": fix.title, "edits": [asdict(edit) for edit in fix.edits]}
            for fix in self.fixes
        ]
        data["instances"] = list(self.instances)
        return data


_RELATED_AT = re.compile(r"^(.+?):(\d+):(\d+): (.*)$", re.S)


def split_related(text: str) -> tuple[str | None, int | None, int | None, str]:
    """A related line as ``(file, line, column, text)``; a located one is written
    ``FILE:LINE:COL: text`` (editors point their related information there).

    >>> split_related("m.yaml:7:9: input 0: `conv` -> (None, 4)")
    ('m.yaml', 7, 9, 'input 0: `conv` -> (None, 4)')
    >>> split_related("input 1: `x` -> (None, 2)")
    (None, None, None, 'input 1: `x` -> (None, 2)')
    """
    found = _RELATED_AT.match(text)
    if found is None or " " in found.group(1):
        return None, None, None, text
    return found.group(1), int(found.group(2)), int(found.group(3)), found.group(4)


class GraphSpecError(Exception):
    """Base class of every error graphspec raises on purpose."""


class UsageError(GraphSpecError, ValueError):
    """The caller used graphspec wrongly (bad option, missing file); exit status 2."""


class LayerPackageError(UsageError):
    """A layer package the user declared cannot be used (not importable, raised while imported,
    defines no layer, two classes under one name); one located line, exit status 2."""


class OutputError(UsageError):
    """An output file cannot be written under the output policy (see :mod:`graphspec.base.output`).

    The message is one line, ``cannot write PATH: reason``; the CLI prints it after
    ``graphspec CMD: error:`` and exits with status 2. Nothing was written.
    """

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot write {self.path}: {reason}")


class RecordError(GraphSpecError, ValueError):
    """Plain data does not fit a record class (:mod:`graphspec.base.record`); every error found,
    each a mapping with ``type``, ``loc``, ``msg`` and ``input`` (pydantic's form)."""

    def __init__(self, title: str, errors: Sequence[dict[str, Any]]) -> None:
        self.title = title
        self._errors = [dict(e) for e in errors]
        count = len(self._errors)
        lines = [f"{count} validation error{'s' if count != 1 else ''} for {title}"]
        for error in self._errors:
            lines.append(".".join(str(part) for part in error["loc"]) or title)
            lines.append(f"  {error['msg']} [type={error['type']}]")
        super().__init__("\n".join(lines))

    def errors(self) -> list[dict[str, Any]]:
        """Every error, in the order found."""
        return [dict(e) for e in self._errors]

    def error_count(self) -> int:
        """How many errors were found."""
        return len(self._errors)


class SpecError(GraphSpecError, ValueError):
    """A spec is invalid; carries every diagnostic found in one run."""

    def __init__(self, diagnostics: Sequence[Diagnostic], *, summary: str | None = None) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.is_error] or list(self.diagnostics)
        head = summary or (errors[0].format() if errors else "invalid spec")
        more = len(errors) - 1
        if more > 0 and summary is None:
            head += f"\n(and {more} more error{'s' if more > 1 else ''})"
        super().__init__(head)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Only the diagnostics of error severity."""
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def codes(self) -> list[str]:
        """The codes of all diagnostics, in order (handy in tests)."""
        return [d.code for d in self.diagnostics]


class LoadError(SpecError):
    """The file could not be read as a spec at all (YAML syntax, size, tags, aliases, nesting)."""

    @classmethod
    def single(cls, diagnostic: Diagnostic) -> LoadError:
        """An error holding one diagnostic."""
        return cls([diagnostic])


class CompileError(SpecError):
    """Keras refused to build a node; the diagnostic names the node and its location."""


class CycleError(GraphSpecError, ValueError):
    """A graph has a cycle, so it has no topological order (the check reports it as E302)."""


class TrainError(GraphSpecError, ValueError):
    """Training data or training settings do not fit the spec."""


class ImportModelError(GraphSpecError, ValueError):
    """A Keras model could not be turned into a spec (e.g. unknown layer classes)."""


class ExportError(GraphSpecError, RuntimeError):
    """``export`` failed after the checks: the converter refused the model, or the exported
    artifact's results differ from the Keras model's beyond the format's tolerance (exit 1)."""


class GraphvizNotFoundError(GraphSpecError, RuntimeError):
    """The Graphviz ``dot`` program is missing; the ``.dot`` source was written anyway."""
