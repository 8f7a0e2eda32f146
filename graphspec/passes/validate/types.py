"""Checks of layer types and arguments against the Keras catalog (and registered user layers)."""

from __future__ import annotations

import difflib
import re
from typing import Any, Final

from graphspec.base.catalog import (
    FORBIDDEN_KEYS,
    FORBIDDEN_LAYERS,
    NESTED_LAYER_ARGS,
    NESTED_ONLY_REASON,
    RESERVED_LAYER_ARGS,
    LayerSignature,
    cell_names,
    hub_installed,
    hub_left_out,
    is_hub_layer,
    layer_names,
    layer_signature,
    named_objects,
    object_kind,
)
from graphspec.base.custom_layers import (
    custom_layer_signature,
    custom_layers,
    takes_name,
    user_layer,
)
from graphspec.base.source import Path, describe_surprise
from graphspec.base.suggest import did_you_mean, suggest
from graphspec.errors import Severity
from graphspec.ir.graph import IRNode
from graphspec.passes.validate.context import CheckContext, graph_check
from graphspec.passes.validate.values import check_arg_value, yaml_text

__all__ = ["check_named_object"]


_LAMBDA_HINT = (
    'write what it computes as an expression node, e.g. `t: {expr: "transpose(x, [0, 2, 3, 1])"}` '
    "(`graphspec: 1.1`; the functions are listed in docs/spec-format.md)"
)


@graph_check("types")
def _check_types(c: CheckContext) -> None:
    hub: list[IRNode] = []
    for node in c.graph.layers:
        if node.broken or not node.is_layer:
            continue
        if node.share:
            owner = c.typed.get(node.share)
            if owner is not None:
                c.typed[node.name] = owner
            continue
        sig = _check_type(c, node, node.type, (*node.spec_path, "type"))
        if sig is not None and sig.type in cell_names():
            c.report(
                "E520",
                f"node `{node.name}`: `{sig.type}` cannot be a node: {NESTED_ONLY_REASON}",
                node=node,
                path=(*node.spec_path, "type"),
                hint=f"write `type: RNN, cell: {{type: {sig.type}, ...}}`",
            )
            continue
        if sig is not None:
            c.typed[node.name] = sig
            if is_hub_layer(sig.type):
                hub.append(node)
    if hub and not hub_installed():
        _hub_missing(c, hub)


def _hub_missing(c: CheckContext, nodes: list[IRNode]) -> None:
    """E210, once: KerasHub layers are named and KerasHub is not installed here."""
    first = nodes[0]
    others = f" (and {', '.join(f'`{n.name}`' for n in nodes[1:4])}" if len(nodes) > 1 else ""
    others += " …)" if len(nodes) > 4 else (")" if others else "")
    c.report(
        "E210",
        f"node `{first.name}`{others}: {first.type} is a KerasHub layer, and KerasHub is not "
        "installed here",
        node=first,
        path=(*first.spec_path, "type"),
        hint="pip install 'graphspec[hub]' (or keras-hub)",
    )


def _check_type(c: CheckContext, node: IRNode, type_name: Any, path: Path) -> LayerSignature | None:
    if type_name is None:
        c.report(
            "E200",
            f"node `{node.name}` has no `type`",
            node=node,
            path=path[:-1],
            key=True,
            hint="give a Keras layer class (`type: Dense`), `share: NODE` or `block: NAME`",
        )
        return None
    if not isinstance(type_name, str):
        c.report("E201", f"node `{node.name}`: `type` must be a string", node=node, path=path)
        return None
    custom = custom_layer_signature(type_name)
    if custom is not None:
        if not takes_name(type_name):
            _unnamable(c, node, type_name, path)
        return custom
    if type_name in FORBIDDEN_LAYERS:
        c.report(
            "E204",
            f"node `{node.name}`: layer type `{type_name}` is not allowed in a spec: "
            f"{FORBIDDEN_LAYERS[type_name]}",
            node=node,
            path=path,
            hint=_FORBIDDEN_HINTS.get(type_name, _DECLARE),
        )
        return None
    left_out = hub_left_out(type_name)
    if left_out is not None and layer_signature(type_name) is None:
        c.report(
            "E204",
            f"node `{node.name}`: KerasHub's `{type_name}` cannot be a node: {left_out}",
            node=node,
            path=path,
        )
        return None
    if any(mark in type_name for mark in ".:>/"):
        c.report(
            "E204",
            f"node `{node.name}`: `{type_name}` is not a class of keras.layers; "
            "graphspec never imports modules named in a spec",
            node=node,
            path=path,
            hint=_dotted_hint(type_name),
        )
        return None
    sig = layer_signature(type_name)
    if sig is None:
        c.report(
            "E201",
            f"node `{node.name}`: unknown layer type `{type_name}`",
            node=node,
            path=path,
            hint=_unknown_hint(type_name),
        )
    return sig


