"""Call arguments in specs: inputs from references, checks against the call signature, shapes."""

from __future__ import annotations

from graphspec import check, load, to_yaml
from graphspec.backends.codegen import generate_python
from graphspec.ir.graph import CallTensors
from tests._util import by_code, only

SEQ2SEQ = """\
graphspec: 1.1
inputs:
  enc_in: {shape: [null, 32]}
  dec_in: {shape: [null, 40]}
nodes:
  enc: {type: LSTM, units: 64, return_state: true, inputs: enc_in}
  dec: {type: LSTM, units: 64, return_sequences: true, inputs: dec_in, call: {initial_state: ["enc:1", "enc:2"]}}
  out: {type: Dense, units: 40, activation: softmax, inputs: dec}
outputs: [out]
"""


def test_tensor_arguments_become_inputs_after_the_main_ones() -> None:
    result = check(SEQ2SEQ)
    assert result.ok, [d.format() for d in result.diagnostics]
    dec = result.graph.nodes["dec"]
    assert dec.inputs == ["dec_in", "enc", "enc"] and dec.input_ports == [0, 1, 2]
    assert dec.main_inputs == ["dec_in"]
    assert dec.call == {"initial_state": CallTensors(2, True)}
    assert dec.split_call(["D", "H", "C"]) == (["D"], {"initial_state": ["H", "C"]})
    assert result.graph.compiles_as() == ("functional", "the model has 2 inputs")
    assert result.shapes.nodes["dec"].outputs == ((None, None, 64),)
    assert result.shapes.nodes["dec"].params == 4 * (64 * (40 + 64) + 64)


def test_a_state_of_the_wrong_width_names_both_sides() -> None:
    result = check(SEQ2SEQ.replace("units: 64, return_sequences", "units: 32, return_sequences"))
    diag = only(result, "E501")
    assert "`initial_state` of LSTM `dec` (32 units) needs states of width 32" in diag.message
    assert "`enc:1` is (None, 64)" in diag.message
    assert (diag.line, diag.column) == (7, 94)
    assert diag.related == ("`enc:1` -> (None, 64)", "`enc:2` -> (None, 64)")


def test_the_wrong_number_of_states() -> None:
    result = check(SEQ2SEQ.replace('["enc:1", "enc:2"]', '"enc:1"'))
    assert "takes 2 state tensor(s) (hidden and cell); found 1" in only(result, "E501").message


def test_unknown_and_misused_call_arguments() -> None:
    text = SEQ2SEQ.replace(
        'call: {initial_state: ["enc:1", "enc:2"]}',
        'call: {initial_stat: ["enc:1"], sequences: enc, training: maybe, mask: 3}',
    )
    result = check(text)
    messages = [d.message for d in by_code(result, "E821")]
    assert "node `dec`: LSTM takes no call argument `initial_stat`" in messages
    assert any("`sequences` is the tensor the node is applied to" in m for m in messages)
    assert only(result, "E821").hint if len(messages) == 1 else True
    e822 = " | ".join(d.message for d in by_code(result, "E822"))
    assert "takes node references (a name or a list of names); found 3" in e822
    assert "`training` must be true, false or null" in e822
    hint = next(d.hint for d in by_code(result, "E821") if "initial_stat`" in d.message)
    assert hint == "did you mean `initial_state`?"


def test_undefined_reference_in_a_call_argument_is_located() -> None:
    result = check(SEQ2SEQ.replace('"enc:2"', '"enk:2"'))
    diag = only(result, "E301")
    assert "refers to `enk:2`" in diag.message
    assert (diag.line, diag.column) == (7, 104)


def test_attention_call_arguments_and_scores() -> None:
    text = (
        "graphspec: 1.1\n"
        "inputs: {x: {shape: [7, 16]}, m: {shape: [7, 9]}, v: {shape: [9, 16]}}\n"
        "nodes:\n"
        "  att: {type: MultiHeadAttention, num_heads: 2, key_dim: 8, inputs: x,\n"
        "        call: {value: v, attention_mask: m, return_attention_scores: true}}\n"
        "outputs: ['att:0', 'att:1']\n"
    )
    result = check(text)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.shapes.nodes["att"].outputs == ((None, 7, 16), (None, 2, 7, 9))
    bad = check(text.replace("m: {shape: [7, 9]}", "m: {shape: [7, 7]}"))
    assert "`attention_mask` of `att` must be (None, 7, 9)" in only(bad, "E501").message
    twice = check(text.replace("inputs: x,", "inputs: [x, v],"))
    assert "`value` is given twice" in only(twice, "E824").message


def test_back_ends_write_the_call() -> None:
    spec = load(SEQ2SEQ)
    assert load(to_yaml(spec)).nodes["dec"].call == {"initial_state": ["enc:1", "enc:2"]}
    code = generate_python(spec)
    assert (
        "_, enc_1, enc_2 = keras.layers.LSTM(" in code
    )  # the states unpacked, as in Keras's seq2seq
    assert "(dec_in, initial_state=[enc_1, enc_2])" in code


def test_format_1_0_needs_the_declaration() -> None:
    result = check(SEQ2SEQ.replace("graphspec: 1.1\n", ""))
    assert "call arguments (`call:`) is format 1.1" in only(result, "E800").message
