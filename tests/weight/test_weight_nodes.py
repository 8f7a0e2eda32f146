"""Learned tensors (``weight:``) without Keras: settings checked, shapes, parameters, back ends."""

from __future__ import annotations

import textwrap

import pytest

from graphspec import check, load, to_yaml
from graphspec.backends.codegen import generate_python
from graphspec.backends.diagram import to_dot, to_mermaid
from graphspec.backends.summary import summary_data
from graphspec.ir.graph import NodeKind
from tests._util import by_code, only

HEAD = "graphspec: 1.1\ninputs: {x: {shape: [4, 8]}}\nnodes:\n"


def _spec(nodes: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(nodes), "  ")


VIT_LIKE = _spec(
    """\
    d:     {type: Dense, units: 8}
    cls:   {weight: {shape: [1, 1, 8], initializer: zeros}}
    pos:   {weight: {shape: [5, 8], initializer: {type: RandomNormal, stddev: 0.02}}}
    tok:   {expr: "concatenate([broadcast_to(cls, [1, 1, 8]) + zeros_like(d[:, :1]), d], axis=1) + pos"}
    scale: {weight: {shape: [8], initializer: ones, trainable: false}}
    out:   {expr: "tok * scale"}
    """
)


def test_a_weight_is_a_node_without_inputs_and_a_shape_without_batch_axis() -> None:
    result = check(VIT_LIKE)
    assert result.ok, [d.format() for d in result.diagnostics]
    cls = result.graph.nodes["cls"]
    assert cls.kind is NodeKind.WEIGHT and cls.inputs == [] and cls.display_type == "weight"
    shapes = result.shapes
    assert shapes is not None
    assert shapes["cls"].outputs == ((1, 1, 8),) and shapes["cls"].trainable == 8
    assert shapes["pos"].outputs == ((5, 8),) and shapes["pos"].params == 40
    assert (shapes["scale"].trainable, shapes["scale"].non_trainable) == (0, 8)
    assert shapes["tok"].outputs == ((None, 5, 8),)
    assert result.graph.nodes["tok"].inputs == ["cls", "d", "pos"]
    assert result.graph.compiles_as() == (
        "functional",
        "node `cls` is a learned tensor, which has no input",
    )


def test_batched_weights_have_one_copy_per_sample() -> None:
    result = check(
        _spec(
            """\
            cls: {weight: {shape: [1, 8], batched: true}}
            tok: {expr: "concatenate([cls, x], axis=1)"}
            """
        )
    )
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.shapes is not None
    assert result.shapes["cls"].outputs == ((None, 1, 8),)
    assert result.shapes["tok"].outputs == ((None, 5, 8),)


def test_a_layer_applied_to_a_weight_sees_its_first_axis_as_the_batch() -> None:
    result = check(_spec("w: {weight: {shape: [3, 8]}}\nd: {type: Dense, units: 2, inputs: w}\n"))
    assert result.ok and result.shapes is not None
    assert result.shapes["d"].outputs == ((3, 2),)


def test_in_a_chain_a_weight_is_not_fed_but_feeds_the_next_node() -> None:
    result = check(_spec("w: {weight: {shape: [1, 8]}}\nd: {type: Dense, units: 2}\n"))
    assert result.graph.nodes["w"].inputs == []
    assert result.graph.nodes["d"].inputs == ["w"]
    assert only(result, "W304").message == "input `x` is not used by any output"


