"""Imports from saved ``.keras`` files (not only from live models): the bugs the holdout found.

Each model is saved with Keras, then imported through ``graphspec import`` from the file, as a
user would: defaults Keras writes through ``**kwargs`` (``data_format``), a nested
``keras.applications`` model (whose saved dtype policies carry ``shared_object_id``), the names
of ``Bidirectional``'s inner layers, and a ``.keras`` import that never imports TensorFlow.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from graphspec import compile as compile_spec
from graphspec import load
from tests._roundtrip import assert_same_model

pytestmark = pytest.mark.keras


def _saved(tmp: Path, name: str, model: Any) -> Path:
    path = tmp / f"{name}.keras"
    model.save(path)
    return path


def _of_type(data: dict[str, Any], type_name: str) -> dict[str, Any]:
    """The one node of ``type_name`` (layer names depend on what the process built before)."""
    (node,) = [n for n in data["nodes"].values() if n.get("type") == type_name]
    return node


def _imported(run_cli: Callable[..., Any], source: Path) -> tuple[str, dict[str, Any]]:
    out = source.with_suffix(".yaml")
    run = run_cli("import", str(source), "-o", str(out))
    assert run.status == 0, run.err
    text = out.read_text()
    return text, yaml.safe_load(text)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    """The models of this module, saved once: ``{name: (path, model)}``."""
    import keras
    from keras import layers

    tmp = tmp_path_factory.mktemp("saved")
    models: dict[str, Any] = {}

    image = keras.Input((32, 32, 3))
    x = layers.RandomContrast(0.1)(image)
    x = layers.RandomBrightness(0.1)(x)
    models["augment"] = keras.Model(image, layers.Conv2D(4, 3)(x))

    base = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3))
    image = keras.Input((32, 32, 3))
    x = layers.GlobalAveragePooling2D()(base(image))
    models["transfer"] = keras.Model(image, layers.Dense(2)(x))

    frozen = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(32, 32, 3)
    )
    frozen.trainable = False
    image = keras.Input((32, 32, 3))
    models["frozen"] = keras.Model(image, layers.Dense(2)(layers.Flatten()(frozen(image))))

    seq = keras.Input((5, 4))
    first = layers.Bidirectional(layers.GRU(3, return_sequences=True))(seq)
    second = layers.Bidirectional(layers.GRU(3, return_sequences=True))(seq)
    cells = layers.StackedRNNCells([layers.LSTMCell(2), layers.LSTMCell(2)])
    stacked = layers.RNN(cells, return_sequences=True)(second)
    models["recurrent"] = keras.Model(seq, [first, stacked])
    return {name: (_saved(tmp, name, model), model) for name, model in models.items()}


def test_default_random_contrast_and_brightness(
    saved: dict[str, tuple[Path, Any]], run_cli: Callable[..., Any]
) -> None:
    """Keras writes ``data_format`` (taken through ``**kwargs``) into their configs."""
    path, model = saved["augment"]
    text, data = _imported(run_cli, path)
    assert _of_type(data, "RandomContrast") == {"type": "RandomContrast", "factor": [0, 0.1]}
    assert _of_type(data, "RandomBrightness") == {
        "type": "RandomBrightness",
        "factor": [-0.1, 0.1],
    }
    assert_same_model(compile_spec(load(text), api="functional"), model)


def test_a_non_default_data_format_is_kept(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    import keras
    from keras import layers

    image = keras.Input((3, 16, 16))
    x = layers.RandomContrast(0.2, data_format="channels_first")(image)
    path = _saved(tmp_path, "first", keras.Model(image, x))
    text, data = _imported(run_cli, path)
    assert _of_type(data, "RandomContrast")["data_format"] == "channels_first"
    built = compile_spec(load(text))
    assert built.layers[-1].data_format == "channels_first"


def test_a_nested_application_is_named_not_written_out(
    saved: dict[str, tuple[Path, Any]], run_cli: Callable[..., Any]
) -> None:
    path, model = saved["transfer"]
    text, data = _imported(run_cli, path)
    nested = next(n for n in data["nodes"].values() if "model" in n)
    assert nested == {
        "model": "keras.applications.MobileNetV2",
        "include_top": False,
        "input_shape": [32, 32, 3],
    }
    assert len(text.splitlines()) < 15
    assert_same_model(compile_spec(load(text)), model)


def test_a_frozen_nested_application_is_named(
    saved: dict[str, tuple[Path, Any]], run_cli: Callable[..., Any]
) -> None:
    path, model = saved["frozen"]
    text, data = _imported(run_cli, path)
    nested = next(n for n in data["nodes"].values() if "model" in n)
    assert nested["model"] == "keras.applications.MobileNetV2"
    assert nested["trainable"] is False
    built = compile_spec(load(text))
    assert_same_model(built, model)
    assert len(built.trainable_weights) == len(model.trainable_weights) == 2


def test_inner_layer_names_are_kept(
    saved: dict[str, tuple[Path, Any]], run_cli: Callable[..., Any]
) -> None:
    """``forward_gru_1`` stays ``forward_gru_1``; so do a stacked cell's names."""
    path, model = saved["recurrent"]
    text, _ = _imported(run_cli, path)
    built = compile_spec(load(text))

    def names(m: Any) -> list[Any]:
        out = []
        for layer in m.layers:
            if hasattr(layer, "forward_layer"):
                out.append((layer.forward_layer.name, layer.backward_layer.name))
            if hasattr(getattr(layer, "cell", None), "cells"):
                out.append([c.name for c in layer.cell.cells])
        return out

    assert names(built) == names(model)
    assert (
        names(model)[0] != names(model)[1]
    )  # the second pair is `forward_gru_1` in a fresh process
    assert_same_model(built, model)


def test_a_keras_file_import_never_imports_tensorflow(
    saved: dict[str, tuple[Path, Any]], tmp_path: Path
) -> None:
    """Read as plain data, nested applications included (checked in a fresh process)."""
    sources = [str(saved[name][0]) for name in ("augment", "transfer", "frozen", "recurrent")]
    code = (
        "import sys\nfrom graphspec.cli.main import main\n"
        f"for i, source in enumerate({sources!r}):\n"
        f"    assert main(['import', source, '-o', {str(tmp_path)!r} + f'/s{{i}}.yaml']) == 0\n"
        "heavy = sorted(m for m in ('tensorflow', 'keras', 'jax') if m in sys.modules)\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY:\n" in proc.stdout, proc.stdout
