"""`node:N` picks one output of a layer that returns several (LSTM return_state, attention scores)."""

from __future__ import annotations

import textwrap

import pytest

import graphspec
from graphspec import to_yaml
from tests._util import by_code, check_text

STATES = textwrap.dedent(
    """
    name: states
    inputs:
      seq: {shape: [12, 8]}
    nodes:
      encoder: {type: LSTM, units: 16, return_state: true}
      hidden:  {type: Dense, units: 4, inputs: "encoder:1"}
      cell:    {type: Dense, units: 4, inputs: "encoder:2"}
      both:    {type: Concatenate, inputs: [hidden, cell]}
    outputs: [both, "encoder:2"]
    """
)


def test_references_resolve_to_node_and_port() -> None:
    result = check_text(STATES)
    assert result.ok, [d.format() for d in result.diagnostics]
    graph = result.graph
    assert (graph["hidden"].inputs, graph["hidden"].input_ports) == (["encoder"], [1])
    assert graph.outputs == [("both", "both"), ("encoder:2", "encoder")]
    assert graph.output_ports == [0, 2]
    assert graph.is_chain()[0] is False
    assert result.shapes is not None and result.shapes["cell"].output == (None, 4)


def test_port_beyond_the_outputs_is_located() -> None:
    text = STATES.replace("return_state: true", "return_state: false")
    found = by_code(check_text(text), "E506")
    assert [d.node for d in found] == ["hidden", "cell"]
    diag = found[0]
    assert diag.message == (
        "node `hidden` takes output 1 of `encoder`, but LSTM returns 1 output here"
    )
    assert (diag.line, diag.column) == (7, 44)
    assert "return_state: true" in (diag.hint or "")


def test_a_chain_that_takes_a_second_output_is_not_sequential() -> None:
    graph = check_text(
        "inputs: {x: {shape: [5, 3]}}\nnodes:\n  r: {type: GRU, units: 4, return_state: true}\n"
        "  d: {type: Dense, units: 2, inputs: 'r:1'}\n"
    ).graph
    assert graph.is_chain() == (False, "node `d` takes output 1 of `r`")


def test_a_name_with_a_colon_is_still_a_name() -> None:
    result = check_text(
        "inputs: {x: {shape: [4]}}\nnodes:\n  'a:1': {type: Dense, units: 3}\n"
        "  b: {type: Dense, units: 2, inputs: 'a:1'}\n"
    )
    assert result.ok and result.graph["b"].inputs == ["a:1"]
    assert result.graph["b"].input_ports == [0]


@pytest.mark.keras
def test_compiles_like_keras_and_codegen_agrees(tmp_path) -> None:
    keras = pytest.importorskip("keras")
    np = pytest.importorskip("numpy")
    from graphspec.backends.codegen import generate_python

    x = keras.Input((12, 8), name="seq")
    _, h, c = keras.layers.LSTM(16, return_state=True, name="encoder")(x)
    both = keras.layers.Concatenate(name="both")(
        [keras.layers.Dense(4, name="hidden")(h), keras.layers.Dense(4, name="cell")(c)]
    )
    reference = keras.Model(x, [both, c])
    model = graphspec.compile(STATES)
    assert model.count_params() == reference.count_params()
    for layer in reference.layers:
        model.get_layer(layer.name).set_weights(layer.get_weights())
    data = np.random.default_rng(0).random((2, 12, 8), dtype="float32")
    for got, want in zip(
        model.predict(data, verbose=0), reference.predict(data, verbose=0), strict=True
    ):
        np.testing.assert_allclose(got, want, atol=1e-6)
    source = generate_python(graphspec.load(STATES))
    assert "_, encoder_1, encoder_2 = keras.layers.LSTM(" in source
    assert "(encoder_1)" in source and "outputs=[both, encoder_2]" in source
    namespace: dict[str, object] = {}
    exec(compile(source, "generated.py", "exec"), namespace)  # our own generated code
    built = namespace["build_model"]()  # type: ignore[operator]
    assert [layer.name for layer in built.layers] == [layer.name for layer in model.layers]


@pytest.mark.keras
def test_import_round_trip_keeps_ports() -> None:
    keras = pytest.importorskip("keras")
    x = keras.Input((12, 8), name="seq")
    out, h, _ = keras.layers.LSTM(16, return_state=True, name="encoder")(x)
    model = keras.Model(x, [keras.layers.Dense(2, name="head")(h), out])
    text = to_yaml(graphspec.from_keras(model))
    assert 'inputs: ["encoder:1"]' in text
    assert to_yaml(graphspec.load(text)) == text
    assert graphspec.compile(text).count_params() == model.count_params()


def test_diagram_labels_the_port() -> None:
    from graphspec.backends.diagram import to_dot

    spec = graphspec.load(STATES)
    assert "&#91;1&#93; 16" in to_dot(spec, shapes_on="edges")  # "[1] 16", brackets escaped
    assert "&#91;1&#93;" in to_dot(spec)  # shapes in the boxes: the port alone on the edge
