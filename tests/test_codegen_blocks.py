"""Generated Python reads like Keras code written by hand: params are ``build_model``'s arguments,
each block is a function (any number of inputs and outputs), a ``repeat`` is a loop.

The spec texts here are also cases of the codegen oracle (tests/test_codegen_oracle.py finds
them): the code is checked against ``graphspec.compile`` there, with ruff, and with other
values of the params; these tests check how it reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphspec import load
from graphspec.backends.codegen import generate_python
from graphspec.errors import CompileError

BLOCKS = """\
graphspec: 1
name: towers
params: {width: 8}
blocks:
  fuse:                         # two inputs, a computed default, a named activation
    params: {units: null, wide: "${units * 2}", act: relu}
    inputs: [a, b]
    nodes:
      fa:   {type: Dense, units: "${wide}", activation: "${act}", inputs: a}
      fb:   {type: Dense, units: "${wide}", inputs: b}
      sum:  {type: Add, inputs: [fa, fb]}
      out:  {type: Dense, units: "${units}", use_bias: false}
    outputs: [out]
  unit:
    params: {units: null, rate: 0.1}
    nodes:
      fc:   {type: Dense, units: "${units}", activation: gelu}
      drop: {type: Dropout, rate: "${rate}"}
      norm: {type: LayerNormalization}
  outer:                        # a block using a block and a spec param
    params: {units: null}
    nodes:
      inner: {block: unit, units: "${units}"}
      proj:  {type: Dense, units: "${width}"}
inputs:
  left:  {shape: [6]}
  right: {shape: [5]}
nodes:
  mixed:  {block: fuse, units: "${width}", inputs: [left, right]}
  stack:  {block: unit, units: "${width}", repeat: 3}
  tail:   {block: unit, units: 4, rate: 0.3}
  nested: {block: outer, units: 4}
  head:   {type: Dense, units: 1}
"""

ATTENTION = """\
graphspec: 1.1
name: encoder
params: {width: 16, heads: 2, depth: 2, ff: "${width * 4}"}
blocks:
  sa:                                     # self-attention: the layer takes the same tensor twice
    params: {heads: null, key_dim: 16}
    nodes:
      ln1: {type: LayerNormalization}
      att: {type: MultiHeadAttention, num_heads: "${heads}", key_dim: "${key_dim}", inputs: [ln1, ln1]}
      res: {type: Add, inputs: [x, att]}
      ln2: {type: LayerNormalization}
      ff1: {type: Dense, units: "${ff}", activation: gelu}
      ff2: {type: Dense, units: "${width}"}
      out: {type: Add, inputs: [res, ff2]}
    outputs: [out]
  cross:                                  # two inputs, two outputs
    params: {units: null}
    inputs: [q, kv]
    nodes:
      att:  {type: MultiHeadAttention, num_heads: 2, key_dim: 8, inputs: [q, kv]}
      mix:  {type: Add, inputs: [q, att]}
      gate: {type: Dense, units: "${units}", activation: sigmoid, inputs: mix}
    outputs: [mix, gate]
inputs:
  tokens: {shape: [12, "${width}"]}
  memory: {shape: [7, "${width}"]}
nodes:
  enc:    {block: sa, heads: "${heads}", repeat: "${depth}", inputs: tokens}
  dec:    {block: cross, units: "${width}", inputs: [enc, memory]}
  gated:  {type: Multiply, inputs: [dec, dec.gate]}
  first:  {expr: "gated[:, 0] * ${width / 4}"}
  head:   {type: Dense, units: 3}
"""

SELF_ATTENTION = """\
graphspec: 1.1
inputs: {x: {shape: [10, 32]}}
blocks:
  sa:
    nodes:
      att: {type: MultiHeadAttention, num_heads: 2, key_dim: 16, inputs: [x, x]}
      add: {type: Add, inputs: [x, att]}
nodes:
  enc: {block: sa, repeat: 2}
  pool: {type: GlobalAveragePooling1D}
