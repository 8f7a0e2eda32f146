"""Codegen against the compiler, on every spec the project and its tests hold.

The corpus is found, not listed (:mod:`tests._spec_corpus`): the shipped specs, the docs'
examples, every YAML file and spec text of the tests (the hostile table's valid cases
included), and the keras.io example models imported to specs. For each, the Python
``graphspec codegen`` writes is ruff-clean under the project's configuration and builds the model
``graphspec.compile`` builds: the same layers (class and name, nested models' too), configs,
parameter count and predictions after copying the weights. When the spec has params, calling
``build_model`` with other values builds what ``--set`` would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from graphspec import check
from graphspec.api import CheckResult
from graphspec.backends.codegen import generate_python
from tests._ruff import ruff_problems
from tests._spec_corpus import ROOT, CorpusSpec, keras_examples, valid_specs

pytestmark = pytest.mark.keras

BLOCKS = "blocks:"
SLOW_PARAMETERS = 10_000_000
"""Specs of larger models (a whole EfficientNetB7) run with ``make test-all`` only."""

CASES = (
    [
        pytest.param(
            spec, id=spec.id, marks=[pytest.mark.slow] * (spec.parameters > SLOW_PARAMETERS)
        )
        for spec in valid_specs()
    ]
    + [
        pytest.param(name, id=f"keras.io:{name}", marks=[pytest.mark.slow] if slow else [])
        for name, slow in keras_examples()
    ]
    + [
        pytest.param(f"{BLOCKS}{name}", id=f"keras.io+blocks:{name}", marks=marks)
        for name, marks in [
            ("image_classification_from_scratch", []),
            ("unet_xception", [pytest.mark.slow]),
            ("deeplabv3_plus", [pytest.mark.slow]),
            ("transfer_efficientnet", [pytest.mark.slow]),
            ("triplet_embedding", [pytest.mark.slow]),
        ]
    ]
)
"""Then the keras.io examples that gain blocks on import (docs/import.md), imported with them:
`names:` templates, `repeat` and `when:` switches."""
MINIMUM = 100


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= MINIMUM, len(CASES)


def test_the_corpus_finds_specs_wherever_they_are() -> None:
    """Shipped specs, docs, test YAML files, spec texts built in test modules, keras.io models."""
    from tests.hostile.test_table import CASES as HOSTILE
    from tests.test_codegen_blocks import SELF_ATTENTION

    found = {spec.id: spec for spec in valid_specs()}
    shipped = [p for p in sorted((ROOT / "specs").rglob("*.yaml")) if "bad" not in p.parts]
    libraries = {"specs/blocks/mobilenet_v3.yaml"}  # blocks only: no model to build
    assert {str(p.relative_to(ROOT)) for p in shipped} - set(found) == libraries
    assert any(i.startswith("docs/import.md#") for i in found)
    warned = [c.source for c in HOSTILE if c.severity.value == "warning"]
    assert warned and all(any(s.text == text for s in found.values()) for text in warned)
    assert any(s.text == SELF_ATTENTION for s in found.values())  # MultiHeadAttention in a block
    assert len(keras_examples()) >= 30


def _checked(case: CorpusSpec | str) -> tuple[CheckResult, int]:
    """The case checked, and the size of variable dimensions its inputs may take."""
    if isinstance(case, CorpusSpec):
        return case.check(), 8
    from graphspec.backends.importer import from_keras
    from tests import _keras_examples

    name = case.removeprefix(BLOCKS)
    build: Callable[[], Any] = getattr(_keras_examples, name)
    spec = from_keras(build(), blocks=name != case)
    return check(spec), 40  # long enough for the examples' kernels


def _build(source: str, **params: Any) -> Any:
    namespace: dict[str, Any] = {"__name__": "generated"}
    exec(compile(source, "generated_model.py", "exec"), namespace)  # our own generated code
    return namespace["build_model"](**params)


def _layers(model: Any) -> list[Any]:
    """(class, name) of every layer, nested models' layers inside their own entry (a name
    Keras gave by its counter, ``rescaling_1`` inside a keras.applications model, left out)."""
    return [
        (
            type(layer).__name__,
            None if _named_by_keras(layer) else layer.name,
            _layers(layer) if hasattr(layer, "layers") else None,
        )
        for layer in model.layers
    ]


def _named_by_keras(layer: Any) -> bool:
    """Whether Keras named the layer after its class (``input_layer_3``): a global counter."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type(layer).__name__).lower()
    return re.fullmatch(rf"{re.escape(snake)}(_\d+)?", layer.name) is not None


def _assert_same(built: Any, compiled: Any, size: int) -> None:
    from tests._roundtrip import assert_same_model

    assert type(built) is type(compiled)
    assert _layers(built) == _layers(compiled)
    assert_same_model(built, compiled, size=size, by_layer=True)


def _variant(result: CheckResult) -> dict[str, Any] | None:
    """Other values of the spec's number params that still give a valid spec (all doubled, else
    one), if any; params computed from others (``${width * 4}``) are left to follow them."""
    written = result.spec.params
    numbers = {
        k: v
        for k, v in result.graph.params.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and "${" not in str(written[k])
    }
    tries = [list(numbers)] + [[k] for k in numbers]
    for names in tries if numbers else []:
        changed = {k: numbers[k] * 2 for k in names}
        if check(result.spec, params=changed).ok:
            return changed
    return None


@pytest.mark.parametrize("case", CASES)
def test_generated_code_builds_the_compiled_model(case: CorpusSpec | str) -> None:
    from graphspec.backends.keras.compiler import build_model
    from graphspec.errors import CompileError

    result, size = _checked(case)
    try:
        compiled = build_model(result).model
    except CompileError as refused:  # refused: codegen says the same, or its code fails
        try:
            source = generate_python(result)
        except CompileError as again:
            assert again.diagnostics == refused.diagnostics
            return
        with pytest.raises(Exception):  # noqa: B017  (whatever Keras raises)
            _build(source)
        return
    source = generate_python(result)
    assert ruff_problems(source) == []
    _assert_same(_build(source), compiled, size)
    changed = _variant(result)
    if changed is not None:
        again = build_model(check(result.spec, params=changed)).model
        _assert_same(_build(source, **changed), again, size)
