"""The "extract block" code action over the protocol: selected nodes become a block and one
instance, and the spec still checks to the same model (Keras-free: the checked shapes, params)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from graphspec import check
from tests.lsp.conftest import ROOT, Doc

pytestmark = pytest.mark.asyncio(loop_scope="session")

FLAT_RESNET = ROOT / "tests" / "view" / "data" / "resnet50_flat.yaml"


def _model(text: str) -> tuple[int | None, list[tuple[str, str]]]:
    """What must not change: the parameter total and every layer's type and output shapes, in
    the order the layers run (names change: a block instance prefixes them)."""
    result = check(text)
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    assert result.shapes is not None
    layers = [
        (str(node.type), repr(result.shapes.nodes[node.name].outputs))
        for node in result.graph.nodes.values()
        if not node.is_input
    ]
    return result.shapes.total, layers


async def _extract(client: LanguageClient, doc: Doc, first: str, last: str) -> list[lsp.CodeAction]:
    start = doc.find(first)
    end = doc.find(last)
    found = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=doc.ident(),
            range=lsp.Range(start=lsp.Position(start.line, 0), end=lsp.Position(end.line + 1, 0)),
            context=lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.Refactor]),
        )
    )
    return [a for a in found or [] if isinstance(a, lsp.CodeAction)]


@pytest.mark.parametrize(
    ("spec", "first", "last", "instance", "members"),
    [
        (ROOT / "specs" / "seed_skip.yaml", "  shortcut:", "  add:", "add", 4),  # with edges:
        (FLAT_RESNET, "  conv2_block2_1_conv:", "  conv2_block2_out:", "conv2_block2_out", 10),
        (ROOT / "specs" / "resnet_mini.yaml", "  stem:", "  stem_act:", "stem_act", 3),
    ],
    ids=["seed_skip", "imported-resnet50", "resnet_mini-has-blocks"],
)
async def test_extract_block_keeps_the_model(
    client: LanguageClient, spec: Path, first: str, last: str, instance: str, members: int
) -> None:
    text = spec.read_text()
    doc = Doc(client, text, name=f"extract_{spec.stem}.yaml")
    assert await doc.open() == []
    (action,) = await _extract(client, doc, first, last)
    assert action.kind == lsp.CodeActionKind.RefactorExtract
    assert (
        action.title.startswith("Extract block `block` from ") and f"`{instance}`" in action.title
    )
    assert action.edit is not None and action.edit.changes is not None
    diagnostics = await doc.edit(action.edit.changes[doc.uri])
    assert [d for d in diagnostics if d.severity == lsp.DiagnosticSeverity.Error] == []
    assert "blocks:\n  block:\n    inputs: [x]\n" in doc.text
    assert f"  {instance}: {{block: block, inputs: [" in doc.text
    new, old = check(doc.text), check(text)
    assert len(new.graph.instances) == len(old.graph.instances) + 1
    assert f"{instance}.{instance}" in new.graph.nodes
    moved = sum(
        1 for n in new.graph.nodes.values() if n.instance and n.name.startswith(f"{instance}.")
    )
    assert moved == members
    assert _model(doc.text) == _model(text)  # the same model: params, layer types and shapes
    doc.close()


async def test_no_extract_for_a_piece_with_two_outputs(client: LanguageClient) -> None:
    text = (ROOT / "specs" / "seed_skip.yaml").read_text()
    doc = Doc(client, text, name="extract_two_outputs.yaml")
    await doc.open()
    # pool1 feeds both shortcut and conv3 (outside the selection): two nodes used outside.
    assert await _extract(client, doc, "  conv2:", "  pool1:") != []  # one output: pool1
    assert await _extract(client, doc, "  pool1:", "  conv3:") == []  # pool1 and conv3 used outside
    assert await _extract(client, doc, "  conv1:", "  conv1:") == []  # one node: nothing to extract
    doc.close()
