"""Block instances, ports and faults inside blocks in the editor: hover on `stage1` and `encoder:1`,
one marker and one quick fix for a fault in a block used five times, quick fixes from anywhere on
the line, and the width fix of a ResNet's conv -> BatchNormalization -> Add applied."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from graphspec import check
from graphspec.api import CheckResult
from graphspec.base.shape_types import format_shape
from graphspec.base.source import Loc
from graphspec.tools.lsp.actions import code_actions
from graphspec.tools.lsp.analysis import Analysis, analyse
from graphspec.tools.lsp.conversion import to_lsp_diagnostics
from graphspec.tools.lsp.hover import hover_at
from tests.lsp.conftest import BAD, SPECS, Doc

on_server = pytest.mark.asyncio(loop_scope="session")
"""The tests that talk to the real server (pytest-lsp's session-wide client)."""

RESNET = next(p for p in SPECS if p.name == "resnet_mini.yaml")
SEQ2SEQ = next(p for p in SPECS if p.name == "seq2seq.yaml")

TYPO5 = """\
graphspec: 1
name: typo5
blocks:
  mlp:
    params: {width: 16}
    inputs: [x]
    nodes:
      fc: {type: Dense, units: "${width}", activaton: relu}
      out: {type: Dropout, rate: 0.1}
    edges:
      - x -> fc -> out
inputs:
  x: {shape: [8]}
nodes:
  stack: {block: mlp, repeat: 5}
  head: {type: Dense, units: 2}
"""
"""A typo inside a block used five times (`repeat: 5`)."""

RESNET_BN = """\
graphspec: 1
name: resnet_bn
inputs:
  image: {shape: [32, 32, 16]}
nodes:
  conv_a: {type: Conv2D, filters: 16, kernel_size: 3, padding: same}
  bn_a:   {type: BatchNormalization}
  relu_a: {type: ReLU}
  conv_b: {type: Conv2D, filters: 32, kernel_size: 3, padding: same}
  bn_b:   {type: BatchNormalization}
  add:    {type: Add, inputs: [bn_b, image]}
  out:    {type: ReLU}
"""
"""A residual block whose `conv_b` has the wrong width; BatchNormalization keeps it up to `add`."""


async def _hover(client: LanguageClient, doc: Doc, at: lsp.Position) -> str:
    found = await client.text_document_hover_async(
        lsp.HoverParams(text_document=doc.ident(), position=at)
    )
    assert found is not None
    return found.contents.value  # type: ignore[union-attr]


async def _actions(client: LanguageClient, doc: Doc, at: lsp.Position) -> list[lsp.CodeAction]:
    found = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=doc.ident(),
            range=lsp.Range(start=at, end=at),
            context=lsp.CodeActionContext(diagnostics=[]),
        )
    )
    assert all(isinstance(a, lsp.CodeAction) for a in found or [])
    return [a for a in found or [] if isinstance(a, lsp.CodeAction)]


# -- hover: block instances and ports --------------------------------------------------------------


@on_server
async def test_hover_on_a_block_instance_shows_the_block(client: LanguageClient) -> None:
    doc = Doc(client, RESNET.read_text(), path=RESNET)
    await doc.open()
    result = check(RESNET)
    copies = [i for i in result.graph.instances.values() if i.site == "stage1"]
    assert result.shapes is not None
    total = sum(result.shapes.nodes[n].params for c in copies for n in c.nodes)
    output = result.shapes.nodes[copies[-1].output or ""].outputs
    assert output is not None
    for at in (doc.find("stage1:"), doc.find("stage1:", offset=3)):
        text = await _hover(client, doc, at)
        head = text.splitlines()[0]
        assert head == (
            "**stage1** · instance of block `residual` · `repeat: 2` (copies chained output "
            "to input)"
        )
        assert "residual(filters=16)" in text  # the block param as this instance resolved it
        assert "width=" not in text.split("block `residual`:")[0]  # not the spec's params
        assert f"output {format_shape(output[0])} · {total:,} params (2 copies)" in text
        assert "inputs: `stem_act` (None, 32, 32, 16)" in text
        assert "block `residual`: params filters (required) · inputs x · 7 nodes" in text
        assert "ReLU" not in text  # not the last node of the last copy
    down = await _hover(client, doc, doc.find("down2:"))
    assert "downsample(filters=32, stride=2)" in down and "repeat" not in down
    assert "inputs: `stage1` (None, 32, 32, 16)" in down  # the instance as written
    doc.close()


