"""Sizes read from node shapes in ``${...}``: computed in order, per scope, checked, located."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import graphspec
from graphspec import check
from graphspec.backends.codegen import generate_python
from graphspec.errors import UsageError
from graphspec.frontend.params import ExprError, Sized, evaluate, substitute
from tests._util import only

HEAD = "graphspec: 1.1\ninputs: {x: {shape: [4, 8]}}\nnodes:\n"


def _spec(body: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(body), "  ")


def _args(text: str) -> dict[str, dict[str, object]]:
    result = check(text)
    assert result.ok, [d.format() for d in result.diagnostics]
    return {n.name: n.args for n in result.graph if not n.is_input}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("shape()", "shape\\(\\) takes one node name"),
        ("shape(x, y)", "shape\\(\\) takes one node name"),
        ("shape(1)[0]", "takes a node name"),
        ("x.shape[0]", "only shape\\(NODE\\) can be indexed"),
        ("w[0]", "only shape\\(NODE\\) can be indexed"),
        ("len(x)", "function calls are not supported, except shape\\(NODE\\)"),
        ("shape(x)[0:2]", "Slice expressions are not supported"),
    ],
)
def test_refused_forms(text: str, match: str) -> None:
    with pytest.raises(ExprError, match=match):
        evaluate(text, {"w": [1]}, lambda name: (None, 8))


def test_without_shapes_the_value_is_deferred_with_its_params() -> None:
    found = substitute(["${shape(x)[-1] * n}", 3], {"n": 2})
    assert repr(found) == "[${shape(x)[-1] * n}, 3]"
    assert evaluate("shape(x)[-1] * n", {"n": 2}, lambda name: (None, 5)) == 10


def test_layer_arguments_params_and_lists_are_computed() -> None:
    args = _args(
        HEAD.replace("nodes:", 'params: {half: "${shape(x)[-1] // 2}"}\nnodes:')
        + textwrap.indent(
            textwrap.dedent(
                """\
                a: {type: Dense, units: "${half}"}
                b: {type: Dense, units: "${shape(a)[-1] * 3}"}
                r: {type: Reshape, target_shape: ["${shape(b)[1] * shape(b)[2]}"]}
                """
            ),
            "  ",
        )
    )
    assert args["a"] == {"units": 4}
    assert args["b"] == {"units": 12}
    assert args["r"] == {"target_shape": [48]}


def test_names_are_looked_up_where_written_in_each_copy_of_a_block() -> None:
    text = HEAD.replace("nodes:", 'params: {top: "${shape(x)[-1]}"}\nnodes:') + textwrap.indent(
        textwrap.dedent(
            """\
            stage: {block: widen, repeat: 3, inputs: x}
          blocks:
            widen:
              params: {wide: "${shape(x)[-1] * 2}"}
              outputs: [same]
              nodes:
                up:   {type: Dense, units: "${wide}"}
                same: {type: Dense, units: "${shape(up)[-1]}"}
                top:  {type: Dense, units: "${top}"}
                mix:  {type: Dense, units: "${shape(top)[-1] + 1}"}
          """
        ),
        "  ",
    )
    result = check(text.replace("\n  blocks:", "\nblocks:"))
    assert result.ok, [d.format() for d in result.diagnostics]
    units = {n.name: n.args["units"] for n in result.graph if not n.is_input}
    # `x` inside the block is each copy's own input (the previous copy's `same`); `top` is the
    # top-level param, read from the top-level `x`
    assert [units[f"stage.{i}.up"] for i in range(3)] == [16, 32, 64]
    assert [units[f"stage.{i}.same"] for i in range(3)] == [16, 32, 64]
    assert {units[f"stage.{i}.top"] for i in range(3)} == {8}
    assert {units[f"stage.{i}.mix"] for i in range(3)} == {9}


def test_instance_params_read_the_scope_where_the_instance_is_written() -> None:
    text = _spec(
        """\
        a: {type: Dense, units: 6}
        m: {block: mlp, hidden: "${shape(a)[-1] * 4}", inputs: x}
        """
    ) + textwrap.dedent(
        """\
        blocks:
          mlp:
            params: {hidden: null}
            nodes:
              a:   {type: Dense, units: "${hidden}"}
              out: {type: Dense, units: "${shape(x)[-1]}"}
        """
    )
    args = _args(text)
    assert args["m.a"] == {"units": 24}  # `a` of the top level, where the instance is written
    assert args["m.out"] == {"units": 8}  # `x` inside: the block's input, fed by the top `x`


def test_a_port_and_a_learned_tensor_shape() -> None:
    args = _args(
        _spec(
            """\
            enc: {type: LSTM, units: 5, return_state: true}
            d:   {type: Dense, units: "${shape('enc:1')[-1] + 1}"}
            pos: {weight: {shape: ["${shape(x)[1]}", "${shape(d)[-1]}"]}}
            out: {expr: "d + pos[0]"}
            """
        )
    )
    assert args["d"] == {"units": 6}
    assert args["pos"] == {"shape": [4, 6]}


@pytest.mark.parametrize(
    ("body", "code", "line", "column", "message"),
    [
        (
            'a: {type: Dense, units: "${shape(xs)[-1]}"}\n',
            "E421",
            4,
            27,
            "`units` reads `shape(xs)`, but `xs` is not a node visible here",
        ),
        (
            'a: {type: Dense, units: "${shape(x)[0]}"}\n',
            "E420",
            4,
            27,
            "axis 0 of `x` (None, 4, 8) has no static size (it is the batch axis)",
        ),
        (
            'a: {type: Dense, units: "${shape(x)[3]}"}\n',
            "E420",
            4,
            27,
            "`x` has 3 axes (None, 4, 8); there is no axis 3",
        ),
        (
            'a: {type: Dense, units: "${shape(x)[-1] // 9}"}\n',
            "E203",
            4,
            27,
            "`units` of Dense must be a positive integer; found 0, computed from "
            "`${shape(x)[-1] // 9}`",
        ),
        (
            'a: {type: Dense, units: "u${shape(x)[1]}"}\n',
            "E406",
            4,
            27,
            "must be the whole value",
        ),
        (
            'a: {type: Dense, units: "${shape(x)[1] * nope}"}\n',
            "E407",
            4,
            27,
            "uses `nope`, which is not a param",
        ),
        (
            'a: {expr: "x * ${shape(x)[1]}"}\n',
            "E422",
            4,
            13,
            "reads node shapes, which are known only when shapes are inferred",
        ),
        (
            'a: {type: Dense, units: "${shape(b)[-1]}"}\nb: {type: Dense, units: 3}\n',
            "E302",
            4,
            27,
            "a -> b -> a (node `a` reads the shape of `b`, which depends on it)",
        ),
        (
            'w: {weight: {shape: ["${shape(x)[1] - 4}"]}}\n',
            "E862",
            4,
            23,
            "`shape` must be a list of sizes",
        ),
    ],
)
def test_problems_are_located_at_the_argument(
    body: str, code: str, line: int, column: int, message: str
) -> None:
    diag = only(check(_spec(body)), code)
    assert message in diag.message and (diag.line, diag.column) == (line, column), diag.format()


def test_a_block_name_is_not_visible_outside_and_an_outer_one_not_inside() -> None:
    text = _spec("b: {block: blk, inputs: x}\n") + textwrap.dedent(
        """\
        blocks:
          blk:
            nodes:
              q: {type: Dense, units: "${shape(x)[-1]}"}
              r: {type: Dense, units: "${shape(b)[-1]}"}
        """
    )
    diag = only(check(text), "E421")
    assert "`shape(b)`, but `b` is not a node visible inside this block" in diag.message


def test_an_unknown_shape_upstream_of_an_error_is_not_reported_twice() -> None:
    result = check(_spec('a: {type: Dense, unit: 3}\nb: {type: Dense, units: "${shape(a)[-1]}"}\n'))
    assert [d.code for d in result.errors] == ["E202"]


def test_building_needs_the_computed_values() -> None:
    result = check(_spec('a: {type: Dense, units: "${shape(x)[-1]}"}\n'), shapes=False)
    assert isinstance(result.graph.nodes["a"].args["units"], Sized)
    from graphspec.backends.keras.compiler import build_model

    with pytest.raises(UsageError, match="reads sizes from node shapes"):
        build_model(result)


SPEC = _spec(
    """\
    flat: {type: Reshape, target_shape: ["${shape(x)[1] * shape(x)[2]}"]}
    hid:  {type: Dense, units: "${shape(flat)[-1] // 2}", activation: relu}
    out:  {type: Dense, units: "${shape(x)[1]}"}
    """
)


def test_codegen_writes_the_computed_values() -> None:
    code = generate_python(SPEC)
    assert 'keras.layers.Reshape(target_shape=(32,), name="flat")' in code
    assert 'keras.layers.Dense(units=16, activation="relu", name="hid")' in code


@pytest.mark.keras
def test_the_model_is_the_one_keras_code_computing_the_sizes_builds() -> None:
    keras = pytest.importorskip("keras")
    x = keras.Input((4, 8))
    flat = keras.layers.Reshape((x.shape[1] * x.shape[2],))(x)
    hid = keras.layers.Dense(flat.shape[-1] // 2, activation="relu")(flat)
    oracle = keras.Model(x, keras.layers.Dense(x.shape[1])(hid))
    model = graphspec.compile(SPEC)
    assert model.count_params() == oracle.count_params()
    oracle.set_weights(model.get_weights())
    batch = np.random.default_rng(0).random((2, 4, 8), dtype="float32")
    np.testing.assert_allclose(model.predict(batch, verbose=0), oracle.predict(batch, verbose=0))


BLOCKS = """\
graphspec: 1.1
params: {heads: 2}
inputs: {x: {shape: [4, 8]}}
nodes:
  wide: {type: Dense, units: 12}
  flat: {type: Reshape, target_shape: ["${shape(wide)[1] * shape(wide)[2]}"], inputs: wide}
  enc: {block: mlp, repeat: 2, inputs: wide}
  b: {block: mlp, size: "${shape(enc)[-1] + 1}", inputs: enc}
  c: {block: last, inputs: b}
  out: {type: Concatenate, inputs: [b, wide]}