"""

SAME_FEED = """\
graphspec: 1.1
inputs: {a: {shape: [5, 8]}, b: {shape: [5, 8]}}
blocks:
  pair:                 # which input is which, even when one instance gets the same tensor twice
    inputs: [q, v]
    nodes:
      att: {type: MultiHeadAttention, num_heads: 1, key_dim: 4, inputs: [q, v]}
      sub: {type: Subtract, inputs: [att, v]}
nodes:
  one: {block: pair, inputs: [a, a]}
  two: {block: pair, inputs: [one, b]}
"""

STATES = """\
graphspec: 1.1
params: {latent: 12}
inputs: {src: {shape: [null, 6]}, tgt: {shape: [null, 7]}}
blocks:
  seq2seq:              # ports, call arguments and a shared layer inside a block
    params: {units: null}
    inputs: [enc_in, dec_in]
    nodes:
      enc:  {type: LSTM, units: "${units}", return_state: true, inputs: enc_in}
      dec:  {type: LSTM, units: "${units}", return_sequences: true, inputs: dec_in,
             call: {initial_state: ["enc:1", "enc:2"]}}
      proj: {type: Dense, units: 7, inputs: dec}
      again: {share: proj, inputs: dec}
      both: {type: Add, inputs: [proj, again]}
    outputs: [both, enc]
nodes:
  s2s:  {block: seq2seq, units: "${latent}", inputs: [src, tgt]}
  last: {type: Dense, units: 3, inputs: s2s}
  state: {type: Dense, units: 2, inputs: "s2s.enc:1"}
outputs: [last, state]
"""

CHAIN = """\
graphspec: 1
name: chain
params: {width: 16, kernel: [3, 3], rate: "${0.1 * 2}"}
blocks:
  conv_bn:
    params: {filters: null, kernel: [1, 1]}
    nodes:
      conv: {type: Conv2D, filters: "${filters}", kernel_size: "${kernel}", padding: same}
      bn:   {type: BatchNormalization}
  stage:                # a block of blocks in a Sequential model
    params: {filters: null}
    nodes:
      a: {block: conv_bn, filters: "${filters}", kernel: "${kernel}"}
      b: {block: conv_bn, filters: "${filters}"}
inputs: {image: {shape: [16, 16, 3]}}
nodes:
  stem:  {block: conv_bn, filters: "${width}", kernel: [5, 5]}
  body:  {block: stage, filters: "${width * 2}", repeat: 2}
  pool:  {type: GlobalAveragePooling2D}
  drop:  {type: Dropout, rate: "${rate}"}
  out:   {type: Dense, units: 10}
"""

INLINE = """\
graphspec: 1.1
params: {width: 8}
inputs: {x: {shape: [4]}}
blocks:
  mlp:
    params: {units: null, scale: 2}
    nodes:
      fc:  {type: Dense, units: "${units * scale}"}
      act: {type: Activation, activation: relu}
nodes:
  first:  {block: mlp, units: "${width}"}
  second: {block: mlp, units: 3, scale: 1}
  peek:   {type: Dense, units: 2, inputs: first.fc}      # reaches inside: `first` is inline
  both:   {type: Concatenate, inputs: [second, peek]}
"""

NESTED = """\
graphspec: 1.1
params: {width: 6}
inputs: {a: {shape: [8]}, b: {shape: [8]}}
blocks:
  tower:
    params: {units: null}
    nodes:
      enc:  {model: {inputs: {v: {shape: [8]}}, nodes: {d: {type: Dense, units: 4}}}}
      norm: {type: LayerNormalization}
      proj: {type: Dense, units: "${units}"}
nodes:
  left:  {block: tower, units: "${width}", inputs: a}
  right: {block: tower, units: "${width}", inputs: b}
  dist:  {expr: "sum(square(left - right), axis=-1, keepdims=True)"}
"""

PORTS_AND_NAMES = """\
graphspec: 1.1
params: {mlp: 8}
inputs: {x: {shape: [5, 3]}}
blocks:
  mlp:                  # a block named like a param
    nodes:
      h:   {type: Dense, units: "${mlp}"}
  state:                # reads output 1 of what feeds its input
    inputs: [seq]
    nodes:
      h:   {type: Dense, units: 2, inputs: "seq:1"}
