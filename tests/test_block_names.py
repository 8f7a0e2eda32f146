"""Format 1.1 ``names:`` templates: the Keras layer names of block instances (no TensorFlow)."""

from __future__ import annotations

import pytest

from graphspec import check, load
from graphspec.backends.codegen import generate_python

SPEC = """\
graphspec: 1.1
inputs: {img: {shape: [8, 8, 3]}}
blocks:
  unit:
    params: {filters: null, strides: 1, n: 7}
    names: "${instance}_${node}"
    nodes:
      1_conv: {type: Conv2D, filters: "${filters}", kernel_size: 3, strides: "${strides}", padding: same}
      1_relu: {type: ReLU}
      add:    {type: Add, inputs: [1_relu, 1_relu], names: "add_${n + 2 * copy}"}
nodes:
  conv2_block1: {block: unit, filters: 4, strides: 2}
  conv2_block2: {block: unit, filters: 4, repeat: 2, names: "conv2_block${copy + 2}", n: 10}
  pool:         {type: GlobalAveragePooling2D}
"""


def _names(text: str) -> dict[str, str]:
    result = check(text)
    assert result.ok, [d.format() for d in result.errors]
    return {n.name: n.layer_name for n in result.graph.nodes.values()}


def test_templates_name_every_layer_of_every_copy() -> None:
    names = _names(SPEC)
    assert names["conv2_block1.1_conv"] == "conv2_block1_1_conv"
    assert names["conv2_block1.add"] == "add_7"  # a node's own template wins over the block's
    assert names["conv2_block2.0.1_relu"] == "conv2_block2_1_relu"
    assert names["conv2_block2.1.1_conv"] == "conv2_block3_1_conv"  # the instance's template
    assert names["conv2_block2.1.add"] == "add_12"
    assert names["pool"] == "pool"  # a top-level node is named after itself


def test_without_templates_layers_keep_their_expanded_names() -> None:
    text = SPEC.replace('    names: "${instance}_${node}"\n', "")
    names = _names(text)
    assert names["conv2_block1.1_conv"] == "conv2_block1.1_conv"


def test_templates_need_format_1_1() -> None:
    result = check(SPEC.replace("graphspec: 1.1", "graphspec: 1"))
    codes = [d.code for d in result.errors]
    assert codes == ["E800"]
    assert "`names:` template is format 1.1" in result.errors[0].message


def test_a_clash_of_layer_names_is_e410() -> None:
    text = SPEC.replace('names: "conv2_block${copy + 2}", ', "")
    result = check(text)
    assert {d.code for d in result.errors} == {"E410"}
    message = result.errors[0].message
    assert "gets the Keras layer name `conv2_block2_1_conv`" in message
    assert "which node `conv2_block2.0.1_conv` already has" in message
    assert "`${copy}`" in (result.errors[0].hint or "")


@pytest.mark.parametrize(
    ("template", "problem"),
    [('"a/${node}"', "contains `/`"), ('"${copy}"', "is not a string"), ('" x"', "whitespace")],
)
def test_a_template_giving_no_layer_name_is_e410(template: str, problem: str) -> None:
    text = SPEC.replace('names: "${instance}_${node}"', f"names: {template}")
    result = check(text)
    assert [d.code for d in result.errors][:1] == ["E410"], [d.format() for d in result.errors]
    assert problem in result.errors[0].message


def test_an_unknown_name_in_a_template_is_e407() -> None:
    result = check(SPEC.replace("${instance}_${node}", "${instanse}_${node}"))
    assert [d.code for d in result.errors] == ["E407"]


def test_names_on_a_top_level_layer_is_refused() -> None:
    text = SPEC.replace(
        "pool:         {type: GlobalAveragePooling2D}", 'pool: {type: Flatten, names: "p"}'
    )
    result = check(text)
    assert [d.code for d in result.errors] == ["E404"]
    assert "`names` only applies to block instances" in result.errors[0].message


def test_codegen_writes_the_templates_as_f_strings() -> None:
    code = generate_python(check(SPEC))
    assert 'name=f"{name}_1_conv"' in code
    assert 'name=f"add_{n + 2 * copy}"' in code
    assert 'name=f"conv2_block{i + 2}"' in code
    assert "copy=i" in code
    assert "for i in range(2):" in code


def test_loaded_spec_round_trips_through_yaml() -> None:
    from graphspec import to_yaml

    text = to_yaml(load(SPEC))
    assert 'names: "${instance}_${node}"' in text
    assert 'names: "conv2_block${copy + 2}"' in text
    assert to_yaml(load(text)) == text
