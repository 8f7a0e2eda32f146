"""Diagram quality: PNG resolution, port names, the U layout of encoder–decoder nets, labels."""

from __future__ import annotations

import struct
import textwrap
from pathlib import Path

import graphviz
import pytest

from graphspec.backends.diagram import render_spec, to_dot, to_mermaid
from graphspec.backends.diagram.labels import key_args
from graphspec.errors import UsageError

SPECS = Path(__file__).resolve().parents[2] / "specs"
UNET = SPECS / "unet.yaml"
RESNET = SPECS / "resnet_mini.yaml"
ORDERED = textwrap.dedent(
    """
    inputs: {a: {shape: [4, 8]}, b: {shape: [4, 8]}}
    nodes:
      mha: {type: MultiHeadAttention, num_heads: 2, key_dim: 4, inputs: [a, b, b]}
      sub: {type: Subtract, inputs: [mha, a]}
      cat: {type: Concatenate, inputs: [sub, b]}
      add: {type: Add, inputs: [cat, cat]}
    """
)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_dpi_scales_png_and_is_checked() -> None:
    low = _png_size(render_spec(SPECS / "seed_skip.yaml", format="png", dpi=72).data)
    default = _png_size(render_spec(SPECS / "seed_skip.yaml", format="png").data)
    assert default[0] == pytest.approx(2 * low[0], rel=0.02)
    assert default[1] == pytest.approx(2 * low[1], rel=0.02)
    assert "dpi=" not in render_spec(SPECS / "seed_skip.yaml", format="svg").text[:2000]
    with pytest.raises(UsageError, match=r"dpi must be a whole number from 36 to 600"):
        render_spec(SPECS / "seed_skip.yaml", format="png", dpi=5000)


def test_order_sensitive_inputs_are_named() -> None:
    source = to_dot(ORDERED)
    for port in ("query", "value", "key", "+", "−", "1", "2"):
        assert f"<B>{port}</B>" in source, port
    add_edges = [ln for ln in source.splitlines() if "-> n5" in ln]
    assert add_edges and not any("headlabel" in ln for ln in add_edges)  # Add is symmetric
    assert '"query' in to_mermaid(ORDERED)


def _positions(source: str) -> dict[str, tuple[float, float]]:
    """Box centres (x, y; y grows upward) from Graphviz's plain output, by box id."""
    plain = graphviz.Source(source).pipe(format="plain").decode()
    return {
        parts[1]: (float(parts[2]), float(parts[3]))
        for parts in (line.split() for line in plain.splitlines())
        if parts[0] == "node"
    }


def _box(source: str, label: str) -> str:
    for line in source.splitlines():
        if f"<B>{label}</B>" in line and "[" in line:
            return line.strip().split(" ", 1)[0]
    raise AssertionError(label)


def test_an_encoder_decoder_is_folded_into_a_u() -> None:
    source = to_dot(UNET)
    pos = _positions(source)
    enc1, cat1 = _box(source, "conv_b"), _box(source, "cat1")  # first conv_b is enc1's
    mask, image = _box(source, "mask"), _box(source, "image")
    assert pos[enc1][1] == pytest.approx(pos[cat1][1])  # a skip edge joins equal ranks
    assert pos[cat1][0] > pos[enc1][0]  # decoder beside the encoder
    assert pos[mask][1] > pos[_box(source, "up3")][1]  # the decoder climbs back up
    assert pos[image][0] < pos[mask][0]
    assert "dir=back" in source and "rank=same" in source
    chain = to_dot(UNET, layout="chain")
    assert "dir=back" not in chain
    # A residual net is not an encoder-decoder: its skips follow one another; no fold.
    assert "dir=back" not in to_dot(RESNET)


@pytest.mark.parametrize(
    ("layer", "args", "shown"),
    [
        ("UpSampling2D", {"size": 2}, ["up ×2"]),
        ("UpSampling2D", {"size": [2, 3], "interpolation": "bilinear"}, ["up 2×3", "bilinear"]),
        ("ZeroPadding2D", {"padding": 1}, ["pad 1"]),
        ("Cropping2D", {"cropping": [[1, 1], [2, 2]]}, ["crop (1,1)×(2,2)"]),
        ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, ["3×3", "depth ×2"]),
        ("LeakyReLU", {"negative_slope": 0.2}, ["slope 0.2"]),
        ("GaussianNoise", {"stddev": 0.1}, ["σ 0.1"]),
        ("Rescaling", {"scale": 0.5, "offset": -1}, ["×0.5", "-1"]),
        ("Permute", {"dims": [2, 1]}, ["perm (2, 1)"]),
        ("Bidirectional", {"layer": {"type": "GRU", "units": 32}}, ["GRU(32 units)"]),
        ("Conv2D", {"filters": 8, "kernel_size": 3, "strides": 1}, ["8 filters", "3×3"]),
        ("Resizing", {"height": 64, "width": 48, "interpolation": "bilinear"}, ["64×48"]),
        ("Resizing", {"height": 64, "width": 48, "interpolation": "nearest"}, ["64×48", "nearest"]),
        ("Dot", {"axes": [1, 2]}, ["axes (1, 2)"]),
        ("Masking", {"mask_value": 0.0}, ["mask 0.0"]),
    ],
)
def test_layer_labels(layer: str, args: dict[str, object], shown: list[str]) -> None:
    assert key_args(layer, args) == shown


def test_unknown_drawing_options_are_refused() -> None:
    with pytest.raises(UsageError, match=r"unknown drawing option 'colour' \(must be one of"):
        to_dot(SPECS / "seed_skip.yaml", colour="red")
    with pytest.raises(UsageError, match=r"layout must be one of auto, chain; got 'u'"):
        to_dot(UNET, layout="u")


def test_legend_rows_are_balanced() -> None:
    source = to_dot(SPECS / "seed_skip.yaml")
    legend = source.split('CELLSPACING="2"', 1)[1].split("</TABLE>", 1)[0]
    rows = [row.count("<TD") for row in legend.split("</TR>")[:-1]]
    assert len(rows) == 2 and rows[0] == rows[1]
