"""Every capability of `graphspec lsp`, through the protocol, on the shipped specs and the seed's fault."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from graphspec import check
from tests.lsp.conftest import BAD, ROOT, SPECS, Doc, apply_edits

pytestmark = pytest.mark.asyncio(loop_scope="session")

SEED_SKIP = next(p for p in SPECS if p.name == "seed_skip.yaml")


def _errors(diags: list[lsp.Diagnostic]) -> list[lsp.Diagnostic]:
    return [d for d in diags if d.severity == lsp.DiagnosticSeverity.Error]


# -- diagnostics ----------------------------------------------------------------------------------


async def test_seed_fault_diagnostic_has_the_exact_range(client: LanguageClient) -> None:
    doc = Doc(client, BAD.read_text(), "seed_skip_original.yaml")
    (diag,) = await doc.open()
    assert diag.code == "E501" and diag.source == "graphspec"
    assert diag.severity == lsp.DiagnosticSeverity.Error
    # at the cause: `32` of `shortcut: {..., filters: 32` on line 12 (0-based 11, 36..38)
    assert diag.range == lsp.Range(start=lsp.Position(11, 36), end=lsp.Position(11, 38))
    assert diag.code_description is not None
    href, _, row = diag.code_description.href.partition("#L")
    assert href.endswith("docs/errors.md")  # a source checkout: the file itself, at E501's row
    lines = (ROOT / "docs" / "errors.md").read_text().splitlines()
    assert lines[int(row) - 1].startswith("| E501 |")
    related = {r.message: r.location.range.start for r in diag.related_information or []}
    assert related["input 1: `shortcut` -> (None, 14, 14, 32)"] == lsp.Position(11, 36)
    assert related["input 0: `conv4` -> (None, 14, 14, 64)"] == lsp.Position(13, 36)
    assert related["`add` (Add) is where the widths meet"] == lsp.Position(14, 2)
    assert any(m.startswith("hint: give `shortcut` 64 filters") for m in related)
    doc.close()


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
async def test_shipped_specs_have_the_cli_diagnostics(client: LanguageClient, path: Path) -> None:
    doc = Doc(client, path.read_text(), path.name, path=path)
    diags = await doc.open()
    expected = check(path).diagnostics
    assert [d.code for d in diags] == [d.code for d in expected]
    for ours, theirs in zip(diags, expected, strict=True):
        assert ours.range.start.line == (theirs.line or 1) - 1
        assert ours.range.end.line == (theirs.end_line or theirs.line or 1) - 1
    doc.close()


async def test_changes_update_diagnostics_and_syntax_errors_do_not_crash(
    client: LanguageClient,
) -> None:
    text = SEED_SKIP.read_text()
    doc = Doc(client, text)
    assert _errors(await doc.open()) == []
    broken = await doc.replace(text.replace("{type: Add}", "{type: Add"))
    assert [d.code for d in broken] == ["E003"]
    typo = await doc.replace(text.replace("{type: Add}", "{type: Ad}"))
    assert [d.code for d in _errors(typo)] == ["E201"]
    assert typo[0].message.endswith("hint: did you mean `Add`?")
    assert _errors(await doc.replace(text)) == []
    doc.close()


# -- hover ----------------------------------------------------------------------------------------


async def test_hover_on_a_node_shows_its_shape(client: LanguageClient) -> None:
    doc = Doc(client, BAD.read_text())
    await doc.open()
    for at in (doc.find("conv4:"), doc.find("conv4 ->", offset=2)):
        hover = await client.text_document_hover_async(
            lsp.HoverParams(text_document=doc.ident(), position=at)
        )
        assert hover is not None
        text = hover.contents.value  # type: ignore[union-attr]
        assert "(None, 14, 14, 64)" in text and "36,928 params" in text and "Conv2D" in text
    doc.close()


async def test_hover_on_a_size_read_from_a_shape_shows_what_it_computed(
    client: LanguageClient,
) -> None:
    text = (
        "graphspec: 1.1\ninputs: {x: {shape: [4, 8]}}\nnodes:\n"
        '  a: {type: Dense, units: "${shape(x)[-1] // 2}"}\n'
    )
    doc = Doc(client, text)
    await doc.open()
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=doc.find("${shape", offset=4))
    )
    assert hover is not None
    shown = hover.contents.value  # type: ignore[union-attr]
    assert "`${shape(x)[-1] // 2}` reads node shapes" in shown and "`units` of `a` = `4`" in shown
    doc.close()


async def test_hover_on_type_param_and_code(client: LanguageClient) -> None:
    text = SEED_SKIP.read_text() + "# see E501\n"
    doc = Doc(client, text)
    await doc.open()

    async def hover(at: lsp.Position) -> str:
        found = await client.text_document_hover_async(
            lsp.HoverParams(text_document=doc.ident(), position=at)
        )
        assert found is not None
        return found.contents.value  # type: ignore[union-attr]

    assert "keras.layers.Conv2D(filters, kernel_size" in await hover(doc.find("Conv2D", offset=2))
    assert "2D convolution layer." in await hover(doc.find("Conv2D", offset=2))
    assert "`${width * 2}` = `64`" in await hover(doc.find("${width * 2}", offset=3))
    assert "**width** = `32`" in await hover(doc.find("width: 32", offset=1))
    assert "**E501**: a layer cannot take its inputs' shapes" in await hover(
        doc.find("E501", offset=1)
    )
    doc.close()


# -- inlay hints ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*SPECS, BAD], ids=[p.stem for p in [*SPECS, BAD]])
async def test_inlay_hints_show_shapes(client: LanguageClient, path: Path) -> None:
    doc = Doc(client, path.read_text(), path=path)
    await doc.open()
    lines = doc.text.count("\n") + 1
    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=doc.ident(),
            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(lines, 0)),
        )
    )
    assert hints
    result = check(path)
    assert result.shapes is not None
    labels = {h.position.line: str(h.label) for h in hints}
    for node in result.graph:
        if node.loc is None or node.instance is not None:
            continue
        shape = result.shapes.nodes.get(node.name)
        if shape is None or not shape.known:
            continue
        from graphspec.base.shape_types import format_shape

        assert format_shape(shape.outputs[0]) in labels[node.loc.line - 1], node.name  # type: ignore[index]
    if path == BAD:
        assert labels[doc.find("conv4:").line].startswith("(None, 14, 14, 64) · 36,928 params")
    elif result.ok:  # the top-level lines add up to the model (block instances count all copies)
        lines_of = [result.spec.source.keys[("nodes", n)].line - 1 for n in result.spec.nodes]
        found = [re.search(r"· ([\d,]+) params", labels.get(i, "")) for i in lines_of]
        total = sum(int(m.group(1).replace(",", "")) for m in found if m)
        assert total == result.shapes.total
    doc.close()


# -- completion -----------------------------------------------------------------------------------


async def _complete(client: LanguageClient, doc: Doc, at: lsp.Position) -> list[lsp.CompletionItem]:
    found = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=doc.ident(), position=at)
    )
    assert found is not None
    items = found.items if isinstance(found, lsp.CompletionList) else found
    return sorted(items, key=lambda i: i.sort_text or i.label)


async def test_completion_of_layer_types(client: LanguageClient) -> None:
    text = BAD.read_text().replace("conv4:    {type: Conv2D,", "conv4:    {type: Con,")
    doc = Doc(client, text)
    await doc.open()
    items = await _complete(client, doc, doc.find("type: Con,", offset=9))
    labels = [i.label for i in items]
    assert "Conv2D" in labels[:20]
    conv = next(i for i in items if i.label == "Conv2D")
    assert conv.text_edit is not None and conv.text_edit.new_text == "Conv2D"
    # a misspelling ranks its correction before unrelated types, and is not filtered out
    text = text.replace("{type: Con,", "{type: Covn2D,")
    await doc.replace(text)
    items = await _complete(client, doc, doc.find("type: Covn2D,", offset=12))
    assert items[0].label in {"Conv2D", "Conv1D", "Conv3D"}
    assert next(i for i in items if i.label == "Conv2D").filter_text == "Covn2D"
    doc.close()


async def test_completion_of_arguments_values_and_names(client: LanguageClient) -> None:
    text = BAD.read_text().replace("activation: relu}\n  add", "activation: relu, }\n  add")
    text = text.replace(
        "pool2:    {type: MaxPooling2D, pool_size: 2}",
        "pool2:    {type: MaxPooling2D, pool_size: 2, padding: }",
    )
    text = text.replace(
        "  - pool1 -> shortcut -> add", "  - pool1 -> shortcut -> add\n  - flat -> "
    )
    doc = Doc(client, text)
    await doc.open()
    # argument names for the node's type, not those already given
    conv = await _complete(client, doc, doc.find("relu, }", offset=6))
    labels = [i.label for i in conv]
    assert "kernel_initializer" in labels and "filters" not in labels
    # enum values
    pad = await _complete(client, doc, doc.find("padding: }", offset=9))
    assert {i.label for i in pad} >= {"same", "valid"}
    act = await _complete(client, doc, doc.find("activation: relu}", offset=12))
    assert "relu" in {i.label for i in act} and "gelu" in {i.label for i in act}
    # node names in an edge
    edge = await _complete(client, doc, doc.find("flat -> ", offset=8))
    assert {"probs", "conv4", "image"} <= {i.label for i in edge}
    doc.close()


async def test_completion_of_params_blocks_and_ports(client: LanguageClient) -> None:
    text = (
        "params: {width: 8, depth: 2}\n"
        "inputs: {x: {shape: [5, 3]}}\n"
        "blocks:\n"
        "  mlp:\n"
        "    params: {units: 4}\n"
        "    nodes: {d: {type: Dense, units: '${units}'}}\n"
        "nodes:\n"
        "  lstm: {type: LSTM, units: 8, return_state: true}\n"
        "  p: {type: Dense, units: '${wi}', inputs: [x]}\n"
        "  m: {block: }\n"
        "  out: {type: Dense, units: 2, inputs: [lstm]}\n"
    )
    doc = Doc(client, text)
    await doc.open()
    # mid-edit the YAML does not parse: names come from the last text that loaded
    assert [d.code for d in await doc.replace(text.replace("[lstm]", "[lstm:]"))] == ["E003"]
    params = await _complete(client, doc, doc.find("${wi}", offset=4))
    assert params[0].label == "width"
    blocks = await _complete(client, doc, doc.find("block: }", offset=7))
    assert [i.label for i in blocks] == ["mlp"]
    ports = await _complete(client, doc, doc.find("lstm:]", offset=5))
    assert {"lstm:0", "lstm:1", "lstm:2"} <= {i.label for i in ports}
    doc.close()


# -- definition, references, rename --------------------------------------------------------------


async def test_definition_and_references(client: LanguageClient) -> None:
    doc = Doc(client, BAD.read_text())
    await doc.open()
    use = doc.find("pool1 -> shortcut")
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=use)
    )
    assert isinstance(found, lsp.Location)
    assert found.range.start == doc.find("pool1:")
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc.ident(),
            position=use,
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None and len(refs) == 3  # the key and two edges
    doc.close()


async def test_rename_updates_every_reference(client: LanguageClient) -> None:
    doc = Doc(client, BAD.read_text())
    await doc.open()
    at = doc.find("pool1:")
    prepared = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(text_document=doc.ident(), position=at)
    )
    assert prepared is not None
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc.ident(), position=at, new_name="pool_a")
    )
    assert edit is not None and edit.changes is not None
    after = apply_edits(doc.text, edit.changes[doc.uri])
    assert "pool1" not in after
    assert "  - pool_a -> shortcut -> add" in after and "-> pool_a -> conv3" in after
    renamed = check(after)
    assert [d.code for d in renamed.errors] == ["E501"]  # the same graph, the same fault
    # a rename that would clash is refused with a reason
    with pytest.raises(Exception, match="`conv1` is already a name in this spec"):
        await client.text_document_rename_async(
            lsp.RenameParams(text_document=doc.ident(), position=at, new_name="conv1")
        )
    doc.close()


async def test_rename_a_param_updates_expressions(client: LanguageClient) -> None:
    doc = Doc(client, SEED_SKIP.read_text())
    await doc.open()
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc.ident(), position=doc.find("width: 32"), new_name="w")
    )
    assert edit is not None and edit.changes is not None
    after = apply_edits(doc.text, edit.changes[doc.uri])
    assert (
        "params: {w: 32}" in after
        and '"${w * 2}"' in after
        and "width" not in after.split("# optional named")[0].split("params:")[1]
    )
    assert check(after).ok
    doc.close()


# -- document symbols -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
async def test_document_symbols(client: LanguageClient, path: Path) -> None:
    doc = Doc(client, path.read_text(), path=path)
    await doc.open()
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(text_document=doc.ident())
    )
    assert symbols
    by_name = {s.name: s for s in symbols}  # type: ignore[union-attr]
    spec = check(path).spec
    nodes = by_name["nodes"].children or []  # type: ignore[union-attr]
    assert [s.name for s in nodes] == list(spec.nodes)
    if spec.blocks:
        blocks = by_name["blocks"].children or []  # type: ignore[union-attr]
        assert [s.name for s in blocks] == list(spec.blocks)
        assert [s.name for s in blocks[0].children or []] == list(
            next(iter(spec.blocks.values())).nodes
        )
    doc.close()


# -- code actions ---------------------------------------------------------------------------------


async def test_code_action_fixes_the_seed_fault(client: LanguageClient) -> None:
    doc = Doc(client, BAD.read_text())
    (diag,) = await doc.open()
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=doc.ident(),
            range=diag.range,
            context=lsp.CodeActionContext(diagnostics=[diag]),
        )
    )
    assert actions
    (action,) = actions
    assert isinstance(action, lsp.CodeAction)
    assert action.title == "set `shortcut` filters to 64 (E501)"
    assert action.edit is not None and action.edit.changes is not None
    assert await doc.edit(action.edit.changes[doc.uri]) == []
    assert "shortcut: {type: Conv2D, filters: 64," in doc.text
    doc.close()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("{type: Flatten}", "{type: Flaten}"),
        ("units: 10, activation: softmax", "units: 10, activation: softmx"),
        ("pool_size: 2}\n  shortcut", "pool_sise: 2}\n  shortcut"),
        ("units: 10,", "units:10,"),
    ],
    ids=["type", "activation", "argument", "missing-space"],
)
async def test_code_actions_apply_hint_fixes(
    client: LanguageClient, before: str, after: str
) -> None:
    text = SEED_SKIP.read_text()
    doc = Doc(client, text.replace(before, after))
    diags = _errors(await doc.open())
    assert diags
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=doc.ident(),
            range=diags[0].range,
            context=lsp.CodeActionContext(diagnostics=diags),
        )
    )
    assert actions
    action = actions[0]
    assert isinstance(action, lsp.CodeAction) and action.edit and action.edit.changes
    assert _errors(await doc.edit(action.edit.changes[doc.uri])) == []
    assert doc.text == text
    doc.close()


async def test_positions_beyond_ascii(client: LanguageClient) -> None:
    """Names with accents and emoji: positions in the agreed encoding (UTF-8 here), both ways."""
    text = (
        "inputs: {x: {shape: [4]}}  # 📐 input\n"
        "nodes:\n"
        "  naïve: {type: Dense, units: 3}  # ✨\n"
        "  après: {type: Dense, units: 2, inputs: [naïve]}\n"
    )
    doc = Doc(client, text)
    assert _errors(await doc.open()) == []
    use = doc.find("naïve]", offset=4)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=use)
    )
    assert hover is not None and "(None, 3)" in hover.contents.value  # type: ignore[union-attr]
    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=doc.ident(),
            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(4, 0)),
        )
    )
    assert hints is not None
    by_line = {h.position.line: h for h in hints}
    assert by_line[2].position.character == len("  naïve: {type: Dense, units: 3}".encode())
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc.ident(), position=use, new_name="simple")
    )
    assert edit is not None and edit.changes is not None
    after = apply_edits(doc.text, edit.changes[doc.uri])
    assert after == text.replace("naïve", "simple")
    doc.close()


# -- format 1.1: tensor expressions ---------------------------------------------------------------

EXPR_SPEC = """graphspec: 1.1
inputs: {x: {shape: [8]}}
nodes:
  d:      {type: Dense, units: 8}
  hswish: {expr: "d * relu6(d + 3.0) / 6.0"}
  res:    {expr: "hswish + 0.5 * x"}
  parts:  {expr: "split(res, 2, axis=-1)"}
  out:    {expr: "concatenate([parts:1, parts:0], axis=-1)"}
