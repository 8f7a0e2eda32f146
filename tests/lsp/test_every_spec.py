"""Every name in every shipped spec: hover, definition, rename and completion, checked against `check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from graphspec import check
from graphspec.api import load_text
from graphspec.base.shape_types import format_shape
from graphspec.tools.lsp._sites import definition_site
from graphspec.tools.lsp.analysis import analyse
from graphspec.tools.lsp.index import SymbolKind
from tests.lsp.conftest import SPECS, Doc, apply_edits

pytestmark = pytest.mark.asyncio(loop_scope="session")
IDS = [p.stem for p in SPECS]


def _symbols(path: Path) -> list[tuple[SymbolKind, str, str, int, int]]:
    """(kind, scope, name, 0-based line, code-point column) of every definition in a spec."""
    analysis = analyse(path.as_uri(), 0, path.read_text(), str(path))
    return [
        (s.kind, s.scope, s.name, occ.start.line - 1, occ.start.column - 1)
        for s, occ in analysis.index.definitions.items()
    ]


def _position(text: str, line: int, column: int) -> lsp.Position:
    head = text.split("\n")[line][:column]
    return lsp.Position(line=line, character=len(head.encode()))


@pytest.mark.parametrize("path", SPECS, ids=IDS)
async def test_hover_on_every_node_shows_its_shape(client: LanguageClient, path: Path) -> None:
    doc = Doc(client, path.read_text(), path=path)
    await doc.open()
    result = check(path)
    assert result.shapes is not None
    for kind, scope, name, line, col in _symbols(path):
        if kind is not SymbolKind.NODE or scope or name not in result.graph.nodes:
            continue
        shape = result.shapes.nodes[name]
        hover = await client.text_document_hover_async(
            lsp.HoverParams(text_document=doc.ident(), position=_position(doc.text, line, col + 1))
        )
        assert hover is not None, name
        if shape.known:
            assert format_shape(shape.outputs[0]) in hover.contents.value, name  # type: ignore[index,union-attr]
    doc.close()


@pytest.mark.parametrize("path", SPECS, ids=IDS)
async def test_rename_every_name_keeps_the_model(client: LanguageClient, path: Path) -> None:
    """Renaming any node, input, block or param leaves the same model: same diagnostics, same
    parameter count, and the old name gone from every place it was used."""
    doc = Doc(client, path.read_text(), path=path)
    await doc.open()
    before = check(path)
    assert before.shapes is not None
    for index, (_kind, _scope, name, line, col) in enumerate(_symbols(path)):
        at = _position(doc.text, line, col)
        new = f"renamed{index}_{name}"
        refs = await client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=doc.ident(),
                position=at,
                context=lsp.ReferenceContext(include_declaration=True),
            )
        )
        edit = await client.text_document_rename_async(
            lsp.RenameParams(text_document=doc.ident(), position=at, new_name=new)
        )
        assert edit is not None and edit.changes is not None, name
        assert len(edit.changes[doc.uri]) == len(refs or []), name
        after = check(load_text(apply_edits(doc.text, edit.changes[doc.uri]), file=str(path)))
        assert [d.code for d in after.diagnostics] == [d.code for d in before.diagnostics], name
        assert after.shapes is not None and after.shapes.total == before.shapes.total, name
        assert len(after.graph) == len(before.graph), name
    doc.close()


@pytest.mark.parametrize("path", SPECS, ids=IDS)
async def test_definition_from_every_reference(client: LanguageClient, path: Path) -> None:
    doc = Doc(client, path.read_text(), path=path)
    await doc.open()
    analysis = analyse(doc.uri, 0, doc.text, str(path))
    uses = [o for o in analysis.index.occurrences if not o.definition]
    assert uses or "edges:" not in doc.text  # a chain without edges names no node
    for occ in uses:
        at = _position(doc.text, occ.start.line - 1, occ.start.column - 1)
        found = await client.text_document_definition_async(
            lsp.DefinitionParams(text_document=doc.ident(), position=at)
        )
        target = definition_site(None, analysis, occ.symbol)  # here, or in an included file
        if target is None:  # written nowhere: a block's default input `x`
            assert found is None, occ
            continue
        assert isinstance(found, lsp.Location), occ
        assert found.uri == target.place.uri, occ
        text = target.place.text
        start = _position(text, target.occ.start.line - 1, target.occ.start.column - 1)
        assert found.range.start == start, occ
    doc.close()


@pytest.mark.parametrize("path", SPECS, ids=IDS)
async def test_completion_offers_every_written_type(client: LanguageClient, path: Path) -> None:
    text = path.read_text()
    doc = Doc(client, text)
    await doc.open()
    for match in re.finditer(r"type: (\w+)", text):
        line = text.count("\n", 0, match.start(1))
        column = match.start(1) - (text.rfind("\n", 0, match.start(1)) + 1) + 3
        found = await client.text_document_completion_async(
            lsp.CompletionParams(text_document=doc.ident(), position=_position(text, line, column))
        )
        assert found is not None
        items = found.items if isinstance(found, lsp.CompletionList) else found
        best = sorted(items, key=lambda i: i.sort_text or "")
        assert match.group(1) in [i.label for i in best[:40]], match.group(1)
    doc.close()