edges: [x -> wide]
outputs: [out, flat, c]
blocks:
  mlp:
    params: {size: 6}
    nodes:
      up: {type: Dense, units: "${shape(x)[-1] * heads}"}
      down: {type: Dense, units: "${size}"}
    edges: [x -> up -> down]
  last:
    params: {size: "${shape(x)[-1] // 2}"}
    nodes:
      half: {type: Dense, units: "${size}"}
"""


def test_codegen_reads_sizes_from_the_tensors_shapes() -> None:
    """``${shape(x)[-1] * heads}`` is ``x.shape[-1] * heads``: a block stays a function and
    ``build_model(heads=...)`` follows; a param read from a shape is written inline, computed."""
    code = generate_python(BLOCKS)
    assert "target_shape=(wide.shape[1] * wide.shape[2],)" in code
    assert "def mlp(x, *, size=6, heads, name: str):" in code
    assert 'up = keras.layers.Dense(units=x.shape[-1] * heads, name=f"{name}.up")(x)' in code
    assert 'enc = mlp(enc, heads=heads, name=f"enc.{i}")' in code
    assert 'keras.layers.Dense(units=enc.shape[-1] + 1, name="b.down")(b_up)' in code  # inline
    assert 'keras.layers.Dense(units=b_down.shape[-1] // 2, name="c.half")(b_down)' in code


def test_codegen_in_a_sequential_writes_the_numbers() -> None:
    """No variable holds a tensor in a ``keras.Sequential``'s list: the sizes as computed."""
    code = generate_python(SPEC)
    assert "keras.Sequential(" in code and ".shape[" not in code
