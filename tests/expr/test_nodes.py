"""Expression nodes in specs: inputs from the names written, located errors, every back end."""

from __future__ import annotations

import textwrap

from graphspec import check, load, to_yaml
from graphspec.backends.codegen import generate_python
from graphspec.backends.diagram import to_dot, to_mermaid
from graphspec.backends.summary import summary_data
from graphspec.ir.graph import NodeKind
from tests._util import by_code, check_text, only

HEAD = "graphspec: 1.1\ninputs: {x: {shape: [8]}}\nnodes:\n"


def _spec(nodes: str, tail: str = "") -> str:
    return HEAD + textwrap.indent(textwrap.dedent(nodes), "  ") + tail


def test_inputs_are_the_names_written_in_order_without_repeats() -> None:
    result = check(
        _spec("d: {type: Dense, units: 8}\nhs: {expr: 'd * relu6(d + 3.0) / 6.0 + x'}\n")
    )
    assert result.ok, [d.format() for d in result.diagnostics]
    node = result.graph.nodes["hs"]
    assert node.kind is NodeKind.EXPR
    assert node.inputs == ["d", "x"]
    assert result.shapes.nodes["hs"].outputs == ((None, 8),)
    assert result.shapes.nodes["hs"].params == 0


def test_in_a_chain_the_next_node_takes_the_expression() -> None:
    result = check(
        _spec("d: {type: Dense, units: 8}\ns: {expr: 'd * 0.5'}\no: {type: Dense, units: 2}\n")
    )
    assert result.ok
    assert result.graph.nodes["s"].inputs == ["d"]  # the chain's guess is not used, the name is
    assert result.graph.nodes["o"].inputs == ["s"]
    assert result.graph.compiles_as()[0] == "functional"  # a Sequential holds only layers


def test_ports_and_backtick_names() -> None:
    text = _spec("p: {expr: 'split(x, 2, axis=-1)'}\nq: {expr: 'p:1 - `p`:0'}\n")
    result = check(text)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.graph.nodes["q"].inputs == ["p", "p"]
    assert result.graph.nodes["q"].input_ports == [1, 0]
    assert result.shapes.nodes["p"].outputs == ((None, 4), (None, 4))


def test_params_are_substituted_before_parsing() -> None:
    text = "graphspec: 1.1\nparams: {scale: 0.25}\ninputs: {x: {shape: [8]}}\nnodes:\n  s: {expr: 'x * ${scale}'}\n"
    result = check(text)
    assert result.ok
    assert result.graph.nodes["s"].expr.text == "x * 0.25"


def test_block_expressions_use_the_block_inputs() -> None:
    text = (
        HEAD
        + textwrap.indent("hs: {block: hswish, inputs: x}\nout: {expr: 'hs + x'}\n", "  ")
        + "blocks:\n  hswish:\n    nodes: {y: {expr: 'x * relu6(x + 3.0) / 6.0'}}\n"
    )
    result = check(text)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.graph.nodes["hs.y"].inputs == ["x"]
    assert result.graph.nodes["out"].inputs == ["hs.y", "x"]


def test_an_undefined_name_is_located_inside_the_expression() -> None:
    result = check(_spec("d: {type: Dense, units: 8}\ns: {expr: 'relu(dd) + x'}\n"))
    diag = only(result, "E301")
    assert (diag.line, diag.column) == (5, 19)
    assert diag.hint == "did you mean `d`?"


def test_a_shape_error_names_the_part_and_its_operands() -> None:
    result = check(_spec("d: {type: Dense, units: 4}\ns: {expr: 'relu6(d + x) / 6.0'}\n"))
    diag = only(result, "E501")
    assert (diag.line, diag.column) == (5, 20)
    assert "`d + x`: operands of shapes (None, 4) and (None, 8) do not broadcast" in diag.message
    assert diag.related[:2] == ("relu6(d + x) / 6.0", "      ^^^^^")
    assert diag.related[2:] == ("`d` -> (None, 4)", "`x` -> (None, 8)")


def test_block_scalars_are_located_at_their_start() -> None:
    text = HEAD + '  s: {expr: "x + y"}\n  t:\n    expr: |\n      relu(\n        x.shape)\n'
    result = check(text)
    e301 = only(result, "E301")
    assert (e301.line, e301.column) == (4, 18)
    e801 = only(result, "E801")
    assert e801.line == 6  # where the block scalar starts: columns inside it are not known


def test_misuse_of_an_expression_node() -> None:
    result = check(
        _spec(
            "d: {type: Dense, units: 8}\n"
            "a: {expr: 'd + 1.0', type: Dense}\n"
            "b: {expr: 'd + 1.0', units: 3}\n"
            "c: {expr: 'd + 1.0', inputs: d}\n"
            "s: {share: a}\n",
            "edges: [d -> a]\n",
        )
    )
    messages = [d.message for d in by_code(result, "E807")]
    assert "expression node `a` cannot also have `type`" in messages
    assert "expression node `b` takes no argument `units`" in messages
    assert "expression node `c` cannot also have `inputs`" in messages
    assert "an edge leads into expression node `a` (from `d`)" in messages
    assert "which is an expr node, not a layer" in only(result, "E308").message


def test_format_1_0_reports_the_version_once_and_checks_the_rest() -> None:
    result = check_text(
        """
        inputs: {x: {shape: [8]}}
        nodes:
          a: {expr: "x * 2.0"}
          b: {expr: "sum(a, axs=1)"}
        """
    )
    assert [d.code for d in result.errors] == ["E800", "E803"]


def test_back_ends_show_the_expression() -> None:
    text = _spec("d: {type: Dense, units: 8}\nhs: {expr: 'd * relu6(d + 3.0) / 6.0'}\n")
    spec = load(text)
    assert load(to_yaml(spec)).nodes["hs"].expr == "d * relu6(d + 3.0) / 6.0"
    rows = {row["node"]: row for row in summary_data(check(spec))["nodes"]}
    assert rows["hs"]["type"] == "expr" and rows["hs"]["params"] == 0
    assert "relu6(d + 3.0)" in to_dot(spec)
    assert "relu6(d + 3.0)" in to_mermaid(spec)
    code = generate_python(spec)
    assert "hs = d * keras.ops.relu6(d + 3.0) / 6.0" in code
