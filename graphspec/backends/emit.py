"""Specs to canonical YAML: one flow-style line per node, aligned, in a fixed key order."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import yaml

from graphspec.frontend.loader import ScalarResolver
from graphspec.frontend.spec import BlockSpec, EdgeItem, InputSpec, NodeSpec, Spec, TrainSpec

__all__ = ["format_scalar", "format_value", "to_yaml"]

_INDENT: Final = "  "
_MAX_FLOW: Final = 100
"""A mapping longer than this on one line is written one key per line."""
_PLAIN: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*( ?-> ?[A-Za-z_][A-Za-z0-9_.\-]*)*$")
"""Strings written without quotes (then only if YAML reads them back as these very strings)."""
_RISKY_WORDS: Final = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_NODE_HEAD: Final = ("type", "share", "block", "expr", "model", "weight")
_NODE_TAIL: Final = ("repeat", "names", "when", "inputs", "call")
_STR_TAG: Final = "tag:yaml.org,2002:str"
_RESOLVER: Final[ScalarResolver] = yaml.resolver.Resolver()


def to_yaml(spec: Spec) -> str:
    """The spec as canonical YAML text; ``load(to_yaml(spec))`` holds the same data.

    >>> from graphspec import load
    >>> text = to_yaml(load("inputs: {x: {shape: [4]}}\\nnodes: {d: {type: Dense, units: 2}}"))
    >>> print(text, end="")
    graphspec: 1
    name: model
    inputs:
      x: {shape: [4]}
    nodes:
      d: {type: Dense, units: 2}
    """
    lines: list[str] = [f"graphspec: {spec.graphspec}"]
    lines += _spec_sections(spec, "")
    return "\n".join(lines) + "\n"


def _spec_sections(spec: Spec, indent: str) -> list[str]:
    lines: list[str] = []
    for key, write in _SECTIONS.items():
        value = getattr(spec, key)
        default = Spec.model_fields[key].default
        if value is None or (key not in _ALWAYS and (not value or value == default)):
            continue
        lines += write(key, value, indent)
    return lines


# -- sections -----------------------------------------------------------------------------------


def _scalar_line(key: str, value: Any, indent: str) -> list[str]:
    return [f"{indent}{key}: {format_value(value)}"]


def _mapping_section(key: str, value: Mapping[str, Any], indent: str) -> list[str]:
    """``params``: on one line when short, else one entry per line."""
    line = f"{indent}{key}: {format_value(dict(value))}"
    if len(line) <= _MAX_FLOW or not value:
        return [line]
    return [
        f"{indent}{key}:",
        *_aligned({k: format_value(v) for k, v in value.items()}, indent + _INDENT),
    ]


def _inputs_section(key: str, value: Mapping[str, InputSpec], indent: str) -> list[str]:
    rows = {name: format_value(_input_data(inp)) for name, inp in value.items()}
    return [f"{indent}{key}:", *_aligned(rows, indent + _INDENT)]


def _input_data(inp: InputSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"shape": list(inp.shape)}
    if inp.dtype != "float32":
        data["dtype"] = inp.dtype
    return data


def _nodes_section(key: str, value: Mapping[str, NodeSpec], indent: str) -> list[str]:
    """One aligned flow line per node; a node holding an inline model is written as a block."""
    lines = [f"{indent}{key}:"]
    rows: dict[str, str] = {}
    inner = indent + _INDENT
    for name, node in value.items():
        if not isinstance(node.model, dict):
            rows[name] = format_value(_node_data(node))
            continue
        lines += _aligned(rows, inner)
        rows = {}
        lines.append(f"{inner}{_key(name)}:")
        lines.append(f"{inner}{_INDENT}model:")
        lines += _spec_sections(Spec.model_validate(node.model), inner + _INDENT * 2)
        rest = {k: v for k, v in _node_data(node).items() if k != "model"}
        lines += [f"{inner}{_INDENT}{_key(k)}: {format_value(v)}" for k, v in rest.items()]
    return lines + _aligned(rows, inner)


def _node_data(node: NodeSpec) -> dict[str, Any]:
    """Reserved keys first (type, share, block), then the arguments, then repeat and inputs."""
    data: dict[str, Any] = {}
    for key in _NODE_HEAD:
        if getattr(node, key) is not None:
            data[key] = getattr(node, key)
    data.update(node.args)
    for key in _NODE_TAIL:
        if getattr(node, key) is not None:
            data[key] = getattr(node, key)
    return data


def _edges_section(key: str, value: list[EdgeItem], indent: str) -> list[str]:
    return [f"{indent}{key}:", *(f"{indent}  - {_edge(item)}" for item in value)]


def _edge(item: EdgeItem) -> str:
    if isinstance(item, str):
        return format_scalar(item)
    return format_value(list(item))


def _outputs_section(key: str, value: list[str] | dict[str, str], indent: str) -> list[str]:
    if isinstance(value, list):
        return [f"{indent}{key}: {format_value(value)}"]
    rows = {name: format_scalar(node) for name, node in value.items()}
    return [f"{indent}{key}:", *_aligned(rows, indent + _INDENT)]


def _blocks_section(key: str, value: Mapping[str, BlockSpec], indent: str) -> list[str]:
    lines = [f"{indent}{key}:"]
    inner = indent + _INDENT * 2
    for name, block in value.items():
        lines.append(f"{indent}{_INDENT}{_key(name)}:")
        if block.params or "params" in block.model_fields_set:
            lines += _mapping_section("params", block.params, inner)
        if block.inputs != ["x"] or "inputs" in block.model_fields_set:
            lines.append(f"{inner}inputs: {format_value(list(block.inputs))}")
        if block.names is not None:
            lines.append(f"{inner}names: {format_value(block.names)}")
        lines += _nodes_section("nodes", block.nodes, inner)
        if block.edges:
            lines += _edges_section("edges", block.edges, inner)
        if block.outputs is not None:
            lines.append(f"{inner}outputs: {format_value(list(block.outputs))}")
    return lines


def _train_section(key: str, value: TrainSpec, indent: str) -> list[str]:
    fields = [f for f in TrainSpec.model_fields if f in value.model_fields_set]
    lines = [f"{indent}{key}:"]
    lines += [f"{indent}{_INDENT}{f}: {format_value(getattr(value, f))}" for f in fields]
    return lines if fields else [f"{indent}{key}: {{}}"]


_SECTIONS: Final[dict[str, Callable[[str, Any, str], list[str]]]] = {
    "name": _scalar_line,
    "api": _scalar_line,
    "description": _scalar_line,
    "include": lambda key, value, indent: [f"{indent}{key}: {format_value(list(value))}"],
    "params": _mapping_section,
    "inputs": _inputs_section,
    "blocks": _blocks_section,
    "nodes": _nodes_section,
    "edges": _edges_section,
    "outputs": _outputs_section,
    "train": _train_section,
    "scales": _mapping_section,
    "search": _mapping_section,
    "constraints": lambda key, value, indent: [
        f"{indent}{key}:",
        *(f"{indent}{_INDENT}- {format_value(item)}" for item in value),
    ],
}
"""Top-level keys in the order written, each with its writer."""

_ALWAYS: Final = frozenset({"inputs", "nodes", "train"})
"""Sections written even when empty (they are required, or were given)."""


def _aligned(rows: Mapping[str, str], indent: str) -> list[str]:
    """``name: value`` rows with the values lined up (like the specs in ``specs/``)."""
    keys = {name: _key(name) + ":" for name in rows}
    width = max((len(k) for k in keys.values()), default=0)
    return [f"{indent}{keys[name].ljust(width)} {text}" for name, text in rows.items()]


def _key(name: str) -> str:
    return format_scalar(name)


# -- values -------------------------------------------------------------------------------------


def format_value(value: Any) -> str:
    """One value in YAML flow style.

    >>> format_value({"type": "Conv2D", "filters": 32, "kernel_size": [3, 3], "padding": "same"})
    '{type: Conv2D, filters: 32, kernel_size: [3, 3], padding: same}'
    >>> format_value({"epsilon": 1e-05, "rate": "1e-3", "flag": "on"})
    '{epsilon: 1.0e-05, rate: "1e-3", flag: "on"}'
    """
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(str(k))}: {format_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return format_scalar(value)


def format_scalar(value: Any) -> str:
    """A scalar that YAML 1.1 reads back as the same value and type.

    >>> [format_scalar(v) for v in (None, True, 3, 0.5, 1e-05, 1e20, "relu", "no", "012", "a: b")]
    ['null', 'true', '3', '0.5', '1.0e-05', '1.0e+20', 'relu', '"no"', '"012"', '"a: b"']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    text = str(value)
    if _plain_ok(text):
        return text
    if text.isprintable():
        return json.dumps(text, ensure_ascii=False)
    return yaml.safe_dump(text, default_style='"', width=math.inf, allow_unicode=False).strip()


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        if exponent[0] not in "+-":
            exponent = "+" + exponent
        text = f"{mantissa}e{exponent}"
    return text


def _plain_ok(text: str) -> bool:
    if not _PLAIN.fullmatch(text) or text.lower() in _RISKY_WORDS:  # `$` allows a final \n
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG
