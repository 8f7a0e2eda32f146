"""`graphspec lsp` latency: a didChange to its publishDiagnostics, against graphspec.check in-process."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["measure"]

BIN = Path(sys.executable).parent


async def _session(texts: dict[str, str], repeats: int) -> dict[str, tuple[float, float]]:
    """For each named text: (median LSP latency, median in-process check), timed in turn."""
    from lsprotocol import types as lsp
    from pygls.lsp.client import LanguageClient

    from graphspec import check

    client = LanguageClient("bench", "1")
    published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _published(params: lsp.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    await client.start_io(str(BIN / "graphspec"), "lsp")
    await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    client.initialized(lsp.InitializedParams())
    out = {}
    try:
        for name, text in texts.items():
            uri = f"file:///bench/{name}.yaml"
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    text_document=lsp.TextDocumentItem(
                        uri=uri, language_id="yaml", version=0, text=text
                    )
                )
            )
            await _wait(published, uri, 0)
            lsp_times, check_times = [], []
            for version in range(1, repeats + 1):
                changed = text + f"# edit {version}\n"  # a real change every time
                await asyncio.sleep(0.35)  # apart like deliberate edits, not one burst
                start = time.perf_counter()
                client.text_document_did_change(
                    lsp.DidChangeTextDocumentParams(
                        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=changed)],
                    )
                )
                await _wait(published, uri, version)
                lsp_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                check(changed)
                check_times.append(time.perf_counter() - start)
            out[name] = (statistics.median(lsp_times), statistics.median(check_times))
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return out


async def _wait(queue: asyncio.Queue[Any], uri: str, version: int) -> None:
    while True:
        params = await asyncio.wait_for(queue.get(), timeout=120)
        if params.uri == uri and params.version == version:
            return


def measure(texts: dict[str, str], *, repeats: int = 15) -> dict[str, tuple[float, float]]:
    """Median didChange → publishDiagnostics seconds and median ``check`` seconds, per text."""
    return asyncio.run(_session(texts, repeats))
