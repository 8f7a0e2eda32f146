"""The command-line options commands share (``--set``, ``--backend``, ``-o``, ``--force``, …)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphspec.backends.keras.packages import ENV_VAR as LAYERS_ENV_VAR
from graphspec.backends.keras.packages import declarations, load_packages
from graphspec.backends.keras.select import BACKENDS, ENV_VAR
from graphspec.base.source import Given
from graphspec.errors import SpecError, UsageError
from graphspec.frontend.loader import load_document
from graphspec.frontend.search import SCALE_KEY

if TYPE_CHECKING:
    from graphspec.base.output import OutputPolicy

__all__ = [
    "FORCE_HELP",
    "MKDIR_HELP",
    "add_backend_option",
    "add_format_option",
    "add_layers_option",
    "add_output_option",
    "add_set_option",
    "add_write_options",
    "load_layer_packages",
    "output_policy",
    "parse_overrides",
    "spec_params",
]


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """``--set k=v`` (repeatable): override spec-level params; and ``--allow-outside``."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a spec param (repeatable); VALUE is read as a YAML scalar",
    )
    parser.add_argument(
        "--scale",
        metavar="NAME",
        help="use the params of one of the spec's `scales:` (then --set on top)",
    )
    parser.add_argument(
        "--allow-outside",
        action="store_true",
        help="let `include:` and `model: FILE` name spec files outside the spec's folder tree",
    )
    add_layers_option(parser)


def add_layers_option(parser: argparse.ArgumentParser) -> None:
    """``--layers MODULE`` (repeatable) and ``--no-project-layers``: the user's layer packages."""
    parser.add_argument(
        "--layers",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE, your own layer package, so that specs can name its Keras layer "
        f"classes (repeatable; also ${LAYERS_ENV_VAR}=a,b and `[tool.graphspec] layers = [...]` "
        "in the nearest pyproject.toml); a spec alone never imports anything",
    )
    parser.add_argument(
        "--no-project-layers",
        action="store_true",
        help="ignore `[tool.graphspec] layers` of pyproject.toml files (flags and "
        f"${LAYERS_ENV_VAR} still apply)",
    )


_SPEC_ARGUMENTS = ("spec", "specs", "source")
"""The attributes a command keeps its spec (or model) paths in: each one's nearest
pyproject.toml may declare layer packages."""


def load_layer_packages(args: argparse.Namespace) -> None:
    """Import the layer packages this run declares (flags, environment, pyproject.toml files
    near its specs and the working directory); :class:`LayerPackageError` when one fails."""
    if not hasattr(args, "layers") or getattr(args, "_layers_later", False):
        return
    starts: list[Path] = []
    for attribute in _SPEC_ARGUMENTS:
        value = getattr(args, attribute, None)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and not item.startswith("keras.applications."):
                starts.append(Path(item))
    starts.append(Path.cwd())
    project = not getattr(args, "no_project_layers", False)
    load_packages(declarations(args.layers, starts=starts, project=project))


def add_backend_option(parser: argparse.ArgumentParser, *, select: bool = True) -> None:
    """``--backend tensorflow|jax|torch``: the Keras backend, set before Keras is imported.

    With ``select`` (commands that run Keras), :func:`main` checks that the backend is installed
    and sets ``KERAS_BACKEND`` before the command runs; otherwise only the name is checked.
    """
    parser.add_argument(
        "--backend",
        choices=tuple(BACKENDS),
        help=f"the Keras backend (default: ${ENV_VAR}, else tensorflow)",
    )
    parser.set_defaults(_select_backend=select)


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format text|json`` for diagnostics and reports."""
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output form")


FORCE_HELP = (
    "replace an existing output file that graphspec did not write, or that was changed since "
    "(graphspec's own unchanged outputs are refreshed without it; an input is never replaced)"
)
MKDIR_HELP = "create missing folders of output files"


def add_write_options(parser: argparse.ArgumentParser) -> None:
    """``--force`` and ``--mkdir``: the same two flags, with the same meaning, on every writer."""
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)
    parser.add_argument("--mkdir", action="store_true", help=MKDIR_HELP)


def add_output_option(
    parser: argparse.ArgumentParser,
    *,
    required: bool,
    metavar: str = "FILE",
    help: str = "the file to write",
) -> None:
    """``-o/--output`` plus ``--force`` and ``--mkdir`` (see :mod:`graphspec.base.output`)."""
    parser.add_argument("-o", "--output", required=required, metavar=metavar, help=help)
    add_write_options(parser)


def output_policy(args: argparse.Namespace, *inputs: str | None) -> OutputPolicy:
    """The output policy of one run: ``--force``/``--mkdir`` and the files it reads."""
    from graphspec.base.output import OutputPolicy  # only the commands that write need it

    command_name = getattr(args, "command", None) or "graphspec"

    def note(message: str) -> None:
        print(f"graphspec {command_name}: note: {message}", file=sys.stderr)

    return OutputPolicy(
        inputs=tuple(i for i in inputs if i),
        force=bool(getattr(args, "force", False)),
        mkdir=bool(getattr(args, "mkdir", False)),
        notify=note,
    )


def spec_params(args: argparse.Namespace) -> dict[str, Any]:
    """The params a command gives its specs: ``--set`` values, and ``--scale`` when given."""
    out = parse_overrides(args.overrides)
    scale = getattr(args, "scale", None)
    if scale is not None:
        out[SCALE_KEY] = scale
    return out


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``["width=64", "act=relu"]`` to ``{"width": Given(64, ...), ...}`` (values read safely).

    Each value remembers the ``--set`` argument it came from (diagnostics about it point
    there) and what YAML 1.1 made of surprising text such as ``1e-3``.

    >>> {k: v.value for k, v in parse_overrides(["width=64", "rate=0.5", "act=relu"]).items()}
    {'width': 64, 'rate': 0.5, 'act': 'relu'}
    >>> parse_overrides(["p=1e-3"])["p"].surprise.kind
    'float-string'
    """
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects NAME=VALUE; got {item!r}")
        surprise = None
        try:
            doc = load_document(raw or "''", "--set")
            value, surprise = doc.data, doc.source.surprises.get(())
        except SpecError:
            value = raw
        if isinstance(value, dict | list):
            raise UsageError(f"--set {name}: VALUE must be a single number or word; got {raw!r}")
        out[name.strip()] = Given(value, f"--set {item}", surprise)
    return out