@on_server
async def test_hover_on_a_block_instance_inside_a_block(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = (
        "graphspec: 1\nblocks:\n  inner:\n    params: {units: null}\n    nodes:\n"
        "      d: {type: Dense, units: '${units}'}\n"
        "  outer:\n    params: {units: 4}\n    nodes:\n"
        "      core: {block: inner, units: '${units * 2}'}\n"
        "inputs:\n  x: {shape: [3]}\nnodes:\n"
        "  a: {block: outer}\n  b: {block: outer, units: 5, inputs: [a]}\n"
    )
    shapes = _check_text(text, tmp_path).shapes
    assert shapes is not None
    doc = Doc(client, text)
    await doc.open()
    hover = await _hover(client, doc, doc.find("core:"))
    assert hover.startswith("**core** (block `outer`) · instance of block `inner`")
    for site, units in (("a.core", 8), ("b.core", 10)):
        params = shapes.nodes[f"{site}.d"].params
        assert (
            f"- `{site}`: `inner(units={units})` · output (None, {units}) · {params} params"
            in hover
        )
    assert "block `inner`: params units (required) · inputs x · 1 node" in hover
    used = await _hover(client, doc, doc.find("[a]", offset=1))  # a reference to an instance
    assert used.startswith("**a** · instance of block `outer`\n```python\nouter(units=4)\n```")
    doc.close()


@on_server
async def test_hover_on_a_port_names_the_output(client: LanguageClient) -> None:
    doc = Doc(client, SEQ2SEQ.read_text(), path=SEQ2SEQ)
    await doc.open()
    result = check(SEQ2SEQ)
    assert result.shapes is not None
    outputs = result.shapes.nodes["encoder"].outputs
    assert outputs is not None and len(outputs) == 3
    shape = format_shape(outputs[1])
    for offset in (0, 3, 8):  # on the name, inside it, on the port number
        text = await _hover(client, doc, doc.find('"encoder:1"', offset=1 + offset))
        assert text.splitlines()[0] == (
            f"**encoder:1** · output 1 of `encoder` (`LSTM`): `h` (final hidden state) · {shape}"
        )
        assert "- `encoder:0`: `output` (last output)" in text
        assert "- `encoder:2`: `c` (final cell state)" in text
    cell = await _hover(client, doc, doc.find('"encoder:2"', offset=9))
    assert cell.startswith("**encoder:2** · output 2 of `encoder` (`LSTM`): `c`")
    doc.close()


@on_server
@pytest.mark.parametrize(
    ("node", "ref", "expected"),
    [
        (
            "{type: Bidirectional, layer: {type: LSTM, units: 4, return_state: true}}",
            "r:3",
            "`backward_h` (backward final hidden state)",
        ),
        (
            "{type: Bidirectional, merge_mode: null, layer: {type: GRU, units: 4}}",
            "r:1",
            "`backward` (backward last output)",
        ),
        (
            "{type: RNN, return_state: true, cell: {type: StackedRNNCells, cells: "
            "[{type: LSTMCell, units: 3}, {type: GRUCell, units: 2}]}}",
            "r:3",
            "`h1` (final hidden state of cell 1)",
        ),
        ("{type: GRU, units: 4, return_state: true}", "r:1", "`h` (final hidden state)"),
        ("{type: LSTM, units: 4}", "r:1", "returns 1 output here (`r:0` to `r:0`)"),
        (
            "{expr: 'split(x, 2, axis=-1)'}",
            "r:1",
            "(expression `split(x, 2, axis=-1)`): `piece 1` · (None, 5, 3)",
        ),
    ],
    ids=["bidirectional-state", "bidirectional-unmerged", "stacked-cells", "gru", "e506", "split"],
)
async def test_hover_on_ports_of_other_layers(
    client: LanguageClient, node: str, ref: str, expected: str
) -> None:
    text = (
        "graphspec: 1.1\ninputs:\n  x: {shape: [5, 6]}\nnodes:\n"
        f"  r: {node}\n  use: {{type: Identity, inputs: ['{ref}']}}\n"
    )
    doc = Doc(client, text)
    await doc.open()
    hover = await _hover(client, doc, doc.find(f"'{ref}'", offset=1))
    assert expected in hover.splitlines()[0]
    doc.close()


# -- one fault in a block used five times -----------------------------------------------------------


def _merged(text: str) -> tuple[Analysis, int]:
    """The analysis of TYPO5 with its diagnostics as issue 24 wants them: one, at the definition,
    listing the five instances (a fake, until the check merges them itself)."""
    analysis = analyse("file:///typo5.yaml", 1, text, "typo5.yaml", encoding="utf-8")
    first = analysis.diagnostics[0]
    one = dataclasses.replace(
        first,
        message="in block `mlp`, node `fc`: Dense has no argument `activaton`",
        node="mlp.fc",
        instances=tuple(f"stack.{i}" for i in range(5)),
    )
    analysis.diagnostics = [one]
    return analysis, first.line or 0


def test_one_diagnostic_with_instances_is_one_marker_and_one_fix() -> None:
    analysis, line = _merged(TYPO5)
    (marker,) = to_lsp_diagnostics(analysis)
    assert "block `mlp`" in marker.message
    related = {r.message: r.location.range.start.line for r in marker.related_information or []}
    stack = TYPO5.splitlines().index("  stack: {block: mlp, repeat: 5}")
    assert (
        related["instances `stack.0`, `stack.1`, `stack.2`, `stack.3`, `stack.4` of block `mlp`"]
        == stack
    )
    (action,) = code_actions(analysis, Loc(line, 1), Loc(line, 1))
    assert action.title == "write `activation` (E202)"
    hover = hover_at(analysis, Loc(line, TYPO5.splitlines()[line - 1].index("activaton") + 2))
    assert hover is not None
    text = hover.contents.value  # type: ignore[union-attr]
    assert "**E202**: unknown layer argument" in text
    assert "in all 5 instances of block `mlp`: `stack.0`, `stack.1`" in text


def test_a_diagnostic_reached_twice_is_one_marker() -> None:
    analysis = analyse("file:///typo5.yaml", 1, TYPO5, "typo5.yaml", encoding="utf-8")
    first = analysis.diagnostics[0]
    analysis.diagnostics = [first, dataclasses.replace(first)]
    assert len(to_lsp_diagnostics(analysis)) == 1
    line = first.line or 0
    (action,) = code_actions(analysis, Loc(line, 1), Loc(line, 1))
    assert len(action.diagnostics or []) == 1


@on_server
async def test_a_fix_offered_by_each_instance_is_one_quick_fix(client: LanguageClient) -> None:
    doc = Doc(client, TYPO5)
    diags = await doc.open()
    line = diags[0].range.start.line
    (action,) = await _actions(client, doc, lsp.Position(line=line, character=0))
    assert action.title == "write `activation` (E202)"
    assert action.edit is not None and action.edit.changes is not None
    assert await doc.edit(action.edit.changes[doc.uri]) == []
    doc.close()


@on_server
async def test_a_typo_in_a_block_used_five_times_is_one_marker(client: LanguageClient) -> None:
    doc = Doc(client, TYPO5)
    (marker,) = await doc.open()
    assert marker.code == "E202" and "mlp" in marker.message
    related = [r.message for r in marker.related_information or []]
    assert any(m.startswith("instances `stack.0") and "`stack.4" in m for m in related)
    doc.close()


# -- quick fixes from anywhere on the line ----------------------------------------------------------


@on_server
async def test_quick_fixes_anywhere_on_the_line(client: LanguageClient) -> None:
    doc = Doc(client, BAD.read_text())
    (diag,) = await doc.open()
    add = diag.range.start.line
    line = doc.text.splitlines()[add]
    for column in (0, len(line) - 1, len(line)):  # before the marker, after it, at the end
        (action,) = await _actions(client, doc, lsp.Position(line=add, character=column))
        assert action.title == "set `shortcut` filters to 64 (E501)"
    shortcut = doc.find("shortcut: {").line  # the line the fix edits offers it too
    assert [a.title for a in await _actions(client, doc, lsp.Position(shortcut, 0))] == [
        "set `shortcut` filters to 64 (E501)"
    ]
    assert await _actions(client, doc, doc.find("conv1:")) == []
    doc.close()


# -- the ResNet width fix: conv -> BatchNormalization -> Add --------------------------------------


@on_server
async def test_the_resnet_width_fix_applies_and_the_spec_validates(
    client: LanguageClient, tmp_path: Path
) -> None:
    doc = Doc(client, RESNET_BN)
    diags = await doc.open()
    fixed = [d for d in _check_text(RESNET_BN, tmp_path).diagnostics if d.fixes]
    assert fixed, "check() returns no fix for the conv -> BN -> Add width fault"
    (fault,) = [d for d in diags if d.severity == lsp.DiagnosticSeverity.Error]
    actions = await _actions(client, doc, lsp.Position(line=fault.range.start.line, character=0))
    assert actions, "no quick fix on the fault's line"
    edit = actions[0].edit
    assert edit is not None and edit.changes is not None
    assert await doc.edit(edit.changes[doc.uri]) == []  # the editor shows no problem left
    assert _check_text(doc.text, tmp_path).ok  # and the spec validates
    doc.close()


def _check_text(text: str, folder: Path) -> CheckResult:
    """``check`` of a spec text, written to a file of its own."""
    path = folder / "spec.yaml"
    path.write_text(text)
    return check(path)