_DECLARE: Final = (
    "a layer class of your own is named once you declare its package: `--layers MODULE`, "
    "GRAPHSPEC_LAYERS=MODULE or `[tool.graphspec] layers` in pyproject.toml (docs/security.md)"
)
_FORBIDDEN_HINTS: Final = {
    "Lambda": _LAMBDA_HINT,
    "InputLayer": "declare it under `inputs:`, e.g. `inputs: {x: {shape: [28, 28, 1]}}`",
    "Wrapper": "use one of its subclasses: Bidirectional, TimeDistributed",
}
"""Refused classes whose hint is not "declare your package" (it would not help)."""


def _unknown_hint(type_name: str) -> str:
    """A typo gets its "did you mean"; another name (`Scale`, not `LayerScale`) also hears how a
    layer of one's own becomes a type."""
    names = [*layer_names(), *custom_layers()]
    found = did_you_mean(type_name, names)
    close = difflib.get_close_matches(type_name, names, n=1, cutoff=_TYPO)
    if found and close:
        return found
    own = "a layer class of your own is named once its package is declared: `--layers MODULE`"
    if found:
        return f"{found} Or: {own}"
    return f"types are class names from keras.layers (Dense, Conv2D) or KerasHub; {own}"


_TYPO: Final = 0.8
"""Similarity (difflib's ratio) from which an unknown type is taken for a typo of a known one."""


def _dotted_hint(type_name: str) -> str:
    """For ``mypkg.Scale``: declare ``mypkg``, then write ``type: Scale``."""
    module, _, name = (
        type_name.replace(":", ".").replace(">", ".").replace("/", ".").rpartition(".")
    )
    if module and name[:1].isupper() and name.isidentifier():
        top = module.split(".")[0]
        return (
            f"if `{name}` is a layer class of your own package, declare the package (e.g. "
            f"`--layers {top}`, GRAPHSPEC_LAYERS={top} or `[tool.graphspec] layers = "
            f'["{top}"]` in pyproject.toml) and write `type: {name}`'
        )
    return "use a class name from keras.layers, e.g. Dense, Conv2D"


def _unnamable(c: CheckContext, node: IRNode, type_name: str, path: Path) -> None:
    """E209: graphspec names every layer, and this class's constructor takes no ``name``."""
    entry = user_layer(type_name)
    where = entry.qualname if entry is not None else type_name
    c.report(
        "E209",
        f"node `{node.name}`: {where}.__init__ takes no `name`, and graphspec names every "
        "layer after its node",
        node=node,
        path=path,
        hint=f"add `**kwargs` to {type_name}.__init__ and pass them on: "
        "`super().__init__(**kwargs)` (Keras needs it to load a saved model too)",
    )


@graph_check("arguments")
def _check_arguments(c: CheckContext) -> None:
    # Without YAML 1.1 surprises (located, so node by node) or failed `${...}`, what a layer's
    # arguments are checked for depends on its type and their values alone: once for each.
    memo = not c.source.surprises
    for node in c.graph.layers:
        sig = c.typed.get(node.name)
        if sig is None or node.share:
            continue
        key = (sig.type, c.graph.arguments_key(node)) if memo and not node.failed_args else None
        if node.sized:  # values read from shapes are checked once computed (shapes pass)
            key = None
        if key in c.clean:
            continue
        found = len(c.diagnostics)
        _check_args(
            c,
            node,
            sig,
            node.args,
            node.spec_path,
            skip=node.failed_args,
            sized=frozenset(node.sized),
        )
        if key is not None and len(c.diagnostics) == found:
            c.clean.add(key)


