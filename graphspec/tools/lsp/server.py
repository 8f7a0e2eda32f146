"""The server: documents in memory, one analysis at a time, stale work dropped, results published."""

from __future__ import annotations

import asyncio
import logging
import traceback
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Final

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from graphspec.base.source import SourceMap
from graphspec.base.version import VERSION
from graphspec.errors import Diagnostic
from graphspec.tools.lsp.analysis import Analysis, Cancelled, analyse, line_map
from graphspec.tools.lsp.conversion import to_lsp_diagnostics

__all__ = ["GraphspecServer"]

log = logging.getLogger(__name__)

COALESCE_AFTER: Final = 0.1
"""Seconds of analysis beyond which a change made mid-typing waits a little for more keystrokes."""
TYPING_GAP: Final = 0.3
"""Changes closer together than this (seconds) are a burst of typing."""
MAX_DELAY: Final = 0.25
"""The longest a change waits before it is analysed (big documents, mid-burst only)."""


class GraphspecServer(LanguageServer):
    """A pygls server that keeps the latest analysis of every open spec.

    Analyses run one at a time in a worker thread, so requests (hover, completion) are answered
    meanwhile from the latest result. A change arriving mid-analysis marks that work stale: it
    stops at the next stage boundary and is never published; the newest text is analysed next.
    A change starts its analysis at once, unless it comes mid-burst on a document whose last
    analysis was slow: then it waits up to :data:`MAX_DELAY` for the burst to end (debounce).
    """

    def __init__(self) -> None:

        super().__init__(
            "graphspec", VERSION, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.analyses: dict[str, Analysis] = {}
        """The published analysis of each open document."""
        self.loaded: dict[str, Analysis] = {}
        """The last analysis of each document that loaded (names for completion mid-edit)."""
        self.wanted: dict[str, int | None] = {}
        self._changed: dict[str, float] = {}
        self._maps: dict[str, tuple[tuple[int | None, int | None], dict[int, int]]] = {}
        self._gap: dict[str, float] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphspec-check")

    # -- analysis --------------------------------------------------------------------------------

    def request_check(self, uri: str) -> None:
        """Analyse the document's current text soon; supersedes any analysis under way."""
        doc = self.workspace.get_text_document(uri)
        self.wanted[uri] = doc.version
        now = asyncio.get_running_loop().time()
        self._gap[uri] = now - self._changed.get(uri, float("-inf"))
        self._changed[uri] = now
        task = self._tasks.get(uri)
        if task is None or task.done():
            self._tasks[uri] = asyncio.ensure_future(self._check_loop(uri))

    def forget(self, uri: str) -> None:
        """A document was closed: drop its state and clear its diagnostics."""
        self.wanted.pop(uri, None)
        self._changed.pop(uri, None)
        self._maps.pop(uri, None)
        self._gap.pop(uri, None)
        self.analyses.pop(uri, None)
        self.loaded.pop(uri, None)
        task = self._tasks.pop(uri, None)
        if task is not None:
            task.cancel()
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    async def _check_loop(self, uri: str) -> None:
        loop = asyncio.get_running_loop()
        while uri in self.wanted:
            version = self.wanted[uri]
            previous = self.analyses.get(uri)
            typing = self._gap.get(uri, float("inf")) < TYPING_GAP
            if typing and previous is not None and previous.seconds > COALESCE_AFTER:
                await asyncio.sleep(min(MAX_DELAY, previous.seconds / 2))
                if self.wanted.get(uri) != version:
                    continue
            doc = self.workspace.get_text_document(uri)
            text, file = doc.source, _file_name(uri)
            stale = partial(self._is_stale, uri, version)
            job = partial(_safe_analyse, uri, version, text, file, stale, self.encoding)
            try:
                analysis = await loop.run_in_executor(self._worker, job)
            except Cancelled:
                continue
            if self.wanted.get(uri) != version:
                continue  # the text changed meanwhile: never publish stale results
            self.analyses[uri] = analysis
            if analysis.ok:
                self.loaded[uri] = analysis
            self._publish(analysis)
            if analysis.ok:  # index the names in the worker too, before hints and hovers ask
                loop.run_in_executor(
                    self._worker, _warm, analysis, partial(self._is_stale, uri, version)
                )
            return

    @property
    def encoding(self) -> str:
        """The position encoding agreed with the client (``utf-16`` unless it asked otherwise)."""
        agreed = self.server_capabilities.position_encoding
        return str(getattr(agreed, "value", agreed) or "utf-16")

    def _is_stale(self, uri: str, version: int | None) -> bool:
        return self.wanted.get(uri) != version

    def _publish(self, analysis: Analysis) -> None:
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=analysis.uri,
                version=analysis.version,
                diagnostics=to_lsp_diagnostics(analysis),
            )
        )

    def analysis(self, uri: str) -> Analysis | None:
        """The published analysis of ``uri`` if it matches the text the client has now."""
        found = self.analyses.get(uri)
        if found is None:
            return None
        doc = self.workspace.get_text_document(uri)
        return found if found.version == doc.version and found.text == doc.source else None

    def earlier(self, uri: str) -> tuple[Analysis, dict[int, int]] | None:
        """While the text does not load (a half-typed line), the last analysis that did, with
        a map from today's lines to its lines (lines whose text is unchanged and unique).

        Shapes and hovers then stay on the lines the edit did not touch.
        """
        current = self.analysis(uri)
        loaded = self.loaded.get(uri)
        if loaded is None or (current is not None and current.ok):
            return None
        doc = self.workspace.get_text_document(uri)
        key = (doc.version, loaded.version)
        cached = self._maps.get(uri)
        if cached is None or cached[0] != key:
            cached = (key, line_map(doc.source, loaded.text))
            self._maps[uri] = cached
        return loaded, cached[1]


def _safe_analyse(
    uri: str, version: int | None, text: str, file: str, stale: partial[bool], encoding: str
) -> Analysis:
    """:func:`analyse`, with a bug in graphspec reported as a diagnostic instead of a crash."""
    try:
        return analyse(uri, version, text, file, cancelled=stale, encoding=encoding)
    except Cancelled:
        raise
    except Exception as err:  # a bug in graphspec must not take the editor's server down
        log.error("graphspec failed on %s:\n%s", uri, traceback.format_exc())
        diag = Diagnostic(
            "E950",
            f"graphspec could not check this text: internal error {type(err).__name__}: {err}",
            file=file,
            line=1,
            column=1,
            hint="please report it with the spec; the server keeps running",
        )
        source = SourceMap(file, text=text)
        return Analysis(uri, version, text, file, [diag], source, encoding=encoding)


def _warm(analysis: Analysis, stale: partial[bool]) -> None:
    """Build an analysis's name index ahead of the requests that need it, unless already stale."""
    if not stale():
        analysis.index  # noqa: B018 - a cached property: computing it is the point


def _file_name(uri: str) -> str:
    """The path a document's diagnostics name (never read: the text comes from the editor)."""
    return to_fs_path(uri) or uri
