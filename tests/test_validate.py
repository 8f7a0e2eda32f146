"""Every validator check, each with a bad spec and its exact message and location."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests._util import by_code, check_text, only

HEAD = "inputs:\n  x: {shape: [16]}\n"

CASES = [
    # (id, spec text, code, line, column, message regex, hint regex or None)
    (
        "unknown-type",
        HEAD + "nodes:\n  d: {type: Dnse, units: 4}\n",
        "E201",
        4,
        13,
        r"node `d`: unknown layer type `Dnse`",
        r"did you mean `Dense`\?",
    ),
    (
        "missing-type",
        HEAD + "nodes:\n  d: {units: 4}\n",
        "E200",
        4,
        3,
        r"node `d` has no `type`",
        r"type: Dense",
    ),
    (
        "forbidden-lambda",
        HEAD + "nodes:\n  d: {type: Lambda, function: print}\n",
        "E204",
        4,
        13,
        r"`Lambda` is not allowed in a spec: it runs arbitrary Python code",
        r"^write what it computes as an expression node, e\.g\. `t: \{expr: \"transpose\(x",
    ),
    (
        "module-path-type",
        HEAD + "nodes:\n  d: {type: subprocess.run}\n",
        "E204",
        4,
        13,
        r"`subprocess.run` is not a class of keras.layers; graphspec never imports",
        None,
    ),
    (
        "unknown-argument",
        HEAD + "nodes:\n  d: {type: Dense, units: 4, activaton: relu}\n",
        "E202",
        4,
        30,
        r"node `d`: Dense has no argument `activaton`",
        r"did you mean `activation`\?",
    ),
    (
        "unknown-kwarg-safe-mode",
        HEAD + "nodes:\n  d: {type: Dense, units: 4, safe_mode: false}\n",
        "E202",
        4,
        30,
        r"Dense has no argument `safe_mode`",
        None,
    ),
    (
        "forbidden-config-key",
        HEAD + "nodes:\n  d: {type: Dense, units: 4, module: os}\n",
        "E206",
        4,
        30,
        r"`module` is not accepted: specs never name code to import",
        None,
    ),
    (
        "reserved-name-arg",
        HEAD + "nodes:\n  d: {type: Dense, units: 4, name: other}\n",
        "E205",
        4,
        30,
        r"`name` cannot be set in a spec: graphspec names each layer",
        None,
    ),
    (
        "wrong-typed-argument",
        HEAD + "nodes:\n  d: {type: Dense, units: 4, use_bias: maybe}\n",
        "E203",
        4,
        40,
        r"`use_bias` of Dense must be true or false; found 'maybe'",
        None,
    ),
    (
        "missing-required-argument",
        HEAD + "nodes:\n  d: {type: Dense}\n",
        "E207",
        4,
        3,
        r"node `d`: Dense needs the argument `units`",
        r"add `units: \.\.\.`",
    ),
    (
        "unknown-activation",
        HEAD + "nodes:\n  d: {type: Dense, units: 4, activation: rleu}\n",
        "E208",
        4,
        42,
        r"`activation`: `rleu` is not one of keras.activations",
        r"did you mean `relu`\?",
    ),
    (
        "yaml11-bool",
        HEAD + "nodes:\n  d: {type: Dense, units: 4, activation: no}\n",
        "E106",
        4,
        42,
        r"YAML 1.1 reads `no` as the boolean false",
        r"quote it",
    ),
    (
        "yaml11-float-string",
        HEAD + "nodes:\n  d: {type: Dropout, rate: 1e-1}\n",
        "E106",
        4,
        28,
        r"YAML 1.1 reads `1e-1` as a string, not a number",
        r"1\.0e-1",
    ),
    (
        "yaml11-octal",
        HEAD + "nodes:\n  d: {type: Dense, units: 012}\n",
        "E106",
        4,
        27,
        r"reads `012` as the octal number 10",
        r"write `12` for decimal",
    ),
    (
        "yaml11-sexagesimal",
        HEAD + "nodes:\n  d: {type: Dense, units: 1:30}\n",
        "E106",
        4,
        27,
        r"reads `1:30` as the base-60 number 90",
        None,
    ),
    (
        "undefined-reference",
        HEAD + "nodes:\n  a: {type: Dense, units: 4}\n  b: {type: Dense, units: 2}\n"
        "edges: [x -> a, aa -> b]\n",
        "E301",
        6,
        17,
        r"input of node `b` refers to `aa`, which is not defined",
        r"did you mean `a`\?",
    ),
    (
        "undefined-edge-target",
        HEAD + "nodes:\n  a: {type: Dense, units: 4}\nedges: [x -> a -> bb]\n",
        "E301",
        5,
        19,
        r"edge target `bb` is not a node",
        None,
    ),
    (
        "cycle",
        HEAD
        + "nodes:\n  a: {type: Dense, units: 4}\n  b: {type: Add}\n  c: {type: Dense, units: 4}\n"
        "edges: [x -> a -> b -> c, c -> b]\noutputs: [c]\n",
        "E302",
        5,
        3,
        r"the graph has a cycle: b -> c -> b",
        r"remove one of these edges",
    ),
    (
        "merge-arity",
        HEAD + "nodes:\n  a: {type: Dense, units: 4}\n  s: {type: Add}\n",
        "E306",
        5,
        3,
        r"node `s` \(Add\) takes at least 2 inputs but has 1: a",
        None,
    ),
    (
        "single-input-arity",
        HEAD + "nodes:\n  a: {type: Dense, units: 4}\n  b: {type: Dense, units: 4}\n"
        "  c: {type: Dense, units: 4}\nedges: [x -> a -> c, x -> b -> c]\n",
        "E306",
        6,
        3,
        r"node `c` \(Dense\) takes exactly 1 input but has 2: a, b",
        r"merge the inputs first",
    ),
    (
        "output-not-a-node",
        HEAD + "nodes:\n  a: {type: Dense, units: 4}\noutputs: [b]\n",
        "E301",
        5,
        11,
        r"output refers to `b`, which is not defined",
        None,
    ),
    (
        "share-self",
        HEAD + "nodes:\n  a: {type: Dense, units: 4}\n  b: {share: b}\n",
        "E308",
        5,
        14,
        r"node `b` shares its own layer",
        None,
    ),
    (
        "share-missing",
        HEAD + "nodes:\n  a: {type: Dense, units: 4}\n  b: {share: q}\n",
        "E301",
        5,
        14,
        r"`share` of node `b` refers to `q`, which is not defined",
        None,
    ),
    (
        "share-with-type",
        HEAD + "nodes:\n  a: {type: Dense, units: 4}\n  b: {share: a, type: Dense, units: 3}\n",
        "E308",
        5,
        14,
        r"node `b` has `share` and also `type`, `units`",
        r"remove type, units",
    ),
    (
        "inputs-both-ways",
        HEAD + "nodes:\n  a: {type: Dense, units: 4, inputs: x}\nedges: [x -> a]\n",
        "E307",
        4,
        30,
        r"node `a` gets its inputs both from `inputs:` and from `edges`",
        None,
    ),
    (
        "bad-name-slash",
        HEAD + "nodes:\n  a/b: {type: Dense, units: 4}\n",
        "E105",
        4,
        3,
        r"node name 'a/b' contains `/`",
        None,
    ),
    (
        "expanded-name-clash",
        HEAD + "blocks:\n  blk:\n    nodes: {d: {type: Dense, units: 4}}\n"
        "nodes:\n  b: {block: blk}\n  b.d: {type: Dense, units: 4}\n",
        "E310",
        8,
        3,
        r"node name `b.d` clashes with another node \(an expanded block node\)",
        None,
    ),
    (
        "unknown-block",
        HEAD + "nodes:\n  b: {block: nope}\n",
        "E401",
        4,
        14,
        r"node `b` uses the unknown block `nope`",
        r"this spec defines no blocks; define it under `blocks:`",
    ),
    (
        "block-missing-param",
        HEAD
        + "blocks:\n  blk:\n    params: {units: null}\n    nodes: {d: {type: Dense, units: '${units}'}}\n"
        "nodes:\n  b: {block: blk}\n",
        "E402",
        8,
        3,
        r"block instance `b` is missing the required param `units` of block `blk`",
        r"add `units: VALUE` to `b`",
    ),
    (
        "block-unknown-param",
        HEAD
        + "blocks:\n  blk:\n    params: {units: 4}\n    nodes: {d: {type: Dense, units: '${units}'}}\n"
        "nodes:\n  b: {block: blk, unit: 3}\n",
        "E403",
        8,
        19,
        r"block `blk` has no param `unit`",
        r"did you mean `units`\?",
    ),
    (
        "block-wrong-input-count",
        "inputs:\n  x: {shape: [4]}\n  y: {shape: [4]}\n"
        "blocks:\n  blk:\n    inputs: [p, q]\n    nodes: {s: {type: Add}}\n    edges: [p -> s, q -> s]\n"
        "nodes:\n  b: {block: blk, inputs: [x]}\n",
        "E404",
        10,
        3,
        r"block instance `b` gets 1 input\(s\) but block `blk` takes 2: p, q",
        None,
    ),
    (
        "block-recursion",
        HEAD
        + "blocks:\n  a:\n    nodes: {inner: {block: b}}\n  b:\n    nodes: {inner: {block: a}}\n"
        "nodes:\n  top: {block: a}\n",
        "E405",
        7,
        28,
        r"block `a` uses itself \(recursion: a -> b -> a\)",
        None,
    ),
    (
        "expression-call",
        HEAD + "nodes:\n  d: {type: Dense, units: \"${__import__('os')}\"}\n",
        "E406",
        4,
        27,
        r"function calls are not supported",
        None,
    ),
    (
        "expression-undefined",
        HEAD + "nodes:\n  d: {type: Dense, units: '${width}'}\n",
        "E407",
        4,
        27,
        r"uses `width`, which is not a param",
        r"--set",
    ),
    (
        "unknown-top-level-key",
        HEAD + "nodez: {}\nnodes: {d: {type: Dense, units: 2}}\n",
        "E101",
        3,
        1,
        r"unknown key `nodez` in the spec",
        r"did you mean `nodes`\?",
    ),
    (
        "wrong-type-inputs",
        HEAD + "nodes:\n  d: {type: Dense, units: 2, inputs: 3}\n",
        "E103",
        4,
        38,
        r"node `d`, key `inputs` must be a string or a list; found int",
        None,
    ),
    (
        "bad-input-dimension",
        "inputs:\n  x: {shape: [0, 3]}\nnodes: {d: {type: Dense, units: 2}}\n",
        "E110",
        2,
        15,
        r"input `x`: dimension 0 must be a positive integer or null; found 0",
        None,
    ),
]


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "message", "hint"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_each_check(
    text: str, code: str, line: int, column: int, message: str, hint: str | None
) -> None:
    from graphspec.errors import SpecError

    try:
        result = check_text(text)
        found = by_code(result, code)
    except SpecError as err:  # schema errors that stop loading
        found = [d for d in err.diagnostics if d.code == code]
    assert found, f"no {code}"
    diag = found[0]
    assert (diag.line, diag.column) == (line, column), diag.format()
    assert re.search(message, diag.message), diag.message
    if hint is not None:
        assert diag.hint is not None and re.search(hint, diag.hint), diag.hint


def test_warnings_for_dead_nodes_and_unused_inputs() -> None:
    result = check_text(
        """
        inputs: {x: {shape: [4]}, y: {shape: [4]}}
        nodes:
          a: {type: Dense, units: 4}
          dead: {type: Dense, units: 4}
        edges: [x -> a, x -> dead]
        outputs: [a]
        """
    )
    assert result.ok
    messages = [d.message for d in result.diagnostics if d.code in {"W303", "W304"}]
    assert messages == [
        "input `y` is not used by any output",
        "node `dead` does not lead to any output",
    ]


def test_five_faults_give_five_diagnostics_in_one_run() -> None:
    result = check_text(
        """
        inputs:
          x: {shape: [16]}
        nodes:
          a: {type: Dense, units: 8, activaton: relu}
          b: {type: Dnse, units: 4}
          c: {type: Add}
          d: {type: Dense, units: 2, activation: no}
          e: {type: Dense, units: 2}
        edges:
          - x -> a -> b -> d
          - a -> c
          - zz -> e
        outputs: [d]
        """
    )
    assert [d.code for d in result.errors] == ["E202", "E201", "E306", "E106", "E301"]


def test_valid_spec_example_from_the_format_contract() -> None:
    from pathlib import Path

    result = check_text(Path("specs/seed_skip.yaml").read_text())
    assert result.ok, [d.format() for d in result.diagnostics]


def test_bool_surprise_on_a_bool_argument_is_only_a_warning() -> None:
    result = check_text(HEAD + "nodes:\n  d: {type: Dense, units: 4, use_bias: on}\n")
    assert result.ok
    assert [d.code for d in result.diagnostics if d.code.endswith("106")] == ["W106"]


def test_nested_layer_arguments_are_checked() -> None:
    text = textwrap.dedent(
        """
        inputs: {x: {shape: [5, 3]}}
        nodes:
          bi: {type: Bidirectional, layer: {type: LSTM, unitz: 4}}
        """
    )
    result = check_text(text)
    assert sorted(d.message for d in result.errors) == [  # `units` missing: the typo's hint
        "node `bi`: LSTM has no argument `unitz`",
    ]


def test_initializer_mapping_refuses_config_keys() -> None:
    result = check_text(
        HEAD + "nodes:\n  d: {type: Dense, units: 4, kernel_initializer: "
        "{class_name: Foo, module: os}}\n"
    )
    assert [d.code for d in result.errors] == ["E206"]


def test_seed_skip_original_is_caught_statically() -> None:
    from graphspec import check

    result = check("specs/bad/seed_skip_original.yaml")
    assert [d.code for d in result.errors] == ["E501"]
    diag = result.errors[0]
    assert diag.location == "specs/bad/seed_skip_original.yaml:12:37"  # `filters: 32`
    assert diag.node == "shortcut"
    assert diag.message == (
        "node `shortcut` sets the last axis to 32 (`filters: 32`), but `add` needs 64 there to "
        "match its other input: Add needs inputs of the same shape; input 0 has "
        "(None, 14, 14, 64) but input 1 has (None, 14, 14, 32)"
    )
    spec = "specs/bad/seed_skip_original.yaml"
    assert diag.related == (
        f"{spec}:15:3: `add` (Add) is where the widths meet",
        f"{spec}:14:37: input 0: `conv4` -> (None, 14, 14, 64)",
        f"{spec}:12:37: input 1: `shortcut` -> (None, 14, 14, 32)",
    )
    assert diag.hint == "give `shortcut` 64 filters (it has 32) so that the inputs agree"
    [fix] = diag.fixes
    assert fix.title == "set `shortcut` filters to 64"


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        (
            "  c: {type: Conv2D, filters: 4, kernel_size: 3}\n",
            r"Conv2D expects a rank-4 input",
        ),
        (
            "  r: {type: Reshape, target_shape: [5, 5]}\n",
            r"Reshape",
        ),
        (
            "  a: {type: Dense, units: 4}\n  b: {type: Dense, units: 3, inputs: x}\n"
            "  c: {type: Concatenate, inputs: [a, b], axis: 0}\n",
            r"Concatenate",
        ),
    ],
    ids=["conv-on-vector", "reshape-count", "concat-axis"],
)
def test_other_shape_faults(nodes: str, message: str) -> None:
    result = check_text(HEAD + "nodes:\n" + nodes)
    codes = [d.code for d in result.errors]
    assert codes == ["E501"], [d.format() for d in result.diagnostics]
    assert re.search(message, result.errors[0].message), result.errors[0].message


def test_pooling_window_shrinking_below_one() -> None:
    result = check_text(
        "inputs: {x: {shape: [1, 1, 3]}}\nnodes:\n  p: {type: MaxPooling2D, pool_size: 2}\n"
    )
    assert [d.code for d in result.errors] == ["E501"]
    assert "shrinks dimension 1 from 1 to 0" in result.errors[0].message


def test_parameter_ceiling_allocates_nothing() -> None:
    result = check_text(HEAD + "nodes:\n  d: {type: Dense, units: 100000000000}\n")
    assert [d.code for d in result.errors] == ["E503"]
    assert "beyond the ceiling of 100,000,000,000" in result.errors[0].message


class _Scale:
    """A custom layer registered from Python: graphspec has no shape rule for it."""

    def __init__(self, factor: float = 2.0, **kwargs: Any) -> None: ...


def test_unknown_rule_gives_a_note_not_an_error() -> None:
    from graphspec.base.custom_layers import register_layer, unregister_layer

    register_layer(_Scale, name="Scale")
    try:
        result = check_text(
            "inputs: {x: {shape: [8, 8, 3]}}\nnodes:\n  r: {type: Scale}\n  f: {type: Flatten}\n"
        )
    finally:
        unregister_layer("Scale")
    assert result.ok
    notes = [d for d in result.diagnostics if d.code == "N502"]
    assert len(notes) == 1 and "no static shape rule for Scale" in notes[0].message
    assert result.shapes is not None and result.shapes["f"].output is None


def test_a_wrapper_around_a_layer_without_rule_is_unknown_not_an_error() -> None:
    from graphspec.base.custom_layers import register_layer, unregister_layer

    register_layer(_Scale, name="Scale")
    try:
        result = check_text(
            "inputs: {x: {shape: [5, 8, 3]}}\nnodes:\n"
            "  t: {type: TimeDistributed, layer: {type: Scale}}\n  f: {type: Flatten}\n"
        )
    finally:
        unregister_layer("Scale")
    assert result.ok
    notes = [d for d in result.diagnostics if d.code == "N502"]
    assert len(notes) == 1 and "the layer TimeDistributed wraps" in notes[0].message
    assert result.shapes is not None and result.shapes["t"].output is None


def test_a_cell_is_not_a_node() -> None:
    result = check_text(HEAD + "nodes:\n  c: {type: LSTMCell, units: 4}\n")
    diag = only(result, "E520")
    assert "`LSTMCell` cannot be a node: a recurrent cell computes one time step" in diag.message
    assert diag.hint == "write `type: RNN, cell: {type: LSTMCell, ...}`"
    assert (diag.line, diag.column) == (4, 13)  # the type name


def test_stacked_cells_are_checked_one_by_one() -> None:
    result = check_text(
        "inputs: {x: {shape: [5, 3]}}\nnodes:\n  r:\n    type: RNN\n    cell:\n"
        "      type: StackedRNNCells\n      cells: [{type: LSTMCell, units: 4}, {type: GRUCel}]\n"
    )
    diag = only(result, "E201")
    assert "unknown layer type `GRUCel`" in diag.message and "GRUCell" in (diag.hint or "")


def test_augmentation_and_alias_keep_checking_on() -> None:
    result = check_text(
        "inputs: {x: {shape: [32, 32, 3]}}\nnodes:\n"
        "  flip: {type: RandomFlip}\n  rot: {type: RandomRotation, factor: 0.1}\n"
        "  conv: {type: Convolution2D, filters: 8, kernel_size: 3}\n"
        "  pool: {type: MaxPool2D}\n  gap: {type: GlobalAvgPool2D}\n"
    )
    assert result.ok and not [d for d in result.diagnostics if d.code == "N502"]
    assert result.shapes is not None and result.shapes.complete
    assert result.shapes["gap"].output == (None, 8)


def test_output_that_is_an_input_is_valid() -> None:
    result = check_text(HEAD + "nodes:\n  a: {type: Dense, units: 4}\noutputs: [a, x]\n")
    assert result.ok and result.diagnostics == []
    assert result.shapes is not None and result.shapes["x"].output == (None, 16)


def test_shared_layer_on_inputs_of_another_width() -> None:
    result = check_text(
        "inputs: {a: {shape: [12]}, b: {shape: [16]}}\n"
        "nodes:\n  fc: {type: Dense, units: 8, inputs: a}\n  fc_again: {share: fc, inputs: b}\n"
        "  join: {type: Add, inputs: [fc, fc_again]}\n"
    )
    diag = only(result, "E501")
    assert diag.node == "fc_again"
    assert diag.message == (
        "node `fc_again` shares the layer of `fc`, whose weights were made for inputs "
        "(None, 12); here the inputs are (None, 16)"
    )


def test_embedding_takes_its_own_input_dim() -> None:
    result = check_text(
        "inputs: {ids: {shape: [20], dtype: int32}}\n"
        "nodes:\n  emb: {type: Embedding, input_dim: 1000, output_dim: 16}\n"
    )
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.shapes is not None and result.shapes["emb"].output == (None, 20, 16)


def test_api_sequential_on_a_graph_that_is_not_a_chain() -> None:
    from graphspec import check

    text = (
        Path("specs/seed_skip.yaml")
        .read_text()
        .replace("name: seed_skip", "name: s\napi: sequential")
    )
    diag = only(check(text), "E314")
    assert diag.message == (
        "the spec sets `api: sequential` but the graph is not one chain: "
        "node `add` has 2 inputs: conv4, shortcut"
    )
    assert (diag.line, diag.column) == (5, 6)


def test_api_functional_changes_what_a_chain_compiles_as() -> None:
    from graphspec import check

    text = Path("specs/seed_sequential.yaml").read_text()
    assert check(text).graph.compiles_as() == ("Sequential", None)
    forced = check(text.replace("name: seed_sequential", "name: s\napi: functional"))
    assert forced.graph.compiles_as() == ("functional", "the spec sets `api: functional`")
