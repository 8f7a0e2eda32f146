"""Canonical YAML output: round trips for every shipped spec and every YAML 1.1 surprise."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from graphspec import load
from graphspec.backends.emit import format_scalar, format_value, to_yaml
from graphspec.frontend.loader import load_document

SPECS = sorted(Path("specs").glob("*.yaml")) + sorted(Path("specs/bad").glob("*.yaml"))

SURPRISES = [
    "no", "No", "on", "OFF", "yes", "y", "n", "true", "null", "~", "", " ", "1e-3", "1E5",
    "012", "0o12", "0x1F", "1:30", "1_000", "3", "-1.5", ".5", ".inf", "-.inf", ".nan",
    "${width}", "${width * 2}", "a: b", "a #b", "#x", "- x", "[x]", "{x}", "x,y", "'q'",
    '"dq"', "tab\there", "line\nbreak", "é", "a -> b", "a ->", "@x", "`x`", "!x", "&x",
    "*x", "%x", "|", ">", "?", "-", "x:", "2024-01-01", "<<", "=",
]  # fmt: skip


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_shipped_spec_round_trips(path: Path) -> None:
    spec = load(path)
    text = to_yaml(spec)
    again = load(text)
    assert again.model_dump() == spec.model_dump()
    assert to_yaml(again) == text


@pytest.mark.parametrize("value", SURPRISES)
def test_strings_read_back_as_the_same_strings(value: str) -> None:
    written = format_scalar(value)
    assert yaml.safe_load(f"k: {written}")["k"] == value
    assert load_document(f"k: [{written}]").data["k"] == [value]


@pytest.mark.parametrize(
    ("value", "written"),
    [(1e-05, "1.0e-05"), (0.001, "0.001"), (1e20, "1.0e+20"), (2.5e-10, "2.5e-10"),
     (1.0, "1.0"), (-0.0, "-0.0"), (math.inf, ".inf"), (-math.inf, "-.inf")],
)  # fmt: skip
def test_floats_read_back_as_floats(value: float, written: str) -> None:
    assert format_scalar(value) == written
    read = yaml.safe_load(f"k: {written}")["k"]
    assert isinstance(read, float) and read == value


def test_nan_reads_back_as_nan() -> None:
    assert math.isnan(yaml.safe_load(f"k: {format_scalar(math.nan)}")["k"])


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20))
def test_any_string_round_trips(value: str) -> None:
    assert yaml.safe_load(f"k: {format_scalar(value)}")["k"] == value


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_any_flow_value_round_trips(value: object) -> None:
    assert yaml.safe_load(f"k: {format_value(value)}")["k"] == value


def test_a_spec_using_every_section_round_trips() -> None:
    text = textwrap.dedent(
        """\
        name: "yes"
        description: "Tricky: 1e-3, no, ${x} # not a comment"
        params: {width: 8, rate: 1.0e-3, act: relu, sizes: [1, 2]}
        inputs:
          tokens: {shape: [null, 4], dtype: int32}
          "on": {shape: [4]}
        blocks:
          pair:
            params: {units: null}
            inputs: [a, b]
            nodes:
              cat: {type: Concatenate}
              fc: {type: Dense, units: "${units}"}
            edges: [[a, cat], b -> cat -> fc]
        nodes:
          emb: {type: Embedding, input_dim: 10, output_dim: "${width}", inputs: tokens}
          flat: {type: Flatten, inputs: [emb]}
          both: {block: pair, units: 4, inputs: [flat, "on"]}
          out: {type: Dense, units: 2, kernel_initializer: {type: HeNormal, seed: 1}}
        edges: [both -> out]
        outputs: {score: out}
        train: {optimizer: {type: Adam, learning_rate: 1.0e-4}, epochs: 2}
        """
    )
    spec = load(text)
    written = to_yaml(spec)
    assert load(written).model_dump() == spec.model_dump()
    assert to_yaml(load(written)) == written
    assert 'name: "yes"' in written
    assert "  emb:  {type: Embedding, input_dim: 10" in written  # aligned, type first
    assert "params: {width: 8, rate: 0.001, act: relu, sizes: [1, 2]}" in written
    assert "train:\n  optimizer: {type: Adam, learning_rate: 0.0001}\n  epochs: 2\n" in written


def test_keys_come_in_the_canonical_order() -> None:
    spec = load(Path("specs/resnet_mini.yaml"))
    keys = [line.split(":")[0] for line in to_yaml(spec).splitlines() if line[:1].isalpha()]
    assert keys == ["graphspec", "name", "params", "inputs", "blocks", "nodes"]


def test_to_yaml_is_spec_method() -> None:
    spec = load(Path("specs/seed_skip.yaml"))
    assert to_yaml(spec) == to_yaml(spec)
    assert "  - image -> conv1 -> conv2 -> pool1" in to_yaml(spec)
