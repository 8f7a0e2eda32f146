"""Format 1.1 ``when:``: nodes a block's instances may leave out (no TensorFlow)."""

from __future__ import annotations

from graphspec import check, load, to_yaml
from graphspec.backends.codegen import generate_python

SPEC = """\
graphspec: 1.1
inputs: {img: {shape: [8, 8, 4]}}
blocks:
  mbconv:
    params: {expand: true, residual: false, filters: 4}
    names: "${instance}_${node}"
    nodes:
      expand_conv: {type: Conv2D, filters: 8, kernel_size: 1, when: "${expand}"}
      expand_relu: {type: ReLU, when: "${expand}"}
      dwconv:      {type: DepthwiseConv2D, kernel_size: 3, padding: same}
      project:     {type: Conv2D, filters: "${filters}", kernel_size: 1}
      add:         {type: Add, inputs: [x, project], when: "${residual}"}
nodes:
  b1:   {block: mbconv, expand: false}
  b2:   {block: mbconv, residual: true}
  b3:   {block: mbconv, residual: true, repeat: 2, names: "b${copy + 3}"}
  head: {type: GlobalAveragePooling2D}
"""


def _inputs(text: str) -> dict[str, list[str]]:
    result = check(text)
    assert result.ok, [d.format() for d in result.errors]
    return {
        n.layer_name: [result.graph.nodes[s].layer_name for s in n.inputs] for n in result.graph
    }


def test_a_node_left_out_is_replaced_by_its_input() -> None:
    inputs = _inputs(SPEC)
    assert "b1_expand_conv" not in inputs and "b1_add" not in inputs
    assert inputs["b1_dwconv"] == ["img"]  # the chain skips the left-out expansion
    assert inputs["b2_expand_conv"] == ["b1_project"]  # b1's output: `add` stood for `project`
    assert inputs["b2_add"] == ["b1_project", "b2_project"]
    assert inputs["b4_add"] == ["b3_add", "b4_project"]
    assert inputs["head"] == ["b4_add"]


def test_a_residual_add_left_out_stands_for_its_input_inside_the_block() -> None:
    """An `Add` of the block's input `x` and a node of the block stands for that node."""
    result = check(SPEC)
    assert result.shapes is not None and result.shapes.complete
    assert "b1.add" not in result.graph.nodes


def test_when_must_be_a_boolean() -> None:
    result = check(SPEC.replace("expand: false}", "expand: 0}"))
    assert [d.code for d in result.errors] == ["E411", "E411"]
    assert "`when` must be true or false; found 0" in result.errors[0].message


def test_a_node_with_nothing_to_stand_for_cannot_be_left_out() -> None:
    text = SPEC.replace("inputs: [x, project], when", "inputs: [x, x], when")
    result = check(text)
    assert "E411" in {d.code for d in result.errors}
    assert "nothing can take its place" in next(
        d.message for d in result.errors if d.code == "E411"
    )


def test_when_needs_format_1_1() -> None:
    text = (
        SPEC.replace("graphspec: 1.1", "graphspec: 1")
        .replace('    names: "${instance}_${node}"\n', "")
        .replace(', names: "b${copy + 3}"', "")
    )
    result = check(text)
    assert [d.code for d in result.errors] == ["E800"]
    assert "`when:` is format 1.1" in result.errors[0].message


def test_a_top_level_node_can_be_switched_off_by_a_param() -> None:
    text = (
        "graphspec: 1.1\nparams: {bn: false}\ninputs: {x: {shape: [4]}}\nnodes:\n"
        "  d: {type: Dense, units: 3}\n  norm: {type: BatchNormalization, when: '${bn}'}\n"
        "  out: {type: Dense, units: 2}\n"
    )
    assert _inputs(text)["out"] == ["d"]
    assert _inputs(text.replace("bn: false", "bn: true"))["out"] == ["norm"]


def test_yaml_and_codegen_keep_the_switches() -> None:
    text = to_yaml(load(SPEC))
    assert 'when: "${expand}"' in text
    assert to_yaml(load(text)) == text
    code = generate_python(check(SPEC))
    assert 'name="b4_add"' in code  # instances with left-out nodes are written layer by layer
    assert "b1_expand_conv" not in code
