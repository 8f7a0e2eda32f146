"""A real LSP client (pytest-lsp) talking to `graphspec lsp` over stdio, and helpers for it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parents[2]
GRAPHSPEC = str(Path(sys.executable).parent / "graphspec")
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
BAD = ROOT / "specs" / "bad" / "seed_skip_original.yaml"

ENCODING = "utf-8"
"""What the neovim client capabilities offer first, so what the server agrees to."""

__all__ = ["BAD", "ENCODING", "SPECS", "Doc", "apply_edits", "client"]


def _publish(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.diagnostic_versions[params.uri] = params.version  # type: ignore[attr-defined]
    client.publications.append((params.uri, params.version))  # type: ignore[attr-defined]


def _make_client() -> LanguageClient:
    """pytest-lsp's client, also recording which version each publication was for."""
    from pygls.protocol import default_converter

    client = LanguageClient(converter_factory=default_converter)
    client.diagnostic_versions = {}  # type: ignore[attr-defined]
    client.publications = []  # type: ignore[attr-defined]
    features = {**DEFAULT_CLIENT_FEATURES, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish}
    register_lsp_features(client, features)
    return client


@pytest_lsp.fixture(
    scope="session",
    config=ClientServerConfig(server_command=[GRAPHSPEC, "lsp"], client_factory=_make_client),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    capabilities = client_capabilities("neovim")
    await lsp_client.initialize_session(
        lsp.InitializeParams(capabilities=capabilities, root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


class Doc:
    """One open document on the client: open, change, and wait for its diagnostics."""

    _count = 0

    def __init__(
        self, client: LanguageClient, text: str, name: str | None = None, path: Path | None = None
    ) -> None:
        Doc._count += 1
        self.client = client
        self.uri = (ROOT / "out" / "lsp-tests" / (name or f"doc{Doc._count}.yaml")).as_uri()
        if path is not None:  # a shipped spec, where the files it names are (format 1.1)
            self.uri = path.resolve().as_uri()
        self.text = text
        self.version = 1

    async def open(self) -> list[lsp.Diagnostic]:
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=self.uri, language_id="yaml", version=self.version, text=self.text
                )
            )
        )
        return await self.diagnostics()

    async def replace(self, text: str) -> list[lsp.Diagnostic]:
        """Send the whole new text as one change."""
        self.version += 1
        self.text = text
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return await self.diagnostics()

    async def edit(self, edits: list[lsp.TextEdit]) -> list[lsp.Diagnostic]:
        """Apply edits the server proposed, sent as incremental changes (last first)."""
        self.version += 1
        ordered = sorted(
            edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
        )
        changes = [
            lsp.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in ordered
        ]
        self.text = apply_edits(self.text, edits)
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=changes,
            )
        )
        return await self.diagnostics()

    async def diagnostics(self, timeout: float = 30) -> list[lsp.Diagnostic]:
        """Wait until the diagnostics of the current version are published."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            versions = self.client.diagnostic_versions  # type: ignore[attr-defined]
            if versions.get(self.uri) == self.version:
                return list(self.client.diagnostics[self.uri])
            await asyncio.sleep(0.01)
        raise TimeoutError(f"no diagnostics for version {self.version} of {self.uri}")

    def close(self) -> None:
        self.client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=self.uri))
        )

    def ident(self) -> lsp.TextDocumentIdentifier:
        return lsp.TextDocumentIdentifier(uri=self.uri)

    def find(self, needle: str, *, occurrence: int = 0, offset: int = 0) -> lsp.Position:
        """The position of the ``occurrence``-th ``needle`` in the text (plus ``offset`` chars)."""
        start = -1
        for _ in range(occurrence + 1):
            start = self.text.index(needle, start + 1)
        start += offset
        line = self.text.count("\n", 0, start)
        head = self.text[self.text.rfind("\n", 0, start) + 1 : start]
        return lsp.Position(line=line, character=len(head.encode(ENCODING)))


def apply_edits(text: str, edits: list[lsp.TextEdit]) -> str:
    """Apply LSP edits (positions in :data:`ENCODING` units) to a text, last first."""
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for e in reversed(ordered):
        lines = text.split("\n")
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        a, b = (_offset(lines, starts, pos) for pos in (e.range.start, e.range.end))
        text = text[:a] + e.new_text + text[b:]
    return text


def _offset(lines: list[str], starts: list[int], pos: lsp.Position) -> int:
    line = lines[pos.line] if pos.line < len(lines) else ""
    head = line.encode(ENCODING)[: pos.character].decode(ENCODING)
    return starts[pos.line] + len(head)