@pytest.mark.parametrize(
    ("nodes", "code", "line", "column", "message", "hint"),
    [
        (
            "w: {weight: {shape: [2], initializr: zeros}}\n",
            "E861",
            4,
            28,
            "`weight` has no setting `initializr`",
            "did you mean `initializer`?",
        ),
        (
            "w: {weight: {initializer: zeros}}\n",
            "E861",
            4,
            7,
            "learned tensor `w` needs a `shape`",
            "weight: {shape: [1, 1, 64]}",
        ),
        (
            "w: {weight: {shape: [2, 0]}}\n",
            "E862",
            4,
            23,
            "`shape` must be a list of sizes without a batch axis",
            "each size is an integer of at least 1",
        ),
        ("w: {weight: {shape: 3}}\n", "E862", 4, 23, "found 3", "write a list of sizes"),
        (
            "w: {weight: {shape: [2], batched: maybe}}\n",
            "E862",
            4,
            37,
            "`batched` must be true",
            "write true or false",
        ),
        (
            "w: {weight: {shape: [2], dtype: int32}}\n",
            "E862",
            4,
            35,
            "`dtype` must be a float dtype",
            "one of float16, bfloat16, float32, float64",
        ),
        (
            "w: {weight: {shape: [2], initializer: zeroes}}\n",
            "E208",
            4,
            41,
            "`initializer`: `zeroes` is not one of keras.initializers",
            "did you mean",
        ),
        (
            "w: {weight: {shape: [2]}, type: Dense}\n",
            "E860",
            4,
            29,
            "learned tensor `w` cannot also have `type`",
            "make a separate node",
        ),
        (
            "w: {weight: {shape: [2]}, initializer: ones}\n",
            "E860",
            4,
            29,
            "learned tensor `w` takes no argument `initializer`",
            "write it under `weight:`",
        ),
        (
            "w: {weight: {shape: [2]}, inputs: x}\n",
            "E860",
            4,
            29,
            "learned tensor `w` cannot also have `inputs`",
            "has no input",
        ),
    ],
)
def test_settings_are_checked_where_written(
    nodes: str, code: str, line: int, column: int, message: str, hint: str
) -> None:
    diag = only(check(_spec(nodes)), code)
    assert (diag.line, diag.column) == (line, column), diag.format()
    assert message in diag.message and hint in (diag.hint or ""), diag.format()


def test_an_edge_into_a_weight_is_an_error() -> None:
    text = HEAD + "  w: {weight: {shape: [2]}}\nedges: [x -> w]\n"
    assert "an edge leads into learned tensor `w` (from `x`)" in only(check(text), "E860").message


def test_format_1_0_reports_the_version() -> None:
    text = "inputs: {x: {shape: [2]}}\nnodes:\n  w: {weight: {shape: [2]}}\n"
    assert "a learned tensor (`weight:`) is format 1.1" in only(check(text), "E800").message


def test_other_kinds_refuse_a_weight_key() -> None:
    result = check(_spec("e: {expr: 'x + 1.0', weight: {shape: [2]}}\n"))
    assert "cannot also have `weight`" in only(result, "E807").message
    block = (
        HEAD
        + "  b: {block: blk, weight: {shape: [2]}}\nblocks:\n  blk:\n    nodes: {r: {type: ReLU}}\n"
    )
    assert "cannot also have `weight`" in only(check(block), "E402").message


def test_weights_inside_blocks_are_one_per_instance() -> None:
    text = HEAD + textwrap.dedent(
        """\
          s1: {block: scaled, inputs: x}
          s2: {block: scaled}
        blocks:
          scaled:
            nodes:
              gamma: {weight: {shape: [8], initializer: ones}}
              y: {expr: "x * gamma"}
        """
    )
    result = check(text)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.shapes is not None
    assert result.shapes["s1.gamma"].params == 8 and result.shapes.total == 16
    assert result.graph.nodes["s2.y"].inputs == ["s1.y", "s2.gamma"]
    code = generate_python(result)  # inline: a learned tensor joins through the model's input
    assert "def scaled(" not in code
    assert 's2_gamma = LearnedTensor(shape=[8], initializer="ones", name="s2.gamma")(x)' in code


def test_back_ends_show_a_weight() -> None:
    spec = load(VIT_LIKE)
    assert load(to_yaml(spec)).nodes["pos"].weight == {
        "shape": [5, 8],
        "initializer": {"type": "RandomNormal", "stddev": 0.02},
    }
    dot = to_dot(spec)
    assert "cylinder" in dot and "learned tensor" in dot and "RandomNormal" in dot
    assert '[("<b>cls</b><br/>weight · zeros<br/>(1, 1, 8) · 8 params")]' in to_mermaid(spec)
    rows = {row["node"]: row for row in summary_data(check(VIT_LIKE))["nodes"]}
    assert rows["pos"]["type"] == "weight" and rows["pos"]["params"] == 40
    code = generate_python(spec)
    assert "class LearnedTensor(keras.layers.Layer):" in code
    assert 'cls = LearnedTensor(shape=[1, 1, 8], initializer="zeros", name="cls")(x)' in code
    assert by_code(check(VIT_LIKE), "E501") == []
