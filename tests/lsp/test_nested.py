"""Inline nested models (format 1.1 `model:` holding its own spec) through the protocol: the
names inside have their own scope, with hover (shapes from the nested check), completion,
definition, references and rename."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from graphspec import check
from tests.lsp.conftest import Doc, apply_edits

pytestmark = pytest.mark.asyncio(loop_scope="session")

# The nested model declares (None, None, 8): the shapes inside come from what `conv` feeds it.
SPEC = """\
graphspec: 1.1
inputs: {x: {shape: [32, 32, 3]}}
nodes:
  conv: {type: Conv2D, filters: 8, kernel_size: 3}
  stem:
    model:
      params: {f: 4}
      inputs: {x: {shape: [null, null, 8]}}
      nodes:
        conv: {type: Conv2D, filters: "${f}", kernel_size: 1}
        norm: {type: LayerNormalization, inputs: conv}
      outputs: [norm]
  out: {type: Dense, units: 2, inputs: stem}
"""


async def _hover(client: LanguageClient, doc: Doc, at: lsp.Position) -> str:
    found = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=at)
    )
    assert found is not None
    return found.contents.value  # type: ignore[union-attr]


async def _references(client: LanguageClient, doc: Doc, at: lsp.Position) -> list[int]:
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc.ident(),
            position=at,
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None
    return sorted(r.range.start.line for r in refs)


async def test_names_inside_a_nested_model_hover_with_the_fed_shapes(
    client: LanguageClient,
) -> None:
    doc = Doc(client, SPEC)
    assert not await doc.open()
    inner = doc.find('conv: {type: Conv2D, filters: "${f}"')
    text = await _hover(client, doc, inner)
    assert text.startswith("**conv** (nested model `stem`) · `Conv2D`")
    assert "output (None, 30, 30, 4) · 36 params" in text  # (None, None, 8) fed (None, 30, 30, 8)
    assert "inputs: `x` (None, 30, 30, 8)" in text
    outer = await _hover(client, doc, doc.find("conv: {type: Conv2D, filters: 8"))
    assert "output (None, 30, 30, 8) · 224 params" in outer and "nested" not in outer
    nested_input = await _hover(client, doc, doc.find("x: {shape: [null"))
    assert "model input of nested model `stem` · (None, 30, 30, 8)" in nested_input
    assert "**f** = `4` (param of nested model `stem`)" in await _hover(
        client, doc, doc.find("f: 4")
    )
    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=doc.ident(),
            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(14, 0)),
        )
    )
    labels = {h.position.line: str(h.label) for h in hints or []}
    assert labels[inner.line] == "(None, 30, 30, 4) · 36 params"
    assert labels[doc.find("norm:").line] == "(None, 30, 30, 4) · 8 params"
    doc.close()


async def test_nested_names_navigate_and_rename_in_their_own_scope(
    client: LanguageClient,
) -> None:
    doc = Doc(client, SPEC)
    await doc.open()
    inner_use = doc.find("inputs: conv", offset=8)
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=inner_use)
    )
    inner_def = doc.find('conv: {type: Conv2D, filters: "${f}"')
    assert isinstance(found, lsp.Location) and found.range.start == inner_def
    # the inner `conv` and the outer one never meet
    assert await _references(client, doc, inner_use) == [inner_def.line, inner_use.line]
    outer_def = doc.find("conv: {type: Conv2D, filters: 8")
    assert await _references(client, doc, outer_def) == [outer_def.line]
    assert await _references(client, doc, doc.find("${f}", offset=2)) == [6, 9]

    before = check(SPEC)
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc.ident(), position=inner_use, new_name="stem")
    )  # an outer name is free inside
    assert edit is not None and edit.changes is not None
    after = apply_edits(doc.text, edit.changes[doc.uri])
    assert "stem: {type: Conv2D" in after and "inputs: stem}" in after
    assert "  conv: {type: Conv2D, filters: 8" in after  # the outer `conv` untouched
    renamed = check(after)
    assert renamed.ok and renamed.shapes is not None and before.shapes is not None
    assert renamed.shapes.total == before.shapes.total
    with pytest.raises(Exception, match="`norm` is already a name in nested model `stem`"):
        await client.text_document_rename_async(
            lsp.RenameParams(text_document=doc.ident(), position=inner_use, new_name="norm")
        )
    doc.close()


async def test_completion_inside_a_nested_model_offers_its_own_names(
    client: LanguageClient,
) -> None:
    doc = Doc(client, SPEC)
    await doc.open()
    await doc.replace(doc.text.replace("inputs: conv}", "inputs: [c]}"))
    found = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=doc.ident(), position=doc.find("[c]", offset=2))
    )
    assert found is not None
    labels = {i.label for i in found.items}  # type: ignore[union-attr]
    assert {"x", "conv", "norm"} <= labels and not {"stem", "out"} & labels
    await doc.replace(doc.text.replace('"${f}"', '"${}"'))
    found = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=doc.ident(), position=doc.find("${}", offset=2))
    )
    assert found is not None and [i.label for i in found.items] == ["f"]  # type: ignore[union-attr]
    doc.close()


async def test_outline_holds_the_nested_models_names(client: LanguageClient) -> None:
    doc = Doc(client, SPEC)
    await doc.open()
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(text_document=doc.ident())
    )
    nodes = next(s for s in symbols or [] if s.name == "nodes")
    stem = next(s for s in nodes.children or [] if s.name == "stem")  # type: ignore[union-attr]
    assert [c.name for c in stem.children or []] == ["x", "conv", "norm"]  # type: ignore[union-attr]
    doc.close()


# A nested model inside a block, with a block of its own: four scopes.
DEEP = """\
graphspec: 1.1
params: {w: 8}
inputs: {img: {shape: [16, 16, 3]}}
blocks:
  tower:
    params: {k: 4}
    nodes:
      pre: {type: Conv2D, filters: "${k}", kernel_size: 1}
      inner:
        model:
          inputs: {t: {shape: [16, 16, 4]}}
          blocks:
            unit:
              params: {u: 2}
              nodes: {c: {type: Conv2D, filters: "${u}", kernel_size: 1}}
          nodes:
            a: {block: unit, u: 3}
            b: {type: ReLU, inputs: a}
nodes:
  t1: {block: tower, k: 4}
  t2: {block: tower, k: 4, inputs: img}
  both: {type: Concatenate, inputs: [t1, t2]}
  out: {type: Dense, units: "${w}"}
"""


@pytest.mark.parametrize("text", [SPEC, DEEP], ids=["nested", "nested_in_block"])
async def test_rename_every_name_in_every_scope_keeps_the_model(
    client: LanguageClient, text: str
) -> None:
    from graphspec.tools.lsp.analysis import analyse

    doc = Doc(client, text)
    await doc.open()
    before = check(text)
    assert before.ok and before.shapes is not None
    analysis = analyse(doc.uri, 0, text, "x.yaml")
    scopes = {s.scope for s in analysis.index.definitions}
    assert len(scopes) == (4 if text == DEEP else 2)
    for i, (symbol, occ) in enumerate(analysis.index.definitions.items()):
        at = lsp.Position(line=occ.start.line - 1, character=occ.start.column - 1)
        edit = await client.text_document_rename_async(
            lsp.RenameParams(text_document=doc.ident(), position=at, new_name=f"n{i}")
        )
        assert edit is not None and edit.changes is not None, symbol
        after = check(apply_edits(text, edit.changes[doc.uri]))
        assert after.ok and after.shapes is not None, (symbol, after.diagnostics)
        assert after.shapes.total == before.shapes.total, symbol
        assert len(after.graph) == len(before.graph), symbol
    doc.close()
