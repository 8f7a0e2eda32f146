"""Static inference agrees with Keras on every node of every shipped spec (Keras is the oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphspec import check

pytestmark = pytest.mark.keras

SPECS = sorted(Path("specs").glob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_node_matches_keras(path: Path) -> None:
    from graphspec.backends.keras.compiler import build_model, flat_outputs

    result = check(path)
    assert result.ok and result.shapes is not None and result.shapes.complete
    built = build_model(result, api="functional")
    for node in result.graph.layers:
        static = result.shapes[node.name]
        tensors = flat_outputs(built.tensors[node.name])
        assert static.outputs == tuple(tuple(t.shape) for t in tensors), node.name
        if node.share:
            continue
        layer = built.layers.get(node.name)
        if layer is None:  # an expression: keras.ops operations have no weights
            assert static.params == 0, node.name
            continue
        trainable = sum(int(w.numpy().size) for w in layer.trainable_weights)
        non_trainable = sum(int(w.numpy().size) for w in layer.non_trainable_weights)
        assert (static.trainable, static.non_trainable) == (trainable, non_trainable), node.name
    assert result.shapes.total == built.model.count_params()


@pytest.mark.parametrize("path", SPECS[:3], ids=[p.stem for p in SPECS[:3]])
def test_deep_validation_finds_nothing_to_add(path: Path) -> None:
    from graphspec.backends.keras.deep import deep_check

    result = check(path)
    assert deep_check(result) == []
