"""The export formats in a registry: suffix, Keras's name, runtime, converters, tolerance."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from graphspec.base.registry import Registry
from graphspec.errors import UsageError

__all__ = ["FORMATS", "QUANTIZATIONS", "ExportFormat", "format_for", "missing_packages"]


@dataclass(frozen=True)
class ExportFormat:
    """One artifact kind ``graphspec export`` writes.

    ``keras_format``: the name ``Model.export(format=...)`` knows it by; ``suffixes``: output
    names that select it (``""`` for a folder); ``backends``: the Keras backends that can write
    it; ``packages``: ``(module, pip name)`` pairs the converter and the verifying runtime need;
    ``tolerance``: the largest max-abs difference accepted between the artifact and Keras
    (relative to the largest Keras output value when that is above 1).

    >>> FORMATS["onnx"].suffixes, FORMATS["saved_model"].directory
    (('.onnx',), True)
    """

    name: str
    keras_format: str
    suffixes: tuple[str, ...]
    directory: bool
    runtime: str
    backends: tuple[str, ...]
    packages: tuple[tuple[str, str], ...]
    tolerance: float
    description: str


FORMATS: Registry[str, ExportFormat] = Registry("export format")
"""Every format by name, in the order ``--format`` lists them."""

QUANTIZATIONS: dict[str, float] = {"float16": 1e-2, "dynamic": 1e-1}
"""LiteRT post-training quantizations (``--quantize``) and their documented tolerances."""


def _add(fmt: ExportFormat) -> None:
    FORMATS.add(fmt.name, fmt)


_add(
    ExportFormat(
        "saved_model",
        "tf_saved_model",
        ("",),
        True,
        "TensorFlow (tf.saved_model.load)",
        ("tensorflow", "jax"),
        (("tensorflow", "tensorflow"),),
        1e-5,
        "TensorFlow SavedModel folder (TF Serving), signature `serving_default`",
    )
)
_add(
    ExportFormat(
        "onnx",
        "onnx",
        (".onnx",),
        False,
        "ONNX Runtime",
        ("tensorflow",),
        (("onnx", "onnx"), ("tf2onnx", "tf2onnx"), ("onnxruntime", "onnxruntime")),
        1e-4,
        "ONNX model (ONNX Runtime, Netron)",
    )
)
_add(
    ExportFormat(
        "litert",
        "litert",
        (".tflite",),
        False,
        "LiteRT interpreter (ai_edge_litert)",
        ("tensorflow",),
        (("tensorflow", "tensorflow"), ("ai_edge_litert", "ai-edge-litert")),
        1e-4,
        "LiteRT flat buffer (.tflite, mobile and embedded)",
    )
)


def format_for(path: str, explicit: str | None = None) -> ExportFormat:
    """The format ``--format`` names, else the one the output's suffix selects.

    >>> format_for("out/net.onnx").name, format_for("out/net_saved").name
    ('onnx', 'saved_model')
    >>> format_for("net.pt")
    Traceback (most recent call last):
    ...
    graphspec.errors.UsageError: cannot tell the export format from 'net.pt': ...
    """
    if explicit is not None:
        return FORMATS[explicit]
    suffix = Path(path.rstrip("/")).suffix.lower()
    if path.endswith("/"):
        suffix = ""
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt
    known = ", ".join(
        f"{s or 'a folder (no suffix)'} ({f.name})" for f in FORMATS.values() for s in f.suffixes
    )
    raise UsageError(
        f"cannot tell the export format from {path!r}: its suffix {suffix!r} selects none "
        f"(known: {known}); name the file accordingly or pass --format"
    )


def missing_packages(fmt: ExportFormat, *, verify: bool = True) -> list[str]:
    """The pip names of the packages ``fmt`` needs that are not installed."""
    needed = [
        (module, pip)
        for module, pip in fmt.packages
        if verify or module not in ("onnxruntime", "ai_edge_litert")
    ]
    return [pip for module, pip in needed if importlib.util.find_spec(module) is None]
