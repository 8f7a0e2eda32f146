"""Static shapes of the user's own layers: a registered rule, Keras's compute_output_shape, or
unknown with a note (N502, N503); what depends on an unknown shape is left unchecked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import graphspec
from graphspec.backends.keras import packages

pytestmark = pytest.mark.keras

_HEAD = "inputs: {x: {shape: [5, 3]}}\nnodes:\n"


@pytest.fixture(autouse=True)
def demo() -> Iterator[None]:
    packages.reset()
    graphspec.use_layers("tests.layer_packages.shapes_demo")
    yield
    packages.reset()


def _check(nodes: str, head: str = _HEAD) -> graphspec.CheckResult:
    return graphspec.check(head + nodes)


def test_a_registered_rule() -> None:
    result = _check("  d: {type: Doubled}\n  e: {type: Dense, units: 2}\n")
    assert result.ok and result.shapes is not None
    assert result.shapes["d"].output == (None, 5, 6)
    assert result.shapes["e"].params == 6 * 2 + 2


def test_shapes_and_parameters_from_keras_equal_the_model() -> None:
    spec = _HEAD + "  w: {type: Widen, units: 4}\n"
    result = graphspec.check(spec)
    assert result.ok and result.shapes is not None
    model = graphspec.compile(spec)
    assert result.shapes["w"].output == tuple(model.get_layer("w").output.shape) == (None, 5, 7)
    assert result.shapes["w"].params == model.get_layer("w").count_params() == 16


def test_unknown_with_a_note_and_nothing_downstream_checked() -> None:
    result = _check("  o: {type: Opaque}\n  d: {type: Dense, units: 2}\n")
    assert result.ok
    (note,) = result.diagnostics
    assert note.code == "N502"
    assert note.hint is not None and "compute_output_shape" in note.hint
    assert "@graphspec.shape_rule('Opaque')" in note.hint
    assert result.shapes is not None and not result.shapes["d"].known


def test_keras_cannot_answer_is_a_note_not_an_error() -> None:
    result = _check("  f: {type: Fragile}\n", head="inputs: {x: {shape: [null, 3]}}\nnodes:\n")
    assert result.ok
    (note,) = result.diagnostics
    assert note.code == "N503"
    assert note.message.startswith("node `f`: Keras could not work out the output of Fragile")


def test_a_rule_returning_nonsense_is_reported() -> None:
    (error,) = _check("  m: {type: Mangled}\n").errors
    assert error.code == "E501"
    assert "the shape rule of Mangled returned 'a shape'" in error.message


def test_a_rule_for_a_keras_layer_is_refused() -> None:
    with pytest.raises(ValueError, match="a shape rule for Dense is registered already"):
        graphspec.shape_rule("Dense")