nodes:
  lstm:  {type: LSTM, units: 4, return_state: true}
  read:  {block: state, inputs: lstm}
  head:  {block: mlp, inputs: read}
"""

FED_BY_ITSELF = """\
graphspec: 1.1
inputs: {x: {shape: [4]}}
blocks:
  two:
    inputs: [a, b]
    nodes:
      da: {type: Dense, units: 4, inputs: a}
      db: {type: Dense, units: 3, inputs: b}
    outputs: [da, db]
nodes:
  t:   {block: two, inputs: [x, mid]}     # its second input depends on its first output
  mid: {type: Dense, units: 4, inputs: t}
  out: {type: Concatenate, inputs: [mid, t.db]}
"""


def _code(text: str) -> str:
    return generate_python(load(text))


def test_params_are_arguments_of_build_model() -> None:
    code = _code(ATTENTION)
    assert "def build_model(width=16, heads=2, depth=2, ff=None) -> keras.Model:" in code
    assert "    if ff is None:\n        ff = width * 4\n" in code
    assert 'tokens = keras.Input(shape=(12, width), name="tokens")' in code
    assert "first = gated[:, 0] * (width / 4)" in code  # a subscript, an operator, a param


def test_set_values_become_the_defaults(tmp_path: Path) -> None:
    code = generate_python(load(ATTENTION), params={"width": 32, "ff": 7})
    assert "def build_model(width=32, heads=2, depth=2, ff=7) -> keras.Model:" in code
    assert "if ff is None" not in code


def test_one_function_per_block_params_as_arguments() -> None:
    code = _code(BLOCKS)
    assert 'def fuse(a, b, *, units, wide=None, act="relu", name: str):' in code
    assert "    if wide is None:\n        wide = units * 2\n" in code
    assert "def unit(x, *, units, rate=0.1, name: str):" in code
    assert 'fa = keras.layers.Dense(units=wide, activation=act, name=f"{name}.fa")(a)' in code
    assert 'mixed = fuse(left, right, units=width, name="mixed")' in code


def test_a_block_of_blocks_is_a_function_calling_functions() -> None:
    code = _code(BLOCKS)
    assert "def outer(x, *, units, width, name: str):" in code  # the spec param it uses
    assert '    inner = unit(x, units=units, name=f"{name}.inner")\n' in code
    assert 'nested = outer(tail, units=4, width=width, name="nested")' in code


def test_repeat_is_a_loop_and_defaults_are_left_out() -> None:
    code = _code(BLOCKS)
    assert "    stack = mixed\n    for i in range(3):\n" in code
    assert '        stack = unit(stack, units=width, name=f"stack.{i}")\n' in code
    assert 'tail = unit(stack, units=4, rate=0.3, name="tail")' in code


def test_a_repeat_count_param_is_the_loop_count() -> None:
    code = _code(ATTENTION)
    assert "    for i in range(depth):\n" in code
    assert 'name=f"enc.{i}" if depth > 1 else "enc",' in code  # one copy has no index


def test_attention_in_a_block_is_called_like_keras_calls_it() -> None:
    assert ")(ln1, ln1)\n" in _code(ATTENTION)
    code = _code(SELF_ATTENTION)
    assert ")(x, x)\n" in code and "([x, x])" not in code


def test_blocks_with_several_inputs_and_outputs() -> None:
    code = _code(ATTENTION)
    assert "def cross(q, kv, *, units, name: str):" in code
    assert "    return mix, gate\n" in code
    assert 'dec, dec_gate = cross(enc, memory, units=width, name="dec")' in code
    assert code.count("def cross(") == 1 and code.count("keras.layers.MultiHeadAttention(") == 2


def test_each_block_input_keeps_its_place() -> None:
    code = _code(SAME_FEED)
    assert ")(q, v)\n" in code and "keras.layers.Subtract(" in code
    assert 'one = pair(a, a, name="one")' in code and 'two = pair(one, b, name="two")' in code


def test_ports_call_arguments_and_shared_layers_inside_a_block() -> None:
    code = _code(STATES)
    assert "enc, enc_1, enc_2 = keras.layers.LSTM(" in code
    assert "(dec_in, initial_state=[enc_1, enc_2])" in code
    assert "proj_layer = keras.layers.Dense(" in code and "again = proj_layer(dec)" in code
    assert "    return both, enc, enc_1, enc_2\n" in code  # a block output's every tensor
    assert 's2s, _, s2s_enc_1, _ = seq2seq(src, tgt, units=latent, name="s2s")' in code


def test_a_chain_of_blocks_is_a_sequential_of_their_layers() -> None:
    code = _code(CHAIN)
    assert "def conv_bn(*, filters, kernel=None, name: str) -> list[keras.layers.Layer]:" in code
    assert "    if kernel is None:\n        kernel = [1, 1]\n" in code
    assert "kernel_size=tuple(kernel)" in code  # a list param where Keras takes a tuple
    assert "    for i in range(2):\n        layers += stage(filters=width * 2" in code
    assert 'return keras.Sequential(layers, name="chain")' in code
    assert "def build_model(width=16, kernel=None, rate=0.2) -> keras.Model:" in code


def test_an_instance_reached_inside_is_written_inline() -> None:
    code = _code(INLINE)
    assert 'keras.layers.Dense(units=width * 2, name="first.fc")(x)' in code  # folded params
    assert 'second = mlp(first_act, units=3, scale=1, name="second")' in code


def test_nested_models_inside_a_block() -> None:
    code = _code(NESTED)
    assert 'def build_enc(*, name: str = "enc") -> keras.Model:' in code
    assert 'enc_model = build_enc(name=f"{name}.enc")' in code
    assert "dist = keras.ops.sum(keras.ops.square(left - right), axis=-1, keepdims=True)" in code


def test_what_compile_refuses_codegen_refuses() -> None:
    text = "inputs: {x: {shape: [4]}}\nnodes:\n  d: {type: Dense, units: 2, activation: {type: relu, x: 1}}\n"
    with pytest.raises(CompileError, match=r"an activation is named by a string"):
        _code(text)


@pytest.mark.keras
def test_one_copy_of_a_repeat_has_no_index() -> None:
    """``repeat: ${depth}`` with depth 1 names the layers `enc.att`, not `enc.0.att`."""
    from graphspec import compile as compile_spec
    from tests._roundtrip import assert_same_model

    namespace: dict[str, object] = {}
    exec(compile(_code(ATTENTION), "encoder.py", "exec"), namespace)  # our own generated code
    built = namespace["build_model"](depth=1)  # type: ignore[operator]
    compiled = compile_spec(load(ATTENTION), params={"depth": 1})
    assert [x.name for x in built.layers] == [x.name for x in compiled.layers]
    assert "enc.att" in [x.name for x in built.layers]
    assert_same_model(built, compiled)


def test_a_block_reading_a_second_tensor_of_its_input_is_inline() -> None:
    code = _code(PORTS_AND_NAMES)
    assert "_, lstm_1, _ = keras.layers.LSTM(" in code
    assert 'read_h = keras.layers.Dense(units=2, name="read.h")(lstm_1)' in code


def test_build_model_keeps_the_names_of_the_params() -> None:
    code = _code(PORTS_AND_NAMES)
    assert "def build_model(mlp=8) -> keras.Model:" in code
    assert "def mlp_2(x, *, mlp, name: str):" in code
    assert 'head = mlp_2(read_h, mlp=mlp, name="head")' in code


def test_an_instance_fed_by_its_own_output_is_inline() -> None:
    code = _code(FED_BY_ITSELF)
    assert "def two(" not in code
    assert 't_da = keras.layers.Dense(units=4, name="t.da")(x)' in code
    assert 't_db = keras.layers.Dense(units=3, name="t.db")(mid)' in code
