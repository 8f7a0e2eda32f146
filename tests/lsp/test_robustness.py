"""The server survives whatever can be typed: hostile specs, half-written YAML, huge pastes, bursts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from benchmarks.generate import generate
from graphspec.tools.lsp.analysis import looks_like_spec
from tests.hostile.test_table import CASES, Case
from tests.lsp.conftest import SPECS, Doc

pytestmark = pytest.mark.asyncio(loop_scope="session")

TEXT_CASES = [c for c in CASES if isinstance(c.source, str)]
SEED_SKIP = next(p for p in SPECS if p.name == "seed_skip.yaml")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _alive(client: LanguageClient, doc: Doc) -> None:
    """The server still answers requests on the document."""
    await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(text_document=doc.ident())
    )


MODELINE = "# yaml-language-server: $schema=../docs/graphspec.schema.json\n"


@pytest.mark.parametrize("case", TEXT_CASES, ids=[c.id for c in TEXT_CASES])
async def test_hostile_spec(client: LanguageClient, case: Case) -> None:
    text, shift = str(case.source), 0
    if not looks_like_spec(text):  # YAML that is no spec gets no diagnostics: mark it as one
        assert await Doc(client, text).open() == []
        text, shift = MODELINE + text, 1
    doc = Doc(client, text)
    start = time.perf_counter()
    diags = await doc.open()
    assert time.perf_counter() - start < 5
    assert case.code in {d.code for d in diags}
    found = next(d for d in diags if d.code == case.code)
    if case.line is not None and not (shift and "empty file" in case.message):
        assert found.range.start.line == case.line - 1 + shift  # (an empty file is at line 1)
    await _alive(client, doc)
    doc.close()


async def test_every_prefix_of_a_spec_while_typing(client: LanguageClient) -> None:
    """Each keystroke of a spec typed from scratch: always diagnostics, never a crash."""
    text = SEED_SKIP.read_text()
    doc = Doc(client, "")
    await doc.open()
    step = 7  # every 7th character: ~200 versions of half-written YAML
    for end in range(0, len(text), step):
        doc.version += 1
        doc.text = text[:end]
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=doc.text)],
            )
        )
    assert (await doc.replace(text)) is not None
    assert [d for d in client.diagnostics[doc.uri] if d.severity == 1] == []
    await _alive(client, doc)
    doc.close()


@pytest.mark.parametrize(
    "nodes", [10_000, pytest.param(50_000, marks=pytest.mark.slow)], ids=["10k", "50k"]
)
async def test_a_big_paste_is_bounded_and_stale_work_is_dropped(
    client: LanguageClient, nodes: int
) -> None:
    small = SEED_SKIP.read_text()
    doc = Doc(client, small)
    await doc.open()
    pid = client._server.pid  # type: ignore[union-attr]
    before = _rss_mib(pid)
    big = generate("random_dag", nodes)
    start = time.perf_counter()
    await doc.replace(big)
    seconds = time.perf_counter() - start
    assert seconds < 60
    assert _rss_mib(pid) - before < 1500  # MiB: one analysis of 50k nodes, nothing runaway
    # a burst: the big text then a fix right after; the big version is never published
    published = len(client.publications)  # type: ignore[attr-defined]
    doc.version += 1
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=big + "  \n")],
        )
    )
    stale = doc.version
    assert await doc.replace(small) == []
    versions = [v for u, v in client.publications[published:] if u == doc.uri]  # type: ignore[attr-defined]
    assert stale not in versions and versions[-1] == doc.version
    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=doc.ident(),
            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(40, 0)),
        )
    )
    assert hints
    doc.close()


async def test_no_tensorflow_in_the_server(client: LanguageClient) -> None:
    pid = client._server.pid  # type: ignore[union-attr]
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "tensorflow" not in maps and "libtensorflow" not in maps


TOWER = """graphspec: 1.1
inputs: {x: {shape: [28, 28, 1]}}
nodes:
  conv: {type: Conv2D, filters: 8, kernel_size: 3}
  pool: {type: GlobalAveragePooling2D}
"""


async def test_nested_spec_files_follow_the_cli_rules(
    client: LanguageClient, tmp_path: Path
) -> None:
    """`model: tower.yaml` is read like `validate` reads it: beside the spec, never outside."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "tower.yaml").write_text(TOWER)
    (tmp_path / "outside.yaml").write_text(TOWER)
    text = (
        "graphspec: 1.1\n"
        "inputs: {left: {shape: [28, 28, 1]}}\n"
        "nodes:\n"
        "  tower: {model: tower.yaml, inputs: left}\n"
        "  out: {type: Dense, units: 1, inputs: tower}\n"
    )
    doc = Doc(client, text)
    doc.uri = (project / "main.yaml").as_uri()  # never written: the text comes from the editor
    assert [d for d in await doc.open() if d.severity == lsp.DiagnosticSeverity.Error] == []
    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=doc.ident(),
            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(6, 0)),
        )
    )
    assert hints and any(str(h.label).startswith("(None, 8)") for h in hints)
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=doc.find("tower.yaml", offset=2))
    )
    assert isinstance(found, lsp.Location)  # go to the nested spec file
    assert found.uri == (project / "tower.yaml").resolve().as_uri()
    outside = await doc.replace(text.replace("model: tower.yaml", "model: ../outside.yaml"))
    assert "E845" in {d.code for d in outside}
    doc.close()
