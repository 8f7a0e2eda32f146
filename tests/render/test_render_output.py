"""Diagrams: SVG content, DOT and Mermaid sources, formats, atomic writes, missing ``dot``."""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

from graphspec.backends.diagram import (
    FORMATS,
    format_for,
    render_spec,
    render_svg,
    repr_mimebundle,
    to_dot,
    to_mermaid,
)
from graphspec.errors import GraphvizNotFoundError, SpecError, UsageError

SPECS = Path(__file__).resolve().parents[2] / "specs"
SKIP = SPECS / "seed_skip.yaml"
BAD = SPECS / "bad" / "seed_skip_original.yaml"
RESNET = SPECS / "resnet_mini.yaml"
SIAMESE = SPECS / "siamese.yaml"
NODE_GROUP = re.compile(r'<g id="node_n\d+" class="node[^"]*">')


def _need(path: Path) -> Path:
    assert path.is_file(), f"{path} is missing: the shipped specs are part of the package's tests"
    return path


@pytest.fixture(scope="module")
def skip_svg() -> str:
    return render_svg(SKIP)


def test_svg_shows_names_types_shapes_params_and_title(skip_svg: str) -> None:
    ET.fromstring(skip_svg)  # well-formed XML
    for text in ("conv1", "shortcut", "probs", "Conv2D", "MaxPooling2D", "Dense"):
        assert f">{text}<" in skip_svg
    assert "(None, 14, 14, 64)" in skip_svg
    assert "320 params" in skip_svg
    assert "32 filters" in skip_svg
    assert ">seed_skip<" in skip_svg
    assert "compiles as functional" in skip_svg
    assert len(NODE_GROUP.findall(skip_svg)) == 11


def test_skip_path_and_io_are_distinct() -> None:
    source = to_dot(SKIP)
    skip_edges = [line for line in source.splitlines() if "style=dashed" in line and "->" in line]
    assert {line.split("[")[0].strip() for line in skip_edges} == {"n3 -> n4", "n4 -> n7"}
    assert re.search(r"n0 \[.*penwidth=2 style=filled", source)  # input: square, bold
    assert re.search(r"n10 \[.*peripheries=2", source)  # output: double border
    assert "skip / shortcut" in source


def test_identity_shortcut_is_a_skip_edge() -> None:
    text = """
    inputs: {x: {shape: [8]}}
    nodes:
      a: {type: Dense, units: 8}
      b: {type: Dense, units: 8}
      add: {type: Add}
    edges: [x -> a -> b -> add, x -> add]
    """
    dashed = [ln for ln in to_dot(textwrap.dedent(text)).splitlines() if "style=dashed" in ln]
    assert len(dashed) == 1 and dashed[0].strip().startswith("n0 -> n3")


def _edge_lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if " -> " in line]


def test_each_shape_is_shown_once_and_no_shapes_hides_them() -> None:
    default = to_dot(SKIP)
    assert "(None, 14, 14, 64) ·" in default
    assert not any("14×14×64" in line for line in _edge_lines(default))
    on_edges = to_dot(SKIP, shapes_on="edges")
    assert any("14×14×64" in line for line in _edge_lines(on_edges))
    assert "(None, 14, 14, 64) ·" not in on_edges and "(None, 10) ·" in on_edges  # the output
    both = to_dot(SKIP, shapes_on="both")
    assert "(None, 14, 14, 64) ·" in both and "14×14×64" in both
    with pytest.raises(UsageError, match=r"shapes_on must be one of boxes, edges, both"):
        to_dot(SKIP, shapes_on="nowhere")
    hidden = to_dot(SKIP, shapes=False)
    assert 'label=<<FONT POINT-SIZE="8"' not in hidden and "(None, 14, 14, 64) ·" not in hidden
    assert "18,496 params" in hidden


def test_sequential_title() -> None:
    text = "inputs: {x: {shape: [4]}}\nnodes: {d: {type: Dense, units: 2}}\n"
    assert "compiles as Sequential" in to_dot(text)


def test_bad_spec_is_drawn_with_a_red_node_and_a_note(tmp_path: Path) -> None:
    out = tmp_path / "bad.svg"
    result = render_spec(_need(BAD), out)
    assert not result.ok and out.exists()
    svg = out.read_text()
    assert "error E501" in svg
    assert 'class="node gsnote"' in svg
    # the fault is drawn at `shortcut`, the layer that set the wrong width, not at `add`
    boxes = re.findall(r'<g id="node_n\d+" class="node[^"]*">.*?</g>\s*</g>', svg, re.S)
    (shortcut,) = [b for b in boxes if 'xlink:title="shortcut&#10;' in b]
    (add,) = [b for b in boxes if 'xlink:title="add&#10;' in b]
    assert 'stroke="#d7301f"' in shortcut and 'stroke="#d7301f"' not in add
    assert re.search(r"n3 -> n4 \[color=\"#d7301f\"", result.dot)  # pool1 -> shortcut
    assert "does not compile: 1 error" in result.dot and "compiles as functional" not in result.dot


def test_shared_layers_are_linked() -> None:
    source = to_dot(_need(SIAMESE))
    links = [ln for ln in source.splitlines() if "shares weights" in ln and "dir=none" in ln]
    assert len(links) == 3 and all("constraint=false" in ln for ln in links)


