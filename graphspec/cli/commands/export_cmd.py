"""``graphspec export``: a spec or ``.keras`` model to SavedModel, ONNX or LiteRT, verified."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from graphspec.backends.export.formats import FORMATS, QUANTIZATIONS, format_for, missing_packages
from graphspec.backends.export.options import ExportOptions, check_options
from graphspec.backends.export.precheck import precheck_graph, precheck_layers
from graphspec.backends.export.signature import parse_input_shape
from graphspec.backends.keras.select import requested_backend
from graphspec.cli.options import (
    add_backend_option,
    add_output_option,
    add_set_option,
    output_policy,
    parse_overrides,
)
from graphspec.cli.registry import EXIT_INVALID, EXIT_OK, command
from graphspec.errors import UsageError
from graphspec.frontend.paths import spec_file

__all__ = ["run_export"]


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC", help="the spec file (or a .keras model) to export")
    add_output_option(
        p,
        required=True,
        metavar="PATH",
        help="where to write: NAME.onnx, NAME.tflite, or a folder (SavedModel)",
    )
    p.add_argument(
        "--format",
        choices=tuple(FORMATS),
        help="the format (default: from the output's suffix: .onnx, .tflite, none = SavedModel)",
    )
    p.add_argument(
        "--input-shape",
        action="append",
        default=[],
        metavar="NAME=DxD...",
        help="fix an input's shape, batch first, ? for a free size (e.g. image=1x224x224x3; "
        "repeatable)",
    )
    p.add_argument("--batch-size", type=_positive, metavar="N", help="fix every input's batch")
    p.add_argument("--opset", type=_positive, metavar="N", help="the ONNX opset (ONNX only)")
    p.add_argument(
        "--quantize",
        choices=tuple(QUANTIZATIONS),
        help="LiteRT post-training quantization: float16 weights, or dynamic-range int8",
    )
    p.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="do not run the artifact in its runtime and compare it with Keras",
    )
    p.add_argument(
        "--tolerance",
        type=float,
        metavar="X",
        help="the largest max-abs difference accepted (default: the format's, docs/export.md)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the random verification inputs")
    p.add_argument(
        "--check",
        action="store_true",
        help="only run the static pre-checks (nothing is built or written)",
    )
    add_set_option(p)
    add_backend_option(p)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


@command(
    "export",
    "export a spec's model to SavedModel, ONNX or LiteRT and verify it in that runtime",
    _export_args,
)
def run_export(args: argparse.Namespace) -> int:
    """Pre-check, build, export atomically, then run the artifact and compare with Keras."""
    from graphspec.cli.report import print_diagnostics

    output = str(args.output)
    fmt = format_for(output, args.format)
    _check_suffix(fmt.name, output)
    backend = requested_backend()
    if backend not in fmt.backends:
        raise UsageError(
            f"[E623] the {backend} backend cannot export {fmt.name} (Keras exports it on "
            f"{', '.join(fmt.backends)}); add --backend {fmt.backends[0]}"
        )
    missing = missing_packages(fmt, verify=args.verify)
    if missing:
        raise UsageError(
            f"[E624] exporting to {fmt.name} needs {', '.join(missing)}: pip install 'graphspec[export]'"
        )
    shapes = dict(parse_input_shape(item) for item in args.input_shape)
    options = ExportOptions(
        input_shapes=shapes,
        batch_size=args.batch_size,
        opset=args.opset,
        quantize=args.quantize,
        verify=args.verify,
        tolerance=args.tolerance,
        seed=args.seed,
    )
    check_options(fmt, options)
    source = Path(args.spec)
    is_keras = source.suffix == ".keras"
    spec = source if is_keras else spec_file(args.spec)
    policy = output_policy(args, str(spec))
    if not args.check:
        policy.check(output, directory=fmt.directory)

    if is_keras:
        model, name, inputs, outputs = _load_keras(source)
        problems = precheck_layers(model, fmt, str(source), shapes, args.batch_size)
        if problems:
            print_diagnostics(problems, "text", sys.stderr)
            return EXIT_INVALID
    else:
        from graphspec.api import check

        result = check(spec, params=parse_overrides(args.overrides))
        result.raise_for_library("export")
        problems = precheck_graph(result, fmt, shapes, args.batch_size) if result.ok else []
        shown = [*result.diagnostics, *problems]
        if shown:
            print_diagnostics(shown, "text", sys.stderr)
        if not result.ok or any(d.is_error for d in problems):
            return EXIT_INVALID
        _check_shapes(result.graph, options)  # before building: a wrong --input-shape fails now
        if args.check:
            print(f"{spec}: no node stops an export to {fmt.name}")
            return EXIT_OK
        policy = policy.with_inputs(*result.files_read())
        model, name, inputs, outputs = _build(result)
    if args.check:
        print(f"{spec}: no layer stops an export to {fmt.name}")
        return EXIT_OK
    return _export(args, model, fmt, output, name, inputs, outputs, options, policy)


def _check_shapes(graph: Any, options: ExportOptions) -> None:
    from graphspec.backends.export.signature import resolve_signature

    inputs = [
        (name, (None, *(graph.nodes[name].shape or ())), graph.nodes[name].dtype)
        for name in graph.inputs
    ]
    resolve_signature(inputs, options.input_shapes, options.batch_size)


def _check_suffix(name: str, output: str) -> None:
    fmt = FORMATS[name]
    suffix = Path(output.rstrip("/")).suffix.lower()
    if fmt.directory or suffix in fmt.suffixes:
        return
    raise UsageError(
        f"-o {output!r} does not end in {' or '.join(fmt.suffixes)}, which {name} files need "
        f"(the converter insists); e.g. -o {Path(output).with_suffix(fmt.suffixes[0])}"
    )


def _build(result: Any) -> tuple[Any, str, list[str], list[str]]:
    from graphspec.backends.keras.compiler import build_model
    from graphspec.backends.keras.loading import quiet_native_stderr

    with quiet_native_stderr():
        built = build_model(result)
    graph = result.graph
    return built.model, graph.name, list(graph.inputs), [out for out, _ in graph.outputs]


def _load_keras(path: Path) -> tuple[Any, str, list[str], list[str]]:
    from graphspec.backends.keras.loading import import_keras_quietly, quiet_native_stderr

    import_keras_quietly()
    import keras

    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        with quiet_native_stderr():
            model = keras.saving.load_model(path)
    except (ValueError, TypeError, OSError) as err:
        raise UsageError(f"{path}: Keras cannot load it: {err}") from None
    inputs = [_plain_name(t) for t in model.inputs]
    names = getattr(model, "output_names", None)  # a Sequential model has none
    outputs = [str(n) for n in names] if names else [_plain_name(t) for t in model.outputs]
    return model, str(model.name), inputs, outputs


def _plain_name(tensor: Any) -> str:
    return str(tensor.name).split(":")[0]


def _export(
    args: argparse.Namespace,
    model: Any,
    fmt: Any,
    output: str,
    name: str,
    inputs: list[str],
    outputs: list[str],
    options: ExportOptions,
    policy: Any,
) -> int:
    from graphspec.backends.export.precheck import available_memory, memory_refusal
    from graphspec.backends.export.writer import export_model
    from graphspec.backends.keras.loading import quiet_native_stderr
    from graphspec.backends.keras.select import active_backend

    params = int(model.count_params())
    why = memory_refusal(params, fmt.name, available_memory())
    others = ", ".join(f for f in FORMATS if f != fmt.name)
    if why is not None:
        print(
            f"graphspec export: error: [E625] {name} is not exported to {fmt.name}: {why}\n"
            f"  hint: export to {others}, or on a machine with more memory",
            file=sys.stderr,
        )
        return EXIT_INVALID
    try:
        with quiet_native_stderr():
            report = export_model(
                model,
                output,
                fmt,
                name=name,
                input_names=inputs,
                output_names=outputs,
                options=options,
                policy=policy,
            )
    except MemoryError:
        print(
            f"graphspec export: error: [E625] the {fmt.name} converter ran out of memory "
            f"exporting {name} ({params:,} parameters); nothing was written\n"
            f"  hint: export to {others}, or on a machine with more memory",
            file=sys.stderr,
        )
        return EXIT_INVALID
    signature = ", ".join(f"{s.name} {s.shape_text} {s.dtype}" for s in report.signature)
    quant = f", {args.quantize} quantized" if args.quantize else ""
    print(
        f"wrote {output} ({fmt.name}{quant}, {report.size:,} bytes, {report.seconds:.1f} s, "
        f"backend {active_backend()})"
    )
    print(f"  inputs: {signature}; outputs: {', '.join(report.outputs)}")
    check = report.verification
    if check is None:
        print("  not verified (--no-verify)")
        return EXIT_OK
    worst = ", ".join(f"{k} {v:.3g}" for k, v in check.differences.items())
    limit = check.tolerance * check.scale
    scaled = f" x {check.scale:.3g} (output scale)" if check.scale > 1 else ""
    verdict = "ok" if check.ok else "EXCEEDED"
    print(
        f"  verified in {check.runtime}: max abs difference {check.max_difference:.3g} "
        f"({worst}); tolerance {check.tolerance:g}{scaled} = {limit:.3g}: {verdict}"
    )
    if not check.ok:
        print(
            f"graphspec export: error: [E622] {output} differs from the Keras model by "
            f"{check.max_difference:.3g}, more than {limit:.3g}; the artifact is kept for "
            "inspection (--tolerance X accepts a larger difference)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    return EXIT_OK
