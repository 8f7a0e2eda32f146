"""Export a Keras model with ``Model.export`` under the output policy, then verify the artifact."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from graphspec.backends.export.formats import QUANTIZATIONS, ExportFormat
from graphspec.backends.export.options import ExportOptions, check_options
from graphspec.backends.export.runtimes import run_artifact
from graphspec.backends.export.signature import (
    Shape,
    TensorSig,
    random_inputs,
    resolve_signature,
)
from graphspec.backends.keras.compiler import keras_text
from graphspec.base.output import OutputPolicy
from graphspec.errors import ExportError

__all__ = [
    "ExportOptions",
    "ExportReport",
    "Verification",
    "check_options",
    "export_model",
    "keras_export",
    "model_inputs",
    "verify_artifact",
]

_VERIFY_BATCH = 2
"""The batch size of the verification inputs when the batch is left free."""


@dataclass(frozen=True)
class Verification:
    """The artifact's outputs against Keras's on the same seeded inputs."""

    runtime: str
    differences: dict[str, float]
    tolerance: float
    scale: float
    seconds: float

    @property
    def max_difference(self) -> float:
        """The largest max-abs difference over every output."""
        return max(self.differences.values(), default=0.0)

    @property
    def ok(self) -> bool:
        """True when every output is within the tolerance (scaled by the output's size)."""
        return self.max_difference <= self.tolerance * self.scale


@dataclass(frozen=True)
class ExportReport:
    """What one export wrote and how it checked."""

    path: Path
    format: ExportFormat
    signature: list[TensorSig]
    outputs: list[str]
    seconds: float
    size: int
    verification: Verification | None = None


def model_inputs(model: Any, names: Sequence[str] | None = None) -> list[tuple[str, Shape, str]]:
    """The model's inputs as (name, shape, dtype), named ``names`` (the spec's) when given."""
    tensors = list(model.inputs)
    if names is None:
        names = [_tensor_name(t, i) for i, t in enumerate(tensors)]
    return [(name, tuple(t.shape), str(t.dtype)) for name, t in zip(names, tensors, strict=True)]


def _tensor_name(tensor: Any, index: int) -> str:
    name = str(getattr(tensor, "name", "") or f"input_{index}")
    return name.split(":")[0]


def export_model(
    model: Any,
    path: str | Path,
    fmt: ExportFormat,
    *,
    name: str,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    options: ExportOptions | None = None,
    policy: OutputPolicy | None = None,
) -> ExportReport:
    """Export ``model`` to ``path`` in ``fmt`` and (``options.verify``) check it in its runtime.

    Inputs and outputs of the artifact carry ``input_names``/``output_names`` (the spec's);
    the ONNX graph is named ``name``. The file or folder is written under ``policy``
    (atomically); :class:`ExportError` when the converter fails or the artifact's results
    differ from Keras's beyond the tolerance (the artifact is kept for inspection).
    """
    options = options or ExportOptions()
    policy = policy or OutputPolicy()
    out = Path(path)
    check_options(fmt, options)
    signature = resolve_signature(
        model_inputs(model, input_names), options.input_shapes, options.batch_size
    )
    outputs = list(output_names or _output_names(model))
    named = named_outputs(model, outputs)
    if not named.built:  # the inference wrapper is built by one call
        named(_structure(random_inputs(signature, options.seed, 1), signature))
    started = time.perf_counter()
    writing = policy.writing_dir(out) if fmt.directory else policy.writing(out)
    with writing as tmp:
        keras_export(named, tmp, fmt, signature, options)
        if fmt.name == "onnx":
            _name_onnx(tmp, name, [s.name for s in signature], outputs)
    seconds = time.perf_counter() - started
    size = _size(out)
    verification = None
    if options.verify:
        verification = verify_artifact(named, out, fmt, signature, options)
    return ExportReport(out, fmt, signature, outputs, seconds, size, verification)


def _output_names(model: Any) -> list[str]:
    names = getattr(model, "output_names", None) or [
        f"output_{i}" for i in range(len(model.outputs))
    ]
    return [str(n) for n in names]


def named_outputs(model: Any, outputs: Sequence[str]) -> Any:
    """The model in inference mode with its outputs in a mapping by name, so every format
    names them after the spec.

    ``Model.export`` calls a model without ``training`` for SavedModel and LiteRT, and random
    augmentation layers (``RandomFlip``, ``RandomZoom``, …) default to training there: the
    served model would augment its inputs. A model holding a layer whose ``call`` defaults to
    ``training=True`` is wrapped so that it is always called with ``training=False``; any other
    functional model is only given named outputs (the same graph, nothing traced twice).
    """
    import keras

    if not _trains_by_default(model):
        named = _functional_named(model, outputs)
        if named is not None:
            return named

    class Inference(keras.Model):  # type: ignore[misc]  # keras is untyped
        """``model`` called with ``training=False``, outputs by name."""

        def __init__(self) -> None:
            super().__init__(name=model.name)
            self.inner = model

        def call(self, inputs: Any, training: bool | None = None) -> dict[str, Any]:
            found = self.inner(inputs, training=False)
            flat = list(found.values()) if isinstance(found, dict) else _as_list(found)
            return dict(zip(outputs, flat, strict=True))

    return Inference()


def _functional_named(model: Any, outputs: Sequence[str]) -> Any:
    """The same graph with outputs by name, or ``None`` when ``model`` has no symbolic outputs
    (a Sequential model that was never called, a subclassed model)."""
    import keras

    try:
        inputs = list(model.inputs)
        given = model.output
        flat = list(model.outputs)
    except (AttributeError, ValueError):
        return None
    if isinstance(given, dict) and set(given) == set(outputs):
        mapping = {name: given[name] for name in outputs}
    else:
        mapping = dict(zip(outputs, flat, strict=True))
    return keras.Model(
        inputs=inputs[0] if len(inputs) == 1 else inputs, outputs=mapping, name=model.name
    )


def _trains_by_default(model: Any) -> bool:
    """True when a layer inside ``model`` (at any depth) defaults to ``training=True``."""
    import inspect

    stack = list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop()
        stack += list(getattr(layer, "layers", []) or [])
        try:
            param = inspect.signature(layer.call).parameters.get("training")
        except (TypeError, ValueError):
            continue
        if param is not None and param.default is True:
            return True
    return False


def _structure(feeds: Mapping[str, np.ndarray], signature: Sequence[TensorSig]) -> Any:
    """Inputs as the model takes them: one array, or a list in input order."""
    arrays = [feeds[s.name] for s in signature]
    return arrays[0] if len(arrays) == 1 else arrays


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def keras_export(
    model: Any,
    path: Path,
    fmt: ExportFormat,
    signature: Sequence[TensorSig],
    options: ExportOptions,
) -> None:
    """``model.export`` with the signature and the format's settings; converter errors become
    :class:`ExportError` with the converter's own last line."""
    import keras

    specs = [keras.InputSpec(shape=s.shape, dtype=s.dtype, name=s.name) for s in signature]
    kwargs: dict[str, Any] = {}
    if fmt.name == "onnx" and options.opset is not None:
        kwargs["opset_version"] = options.opset
    if options.quantize is not None:
        kwargs.update(_quantization(options.quantize))
    structure: list[Any] = [specs] if len(specs) > 1 else specs
    try:
        with warnings.catch_warnings():
            # Keras patches tf2onnx for NumPy 2 by probing np.object, which NumPy warns about
            warnings.filterwarnings("ignore", category=FutureWarning)
            model.export(
                str(path),
                format=fmt.keras_format,
                verbose=False,
                input_signature=structure,
                **kwargs,
            )
    except ImportError as err:  # a converter Keras wants on this backend (jax2onnx, litert-torch)
        raise ExportError(f"the {fmt.name} converter is missing: {err}") from err
    except (ValueError, TypeError, RuntimeError, NotImplementedError, KeyError) as err:
        raise ExportError(
            f"the {fmt.name} converter failed: {keras_text(err)}\n"
            "run `graphspec export --check` to see which nodes the format cannot take"
        ) from err


def _quantization(kind: str) -> dict[str, Any]:
    import tensorflow as tf

    if kind == "float16":
        return {
            "optimizations": [tf.lite.Optimize.DEFAULT],
            "target_spec": {"supported_types": [tf.float16]},
        }
    return {"optimizations": [tf.lite.Optimize.DEFAULT]}


def _name_onnx(path: Path, graph_name: str, inputs: Sequence[str], outputs: Sequence[str]) -> None:
    """Name the ONNX graph after the spec and its outputs after the spec's outputs."""
    import onnx

    proto = onnx.load(str(path))
    graph = proto.graph
    graph.name = graph_name
    renames: dict[str, str] = {}
    wanted = dict(zip(sorted(outputs), sorted(outputs), strict=True))
    for value in graph.output:
        base = value.name.split(":")[0]
        target = wanted.get(base)
        if target is None and len(graph.output) == len(outputs) == 1:
            target = outputs[0]
        if target is not None and target != value.name:
            renames[value.name] = target
    for node in graph.node:
        for i, item in enumerate(node.output):
            if item in renames:
                node.output[i] = renames[item]
        for i, item in enumerate(node.input):
            if item in renames:
                node.input[i] = renames[item]
    for value in graph.output:
        value.name = renames.get(value.name, value.name)
    for value in graph.input:
        if value.name in inputs:
            dims = value.type.tensor_type.shape.dim
            if dims and dims[0].dim_param:
                dims[0].dim_param = "batch"
    # the bytes written directly: `onnx.save` also sizes the message first (about 0.4 s against
    # 0.2 s for ResNet50's 100 MB, in `make bench`'s export figure)
    path.write_bytes(proto.SerializeToString())


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def verify_artifact(
    model: Any,
    path: Path,
    fmt: ExportFormat,
    signature: Sequence[TensorSig],
    options: ExportOptions,
    *,
    run: Callable[[str, Path, Mapping[str, np.ndarray]], dict[str, np.ndarray]] = run_artifact,
) -> Verification:
    """Run the artifact in its runtime and Keras on the same seeded inputs; compare outputs."""
    feeds = random_inputs(signature, options.seed, _VERIFY_BATCH)
    expected = model(_structure(feeds, signature), training=False)
    expected = {k: np.asarray(v) for k, v in expected.items()}
    started = time.perf_counter()
    try:
        found = run(fmt.name, path, feeds)
    except Exception as err:  # a runtime's own error, whatever its type: reported, not raised
        raise ExportError(f"{fmt.runtime} could not run {path}: {keras_text(err)}") from err
    seconds = time.perf_counter() - started
    missing = sorted(set(expected) - set(found))
    if missing:
        raise ExportError(
            f"{fmt.runtime} returned outputs {', '.join(sorted(found))}; expected "
            f"{', '.join(sorted(expected))} (missing: {', '.join(missing)})"
        )
    differences = {
        name: float(np.max(np.abs(found[name].astype(np.float64) - value.astype(np.float64))))
        if value.size
        else 0.0
        for name, value in expected.items()
    }
    scale = max([1.0, *(float(np.max(np.abs(v))) for v in expected.values() if v.size)])
    if options.tolerance is not None:
        tolerance = options.tolerance
    elif options.quantize is not None:
        tolerance = QUANTIZATIONS[options.quantize]
    else:
        tolerance = fmt.tolerance
    return Verification(fmt.runtime, differences, tolerance, scale, seconds)