def _check_args(
    c: CheckContext,
    node: IRNode,
    sig: LayerSignature,
    args: dict[str, Any],
    path: Path,
    *,
    skip: frozenset[str] = frozenset(),
    sized: frozenset[str] = frozenset(),
) -> None:
    """The arguments' names and values; the values of ``sized`` ones (read from node shapes)
    are checked by the shapes pass once computed."""
    misspelt: set[str] = set()  # required names an unknown key was a typo of
    for key, value in args.items():
        if key in skip:  # its `${...}` failed, reported where it was written
            continue
        apath = (*path, key)
        if key in FORBIDDEN_KEYS:
            c.report(
                "E206",
                f"node `{node.name}`: `{key}` is not accepted: specs never name code to import",
                node=node,
                path=apath,
                key=True,
                hint="write the layer's own arguments; custom layers are registered from Python",
            )
            continue
        if key in RESERVED_LAYER_ARGS and key not in sig.args:
            c.report(
                "E205",
                f"node `{node.name}`: `{key}` cannot be set in a spec: {RESERVED_LAYER_ARGS[key]}",
                node=node,
                path=apath,
                key=True,
            )
            continue
        if not sig.accepts(key):
            head, colon, rest = key.partition(":")
            if colon and sig.accepts(head) and head not in args:  # `{units:4}` in flow style
                c.report(
                    "E202",
                    f"node `{node.name}`: missing space after `:` in `{key}`",
                    node=node,
                    path=apath,
                    key=True,
                    hint=f"write `{head}: {rest}`: YAML reads `{key}` as one word",
                )
                misspelt.add(head)
                continue
            settable = [n for n in sig.all_names() if n not in RESERVED_LAYER_ARGS or n in sig.args]
            meant = suggest(key, settable)
            misspelt.update(m for m in meant if m in sig.required and m not in args)
            c.report(
                "E202",
                f"node `{node.name}`: {sig.type} has no argument `{key}`",
                node=node,
                path=apath,
                key=True,
                hint=did_you_mean(key, settable) or f"{sig.type} takes: {', '.join(settable)}",
            )
            continue
        if key not in sized:
            _check_value(c, node, sig, key, value, apath)
    for name in sig.required:
        if name not in args and name not in misspelt:  # the typo's hint already names it
            c.report(
                "E207",
                f"node `{node.name}`: {sig.type} needs the argument `{name}`",
                node=node,
                path=path,
                key=True,
                hint=f"add `{name}: ...`",
            )


def _check_value(
    c: CheckContext, node: IRNode, sig: LayerSignature, key: str, value: Any, path: Path
) -> None:
    surprise = c.source.surprises.get(path)
    info = sig.arg(key)
    default = info.default if info else None
    if surprise is not None:
        benign = surprise.kind == "bool" and isinstance(default, bool)
        text, hint = describe_surprise(surprise)
        c.report(
            "W106" if benign else "E106",
            f"node `{node.name}`, `{key}`: {text}",
            node=node,
            path=path,
            hint=hint,
            severity=Severity.WARNING if benign else Severity.ERROR,
        )
        if not benign:
            return
    nested = NESTED_LAYER_ARGS.get(sig.type, ())
    if key in nested:
        _check_nested(c, node, key, value, path)
        return
    kind = object_kind(key)
    if kind is not None:
        check_named_object(c, node, key, value, kind, path)
        return
    if isinstance(value, dict):
        c.report(
            "E203",
            f"node `{node.name}`: `{key}` of {sig.type} takes a plain value, not a mapping",
            node=node,
            path=path,
            hint="mappings are accepted only for nested layers, initializers, regularizers "
            "and constraints",
        )
        return
    _check_type_of(c, node, sig, key, value, default, path)


