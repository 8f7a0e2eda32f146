"""Tests for expansion: chains, edges, input order, blocks, repeat, params and --set."""

from __future__ import annotations

import pytest

from tests._util import check_text, only

BLOCKS = """
inputs: {x: {shape: [8, 8, 4]}}
params: {width: 4}
blocks:
  residual:
    params: {filters: null, stride: 1}
    inputs: [x]
    nodes:
      a:    {type: Conv2D, filters: "${filters}", kernel_size: 3, strides: "${stride}", padding: same}
      b:    {type: Conv2D, filters: "${filters}", kernel_size: 3, padding: same}
      proj: {type: Conv2D, filters: "${filters}", kernel_size: 1, strides: "${stride}"}
      add:  {type: Add}
      out:  {type: ReLU}
    edges: [x -> a -> b -> add -> out, x -> proj -> add]
    outputs: [out]
nodes:
  stem:   {type: Conv2D, filters: "${width}", kernel_size: 1}
  stage2: {block: residual, filters: "${width * 2}", repeat: 3, inputs: stem}
  pool:   {type: GlobalAveragePooling2D, inputs: stage2}
"""


def test_chain_without_edges() -> None:
    result = check_text(
        """
        inputs: {x: {shape: [4]}}
        nodes:
          a: {type: Dense, units: 3}
          b: {type: Dense, units: 2}
        """
    )
    assert [(n.name, n.inputs) for n in result.graph] == [("x", []), ("a", ["x"]), ("b", ["a"])]
    assert result.graph.outputs == [("b", "b")]
    assert result.graph.is_chain() == (True, None)


def test_input_order_follows_edges_then_inputs_list() -> None:
    text = """
    inputs: {x: {shape: [4]}, y: {shape: [4]}}
    nodes:
      s: {type: Subtract}
      t: {type: Subtract, inputs: [x, y]}
      u: {type: Concatenate}
    edges: [y -> s, x -> s, s -> u, t -> u]
    outputs: [u]
    """
    graph = check_text(text).graph
    assert graph["s"].inputs == ["y", "x"]
    assert graph["t"].inputs == ["x", "y"]
    assert graph["u"].inputs == ["s", "t"]


def test_block_repeat_expands_and_chains_copies() -> None:
    result = check_text(BLOCKS)
    assert result.ok, [d.format() for d in result.diagnostics]
    graph = result.graph
    names = list(graph.nodes)
    assert names[:2] == ["x", "stem"]
    assert "stage2.0.a" in names and "stage2.2.out" in names
    assert graph["stage2.0.a"].inputs == ["stem"]
    assert graph["stage2.0.proj"].inputs == ["stem"]
    assert graph["stage2.1.a"].inputs == ["stage2.0.out"]
    assert graph["stage2.2.add"].inputs == ["stage2.2.b", "stage2.2.proj"]
    assert graph["pool"].inputs == ["stage2.2.out"]
    assert graph["stage2.1.a"].args == {
        "filters": 8,
        "kernel_size": 3,
        "strides": 1,
        "padding": "same",
    }
    assert [i.name for i in graph.instances.values()] == ["stage2.0", "stage2.1", "stage2.2"]


def test_set_overrides_spec_params() -> None:
    graph = check_text(BLOCKS, params={"width": 16}).graph
    assert graph["stem"].args["filters"] == 16
    assert graph["stage2.0.a"].args["filters"] == 32


def test_set_of_unknown_param_is_an_error() -> None:
    diag = only(check_text(BLOCKS, params={"wdth": 16}), "E408")
    assert diag.message == "--set wdth=…: `wdth` is not a spec param"
    assert diag.hint == "did you mean `width`?"


def test_reference_to_an_instance_node_by_its_expanded_name() -> None:
    text = BLOCKS.replace("inputs: stage2}", "inputs: stage2.1.out}")
    graph = check_text(text).graph
    assert graph["pool"].inputs == ["stage2.1.out"]


def test_nested_blocks() -> None:
    result = check_text(
        """
        inputs: {x: {shape: [4]}}
        blocks:
          inner:
            params: {u: 2}
            nodes: {d: {type: Dense, units: "${u}"}}
          outer:
            params: {u: 3}
            nodes:
              first: {block: inner, u: "${u * 2}"}
              second: {block: inner}
        nodes:
          o: {block: outer}
          head: {type: Dense, units: 1}
        """
    )
    assert result.ok, [d.format() for d in result.diagnostics]
    graph = result.graph
    assert graph["o.first.d"].args == {"units": 6}
    assert graph["o.second.d"].args == {"units": 2}
    assert graph["o.second.d"].inputs == ["o.first.d"]
    assert graph["head"].inputs == ["o.second.d"]


def test_share_takes_the_owner_type_and_args() -> None:
    graph = check_text(
        """
        inputs: {a: {shape: [4]}, b: {shape: [4]}}
        nodes:
          enc: {type: Dense, units: 3}
          enc2: {share: enc}
          join: {type: Add}
        edges: [a -> enc -> join, b -> enc2 -> join]
        """
    ).graph
    assert (graph["enc2"].share, graph["enc2"].type, graph["enc2"].args) == (
        "enc",
        "Dense",
        {"units": 3},
    )
    assert graph.is_chain() == (False, "the model has 2 inputs")


@pytest.mark.parametrize("repeat", ["0", "-1", "'${1 // 1 * 100000}'"])
def test_bad_repeat(repeat: str) -> None:
    diag = only(check_text(BLOCKS.replace("repeat: 3", f"repeat: {repeat}")), "E404")
    assert "`repeat` must be an integer from 1 to 10,000" in diag.message


def test_outputs_mapping_names_outputs() -> None:
    graph = check_text(
        """
        inputs: {x: {shape: [4]}}
        nodes:
          a: {type: Dense, units: 3}
          b: {type: Dense, units: 1, inputs: x}
        edges: [x -> a]
        outputs: {label: a, score: b}
        """
    ).graph
    assert graph.outputs == [("label", "a"), ("score", "b")]
    assert graph.outputs_named


def test_boolean_repeat_is_a_schema_error() -> None:
    diag = only(check_text(BLOCKS.replace("repeat: 3", "repeat: true")), "E103")
    assert diag.message.startswith("node `stage2`, key `repeat` must be")