def test_resnet_clusters_expand_and_collapse() -> None:
    source = to_dot(_need(RESNET))
    assert "stage1: residual ×2" in source and "copy 2/2" in source
    assert "down2: downsample" in source
    assert source.count("subgraph cluster_") >= 8
    collapsed = to_dot(RESNET, blocks="collapse")
    assert "subgraph cluster_" not in collapsed
    assert "block residual ×2" in collapsed and "(None, 16, 16, 32) → (None, 8, 8, 64)" in collapsed


def test_mermaid_output() -> None:
    text = to_mermaid(SKIP, rankdir="LR")
    assert text.startswith("---\ntitle:") and "flowchart LR" in text
    assert "n3 -.->" in text and "n0 -->" in text
    assert "classDef conv" in text and "<b>conv1</b>" in text
    assert 'subgraph c0["stage1: residual #215;2"]' in to_mermaid(_need(RESNET))


def test_formats_from_extension_and_option(tmp_path: Path) -> None:
    assert set(FORMATS) >= {"svg", "png", "pdf", "dot", "mmd"}
    assert format_for("a.PNG") == "png" and format_for("a.gv") == "dot"
    with pytest.raises(UsageError):
        format_for("a.txt")
    png = render_spec(SKIP, tmp_path / "m.png")
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.format == "png"
    render_spec(SKIP, tmp_path / "m.pdf")
    assert (tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")
    render_spec(SKIP, tmp_path / "m.out", format="mmd")
    assert "flowchart TB" in (tmp_path / "m.out").read_text()
    render_spec(SKIP, tmp_path / "m.dot")
    assert (tmp_path / "m.dot").read_text().startswith("digraph")


def test_bad_options() -> None:
    with pytest.raises(UsageError):
        render_spec(SKIP, rankdir="XY")
    with pytest.raises(UsageError):
        render_spec(SKIP, blocks="fold")


def test_escaping_hostile_names_and_values() -> None:
    nasty = 'a"b\\c<d>&e:{f}|g\nh'
    long = "L" * 80
    spec = {
        "name": 'x<y>&"z',
        "inputs": {'in"put': {"shape": [4]}},
        "nodes": {
            nasty: {"type": "Dense", "units": 3, "inputs": ['in"put']},
            long: {"type": "Activation", "activation": '<b>"x\\', "inputs": [nasty]},
        },
    }
    svg = render_svg(json.dumps(spec, indent=1))  # JSON is YAML
    ET.fromstring(svg)
    assert len(NODE_GROUP.findall(svg)) == 3
    assert "a&quot;b\\c&lt;d&gt;&amp;e:{f}|g↵h" in svg
    assert "L" * 39 + "…" in svg
    assert "L" * 80 in svg  # the full name stays in the tooltip
    assert "<b>" not in svg and "x&lt;y&gt;&amp;&quot;z" in svg


def test_unloadable_spec_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    out.write_text("old")
    with pytest.raises(SpecError):
        render_spec("inputs: [unclosed\n", out)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.svg"]


def test_failed_render_keeps_existing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "x.png"
    out.write_bytes(b"old")

    def boom(self: graphviz.Source, *args: object, **kwargs: object) -> bytes:
        raise graphviz.CalledProcessError(1, ["dot"], stderr=b"crash")

    monkeypatch.setattr(graphviz.Source, "pipe", boom)
    with pytest.raises(Exception, match="dot"):
        render_spec(SKIP, out, force=True)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.png"]


def test_missing_dot_writes_dot_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(self: graphviz.Source, *args: object, **kwargs: object) -> bytes:
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Source, "pipe", missing)
    out = tmp_path / "model.svg"
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz") as info:
        render_spec(SKIP, out)
    assert str(tmp_path / "model.dot") in str(info.value)
    assert not out.exists()
    assert (tmp_path / "model.dot").read_text().startswith("digraph")
    bundle = repr_mimebundle(SKIP)
    assert "text/markdown" in bundle and "image/svg+xml" not in bundle
    assert to_dot(SKIP).startswith("digraph")  # DOT source never needs the program


def test_mimebundle_with_dot() -> None:
    bundle = repr_mimebundle(SKIP)
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert "seed_skip" in bundle["text/plain"]


def test_top_level_render_still_callable_after_import(tmp_path: Path) -> None:
    import graphspec
    import graphspec.backends.diagram  # the package has its own name: graphspec.render stays a function

    result = graphspec.render(SKIP, tmp_path / "m.dot")
    assert result.format == "dot" and (tmp_path / "m.dot").exists()


def test_resnet_width_fault_is_drawn_at_the_conv_not_the_add(tmp_path: Path) -> None:
    spec = Path(__file__).resolve().parents[1] / "cascade" / "resnet_width_through_batchnorm.yaml"
    out = tmp_path / "resnet.svg"
    result = render_spec(spec, out)
    boxes = re.findall(r'<g id="node_n\d+" class="node[^"]*">.*?</g>\s*</g>', out.read_text(), re.S)
    red = {
        re.search(r'xlink:title="(\w+)&#10;', b).group(1)  # type: ignore[union-attr]  # every box has a title
        for b in boxes
        if 'stroke="#d7301f"' in b and 'xlink:title="' in b
    }
    assert red == {"conv_b", "probs"}  # the width fault at its cause; `sofmax` at probs
    assert "conv_b sets the last axis" in result.dot.replace("`", "")