def _check_type_of(
    c: CheckContext,
    node: IRNode,
    sig: LayerSignature,
    key: str,
    value: Any,
    default: Any,
    path: Path,
) -> None:
    info = sig.arg(key)
    problem = check_arg_value(sig.type, key, value, default, required=bool(info and info.required))
    if problem is None:
        return
    c.report(
        "E203",
        f"node `{node.name}`: `{key}` of {sig.type} must be {problem.expected}; "
        f"found {yaml_text(value)}",
        node=node,
        path=path,
        hint=_division_hint(c, value, path) or problem.hint,
    )


_TRUE_DIVISION: Final = re.compile(r"(?<!/)/(?!/)")
_EXPRESSION: Final = re.compile(r"\$\{[^{}]*\}")


def _division_hint(c: CheckContext, value: Any, path: Path) -> str | None:
    """``${width / 3}`` gave a float where a whole number is wanted: ``//`` divides to one."""
    if not isinstance(value, float):
        return None
    written = c.source.text_of(path) or ""
    found = _EXPRESSION.search(written)
    if found is None or not _TRUE_DIVISION.search(found.group(0)):
        return None
    fixed = _TRUE_DIVISION.sub("//", found.group(0))
    return f"`/` always gives a float ({value!r}); `//` divides to a whole number: `{fixed}`"


def check_named_object(
    c: CheckContext, node: IRNode, key: str, value: Any, kind: str, path: Path
) -> None:
    """E206/E208: ``value`` of ``key`` names one of ``keras.<kind>`` (``he_normal``, or
    ``{type: RandomNormal, stddev: 0.02}``), never code to import."""
    if value is None:
        return
    name = value.get("type") if isinstance(value, dict) else value
    if isinstance(value, dict):
        bad = sorted(FORBIDDEN_KEYS & set(value))
        if bad:
            c.report(
                "E206",
                f"node `{node.name}`: `{key}` may not hold `{bad[0]}`: specs never name code "
                "to import",
                node=node,
                path=(*path, bad[0]),
                key=True,
                hint=f"write `{{type: NAME, ...arguments}}` with a name from keras.{kind}",
            )
            return
    if not isinstance(name, str):
        c.report(
            "E208",
            f"node `{node.name}`: `{key}` must name one of keras.{kind}; found {value!r}",
            node=node,
            path=path,
            hint=f"e.g. {', '.join(named_objects(kind)[:4])}",
        )
        return
    if name not in named_objects(kind):
        c.report(
            "E208",
            f"node `{node.name}`: `{key}`: `{name}` is not one of keras.{kind}",
            node=node,
            path=path,
            hint=did_you_mean(name, named_objects(kind))
            or f"choose from: {', '.join(named_objects(kind))}",
        )


def _check_nested(c: CheckContext, node: IRNode, key: str, value: Any, path: Path) -> None:
    if value is None and key != "layer":
        return
    if key == "cells" and isinstance(value, list):  # StackedRNNCells: a list of cells
        for index, item in enumerate(value):
            _check_nested(c, node, "cell", item, (*path, index))
        return
    if not isinstance(value, dict) or "type" not in value:
        c.report(
            "E203",
            f"node `{node.name}`: `{key}` must be a layer mapping such as "
            "`{type: LSTM, units: 32}`",
            node=node,
            path=path,
        )
        return
    sig = _check_type(c, node, value["type"], (*path, "type"))
    name = value.get("name")
    if name is not None and (not isinstance(name, str) or not name or "/" in name):
        c.report(
            "E203",
            f"node `{node.name}`: the `name` of its nested `{key}` must be a non-empty string "
            f"without `/`; found {yaml_text(name)}",
            node=node,
            path=(*path, "name"),
            hint="leave it out: graphspec names a nested layer after its class (`gru`)",
        )
    if sig is not None:
        _check_args(c, node, sig, {k: v for k, v in value.items() if k not in _NESTED_KEYS}, path)


_NESTED_KEYS = ("type", "name")
"""Keys of a nested layer mapping that are not constructor arguments: its class and its name."""
