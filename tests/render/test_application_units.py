"""keras.applications models in diagrams: one expandable box by default, their layers on request."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from graphspec.backends.diagram import Bound, bounded_view, to_dot, to_mermaid, view_of
from graphspec.backends.diagram.boxes import Box, View
from graphspec.cli.main import main
from tests.test_light_imports import assert_never_imported

ROOT = Path(__file__).resolve().parents[2]
TRANSFER = ROOT / "specs" / "transfer_mobilenet.yaml"
SEQ2SEQ = ROOT / "specs" / "seq2seq.yaml"
B7 = """\
graphspec: 1.1
inputs: {image: {shape: [224, 224, 3]}}
nodes:
  base: {model: keras.applications.EfficientNetB7, include_top: false, pooling: avg}
  head: {type: Dense, units: 3}
"""
TWO_CALLS = """\
graphspec: 1.1
inputs: {a: {shape: [96, 96, 3]}, b: {shape: [96, 96, 3]}}
nodes:
  base:   {model: keras.applications.MobileNetV2, include_top: false, inputs: a}
  base_b: {share: base, inputs: b}
"""


def _named(view: View, name: str) -> Box:
    found = [box for box in view.boxes.values() if box.label == name]
    assert len(found) == 1, [b.label for b in view.boxes.values()]
    return found[0]


def _edge(view: View, src: str, dst: str) -> bool:
    return any(
        view.boxes[e.src].label == src and view.boxes[e.dst].label == dst for e in view.edges
    )


def test_an_application_is_one_expandable_box_by_default() -> None:
    _, view = view_of(TRANSFER)
    base = _named(view, "base")
    assert (base.kind, base.unit, base.type) == (
        "block",
        "base",
        "model keras.applications.MobileNetV2",
    )
    assert base.args == ["frozen", "⊞ 153 layers"]
    assert "--applications expand" in base.tooltip
    assert not view.clusters and len(view.boxes) == 6
    assert _edge(view, "scale", "base") and _edge(view, "base", "pool")
    assert "Conv1" not in to_dot(TRANSFER)


def test_expanded_an_application_is_a_cluster_of_its_layers_wired_to_the_parent() -> None:
    for style in ({"applications": "expand"}, {"toggled": frozenset({"base"})}):
        _, view = view_of(TRANSFER, **style)
        (cluster,) = view.clusters.values()
        assert (cluster.unit, cluster.label) == (
            "base",
            "base: model keras.applications.MobileNetV2 (frozen)",
        )
        conv1 = _named(view, "Conv1")
        assert conv1.cluster == cluster.id and conv1.type == "Conv2D"
        assert len(view.members(cluster.id)) == 153
        assert _edge(view, "scale", "Conv1") and _edge(view, "out_relu", "pool")
        assert not any(b.unit == "base" for b in view.boxes.values())
    # Toggled once more it folds again; --blocks does not decide for applications.
    _, view = view_of(TRANSFER, applications="expand", toggled=frozenset({"base"}))
    assert _named(view, "base").unit == "base"
    _, view = view_of(TRANSFER, applications="expand", blocks="collapse")
    assert _named(view, "Conv1").cluster is not None


def test_the_summary_line_counts_a_frozen_application_as_non_trainable() -> None:
    for style in ({}, {"applications": "expand"}):
        _, view = view_of(TRANSFER, **style)
        assert view.summary.startswith("2,259,265 parameters (1,281 trainable)")
    _, view = view_of(TRANSFER, applications="expand")
    assert "(0 trainable)" in _named(view, "Conv1").tooltip


def test_a_second_call_of_an_application_stays_one_box() -> None:
    _, view = view_of(TWO_CALLS, applications="expand")
    assert _named(view, "base_b").params.startswith("shares")
    assert len(view.clusters) == 1 and view.shares


def test_the_bound_counts_expanded_applications_and_folds_them() -> None:
    _, view, bound = bounded_view(B7)
    assert bound == Bound("expand", 3, 3)
    _, view, bound = bounded_view(B7, applications="expand")
    assert bound.expanded == len(view.boxes) > 800 and not bound.collapsed
    _, view, bound = bounded_view(B7, applications="expand", max_boxes=500)
    assert (bound.blocks, bound.boxes, bound.collapsed) == ("collapse", 3, True)
    _, view, bound = bounded_view(B7, toggled=frozenset({"base"}), max_boxes=500)
    assert bound.collapsed and _named(view, "base").unit == "base"


def test_render_cli_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.dot"
    assert main(["render", str(TRANSFER), "-o", str(out), "--applications", "expand"]) == 0
    assert ">Conv1<" in out.read_text()
    assert main(["render", str(TRANSFER), "-o", str(out), "--force"]) == 0
    assert ">Conv1<" not in out.read_text() and "⊞ 153 layers" in out.read_text()
    capsys.readouterr()
    assert main(["render", str(TRANSFER), "-o", str(out), "--applications", "open"]) == 2
    assert "invalid choice: 'open'" in capsys.readouterr().err


def test_expanding_an_application_never_imports_tensorflow(tmp_path: Path) -> None:
    argv = ["render", str(TRANSFER), "-o", str(tmp_path / "t.svg"), "--applications", "expand"]
    assert_never_imported(argv, ("tensorflow", "keras", "pygls"), statuses=(0,))
    assert "Conv1" in (tmp_path / "t.svg").read_text()


def test_parallel_edges_carry_their_port_names_in_their_own_labels() -> None:
    source = html.unescape(to_dot(SEQ2SEQ))
    for index, state in ((1, 0), (2, 1)):
        assert f'[{index}]</FONT> <FONT COLOR="#b35806">→ <B>initial_state[{state}]</B>' in source
    assert "headlabel" not in source  # nothing placed after layout, where labels can overlap
    assert '"initial_state[1] #183; [2]"' in to_mermaid(SEQ2SEQ)


@pytest.mark.keras
def test_the_collapsed_box_counts_what_keras_counts() -> None:
    keras = pytest.importorskip("keras")
    model = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(160, 160, 3)
    )
    _, view = view_of(TRANSFER)
    assert _named(view, "base").params == f"{model.count_params():,} params"
    inner = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    assert _named(view, "base").args[-1] == f"⊞ {len(inner)} layers"
    _, view = view_of(TRANSFER, applications="expand")
    (cluster,) = view.clusters
    assert {b.label for b in view.members(cluster)} == {layer.name for layer in inner}