"""


async def test_expressions_navigate_hover_complete_and_rename(client: LanguageClient) -> None:
    doc = Doc(client, EXPR_SPEC)
    assert _errors(await doc.open()) == []
    # definition and hover from a name inside an expression
    use = doc.find("hswish + 0.5")
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=use)
    )
    assert isinstance(found, lsp.Location) and found.range.start == doc.find("hswish:")
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=doc.find("parts:1", offset=1))
    )
    assert hover is not None
    assert hover.contents.value.startswith(  # type: ignore[union-attr]
        "**parts:1** · output 1 of `parts` (expression `split(res, 2, axis=-1)`): `piece 1` · "
        "(None, 4)"
    )
    func = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=doc.find("relu6", offset=2))
    )
    assert func is not None and "keras.ops.relu6(x)" in func.contents.value  # type: ignore[union-attr]
    # completion of node names, ports and functions inside the expression
    await doc.replace(EXPR_SPEC.replace('"split(res, 2, axis=-1)"', '"split(re'))
    items = await _complete(client, doc, doc.find("split(re", offset=8))
    labels = [i.label for i in items]
    assert labels[0] == "res" and "relu6" in labels and "parts:1" in labels
    # rename updates the expressions; the model stays the same
    await doc.replace(EXPR_SPEC)
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc.ident(), position=doc.find("d:"), new_name="dense")
    )
    assert edit is not None and edit.changes is not None
    after = apply_edits(doc.text, edit.changes[doc.uri])
    assert '"dense * relu6(dense + 3.0) / 6.0"' in after
    before, renamed = check(EXPR_SPEC), check(after)
    assert renamed.ok and renamed.shapes and before.shapes
    assert renamed.shapes.total == before.shapes.total
    doc.close()


async def test_mid_edit_hints_and_hover_stay_on_untouched_lines(client: LanguageClient) -> None:
    """A half-typed node breaks the YAML: the lines the edit left alone keep their shapes."""
    text = BAD.read_text()
    doc = Doc(client, text)
    await doc.open()
    broken = text.replace("  conv1:", "  conv0:    {type: Con\n  conv1:")  # lines below move
    assert [d.code for d in await doc.replace(broken)] == ["E003"]
    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=doc.ident(),
            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(30, 0)),
        )
    )
    assert hints
    labels = {h.position.line: str(h.label) for h in hints}
    conv4 = doc.find("conv4:")
    assert labels[conv4.line].startswith("(None, 14, 14, 64)")
    assert doc.find("conv0:").line not in labels  # the new line has no shape yet
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=conv4)
    )
    assert hover is not None and "(None, 14, 14, 64)" in hover.contents.value  # type: ignore[union-attr]
    assert hover.range is not None and hover.range.start.line == conv4.line
    doc.close()


CALL_SPEC = """graphspec: 1.1
inputs:
  enc_in: {shape: [null, 32]}
  dec_in: {shape: [null, 40]}
