"""Keras is the oracle of the expression table: every function compiles to the operation it names,
its static shape is the one Keras computes, and import reads it back to the same computation."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import numpy as np
import pytest

from graphspec import check, load, to_yaml
from graphspec.backends.codegen import generate_python
from graphspec.backends.importer import from_keras
from graphspec.backends.keras.compiler import compile_spec
from graphspec.ir.graph import ExprInfo, IRNode, NodeKind
from graphspec.plugins.expr import function_names, infer_expr, lookup, parse, to_text
from graphspec.plugins.expr.building import build_expr
from graphspec.plugins.expr.syntax import Call, Ref, walk

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

SAMPLES: dict[str, str] = {
    "add": "a + b",
    "subtract": "3.0 - a",
    "multiply": "a * 0.5",
    "true_divide": "a / b",
    "floor_divide": "a // 2.0",
    "mod": "a % 2.0",
    "power": "a ** 2",
    "less": "a < b",
    "less_equal": "a <= 0.5",
    "greater": "a > b",
    "greater_equal": "a >= b",
    "equal": "a == b",
    "not_equal": "a != 0.0",
    "divide": "divide(a, b)",
    "maximum": "maximum(a, 1e-07)",
    "minimum": "minimum(a, b)",
    "logical_and": "logical_and(m, m)",
    "logical_or": "logical_or(m, a > 0.5)",
    "arctan2": "arctan2(a, b)",
    "negative": "-a",
    "abs": "abs(a)",
    "sqrt": "sqrt(a)",
    "square": "square(a)",
    "exp": "exp(a)",
    "log": "log(a)",
    "log1p": "log1p(a)",
    "expm1": "expm1(a)",
    "sin": "sin(a)",
    "cos": "cos(a)",
    "tanh": "tanh(a)",
    "sign": "sign(a)",
    "floor": "floor(a)",
    "ceil": "ceil(a)",
    "reciprocal": "reciprocal(a)",
    "logical_not": "logical_not(m)",
    "rsqrt": "rsqrt(a)",
    "erf": "erf(a)",
    "relu": "relu(a)",
    "relu6": "relu6(a)",
    "sigmoid": "sigmoid(a)",
    "hard_sigmoid": "hard_sigmoid(a)",
    "hard_silu": "hard_silu(a)",
    "hard_swish": "hard_swish(a)",
    "silu": "silu(a)",
    "swish": "swish(a)",
    "softplus": "softplus(a)",
    "softsign": "softsign(a)",
    "selu": "selu(a)",
    "log_sigmoid": "log_sigmoid(a)",
    "gelu": "gelu(a, approximate=False)",
    "elu": "elu(a, alpha=0.5)",
    "leaky_relu": "leaky_relu(a, negative_slope=0.1)",
    "round": "round(a, decimals=1)",
    "clip": "clip(a, 0.25, 0.75)",
    "cast": "cast(a, 'float16')",
    "where": "where(m, a, 0.0)",
    "sum": "sum(a, axis=-1, keepdims=True)",
    "mean": "mean(a, axis=[1, 2])",
    "max": "max(a, axis=1)",
    "min": "min(a, axis=-1)",
    "prod": "prod(a, axis=1)",
    "std": "std(a, axis=1)",
    "var": "var(a, axis=-1, keepdims=True)",
    "any": "any(m, axis=1)",
    "all": "all(m, axis=-1)",
    "logsumexp": "logsumexp(a, axis=-1)",
    "argmax": "argmax(a, axis=-1)",
    "argmin": "argmin(a, axis=1)",
    "norm": "norm(a, axis=-1)",
    "softmax": "softmax(a, axis=1)",
    "log_softmax": "log_softmax(a)",
    "normalize": "normalize(a, axis=-1)",
    "reshape": "reshape(a, [-1, 24])",
    "expand_dims": "expand_dims(a, 1)",
    "squeeze": "squeeze(expand_dims(a, 2), axis=2)",
    "transpose": "transpose(a, [0, 2, 1])",
    "swapaxes": "swapaxes(a, 1, 2)",
    "flip": "flip(a, axis=1)",
    "repeat": "repeat(a, 2, axis=1)",
    "concatenate": "concatenate([a, b], axis=-1)",
    "stack": "stack([a, b], axis=1)",
    "split": "split(a, 3, axis=-1)",
    "matmul": "a @ swapaxes(b, 1, 2)",
    "arange": "a + arange(6)",
    "linspace": "linspace(mean(a, axis=[1, 2]), 1.0, 3, axis=-1)",
    "zeros": "a + zeros([4, 6])",
    "ones": "a * ones([6])",
    "full": "a + full([1, 6], 0.5)",
    "eye": "a[:, :, :4] + eye(4)",
    "zeros_like": "zeros_like(a)",
    "ones_like": "ones_like(a, dtype='float16')",
    "full_like": "full_like(a, 2.0)",
    "broadcast_to": "broadcast_to(mean(a), [4, 6])",
    "tile": "tile(a, [1, 2, 1])",
    "take": "take(a, i, axis=1)",
    "one_hot": "one_hot(i, 5)",
    "einsum": "einsum('bij,bkj->bik', a, b)",
    "tril": "tril(a, -1)",
    "triu": "triu(a, k=1)",
}
"""One expression per table function (a test fails when a function has none)."""

EXTRA: dict[str, str] = {
    "slice_first": "a[:, 0]",
    "slice_ellipsis": "a[..., 1:3]",
    "nested": "sqrt(maximum(sum(square(a - b), axis=-1, keepdims=True), 1e-07))",
    "hard_swish_by_hand": "a * relu6(a + 3.0) / 6.0",
    "broadcast": "a + expand_dims(v, 1)",
    "sinusoidal": "concatenate([sin(a * exp(linspace(log(1.0), log(1000.0), 6))), "
    "cos(a * exp(arange(6) * -0.5))], axis=-1)",
    "arange_floats": "a[:, 0] * arange(0.0, 3.0, 0.5)",
    "einsum_implicit": "einsum('bij,bjk', a, swapaxes(b, 1, 2))",
    "einsum_ellipsis": "einsum('...j,j->...', a, v[0])",
    "one_hot_axis": "one_hot(i, 3, axis=0, dtype='float32')",
    "take_flat": "take(a, [0, 5, 7])",
    "tile_short": "tile(v, 2)",
    "mask": "where(tril(ones([4, 4])) > 0.0, a[:, :, :4], -1e9)",
}


def _spec_text() -> str:
    nodes = {**{f"f_{n}": t for n, t in SAMPLES.items()}, **EXTRA}
    lines = [
        "graphspec: 1.1",
        "name: table",
        "inputs: {a: {shape: [4, 6]}, b: {shape: [4, 6]}, v: {shape: [6]}, "
        "m: {shape: [4, 6], dtype: bool}, i: {shape: [4], dtype: int32}}",
        "nodes:",
        *(f"  {name}: {{expr: {json.dumps(text)}}}" for name, text in nodes.items()),
    ]
    outputs = [f"{n}:1" if n == "f_split" else n for n in nodes]
    lines.append("outputs: [" + ", ".join(json.dumps(o) for o in outputs) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def built() -> tuple[Any, Any]:
    text = _spec_text()
    result = check(text)
    assert result.ok, [d.format() for d in result.diagnostics if d.is_error]
    return result, compile_spec(text)


def _batch() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    a = rng.random((3, 4, 6), dtype="float32") + 0.1
    b = rng.random((3, 4, 6), dtype="float32") + 0.1
    v = rng.random((3, 6), dtype="float32")
    return [a, b, v, a > 0.5, rng.integers(0, 4, (3, 4)).astype("int32")]


def test_every_table_function_has_a_sample() -> None:
    assert sorted(set(function_names()) - set(SAMPLES)) == []


def _call_of(tree: Any, func: str) -> Call:
    return next(c for c in walk(tree) if isinstance(c, Call) and c.func == func)


def _constant(call: Call) -> bool:
    return not any(isinstance(item, Ref) for item in walk(call))


def test_each_function_records_the_keras_operation_it_names(built: tuple[Any, Any]) -> None:
    _, model = built
    ops = {op.name: op for op in model.operations}
    recorded = 0
    for name, text in SAMPLES.items():
        call = _call_of(parse(text), name)
        entry = lookup(name)
        assert entry is not None
        classes = {(type(op).__name__, type(op).__module__) for op in model.operations}
        if _constant(call):  # computed when the model is built: no operation of its own
            assert (entry.cls, f"keras.src.ops.{entry.module}") not in classes, name
            continue
        assert call is parse(text), f"{name}: the sample's operation is its whole expression"
        op = ops[f"f_{name}"]
        assert type(op).__name__ == entry.cls, name
        assert type(op).__module__ == f"keras.src.ops.{entry.module}", name
        recorded += 1
    makers = [n for n in SAMPLES if lookup(n).maker]  # type: ignore[union-attr]
    assert len(makers) == 5 and recorded == len(SAMPLES) - len(makers)


class _Stub:
    """The little of a build context that building a constant expression needs."""

    def fresh_name(self, base: str) -> str:
        return base

    def error(self, node: Any, code: str, message: str, hint: str | None) -> Exception:
        return AssertionError(message)

    def explain(self, exc: BaseException) -> str:
        return str(exc)


def test_constants_made_when_building_have_their_static_shapes() -> None:
    """``arange(6)``, ``zeros([4, 6])``, …: the static shape is the shape of Keras's tensor."""
    checked = 0
    for name, text in {**SAMPLES, **EXTRA}.items():
        for call in walk(parse(text)):
            if not isinstance(call, Call) or not _constant(call) or not lookup(call.func):
                continue
            static = infer_expr(call, lambda r: ()).outputs[0]
            info = ExprInfo(to_text(call), call)
            made = build_expr(_Stub(), IRNode("c", NodeKind.EXPR, expr=info), [])
            assert tuple(np.shape(np.asarray(made))) == static, (name, to_text(call))
            checked += 1
    assert checked >= 10


