"""Static FLOPs: every layer class counted (or its omission documented), the window arithmetic
checked by brute force, and the counts checked against XLA's ``cost_analysis()`` on JAX."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graphspec import check
from graphspec.passes.shapes import SHAPE_RULES
from graphspec.passes.shapes.flops import (
    FLOP_RULES,
    FREE,
    NOT_COUNTED,
    Uncountable,
    elements,
    window_taps,
)

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "scripts" / "flops_oracle.py"


def test_every_class_with_a_shape_rule_has_a_flop_rule() -> None:
    from graphspec.passes.shapes.registry import user_rule_names

    own = set(SHAPE_RULES) - user_rule_names()  # layer packages' rules: their FLOPs are unknown
    assert sorted(own - set(FLOP_RULES)) == []
    assert sorted(set(FLOP_RULES) - set(SHAPE_RULES)) == []


def test_classes_not_counted_say_why_and_are_not_free() -> None:
    assert NOT_COUNTED, "the registry lost its documented omissions"
    assert all(len(reason) > 40 for reason in NOT_COUNTED.values())
    assert not set(NOT_COUNTED) & FREE


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
@pytest.mark.parametrize("size", [1, 2, 5, 8, 13])
@pytest.mark.parametrize(
    ("kernel", "stride", "dilation"),
    [(1, 1, 1), (3, 1, 1), (3, 2, 1), (5, 3, 1), (3, 1, 2), (4, 2, 1)],
)
def test_window_taps_match_a_brute_force_count(
    padding: str, size: int, kernel: int, stride: int, dilation: int
) -> None:
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        out, before = (size - effective) // stride + 1, 0
    else:
        out = (size - 1) // stride + 1
        total = max((out - 1) * stride + effective - size, 0)
        before = effective - 1 if padding == "causal" else total // 2
    if out < 1:
        pytest.skip("the window does not fit")
    brute = sum(
        1
        for o in range(out)
        for j in range(kernel)
        if 0 <= o * stride + j * dilation - before < size
    )
    assert window_taps(size, out, kernel, stride, dilation, padding) == brute


def test_an_unknown_length_leaves_flops_unknown_with_the_reason() -> None:
    result = check(ROOT / "specs" / "seq2seq.yaml")
    flops = result.flops
    assert not flops.complete
    assert flops.nodes["encoder"] is None
    assert flops.reasons["encoder"] == "the number of time steps is unknown"
    with pytest.raises(Uncountable, match="unknown size"):
        elements((None, None, 8))


@pytest.mark.parametrize(
    "node",
    [
        "{type: FNetEncoder, intermediate_dim: 32}",
        "{type: RotaryEmbedding}",
        "{type: SinePositionEncoding}",
    ],
)
def test_kerashub_blocks_not_counted_are_unknown_never_zero(node: str) -> None:
    result = check(f"inputs: {{x: {{shape: [12, 16]}}}}\nnodes: {{n: {node}}}\n")
    assert result.ok
    assert result.flops.nodes["n"] is None and not result.flops.complete
    assert "not counted yet" in result.flops.reasons["n"]


def test_shared_layers_cost_every_call_and_nested_models_sum_their_nodes() -> None:
    result = check(ROOT / "specs" / "siamese.yaml")
    shared = [n for n in result.graph if n.share]
    assert shared
    for node in shared:
        assert result.flops.nodes[node.name] == result.flops.nodes[node.share]
    nested = check(ROOT / "specs" / "transfer_mobilenet.yaml")
    base = next(n for n in nested.graph if n.model is not None)
    inner = nested.flops.nodes[base.name]
    assert inner is not None and inner.flops > 100_000_000


def test_summary_json_has_flops_per_node_and_totals() -> None:
    from graphspec.backends.summary import summary_data

    data = summary_data(check(ROOT / "specs" / "seed_skip.yaml"))
    assert data["total_flops"] == sum(row["flops"] for row in data["nodes"])
    assert data["total_macs"] == sum(row["macs"] for row in data["nodes"])
    assert data["flops_complete"] is True


# -- the independent count: XLA on the JAX backend ---------------------------------------------

LAYERS = {
    "dense": ("[16]", "{type: Dense, units: 8, activation: relu}"),
    "dense-3d": ("[5, 16]", "{type: Dense, units: 8, activation: gelu}"),
    "einsum": (
        "[5, 16]",
        "{type: EinsumDense, equation: 'abc,cd->abd', output_shape: [5, 8], bias_axes: d}",
    ),
    "conv1d-causal": ("[10, 2]", "{type: Conv1D, filters: 4, kernel_size: 3, padding: causal}"),
    "conv2d-same-strided": (
        "[9, 9, 2]",
        "{type: Conv2D, filters: 4, kernel_size: 3, strides: 2, padding: same, activation: swish}",
    ),
    "conv2d-dilated": (
        "[8, 8, 2]",
        "{type: Conv2D, filters: 4, kernel_size: 3, dilation_rate: 2, padding: same}",
    ),
    "conv2d-groups": ("[8, 8, 4]", "{type: Conv2D, filters: 4, kernel_size: 3, groups: 2}"),
    "conv3d": ("[5, 5, 5, 2]", "{type: Conv3D, filters: 4, kernel_size: 3, padding: same}"),
    "conv2d-transpose": (
        "[5, 5, 2]",
        "{type: Conv2DTranspose, filters: 4, kernel_size: 3, strides: 2, padding: same}",
    ),
    "depthwise": ("[8, 8, 4]", "{type: DepthwiseConv2D, kernel_size: 3, depth_multiplier: 2}"),
    "separable": (
        "[8, 8, 4]",
        "{type: SeparableConv2D, filters: 6, kernel_size: 3, padding: same}",
    ),
    "maxpool": ("[8, 8, 4]", "{type: MaxPooling2D, pool_size: 3, strides: 2, padding: same}"),
    "avgpool": ("[8, 8, 4]", "{type: AveragePooling2D, pool_size: 3, strides: 1}"),
    "global-avg": ("[8, 8, 4]", "{type: GlobalAveragePooling2D}"),
    "adaptive-avg": ("[14, 14, 16]", "{type: AdaptiveAveragePooling2D, output_size: 4}"),
    "batchnorm": ("[10, 10, 8]", "{type: BatchNormalization}"),
    "layernorm": ("[10, 16]", "{type: LayerNormalization}"),
    "groupnorm": ("[10, 16]", "{type: GroupNormalization, groups: 4}"),
    "rmsnorm": ("[10, 16]", "{type: RMSNormalization}"),
    "softmax": ("[10, 16]", "{type: Softmax}"),
    "prelu": ("[10, 16]", "{type: PReLU}"),
    "resizing": ("[40, 40, 3]", "{type: Resizing, height: 32, width: 32}"),
    "upsampling-bilinear": ("[4, 4, 3]", "{type: UpSampling2D, size: 2, interpolation: bilinear}"),
    "simple-rnn": ("[5, 4]", "{type: SimpleRNN, units: 8}"),
    "gru": ("[5, 4]", "{type: GRU, units: 8}"),
    "conv-lstm": ("[3, 6, 6, 2]", "{type: ConvLSTM2D, filters: 4, kernel_size: 3, padding: same}"),
    "time-distributed": ("[5, 16]", "{type: TimeDistributed, layer: {type: Dense, units: 8}}"),
    "hub-transformer-encoder": (
        "[16, 32]",
        "{type: TransformerEncoder, intermediate_dim: 64, num_heads: 2, activation: gelu}",
    ),
    "hub-transformer-decoder": (
        "[16, 32]",
        "{type: TransformerDecoder, intermediate_dim: 64, num_heads: 2}",
    ),
}
"""One call per family of rules, each checked alone against XLA (make test)."""

TWO_INPUTS = {
    "mha": ("[7, 16]", "[3, 16]", "{type: MultiHeadAttention, num_heads: 2, key_dim: 8}"),
    "cached-mha": (
        "[7, 16]",
        "[3, 16]",
        "{type: CachedMultiHeadAttention, num_heads: 2, key_dim: 8}",
    ),
    "gqa": (
        "[7, 16]",
        "[3, 16]",
        "{type: GroupQueryAttention, head_dim: 8, num_query_heads: 4, num_key_value_heads: 2}",
    ),
    "hub-transformer-decoder-cross": (
        "[12, 32]",
        "[10, 32]",
        "{type: TransformerDecoder, intermediate_dim: 64, num_heads: 2}",
    ),
    "attention": ("[5, 16]", "[6, 16]", "{type: Attention, use_scale: true}"),
    "additive": ("[5, 16]", "[6, 16]", "{type: AdditiveAttention}"),
    "average": ("[10, 16]", "[10, 16]", "{type: Average}"),
    "dot": ("[10, 16]", "[10, 16]", "{type: Dot, axes: -1, normalize: true}"),
}


def _layer_specs(folder: Path) -> list[Path]:
    paths = []
    for name, (shape, node) in LAYERS.items():
        path = folder / f"layer-{name}.yaml"
        path.write_text(f"inputs: {{x: {{shape: {shape}}}}}\nnodes: {{n: {node}}}\n")
        paths.append(path)
    for name, (a, b, node) in TWO_INPUTS.items():
        path = folder / f"layer-{name}.yaml"
        text = f"""
            inputs: {{a: {{shape: {a}}}, b: {{shape: {b}}}}}
            nodes: {{n: {node[:-1]}, inputs: [a, b]}}}}
        """
        path.write_text(textwrap.dedent(text))
        paths.append(path)
    expr = folder / "layer-expr.yaml"
    expr.write_text(
        "graphspec: 1.1\ninputs: {x: {shape: [10, 16]}}\n"
        "nodes: {e: {expr: 'softmax(x * relu6(x + 3.0) / 6.0 @ transpose(x, [0, 2, 1]), axis=-1)'}}\n"
    )
    paths.append(expr)
    return paths


def _oracle(paths: list[Path]) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KERAS_BACKEND": "jax"}
    proc = subprocess.run(
        [sys.executable, str(ORACLE), "--json", "--specs", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
        cwd=ROOT,
    )
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == len(paths), proc.stderr[-3000:]
    return rows


@pytest.mark.keras
def test_every_rule_family_matches_xla(tmp_path: Path) -> None:
    rows = _oracle(_layer_specs(tmp_path))
    off = [r for r in rows if not r["within"]]
    assert off == [], off


SHIPPED = sorted(p for p in (ROOT / "specs").glob("*.yaml"))


@pytest.mark.slow  # a JAX compile per spec (MobileNetV2 for minutes): make test-all
@pytest.mark.keras
def test_every_shipped_spec_matches_xla() -> None:
    rows = _oracle(SHIPPED)
    assert [r for r in rows if not r["within"]] == []
