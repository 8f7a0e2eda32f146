"""``graphspec render`` (architecture diagrams) and ``graphspec doctor`` (environment report)."""

from __future__ import annotations

import argparse
import sys
from typing import Final

from graphspec.base.version import VERSION
from graphspec.cli.options import add_output_option, add_set_option, output_policy, spec_params
from graphspec.cli.registry import EXIT_INVALID, EXIT_OK, command
from graphspec.cli.report import print_diagnostics
from graphspec.frontend.paths import spec_file

__all__ = ["run_doctor", "run_render"]

_FORMATS: Final = ("svg", "png", "pdf", "dot", "mmd")
_PACKAGES: Final = (
    ("pydantic", ("pydantic",)),
    ("networkx", ("networkx",)),
    ("PyYAML", ("PyYAML", "pyyaml")),
    ("graphviz (Python)", ("graphviz",)),
    ("keras", ("keras",)),
    ("tensorflow", ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")),
    ("jax", ("jax",)),
    ("torch", ("torch",)),
)


def _render_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC", help="the spec file to draw")
    add_output_option(p, required=True)
    p.add_argument(
        "--format",
        choices=_FORMATS,
        help="output format (default: from FILE's extension); mmd is Mermaid, dot is DOT source",
    )
    p.add_argument("--rankdir", choices=("TB", "LR"), default="TB", help="layout direction")
    p.add_argument(
        "--blocks",
        choices=("auto", "expand", "collapse"),
        default="auto",
        help="draw block instances as labelled frames (expand) or one box each (collapse); "
        "auto (the default): collapse when the expanded drawing would have more than 120 boxes "
        "(a big imported model), else expand",
    )
    p.add_argument(
        "--applications",
        choices=("collapse", "expand"),
        default="collapse",
        help="draw each keras.applications model as one expandable box (collapse, the "
        "default: they have hundreds of layers) or as a frame of its layers (expand)",
    )
    p.add_argument(
        "--no-shapes",
        dest="shapes",
        action="store_false",
        help="leave tensor shapes out of boxes and edges",
    )
    p.add_argument(
        "--shapes-on",
        choices=("boxes", "edges", "both"),
        default="boxes",
        help="where tensor shapes are written: each box's output shape (default), edges, or both",
    )
    p.add_argument(
        "--layout",
        choices=("auto", "chain"),
        default="auto",
        help="auto: encoder-decoder nets (U-Net) folded into a U, main path straight; "
        "chain: always one top-down chain",
    )
    p.add_argument(
        "--max-nodes",
        type=int,
        default=None,
        metavar="N",
        help="most boxes to draw (default 2,000, about 6 s of Graphviz): above it blocks are "
        "drawn collapsed, and a graph still larger is refused; 0: no limit",
    )
    p.add_argument(
        "--dpi",
        type=int,
        default=144,
        help="resolution of PNG output (default 144: sharp on screens; 300 for print)",
    )
    add_set_option(p)


@command(
    "render", "draw a spec as an architecture diagram (SVG, PNG, PDF, DOT, Mermaid)", _render_args
)
def run_render(args: argparse.Namespace) -> int:
    from graphspec.backends.diagram import (
        AUTO_COLLAPSE_BOXES,
        MAX_DRAWN_NODES,
        format_for,
        render_spec,
    )

    spec = spec_file(args.spec)
    fmt = format_for(args.output, args.format)
    overrides = spec_params(args)
    policy = output_policy(args, str(spec))
    policy.check(args.output)  # before any work: a bad -o costs nothing
    result = render_spec(
        spec,
        args.output,
        format=fmt,
        rankdir=args.rankdir,
        blocks=args.blocks,
        applications=args.applications,
        shapes=args.shapes,
        shapes_on=args.shapes_on,
        layout=args.layout,
        dpi=args.dpi,
        params=overrides,
        policy=policy,
        max_boxes=MAX_DRAWN_NODES if args.max_nodes is None else args.max_nodes,
    )
    bound = result.bound
    if bound is not None and bound.collapsed:
        print(
            f"graphspec render: note: {bound.expanded:,} boxes expanded is more than the "
            f"{args.max_nodes or MAX_DRAWN_NODES:,} drawn at once: blocks are drawn collapsed "
            f"({bound.boxes:,} boxes); --max-nodes {bound.expanded} draws every node",
            file=sys.stderr,
        )
    elif bound is not None and args.blocks == "auto" and bound.blocks == "collapse":
        print(
            f"graphspec render: note: {bound.expanded:,} boxes expanded is more than "
            f"{AUTO_COLLAPSE_BOXES}: blocks are drawn collapsed ({bound.boxes:,} boxes); "
            "--blocks expand draws every node",
            file=sys.stderr,
        )
    print_diagnostics(result.diagnostics, "text", sys.stderr)
    print(f"wrote {args.output}" + ("" if result.ok else " (the spec has errors, drawn in red)"))
    return EXIT_OK if result.ok else EXIT_INVALID


def _doctor_args(p: argparse.ArgumentParser) -> None:
    del p


def _version(names: tuple[str, ...]) -> str:
    import importlib.metadata

    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


def _dot_version() -> str:
    import shutil
    import subprocess

    from graphspec.backends.diagram.dot import DOT_MISSING

    exe = shutil.which("dot")
    if exe is None:
        return f"not found ({DOT_MISSING})"
    try:
        done = subprocess.run([exe, "-V"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as err:
        return f"found at {exe} but it did not run: {err}"
    text = (done.stderr or done.stdout).strip()
    return f"{text} ({exe})" if text else f"found at {exe} (no version reported)"


def _backend_row() -> str:
    from graphspec.backends.keras.select import BackendError, requested_backend

    try:
        return f"{requested_backend()} (--backend or KERAS_BACKEND to change)"
    except BackendError as err:
        return str(err)


@command(
    "doctor",
    "report the versions of Python, graphspec, its dependencies and Graphviz",
    _doctor_args,
)
def run_doctor(args: argparse.Namespace) -> int:

    import platform

    del args
    rows = [
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("graphspec", VERSION),
    ]
    rows += [(label, _version(names)) for label, names in _PACKAGES[:4]]
    rows.append(("graphviz dot", _dot_version()))
    rows += [(label, _version(names)) for label, names in _PACKAGES[4:]]
    rows.append(("keras backend", _backend_row()))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return EXIT_OK