def test_static_shapes_are_the_keras_shapes(built: tuple[Any, Any]) -> None:
    result, model = built
    ops = {op.name: op for op in model.operations}
    for name in result.graph.nodes:
        if name in result.graph.inputs:
            continue
        static = result.shapes.nodes[name].outputs
        out = ops[name].output
        keras_shapes = (
            tuple(tuple(t.shape) for t in out) if isinstance(out, list) else (tuple(out.shape),)
        )
        assert static == keras_shapes, name


def test_the_saved_model_loads_in_safe_mode_and_predicts_the_same(
    built: tuple[Any, Any], tmp_path: Any
) -> None:
    _, model = built
    path = tmp_path / "table.keras"
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    for got, want in zip(
        again.predict(_batch(), verbose=0), model.predict(_batch(), verbose=0), strict=True
    ):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_import_reads_every_operation_back(built: tuple[Any, Any]) -> None:
    _, model = built
    spec = from_keras(model)
    assert spec.graphspec == 1.1
    assert all(node.expr is not None for node in spec.nodes.values())
    assert spec.nodes["f_arange"].expr == "a + arange(6)"  # a range comes back as one
    assert spec.nodes["mask"].expr == (
        "where(cast([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]], 'bool'), "
        "a[:, :, :4], -1000000000.0)"
    )
    again = compile_spec(load(to_yaml(spec)))
    classes = sorted(type(op).__name__ for op in model.operations)
    assert sorted(type(op).__name__ for op in again.operations) == classes
    for got, want in zip(
        again.predict(_batch(), verbose=0), model.predict(_batch(), verbose=0), strict=True
    ):
        np.testing.assert_allclose(
            np.asarray(got, "float64"), np.asarray(want, "float64"), atol=1e-6
        )


def test_generated_python_computes_the_same(built: tuple[Any, Any], tmp_path: Any) -> None:
    """``codegen`` writes every function as its ``keras.ops`` call: the same values."""
    result, model = built
    path = tmp_path / "table_model.py"
    path.write_text(generate_python(result))
    module_spec = importlib.util.spec_from_file_location("table_model", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    again = module.build_model()
    for got, want in zip(
        again.predict(_batch(), verbose=0), model.predict(_batch(), verbose=0), strict=True
    ):
        np.testing.assert_allclose(
            np.asarray(got, "float64"), np.asarray(want, "float64"), atol=1e-6
        )