nodes:
  enc: {type: LSTM, units: 64, return_state: true, inputs: enc_in}
  dec: {type: LSTM, units: 64, return_sequences: true, inputs: dec_in,
        call: {initial_state: ["enc:1", "enc:2"]}}
  out: {type: Dense, units: 40, activation: softmax, inputs: dec}
outputs: [out]
"""


async def test_call_arguments_name_nodes(client: LanguageClient) -> None:
    """Format 1.1 `call:` tensor arguments: definition, rename and completion of node names."""
    doc = Doc(client, CALL_SPEC)
    assert _errors(await doc.open()) == []
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(text_document=doc.ident(), position=doc.find('enc:2"', offset=1))
    )
    assert isinstance(found, lsp.Location) and found.range.start == doc.find("enc:")
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=doc.ident(), position=doc.find("enc:"), new_name="encoder")
    )
    assert edit is not None and edit.changes is not None
    after = apply_edits(doc.text, edit.changes[doc.uri])
    assert 'initial_state: ["encoder:1", "encoder:2"]' in after and check(after).ok
    await doc.replace(CALL_SPEC.replace('["enc:1", "enc:2"]', '["enc:1", "'))
    items = await _complete(client, doc, doc.find('"enc:1", "', offset=10))
    assert {"enc:1", "enc:2", "enc_in"} <= {i.label for i in items}
    doc.close()
