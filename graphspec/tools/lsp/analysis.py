"""One document's analysis: the front end (load, expand, check, shapes) run on an editor's text."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path as FsPath

from graphspec.api import CheckResult, check, load_text
from graphspec.backends.keras.packages import layers_for
from graphspec.base.source import SourceMap
from graphspec.errors import Diagnostic, SpecError
from graphspec.tools.lsp._positions import Lines
from graphspec.tools.lsp.index import Index, build_index
from graphspec.tools.lsp.libraries import Library, read_libraries

__all__ = ["LAYER_FLAGS", "Analysis", "Cancelled", "analyse", "line_map", "looks_like_spec"]

LAYER_FLAGS: list[str] = []
"""``graphspec lsp --layers MODULE`` (each document's pyproject.toml and ``GRAPHSPEC_LAYERS``
are read as well)."""

_SPEC_KEY = re.compile(r"^(?:graphspec|inputs|nodes|blocks)\s*:|graphspec\.schema\.json", re.M)


class Cancelled(Exception):
    """A newer version of the document arrived: this analysis is stale and was dropped."""


@dataclass
class Analysis:
    """What graphspec made of one version of a document.

    ``result`` is ``None`` when the text could not be loaded as a spec at all (a YAML syntax error,
    a hostile construct): then ``diagnostics`` holds the load errors and ``source`` only the text.
    """

    uri: str
    version: int | None
    text: str
    file: str
    diagnostics: list[Diagnostic]
    source: SourceMap
    result: CheckResult | None = None
    seconds: float = 0.0
    encoding: str = "utf-16"
    lines: Lines = field(init=False)
    scope_results: dict[str, tuple[CheckResult | None, str]] = field(
        default_factory=dict, repr=False
    )
    """Each scope's checked result (nested models' own), found on first use."""

    def __post_init__(self) -> None:
        self.lines = Lines(self.text, self.encoding)

    @property
    def ok(self) -> bool:
        """True when the text loaded as a spec (it may still have errors)."""
        return self.result is not None

    @cached_property
    def index(self) -> Index:
        """Every name's definition and references, built on first use."""
        return build_index(self.result.spec if self.result is not None else None)

    @cached_property
    def libraries(self) -> list[Library]:
        """The files this document includes (format 1.1 ``include:``), as the check read them."""
        return read_libraries(self.result, self.encoding)

    @property
    def resolved(self) -> str | None:
        """The document's path with symlinks resolved (how included files are named)."""
        if self.file.startswith("<"):
            return None
        try:
            return str(FsPath(self.file).resolve())
        except (OSError, RuntimeError):
            return None


def analyse(
    uri: str,
    version: int | None,
    text: str,
    file: str,
    *,
    cancelled: Callable[[], bool] = lambda: False,
    encoding: str = "utf-16",
) -> Analysis:
    """Run the front end on ``text``; raises :class:`Cancelled` between stages when asked to.

    Never reads ``file`` from disk: it only names the document in diagnostics.
    Never raises for a bad spec: every problem becomes a diagnostic.

    >>> a = analyse("file:///m.yaml", 1, "inputs: {x: {shape: [2]}}\\nnodes: {o: {type: ReLU}}\\n", "m.yaml")
    >>> a.ok, a.diagnostics
    (True, [])
    >>> analyse("file:///m.yaml", 2, "nodes: {o: [}\\n", "m.yaml").diagnostics[0].code
    'E003'
    """
    start = time.perf_counter()
    if not looks_like_spec(text):  # docker-compose.yaml and friends: not ours to judge
        return Analysis(uri, version, text, file, [], SourceMap(file, text=text), encoding=encoding)
    try:
        spec = load_text(text, file=file, name=_stem(file))
    except SpecError as err:
        return Analysis(
            uri,
            version,
            text,
            file,
            list(err.diagnostics),
            SourceMap(file, text=text),
            seconds=time.perf_counter() - start,
            encoding=encoding,
        )
    if cancelled():
        raise Cancelled
    found = _layer_packages(file)
    result = check(spec)
    return Analysis(
        uri,
        version,
        text,
        file,
        found + result.diagnostics,
        spec.source,
        result,
        seconds=time.perf_counter() - start,
        encoding=encoding,
    )


def _layer_packages(file: str) -> list[Diagnostic]:
    """Load the layer packages the user declared for ``file`` (once per server); E016 for one
    that cannot be used. A text without a file on disk is taken as in the working directory."""
    path = FsPath(file)
    where = path if path.is_absolute() and path.parent.is_dir() else None
    problems = layers_for(where, LAYER_FLAGS)
    return [
        Diagnostic(
            "E016",
            message,
            file=file,
            line=1,
            column=1,
            hint="fix the package (or its declaration), then restart the language server: a "
            "package is imported once per server",
        )
        for message in problems
    ]


def line_map(new: str, old: str) -> dict[int, int]:
    """1-based lines of ``new`` to the lines of ``old`` with the same text, for lines that are
    unique (and not blank) in both: what an edit elsewhere left where it was.

    >>> line_map("a: 1\\nnew: 2\\nb: 3\\n", "a: 1\\nb: 3\\n")
    {1: 1, 3: 2}
    """
    old_lines, new_lines = old.split("\n"), new.split("\n")
    old_count, new_count = Counter(old_lines), Counter(new_lines)
    where = {line: i for i, line in enumerate(old_lines, 1) if old_count[line] == 1}
    return {
        i: where[line]
        for i, line in enumerate(new_lines, 1)
        if line.strip() and new_count[line] == 1 and line in where
    }


def looks_like_spec(text: str) -> bool:
    """Whether a YAML text is (becoming) a graphspec spec: a top-level ``graphspec:``,
    ``inputs:``, ``nodes:`` or ``blocks:`` key, or the spec schema's modeline.

    >>> looks_like_spec("services:\\n  web: {image: nginx}\\n"), looks_like_spec("nodes:\\n")
    (False, True)
    """
    return _SPEC_KEY.search(text) is not None


def _stem(file: str) -> str:
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name or "model"
