"""What ``graphspec export`` may choose, checked against the format before any work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphspec.backends.export.formats import QUANTIZATIONS, ExportFormat
from graphspec.backends.export.signature import Shape
from graphspec.errors import UsageError

__all__ = ["ExportOptions", "check_options"]


@dataclass(frozen=True)
class ExportOptions:
    """What ``graphspec export`` may choose: the signature, the converter's settings, the check.

    ``input_shapes``: full shapes (batch first) by input name, ``None`` for a free size;
    ``batch_size``: fix every input's batch; ``opset``: the ONNX opset (the converter's default
    otherwise); ``quantize``: a LiteRT post-training quantization (``float16``, ``dynamic``);
    ``verify``: run the artifact in its runtime and compare with Keras; ``tolerance``: replace
    the format's own; ``seed``: of the random verification inputs.
    """

    input_shapes: Mapping[str, Shape] = field(default_factory=dict)
    batch_size: int | None = None
    opset: int | None = None
    quantize: str | None = None
    verify: bool = True
    tolerance: float | None = None
    seed: int = 0


def check_options(fmt: ExportFormat, options: ExportOptions) -> None:
    """Refuse options the format does not take (:class:`UsageError`), before any work."""
    if options.quantize is not None:
        if fmt.name != "litert":
            raise UsageError(f"--quantize applies to LiteRT (.tflite) only, not to {fmt.name}")
        if options.quantize not in QUANTIZATIONS:
            raise UsageError(
                f"--quantize {options.quantize!r}: expected one of {', '.join(QUANTIZATIONS)}"
            )
    if options.opset is not None and fmt.name != "onnx":
        raise UsageError(f"--opset applies to ONNX only, not to {fmt.name}")
