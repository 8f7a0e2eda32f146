"""`graphspec lsp` latency: a didChange to its publishDiagnostics, against graphspec.check in-process."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Latency", "measure"]

BIN = Path(sys.executable).parent


@dataclass
class Latency:
    """One text's figures: median wall times and mean CPU times, server and in-process."""

    lsp_wall: float
    check_wall: float
    lsp_cpu: float
    check_cpu: float


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used (Linux ``/proc``), or NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _session(texts: dict[str, tuple[str, int]]) -> dict[str, Latency]:
    """For each named text: LSP and in-process figures, timed in turn."""
    from lsprotocol import types as lsp
    from pygls.lsp.client import LanguageClient

    from graphspec import check

    client = LanguageClient("bench", "1")
    published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _published(params: lsp.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    await client.start_io(str(BIN / "graphspec"), "lsp")
    pid = client._server.pid  # type: ignore[union-attr]
    await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    client.initialized(lsp.InitializedParams())
    out = {}
    try:
        for name, (text, repeats) in texts.items():
            uri = f"file:///bench/{name}.yaml"
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    text_document=lsp.TextDocumentItem(
                        uri=uri, language_id="yaml", version=0, text=text
                    )
                )
            )
            await _wait(published, uri, 0)
            lsp_times, check_times, lsp_cpu, check_cpu = [], [], [], []
            end = lsp.Position(line=text.count("\n"), character=0)  # text ends with a newline
            changed = text
            for version in range(1, repeats + 1):
                edit = f"# edit {version}\n"  # a real change every time, sent as editors do:
                changed += edit  # one incremental change, not the whole text again
                await asyncio.sleep(0.35)  # apart like deliberate edits, not one burst
                start, cpu = time.perf_counter(), _cpu_seconds(pid)
                client.text_document_did_change(
                    lsp.DidChangeTextDocumentParams(
                        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                        content_changes=[
                            lsp.TextDocumentContentChangePartial(
                                range=lsp.Range(start=end, end=end), text=edit
                            )
                        ],
                    )
                )
                end = lsp.Position(line=end.line + 1, character=0)
                await _wait(published, uri, version)
                lsp_times.append(time.perf_counter() - start)
                lsp_cpu.append(_cpu_seconds(pid) - cpu)
                start, cpu = time.perf_counter(), time.process_time()
                check(changed)
                check_times.append(time.perf_counter() - start)
                check_cpu.append(time.process_time() - cpu)
            out[name] = Latency(
                statistics.median(lsp_times),
                statistics.median(check_times),
                statistics.fmean(lsp_cpu),  # /proc counts 10 ms ticks: a mean, not a median
                statistics.fmean(check_cpu),
            )
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


def measure(texts: dict[str, tuple[str, int]]) -> dict[str, Latency]:
    """didChange → publishDiagnostics against ``check`` on the same text: ``{name: (text,
    number of changes)}``."""
    return asyncio.run(_session(texts))
