"""Property-based fuzzing: random and mutated specs never raise anything but graphspec's errors.

Each example goes load -> check (validate + shapes) -> summary -> DOT. Only
:class:`graphspec.errors.GraphSpecError` subclasses may escape, and each example has a deadline.
Bounded for CI (about 150 examples in all, derandomized); ``make fuzz`` runs the long,
coverage-guided fuzzer (tests/fuzz/fuzz_loader.py).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphspec.api import check, load
from graphspec.backends.diagram import to_dot
from graphspec.backends.diff import FORMATS, diff_checked, format_diff
from graphspec.backends.summary import summary_text
from graphspec.errors import GraphSpecError
from graphspec.frontend.schema import json_schema

SPECS = sorted((Path(__file__).parents[2] / "specs").glob("*.yaml"))
SCHEMA = json_schema()
_BASE = check(SPECS[0]) if SPECS else check("inputs: {x: {shape: [4]}}\nnodes: {d: {type: ReLU}}")
FUZZ = settings(
    derandomize=True,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


def pipeline(source: str | bytes) -> None:
    """Everything a user can do with a spec without Keras; only graphspec's errors may escape.

    ``graphspec diff`` too: a spec against itself is always equal, and against a fixed valid
    spec every output form is produced.
    """
    try:
        spec = load(source)
        result = check(spec)
        summary_text(result)
        to_dot(result)
    except GraphSpecError:
        return
    same = diff_checked(result, result)
    assert same.equal and not same.changed and not same.shape_changes, same.summary()
    against = diff_checked(_BASE, result)
    for fmt in FORMATS:
        format_diff(against, fmt)


# -- (a) specs generated from the JSON Schema -------------------------------------------------

NAMES = st.sampled_from(["x", "y", "d", "a", "b", "blk", "in", "out", "relu", "conv", "ä", ""])
STRINGS = st.one_of(
    st.sampled_from(["relu", "same", "${width}", "${width * 2}", "${1/0}", "x -> d", "1e-3"]),
    st.text(max_size=12),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    STRINGS,
)
LAYER_ARGS = st.dictionaries(
    st.sampled_from(
        [
            "units",
            "filters",
            "kernel_size",
            "rate",
            "activation",
            "padding",
            "axis",
            "strides",
            "pool_size",
            "use_bias",
            "kernel_initializer",
            "target_shape",
            "layer",
            "module",
        ]
    ),
    st.one_of(SCALARS, st.lists(st.integers(-3, 64), max_size=4)),
    max_size=4,
)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def from_schema(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """A small strategy for data that (mostly) fits a JSON Schema; leaves it often."""
    schema = _resolve(schema)
    if depth > 5:
        return SCALARS
    options: list[st.SearchStrategy[Any]] = []
    if "enum" in schema:
        options.append(st.sampled_from(schema["enum"]))
    if "const" in schema:
        options.append(st.just(schema["const"]))
    for sub in schema.get("anyOf", []) + schema.get("oneOf", []):
        options.append(from_schema(sub, depth + 1))
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        fixed = {k: from_schema(v, depth + 1) for k, v in props.items() if k in required}
        optional = {k: from_schema(v, depth + 1) for k, v in props.items() if k not in required}
        extra = schema.get("additionalProperties")
        obj = st.fixed_dictionaries(fixed, optional=optional)
        if isinstance(extra, dict):
            values = (
                LAYER_ARGS if extra.get("title") == "NodeSpec" else from_schema(extra, depth + 1)
            )
            obj = st.dictionaries(NAMES, values, max_size=4) if not props else obj
        elif extra is True or (not props and extra is None):
            obj = st.builds(lambda a, b: {**a, **b}, obj, LAYER_ARGS)
        options.append(obj)
    elif kind == "array":
        items = schema.get("items", {})
        options.append(st.lists(from_schema(items, depth + 1) if items else SCALARS, max_size=4))
    elif kind == "string":
        options.append(st.one_of(NAMES, STRINGS))
    elif kind == "integer":
        options.append(st.integers(min_value=-5, max_value=10**12))
    elif kind == "number":
        options.append(st.floats(allow_nan=False))
    elif kind == "boolean":
        options.append(st.booleans())
    elif kind == "null":
        options.append(st.none())
    if not options:
        options.append(SCALARS)
    return st.one_of(*options) if len(options) > 1 else options[0]


def _nodes_strategy() -> st.SearchStrategy[Any]:
    node = st.builds(
        lambda t, args, extra: {"type": t, **args, **extra},
        st.sampled_from(
            [
                "Dense",
                "ReLU",
                "Conv2D",
                "Add",
                "Flatten",
                "Dropout",
                "Reshape",
                "MaxPooling2D",
                "Concatenate",
                "Lambda",
                "os.system",
                "Bidirectional",
            ]
        ),
        LAYER_ARGS,
        st.fixed_dictionaries(
            {},
            optional={
                "inputs": st.one_of(NAMES, st.lists(NAMES, max_size=3)),
                "share": NAMES,
                "block": NAMES,
                "repeat": st.integers(-2, 20_000),
            },
        ),
    )
    return st.dictionaries(NAMES, node, max_size=5)


SPEC_DATA = st.one_of(
    from_schema(SCHEMA),
    st.builds(
        lambda head, nodes: {**head, "nodes": nodes} if isinstance(head, dict) else head,
        from_schema(SCHEMA),
        _nodes_strategy(),
    ),
)


@settings(FUZZ, max_examples=60)
@given(data=SPEC_DATA, as_json=st.booleans())
def test_schema_generated_specs(data: Any, as_json: bool) -> None:
    text = json.dumps(data) if as_json else yaml.safe_dump(data, allow_unicode=True)
    pipeline((text + "\n").encode("utf-8", "surrogatepass"))


# -- (b) mutations of the shipped specs ------------------------------------------------------

TEXTS = [p.read_text(encoding="utf-8") for p in SPECS]
ODD = st.sampled_from(
    [
        "\x00",
        "\t",
        "\ufeff",
        "\r\n",
        "é",
        "💥",
        "&a ",
        "*a",
        "!!python/name:os.system ",
        "<<: ",
        "{",
        "]",
        "- ",
        ": ",
        "---\n",
        "${",
        "}",
        "'",
        '"',
        "#",
        "?",
        "|",
        ">",
        "%YAML 1.1\n",
        "\\",
    ]
)


def _mutate_text(text: str, draw: st.DrawFn) -> str:
    op = draw(st.sampled_from(["truncate", "flip", "insert", "delete_line", "dup_line", "swap"]))
    lines = text.splitlines(keepends=True)
    if op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if op == "flip":
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        return text[:at] + draw(st.characters()) + text[at + 1 :]
    if op == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.one_of(ODD, st.text(max_size=8))) + text[at:]
    if not lines:
        return text
    i = draw(st.integers(0, len(lines) - 1))
    if op == "delete_line":
        return "".join(lines[:i] + lines[i + 1 :])
    if op == "dup_line":
        return "".join(lines[: i + 1] + lines[i:])
    j = draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*path, i))
    return out


def _mutate_data(text: str, draw: st.DrawFn) -> str:
    data = yaml.safe_load(text)
    paths = [p for p in _paths(data) if p]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            key = path[-1]
            op = draw(st.sampled_from(["delete", "rename", "duplicate", "swap", "scalar"]))
            if op == "delete":
                del parent[key]
            elif op == "rename" and isinstance(parent, dict):
                parent[draw(st.one_of(NAMES, st.text(max_size=6)))] = parent.pop(key)
            elif op == "duplicate" and isinstance(parent, dict):
                parent[f"{key}_copy"] = parent[key]
            elif op == "swap":
                other = draw(st.sampled_from(paths))
                value = data
                for part in other:
                    value = value[part]
                parent[key] = value
            else:
                parent[key] = draw(SCALARS)
        except (KeyError, IndexError, TypeError):
            continue
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@st.composite
def mutated_specs(draw: st.DrawFn) -> str | bytes:
    text = draw(st.sampled_from(TEXTS))
    if draw(st.booleans()):
        text = _mutate_data(text, draw)
    for _ in range(draw(st.integers(0, 3))):
        text = _mutate_text(text, draw)
    if draw(st.integers(0, 9)) == 0:
        raw = bytearray(text.encode("utf-8", "surrogatepass"))
        if raw:
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return bytes(raw)
    return text


@settings(FUZZ, max_examples=90)
@given(source=mutated_specs())
def test_mutated_shipped_specs(source: str | bytes) -> None:
    if isinstance(source, str):
        source = source.encode("utf-8", "surrogatepass")  # bytes: never mistaken for a path
    pipeline(source)


def test_shipped_specs_exist() -> None:
    assert len(SPECS) >= 3
