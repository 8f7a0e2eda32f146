"""A table of hostile and broken specs: each gives its exact code, place, time and memory bound.

Every case runs through :func:`graphspec.check` (catching ``SpecError``/``LoadError`` for specs
that cannot be loaded). Each must finish in under :data:`TIME_BOUND` seconds and allocate less
than :data:`MEMORY_BOUND` bytes at peak (measured with ``tracemalloc``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from graphspec.base import limits as _limits
from graphspec.errors import Severity
from tests.hostile._run import diagnose, measured

TIME_BOUND = 0.5
"""Seconds one case may take: every case is rejected (or accepted) by a cheap, early check."""

MEMORY_BOUND = 50 * 1024 * 1024
"""Peak bytes one case may allocate: nothing a spec says is ever materialised in full."""

H = "inputs:\n  x: {shape: [16]}\n"
"""The usual head: one input."""

E11 = "graphspec: 1.1\n" + H + "nodes:\n"
"""A format 1.1 head: one input, then the nodes."""


def _dense(extra: str) -> str:
    return H + "nodes:\n  d: {type: Dense, units: 4" + extra + "}\n"


def _laughs() -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _deep_blocks(depth: int) -> str:
    out = H + "blocks:\n"
    for i in range(depth):
        out += f"  b{i}:\n    nodes: {{inner: {{block: b{i + 1}}}}}\n"
    out += f"  b{depth}:\n    nodes: {{d: {{type: Dense, units: 4}}}}\n"
    return out + "nodes:\n  top: {block: b0}\n"


def _big_block_repeat() -> str:
    nodes = ", ".join(f"d{i}: {{type: Dense, units: 4}}" for i in range(60))
    return (
        H
        + f"blocks:\n  big:\n    nodes: {{{nodes}}}\nnodes:\n  top: {{block: big, repeat: 10000}}\n"
    )


class Case(NamedTuple):
    id: str
    source: str | bytes
    code: str
    line: int | None
    column: int | None
    message: str
    severity: Severity = Severity.ERROR


CASES: list[Case] = [
    # -- YAML tags that would build Python objects (PyYAML's full/unsafe loaders) -------------
    Case(
        "tag-tf-advisory-object-new-exec",
        "x: !!python/object/new:type\n  args: [z, !!python/tuple [], {extend: !!python/name:exec }]\n"
        "  listitems: \"__import__('os').system('touch CANARY')\"\n",
        "E004",
        1,
        4,
        r"the YAML tag !!python/object/new:type is not allowed",
    ),
    Case(
        "tag-apply-os-system",
        '!!python/object/apply:os.system ["touch CANARY"]\n',
        "E004",
        1,
        1,
        r"the YAML tag !!python/object/apply:os.system is not allowed",
    ),
    Case(
        "tag-python-name-in-node",
        H + "nodes:\n  d: {type: !!python/name:os.system '', units: 4}\n",
        "E004",
        4,
        13,
        r"the YAML tag !!python/name:os.system is not allowed",
    ),
    Case(
        "tag-on-mapping-key",
        H + "nodes:\n  !!python/object:os.system d: {type: Dense, units: 4}\n",
        "E004",
        4,
        3,
        r"the YAML tag !!python/object:os.system is not allowed",
    ),
    Case("tag-local", _dense(", kernel_initializer: !Glorot {}"), "E004", 4, 50, r"tag ! ?Glorot"),
    Case("tag-binary", H + "description: !!binary aGVsbG8=\n", "E004", 3, 14, r"tag !!binary"),
    # -- aliases and nesting ------------------------------------------------------------------
    Case(
        "billion-laughs-9-levels",
        _laughs(),
        "E012",
        7,
        8,
        r"aliases expand the document by more than 1,000,000 values",
    ),
    Case(
        "self-referencing-alias",
        "a: &a [1, *a]\n",
        "E009",
        1,
        11,
        r"alias \*a refers to the collection that contains it",
    ),
    Case("undefined-alias", H + "nodes: *nodes\n", "E009", 3, 8, r"alias \*nodes is not defined"),
    Case(
        "alias-as-key",
        "k: &k name\n*k : 1\n",
        "E008",
        2,
        1,
        r"a mapping key must be a plain string, not an alias",
    ),
    Case(
        "collection-as-key",
        "{[a, b]: 1}\n",
        "E008",
        1,
        2,
        r"a mapping key must be a plain string, not a collection",
    ),
    Case("nesting-5000-flow", "[" * 5000 + "]" * 5000 + "\n", "E007", 1, 1001, r"deeper than 64"),
    Case("nesting-5000-block", "- " * 5000 + "1\n", "E007", 1, 129, r"deeper than 64"),
    # -- sizes ----------------------------------------------------------------------------------
    Case(
        "giant-string",
        H + "description: " + "A" * (_limits.MAX_STRING_LENGTH + 1) + "\n",
        "E010",
        3,
        14,
        r"a string of 65,537 characters exceeds the limit of 65,536",
    ),
    Case(
        "giant-key",
        H + "nodes:\n  " + "k" * (_limits.MAX_STRING_LENGTH + 1) + ": {type: ReLU}\n",
        "E010",
        4,
        3,
        r"a string of 65,537 characters exceeds",
    ),
    Case(
        "long-node-name",
        H + "nodes:\n  " + "n" * 300 + ": {type: ReLU}\n",
        "E105",
        4,
        3,
        r"node name 'n{37}\.\.\.' is 300 characters long \(limit 256\)",
    ),
    Case(
        "bytes-over-file-limit",
        b"#" * (_limits.MAX_FILE_BYTES + 1),
        "E005",
        None,
        None,
        r"spec is 16,777,217 bytes; the limit is 16,777,216 bytes",
    ),
    # -- duplicate keys at every level ------------------------------------------------------
    Case(
        "duplicate-top-level",
        H + "nodes: {d: {type: ReLU}}\nnodes: {e: {type: ReLU}}\n",
        "E013",
        4,
        1,
        r"duplicate key 'nodes' \(first written at line 3, column 1\)",
    ),
    Case(
        "duplicate-node",
        H + "nodes:\n  d: {type: ReLU}\n  d: {type: Dense, units: 4}\n",
        "E013",
        5,
        3,
        r"duplicate key 'd' \(first written at line 4, column 3\)",
    ),
    Case(
        "duplicate-node-arg",
        _dense(", units: 8"),
        "E013",
        4,
        30,
        r"duplicate key 'units' \(first written at line 4, column 20\)",
    ),
    Case(
        "duplicate-block",
        H + "blocks:\n  b: {nodes: {d: {type: ReLU}}}\n  b: {nodes: {e: {type: ReLU}}}\n"
        "nodes: {i: {block: b}}\n",
        "E013",
        5,
        3,
        r"duplicate key 'b' \(first written at line 4, column 3\)",
    ),
    Case(
        "duplicate-block-node",
        H + "blocks:\n  b:\n    nodes:\n      d: {type: ReLU}\n      d: {type: ReLU}\n"
        "nodes: {i: {block: b}}\n",
        "E013",
        7,
        7,
        r"duplicate key 'd' \(first written at line 6, column 7\)",
    ),
    Case(
        "duplicate-input",
        "inputs:\n  x: {shape: [3]}\n  x: {shape: [4]}\nnodes: {d: {type: ReLU}}\n",
        "E013",
        3,
        3,
        r"duplicate key 'x' \(first written at line 2, column 3\)",
    ),
    Case(
        "duplicate-input-field",
        "inputs:\n  x: {shape: [3], shape: [4]}\nnodes: {d: {type: ReLU}}\n",
        "E013",
        2,
        19,
        r"duplicate key 'shape'",
    ),
    # -- YAML 1.1 surprises -------------------------------------------------------------------
    Case(
        "activation-no",
        _dense(", activation: no"),
        "E106",
        4,
        42,
        r"node `d`, `activation`: YAML 1.1 reads `no` as the boolean false",
    ),
    Case(
        "use-bias-on-is-a-warning",
        _dense(", use_bias: on"),
        "W106",
        4,
        40,
        r"node `d`, `use_bias`: YAML 1.1 reads `on` as the boolean true",
        Severity.WARNING,
    ),
    Case(
        "dropout-rate-1e-3",
        H + "nodes:\n  d: {type: Dropout, rate: 1e-3}\n",
        "E106",
        4,
        28,
        r"node `d`, `rate`: YAML 1.1 reads `1e-3` as a string, not a number",
    ),
    Case(
        "train-learning-rate-1e-3",
        _dense("") + "train:\n  optimizer: {type: Adam, learning_rate: 1e-3}\n",
        "E106",
        6,
        42,
        r"`train.optimizer.learning_rate`: YAML 1.1 reads `1e-3` as a string, not a number",
    ),
    Case(
        "units-octal-012",
        H + "nodes:\n  d: {type: Dense, units: 012}\n",
        "E106",
        4,
        27,
        r"YAML 1.1 reads `012` as the octal number 10",
    ),
    # -- layer types and keys that name code ------------------------------------------------
    Case(
        "type-subprocess-run",
        H + "nodes:\n  d: {type: subprocess.run}\n",
        "E204",
        4,
        13,
        r"`subprocess.run` is not a class of keras.layers; graphspec never imports modules",
    ),
    Case(
        "type-user-package-class",
        H + "nodes:\n  d: {type: mypkg.layers.Scale}\n",
        "E204",
        4,
        13,
        r"`mypkg.layers.Scale` is not a class of keras.layers; graphspec never imports modules",
    ),
    Case(
        "type-registered-name",
        H + "nodes:\n  d: {type: 'mypkg>Scale'}\n",
        "E204",
        4,
        13,
        r"`mypkg>Scale` is not a class of keras.layers",
    ),
    Case(
        "type-keras-hub-left-out",
        H + "nodes:\n  d: {type: MaskedLMHead}\n",
        "E204",
        4,
        13,
        r"KerasHub's `MaskedLMHead` cannot be a node: it takes a layer object",
    ),
    Case(
        "type-os-system-colon",
        H + "nodes:\n  d: {type: 'os:system'}\n",
        "E204",
        4,
        13,
        r"`os:system` is not a class of keras.layers",
    ),
    Case(
        "type-lambda",
        H + "nodes:\n  d: {type: Lambda, function: exec}\n",
        "E204",
        4,
        13,
        r"layer type `Lambda` is not allowed in a spec: it runs arbitrary Python code",
    ),
    Case(
        "type-tfsmlayer",
        H + "nodes:\n  d: {type: TFSMLayer, filepath: /tmp/x}\n",
        "E204",
        4,
        13,
        r"`TFSMLayer` is not allowed in a spec: it loads a TensorFlow SavedModel",
    ),
    *[
        Case(
            f"node-key-{key}",
            _dense(f", {key}: os"),
            "E206",
            4,
            30,
            rf"node `d`: `{key}` is not accepted: specs never name code to import",
        )
        for key in ("module", "class_name", "function", "registered_name", "config")
    ],
    *[
        Case(
            f"initializer-key-{key}",
            _dense(f", kernel_initializer: {{type: GlorotUniform, {key}: os}}"),
            "E206",
            4,
            {"module": 72, "class_name": 72, "registered_name": 72}[key],
            rf"`kernel_initializer` may not hold `{key}`",
        )
        for key in ("module", "class_name", "registered_name")
    ],
    Case(
        "initializer-keras-config-form",
        _dense(", kernel_initializer: {module: os, class_name: system, config: {command: ls}}"),
        "E206",
        4,
        63,
        r"`kernel_initializer` may not hold `class_name`",
    ),
    Case(
        "train-optimizer-config-form",
        _dense("") + "train:\n  optimizer: {module: os, class_name: system}\n",
        "E206",
        6,
        15,
        r"`train.optimizer.module` is not accepted: specs never name code to import",
    ),
    Case(
        "unknown-kwarg-safe-mode",
        _dense(", safe_mode: false"),
        "E202",
        4,
        30,
        r"node `d`: Dense has no argument `safe_mode`",
    ),
    # -- absurd sizes -------------------------------------------------------------------------
    Case(
        "units-0",
        H + "nodes:\n  d: {type: Dense, units: 0}\n",
        "E203",
        4,
        27,
        r"node `d`: `units` of Dense must be a positive integer; found 0",
    ),
    Case(
        "units-negative",
        H + "nodes:\n  d: {type: Dense, units: -1}\n",
        "E203",
        4,
        27,
        r"node `d`: `units` of Dense must be a positive integer; found -1",
    ),
    Case(
        "units-power-as-text",
        H + "nodes:\n  d: {type: Dense, units: 10**12}\n",
        "E203",
        4,
        27,
        r"node `d`: `units` of Dense must be a positive integer; found '10\*\*12'",
    ),
    Case(
        "units-10-to-12",
        H + "nodes:\n  d: {type: Dense, units: 1000000000000}\n",
        "E503",
        4,
        3,
        r"the model would have 17,000,000,000,000 parameters, beyond the ceiling of "
        r"100,000,000,000; the largest layer is `d`",
    ),
    Case(
        "input-dimension-zero",
        "inputs:\n  x: {shape: [28, 0]}\nnodes: {d: {type: ReLU}}\n",
        "E110",
        2,
        19,
        r"input `x`: dimension 1 must be a positive integer or null; found 0",
    ),
    Case(
        "input-dimension-negative",
        "inputs:\n  x: {shape: [-5]}\nnodes: {d: {type: ReLU}}\n",
        "E110",
        2,
        15,
        r"dimension 0 must be a positive integer or null; found -5",
    ),
    Case(
        "input-astronomical",
        "inputs:\n  x: {shape: [100000000, 100000000, 3]}\nnodes:\n  d: {type: Dense, units: 4}\n",
        "E504",
        4,
        3,
        r"node `d` outputs \(None, 100000000, 100000000, 4\): "
        r"40,000,000,000,000,000 elements per sample, beyond the limit of 1,099,511,627,776",
    ),
    # -- graph structure ---------------------------------------------------------------------
    Case(
        "cycle-through-block",
        H + "blocks:\n  b:\n    nodes: {d: {type: Dense, units: 16}}\n"
        "nodes:\n  a: {type: Add}\n  i: {block: b}\nedges: [x -> a, i -> a, a -> i]\noutputs: [a]\n",
        "E302",
        7,
        3,
        r"the graph has a cycle: a -> i\.d -> a",
    ),
    Case(
        "block-recursion-direct",
        H + "blocks:\n  a:\n    nodes: {inner: {block: a}}\nnodes:\n  top: {block: a}\n",
        "E405",
        5,
        28,
        r"block `a` uses itself \(recursion: a -> a\)",
    ),
    Case(
        "block-recursion-mutual",
        H + "blocks:\n  a:\n    nodes: {inner: {block: b}}\n  b:\n    nodes: {inner: {block: a}}\n"
        "nodes:\n  top: {block: a}\n",
        "E405",
        7,
        28,
        r"block `a` uses itself \(recursion: a -> b -> a\)",
    ),
    Case(
        "blocks-nested-40-deep",
        _deep_blocks(40),
        "E405",
        67,
        20,
        r"blocks nest deeper than 32",
    ),
    Case(
        "repeat-10000-of-big-block",
        _big_block_repeat(),
        "E409",
        7,
        29,
        r"`repeat: 10000` of block `big` \(60 nodes per copy\) expands the spec to more than "
        r"500,000 nodes",
    ),
    Case(
        "repeat-over-limit",
        H + "blocks:\n  b: {nodes: {d: {type: ReLU}}}\nnodes:\n  top: {block: b, repeat: 10001}\n",
        "E404",
        6,
        27,
        r"`repeat` must be an integer from 1 to 10,000; found 10001",
    ),
    # -- ${...} expressions ---------------------------------------------------------------------
    Case(
        "expr-attribute",
        H + "params: {a: 1}\nnodes:\n  d: {type: Dense, units: '${a.__class__}'}\n",
        "E406",
        5,
        27,
        r"`\$\{a.__class__\}` is not allowed: attribute access",
    ),
    Case(
        "expr-import-call",
        H + "nodes:\n  d: {type: Dense, units: \"${__import__('os').system('touch CANARY')}\"}\n",
        "E406",
        4,
        27,
        r"is not allowed: function calls are not supported",
    ),
    Case(
        "expr-huge-power",
        H + "nodes:\n  d: {type: Dense, units: '${9**9**9**9}'}\n",
        "E406",
        4,
        27,
        r"operators other than \+ - \* / // % are not supported",
    ),
    Case(
        "expr-string-repeat",
        H + "nodes:\n  d: {type: Dense, units: \"${'a' * 10000000000}\"}\n",
        "E406",
        4,
        27,
        r"string and other non-number constants are not supported",
    ),
    Case(
        "expr-division-by-zero",
        H + "params: {a: 1}\nnodes:\n  d: {type: Dense, units: '${a // (a - 1)}'}\n",
        "E406",
        5,
        27,
        r"divides by zero",
    ),
    Case(
        "expr-growing-product",
        H + "params: {a: 100000}\nnodes:\n  d: {type: Dense, units: '${a * a * a * a}'}\n",
        "E406",
        5,
        27,
        r"gives 1e\+20, beyond the limit of 1e\+15",
    ),
    Case(
        "expr-very-long",
        H + "nodes:\n  d: {type: Dense, units: '${" + "1 + " * 5000 + "1}'}\n",
        "E406",
        4,
        27,
        r"expression of 20001 characters exceeds 256",
    ),
    Case(
        "expr-lambda",
        H + "nodes:\n  d: {type: Dense, units: '${(lambda: 1)()}'}\n",
        "E406",
        4,
        27,
        r"function calls are not supported",
    ),
    # -- encodings and odd files -------------------------------------------------------------
    Case(
        "non-utf8-bytes",
        H.encode() + b"nodes:\n  d: {type: Dense\xff, units: 4}\n",
        "E002",
        4,
        18,
        r"the file is not valid UTF-8: byte 0xff cannot be decoded",
    ),
    Case(
        "latin1-file",
        "name: caf\u00e9\n".encode("latin-1") + H.encode(),
        "E002",
        1,
        10,
        r"byte 0xe9 cannot be decoded",
    ),
    Case(
        "nul-byte",
        H + "nodes:\n  d: {type: Dense\x00, units: 4}\n",
        "E003",
        4,
        18,
        r"unacceptable character #x0000: control characters are not allowed",
    ),
    Case(
        "empty-file",
        "",
        "E100",
        1,
        1,
        r"a spec must be a mapping with `inputs` and `nodes`; found an empty file",
    ),
    Case("null-document", "null\n", "E100", 1, 1, r"found an empty file"),
    Case("only-comments", "# nothing here\n", "E100", 1, 1, r"found an empty file"),
    Case("file-is-a-list", "- inputs\n- nodes\n", "E100", 1, 1, r"found a list"),
    Case("file-is-a-scalar", "# a comment\nhello\n", "E100", 2, 1, r"found a str"),
    Case(
        "tabs",
        "inputs:\n\tx: {shape: [3]}\n",
        "E003",
        2,
        1,
        r"tab character: YAML indents with spaces",
    ),
    Case(
        "several-documents",
        H + "nodes: {d: {type: ReLU}}\n---\nmore: 1\n",
        "E006",
        4,
        1,
        r"the file holds several YAML documents",
    ),
    Case(
        "merge-key",
        H + "base: &b {type: ReLU}\nnodes:\n  d: {<<: *b}\n",
        "E011",
        5,
        7,
        r"YAML merge keys \(`<<`\) are not supported",
    ),
    Case(
        "schema-wrong-section-type",
        "inputs: [x]\nnodes: {d: {type: ReLU}}\n",
        "E103",
        1,
        9,
        r"`inputs` must be a mapping; found list",
    ),
    # -- tensor expressions (format 1.1): a whitelist parser, never eval -------------------------
    Case(
        "expr-attribute-access",
        E11 + '  e: {expr: "x.__class__.__mro__"}\n',
        "E801",
        5,
        15,
        r"attribute access is not part of expressions",
    ),
    Case(
        "expr-dunder-import",
        E11 + "  e: {expr: \"__import__('os').system('ls')\"}\n",
        "E802",
        5,
        14,
        r"`__import__`: dunder names are not allowed",
    ),
    Case(
        "expr-call-outside-table",
        E11 + '  e: {expr: "eval(x)"}\n',
        "E802",
        5,
        14,
        r"`eval` is not a function of the expression table",
    ),
    Case(
        "expr-getattr",
        E11 + "  e: {expr: \"getattr(x, 'shape')\"}\n",
        "E802",
        5,
        14,
        r"`getattr` is not a function of the expression table",
    ),
    Case(
        "expr-open-file",
        E11 + "  e: {expr: \"x + open('/etc/passwd')\"}\n",
        "E801",
        5,
        23,
        r"strings are only dtype names",
    ),
    Case(
        "expr-lambda",
        E11 + '  e: {expr: "(lambda: x)()"}\n',
        "E801",
        5,
        15,
        r"`lambda`: Python keywords are not part of expressions",
    ),
    Case(
        "expr-subscript-by-tensor",
        E11 + '  e: {expr: "x[x]"}\n',
        "E801",
        5,
        16,
        r"a subscript holds integers, slices",
    ),
    Case(
        "expr-huge-exponent",
        E11 + '  e: {expr: "x ** 9 ** 9 ** 9"}\n',
        "E804",
        5,
        21,
        r"`\*\*` of the constants 9 and 387420489 is out of range",
    ),
    Case(
        "expr-huge-constant",
        E11 + '  e: {expr: "x * 1e999"}\n',
        "E804",
        5,
        18,
        r"the constant `1e999` is out of range",
    ),
    Case(
        "expr-huge-reshape",
        E11 + '  e: {expr: "reshape(x, [-1, 100000000, 100000000])"}\n',
        "E504",
        5,
        14,
        r"elements per sample, beyond the limit",
    ),
    Case(
        "expr-huge-repeat",
        E11 + '  e: {expr: "repeat(x, 1000000000000, axis=1)"}\n',
        "E504",
        5,
        14,
        r"gives \(None, 16000000000000\)",
    ),
    Case(
        "expr-deep-nesting",
        E11 + '  e: {expr: "' + "relu(" * 200 + "x" + ")" * 200 + '"}\n',
        "E804",
        5,
        179,
        r"the expression nests deeper than 32 levels",
    ),
    Case(
        "expr-too-long",
        E11 + '  e: {expr: "x' + " + x" * 1500 + '"}\n',
        "E804",
        5,
        14,
        r"the expression is 6,001 characters long",
    ),
    Case(
        "expr-shape-mismatch",
        E11 + '  e: {expr: "x + reshape(x, [-1, 4, 4])"}\n',
        "E501",
        5,
        14,
        r"operands of shapes \(None, 16\) and \(None, 4, 4\) do not broadcast",
    ),
    Case(
        "expr-in-format-1-0",
        H + 'nodes:\n  e: {expr: "x * 2.0"}\n',
        "E800",
        4,
        7,
        r"an expression node \(`expr:`\) is format 1.1; this spec is format 1",
    ),
    # -- constants made in expressions, learned tensors, sizes read from shapes (format 1.1) ----
    Case(
        "expr-huge-arange",
        E11 + '  e: {expr: "x[:, 0] + sum(arange(1000000000000))"}\n',
        "E504",
        5,
        28,
        r"makes a constant of \(1000000000000,\): 1,000,000,000,000 elements",
    ),
    Case(
        "expr-huge-einsum-subscripts",
        E11 + "  e: {expr: \"einsum('" + "a," * 1000 + "a', x)\"}\n",
        "E803",
        5,
        21,
        r"names 1001 operand\(s\) but 1 are given",
    ),
    Case(
        "weight-huge",
        E11 + "  w: {weight: {shape: [100000000, 100000000, 100000000]}}\n",
        "E503",
        5,
        3,
        r"the model would have 1,000,000,000,000,000,000,000,000 parameters",
    ),
    Case(
        "weight-code-in-initializer",
        E11 + "  w: {weight: {shape: [2], initializer: {type: Zeros, module: os}}}\n",
        "E206",
        5,
        55,
        r"`initializer` may not hold `module`: specs never name code to import",
    ),
    Case(
        "sized-call-outside-shape",
        E11 + "  d: {type: Dense, units: \"${__import__('os').getpid()}\"}\n",
        "E406",
        5,
        27,
        r"function calls are not supported, except shape\(NODE\)",
    ),
    Case(
        "sized-huge-size",
        E11 + '  d: {type: Dense, units: "${shape(x)[-1] * 100000000000000}"}\n',
        "E406",
        5,
        27,
        r"beyond the limit of 1e\+15",
    ),
    Case(
        "sized-self-reference",
        E11 + '  d: {type: Dense, units: "${shape(d)[-1]}"}\n',
        "E302",
        5,
        27,
        r"a cycle through a size read from a shape: d -> d",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case(case: Case) -> None:
    outcome, seconds, peak = measured(lambda: diagnose(case.source))
    found = [d for d in outcome.diagnostics if d.code == case.code]
    assert found, [d.format() for d in outcome.diagnostics]
    diag = found[0]
    assert re.search(case.message, diag.message), diag.format()
    assert (diag.line, diag.column) == (case.line, case.column), diag.format()
    assert diag.severity is case.severity
    assert diag.file == "<spec>"
    assert seconds < TIME_BOUND, f"{case.id} took {seconds:.3f} s"
    assert peak < MEMORY_BOUND, f"{case.id} peaked at {peak / 2**20:.1f} MiB"
    if case.severity is Severity.WARNING:
        assert not outcome.errors, [d.format() for d in outcome.errors]


PLAIN = H + "nodes:\n  d: {type: Dense, units: 4}\n"
"""A valid spec: the other side when a hostile case goes through ``graphspec diff``."""


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case_through_diff(case: Case) -> None:
    """``graphspec.diff`` meets every hostile spec as the other side of a valid one: the same
    diagnostic on that side, exit status 2 for an error, bounded like one check per side."""
    from graphspec import diff

    result, seconds, peak = measured(lambda: diff(PLAIN, case.source))
    found = [d for d in result.new.diagnostics if d.code == case.code]
    assert found, [d.format() for d in result.new.diagnostics]
    assert (found[0].line, found[0].column) == (case.line, case.column), found[0].format()
    allowed = (2,) if case.severity is Severity.ERROR else (0, 1)  # `use_bias: on` is the default
    assert result.old.ok and result.exit_status in allowed
    assert seconds < 2 * TIME_BOUND, f"{case.id} took {seconds:.3f} s"
    assert peak < MEMORY_BOUND, f"{case.id} peaked at {peak / 2**20:.1f} MiB"


EXPORT_CASES = list({c.code: c for c in reversed(CASES) if c.severity is Severity.ERROR}.values())
"""One hostile case per diagnostic code (the first of each) through ``graphspec export``: the
command shares the check with every other one; these show it refuses before building."""


@pytest.mark.parametrize("case", EXPORT_CASES, ids=[c.id for c in EXPORT_CASES])
def test_hostile_case_through_export(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``graphspec export`` refuses every hostile spec with the table's diagnostic, exit 1,
    before Keras is built or anything is written."""
    from graphspec.cli.main import main

    spec = tmp_path / "hostile.yaml"
    data = case.source.encode() if isinstance(case.source, str) else case.source
    spec.write_bytes(data)
    status, seconds, _ = measured(
        lambda: main(["export", str(spec), "-o", str(tmp_path / "m.onnx")])
    )
    printed = capsys.readouterr()
    assert status == 1, printed
    assert f"[{case.code}]" in printed.out + printed.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.yaml"]
    assert seconds < 4 * TIME_BOUND, f"{case.id} took {seconds:.3f} s"


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:  # sparse: the size is all that matters, nothing is read
        f.truncate(_limits.MAX_FILE_BYTES + 1)
    outcome, seconds, peak = measured(lambda: diagnose(path))
    diag = outcome.first("E005")
    assert outcome.raised
    assert diag.file == str(path)
    assert diag.message == "file is 16,777,217 bytes; the limit is 16,777,216 bytes"
    assert (seconds, peak < 1024 * 1024) < (TIME_BOUND, True)


def test_5mb_file_finishes_in_bounded_time(tmp_path: Path) -> None:
    """5 MB of long strings, comments and a small model: parsing big scalars is linear and cheap.

    Bound 5 s: measured well under 1 s; the margin covers a loaded CI machine. (Dense YAML costs
    more per byte -- see ``test_100k_node_chain`` and docs/security.md.)
    """
    chunk = "x" * 60_000
    lines = ["# " + "padding " * 4000 for _ in range(200)]
    lines += [H.rstrip(), "params:"] + [f"  p{i}: {chunk}" for i in range(60)]
    lines += ["nodes:", "  d: {type: Dense, units: 4}"]
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    outcome, seconds, peak = measured(lambda: diagnose(path))
    assert not outcome.errors, [d.format() for d in outcome.errors]
    assert seconds < 5, seconds
    assert peak < 200 * 1024 * 1024, peak


@pytest.mark.slow
def test_100k_node_chain(tmp_path: Path) -> None:
    """100,000 nodes (Dense/ReLU chain, 2.9 MB) check in bounded time (~8 s measured on 1 core).

    Bound 30 s: the loader composes ~200k YAML events/s and expansion, checks and shape
    inference run at ~40k nodes/s each; the margin covers 2 cores shared with other jobs.
    """
    lines = [H.rstrip(), "nodes:"]
    for i in range(100_000):
        lines.append(f"  d{i}: {{type: Dense, units: 8}}" if i % 2 else f"  r{i}: {{type: ReLU}}")
    path = tmp_path / "chain.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import time

    start = time.perf_counter()
    outcome = diagnose(path)
    seconds = time.perf_counter() - start
    assert not outcome.errors, [d.format() for d in outcome.errors[:3]]
    assert seconds < 30, seconds


CRLF_SPEC = H + "nodes:\n  d: {type: Dense, units: 4, unit: 3}\n"


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t, id="lf"),
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: ("\ufeff" + t).replace("\n", "\r\n").encode(), id="bom-crlf-bytes"),
    ],
)
def test_crlf_and_bom_work_normally(variant: object) -> None:
    outcome = diagnose(variant(CRLF_SPEC))  # type: ignore[operator]
    assert [d.format().splitlines()[0] for d in outcome.errors] == [
        "<spec>:4:30: error[E202]: node `d`: Dense has no argument `unit`"
    ]


def test_long_one_line_text_is_not_mistaken_for_a_path() -> None:
    """A one-line YAML text longer than a file name is still read as YAML, not a path."""
    outcome = diagnose("[" * 300 + "]" * 300)
    assert outcome.first("E007").line == 1


# -- bounded work in every command on a large spec the validator accepts -----------------------

BIG_SECONDS = 30.0
"""Seconds one command may take on the large specs below (minutes and an out-of-memory
Graphviz before the render bound; a few seconds now, most of it the check itself)."""

BIG_MEMORY = 600 * 1024 * 1024
"""Peak bytes (tracemalloc) one command may allocate on the large specs below."""


def _big_spec(copies: int) -> str:
    return (
        H
        + "blocks:\n  mlp:\n    nodes:\n      d: {type: Dense, units: 16}\n      r: {type: ReLU}\n"
        + f"nodes:\n  body: {{block: mlp, repeat: {copies}}}\n  head: {{type: Dense, units: 4}}\n"
    )


def _big_model_json(layers: int) -> str:
    """A Sequential model config of ``layers`` Dense layers (what ``model.to_json()`` writes)."""
    import json

    template = json.loads((Path(__file__).parents[1] / "output/data/tiny_model.json").read_text())
    first, dense = template["config"]["layers"][:2]
    body = [{**dense, "config": {**dense["config"], "name": f"d{i}"}} for i in range(layers)]
    template["config"]["layers"] = [first, *body]
    return json.dumps(template)


def _bounded_cli(argv: list[str]) -> tuple[int, str, float, int]:
    import contextlib
    import io
    import time
    import tracemalloc

    from graphspec.cli.main import main

    err = io.StringIO()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(argv)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return status, err.getvalue(), time.perf_counter() - start, peak


_BIG_COMMANDS = {
    "render-collapses": (["render", "{spec}", "-o", "{out}.svg"], 0, "blocks are drawn collapsed"),
    "render-mermaid": (["render", "{spec}", "-o", "{out}.mmd"], 0, "blocks are drawn collapsed"),
    "summary": (["summary", "{spec}"], 0, ""),
    "codegen": (["codegen", "{spec}", "-o", "{out}.py"], 0, ""),
    "validate": (["validate", "{spec}"], 0, ""),
    "diff": (["diff", "{spec}", "{spec}", "-o", "{out}.svg"], 0, "wrote"),
}


def _run_big(tmp_path: Path, copies: int, name: str) -> None:
    spec = tmp_path / "big.yaml"
    spec.write_text(_big_spec(copies))
    argv, want, said = _BIG_COMMANDS[name]
    argv = [a.format(spec=spec, out=tmp_path / "out") for a in argv]
    status, err, seconds, peak = _bounded_cli(argv)
    assert status == want, err
    assert said in err
    bound = BIG_SECONDS * (2 if name == "diff" else 1)  # diff checks two specs
    assert seconds < bound, f"{name} took {seconds:.1f} s"
    assert peak < BIG_MEMORY, f"{name} allocated {peak / 2**20:.0f} MB"


@pytest.mark.parametrize("name", [n for n in _BIG_COMMANDS if n != "validate"])
def test_3k_node_spec_every_command_bounded(name: str, tmp_path: Path) -> None:
    """Above the 2,000-box bound: the same paths as 20k nodes (those run with `make test-all`)."""
    _run_big(tmp_path, 1500, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", _BIG_COMMANDS)
def test_20k_node_spec_every_command_bounded(name: str, tmp_path: Path) -> None:
    _run_big(tmp_path, 10_000, name)


@pytest.mark.parametrize("copies", [1500, pytest.param(10_000, marks=pytest.mark.slow)])
def test_large_diff_of_a_block_edit_bounded(copies: int, tmp_path: Path) -> None:
    """A block edit changing every one of thousands of instances: one change, drawn bounded."""
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(_big_spec(copies))
    new.write_text(_big_spec(copies).replace("units: 16", "units: 32"))
    argv = ["diff", str(old), str(new), "-o", str(tmp_path / "d.svg"), "--format", "json"]
    status, err, seconds, peak = _bounded_cli(argv)
    assert status == 1, err
    # two specs checked, and every node of one changed: 3 × the bound of one command
    assert seconds < 3 * BIG_SECONDS and peak < BIG_MEMORY, (seconds, peak)
    svg = (tmp_path / "d.svg").read_text()
    assert svg.count('class="node gsbox') < 10  # the changed copies collapsed into one box


@pytest.mark.parametrize("layers", [2500, pytest.param(20_000, marks=pytest.mark.slow)])
def test_large_import_and_flat_render_bounded(layers: int, tmp_path: Path) -> None:
    """A flat model (no blocks to collapse): import is bounded, render refuses in seconds."""
    source = tmp_path / "model.json"
    source.write_text(_big_model_json(layers))
    out = tmp_path / "model.yaml"
    status, err, seconds, peak = _bounded_cli(["import", str(source), "-o", str(out)])
    assert status == 0, err
    assert seconds < BIG_SECONDS and peak < BIG_MEMORY
    status, err, seconds, _ = _bounded_cli(["render", str(out), "-o", str(tmp_path / "m.svg")])
    assert status == 2
    assert err == (
        f"graphspec render: error: the diagram would have {layers + 1:,} boxes, more than the "
        "2,000 drawn at once (Graphviz needs minutes and gigabytes for that many); write "
        "repeated parts as blocks with `repeat` (then --blocks collapse draws each as one box), "
        "or raise --max-nodes (0: no limit)\n"
    )
    assert seconds < BIG_SECONDS
    assert not (tmp_path / "m.svg").exists()


# -- spec files naming spec files (format 1.1: include:, model: FILE) -------------------------


def _include_case(root: Path, name: str) -> Path:
    """Write one hostile include case under ``root``; returns the top-level spec."""
    top = root / "project" / "top.yaml"
    top.parent.mkdir(parents=True)
    tail = H + "nodes:\n  d: {type: Dense, units: 4}\n"

    def head(path: str) -> str:
        return f"graphspec: 1.1\ninclude: [{path}]\n" + tail

    def lib(path: str) -> str:
        return f"graphspec: 1.1\ninclude: [{path}]\nblocks: {{}}\n"

    if name == "cycle":
        top.write_text(head("a.yaml"))
        (top.parent / "a.yaml").write_text(lib("b.yaml"))
        (top.parent / "b.yaml").write_text(lib("a.yaml"))
    elif name == "etc-passwd":
        top.write_text(head("/etc/passwd"))
    elif name == "dotdot-escape":
        top.write_text(head("../../../../../../etc/passwd.yaml"))
    elif name == "symlink-out-of-tree":
        (root / "secret.yaml").write_text(lib("x.yaml"))
        (top.parent / "lib.yaml").symlink_to(root / "secret.yaml")
        top.write_text(head("lib.yaml"))
    elif name == "symlink-to-dev-zero":
        (top.parent / "zero.yaml").symlink_to("/dev/zero")
        top.write_text(head("zero.yaml"))
    elif name == "deep-chain":
        top.write_text(head("l0.yaml"))
        for i in range(12):
            (top.parent / f"l{i}.yaml").write_text(lib(f"l{i + 1}.yaml"))
    elif name == "folder-named-yaml":
        (top.parent / "dir.yaml").mkdir()
        top.write_text(head("dir.yaml"))
    elif name == "model-escape":
        top.write_text(
            "graphspec: 1.1\n" + H + "nodes:\n  m: {model: ../../../../etc/shadow.yaml}\n"
        )
    return top


INCLUDE_CASES = [
    ("cycle", "E847", 2, 11, r"a\.yaml -> b\.yaml -> a\.yaml"),
    ("etc-passwd", "E845", 2, 11, r"`/etc/passwd` is an absolute path"),
    ("dotdot-escape", "E845", 2, 11, r"outside the folder tree of the top-level spec"),
    ("symlink-out-of-tree", "E845", 2, 11, r"outside the folder tree .* through a symlink"),
    ("symlink-to-dev-zero", "E845", 2, 11, r"leads to /dev/zero, outside the folder tree"),
    ("deep-chain", "E848", 2, 11, r"spec files nest deeper than 8 levels"),
    ("folder-named-yaml", "E846", 2, 11, r"no such spec file: `dir\.yaml`"),
    ("model-escape", "E845", 5, 14, r"outside the folder tree of the top-level spec"),
]


@pytest.mark.parametrize(
    ("name", "code", "line", "column", "message"), INCLUDE_CASES, ids=[c[0] for c in INCLUDE_CASES]
)
def test_hostile_include(
    tmp_path: Path, name: str, code: str, line: int, column: int, message: str
) -> None:
    top = _include_case(tmp_path, name)
    outcome, seconds, peak = measured(lambda: diagnose(top))
    found = [d for d in outcome.diagnostics if d.code == code]
    assert found, [d.format() for d in outcome.diagnostics]
    diag = found[0]
    assert re.search(message, diag.message), diag.format()
    assert (diag.line, diag.column) == (line, column), diag.format()
    assert seconds < TIME_BOUND * 4, f"{name} took {seconds:.3f} s"
    assert peak < MEMORY_BOUND, f"{name} peaked at {peak / 2**20:.1f} MiB"


# -- graphspec sweep ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case_through_sweep_plan(case: Case, tmp_path: Path) -> None:
    """``graphspec sweep SPEC --plan`` meets every hostile spec: the same diagnostic for an
    error (exit 1 or 2), a usage error for a valid spec without ``search:``, never a traceback,
    nothing written, bounded like one check."""
    spec = tmp_path / "hostile.yaml"
    data = case.source if isinstance(case.source, bytes) else case.source.encode()
    spec.write_bytes(data)
    status, err, seconds, peak = _bounded_cli(["sweep", str(spec), "--plan"])
    assert status in (1, 2) and "Traceback" not in err, err
    if case.severity is Severity.ERROR:
        assert f"[{case.code}]" in err, err
    else:
        assert "has no `search:` section" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.yaml"]
    assert seconds < 4 * TIME_BOUND, f"{case.id} took {seconds:.3f} s"
    assert peak < MEMORY_BOUND, f"{case.id} peaked at {peak / 2**20:.1f} MiB"


def _space(params: list[str], search: str, extra: str = "") -> str:
    head = "params: {" + ", ".join(f"{p}: 1" for p in params) + "}\n"
    return head + search + extra + H + "nodes:\n  d: {type: Dense, units: '${p0}'}\n"


_WIDE = [f"p{i}" for i in range(10)]
_CHAIN = [f"p{i}" for i in range(60)]
_HOSTILE_SEARCH = {
    "1e60-variants": (
        _space(
            _WIDE, "search: {" + ", ".join(f"{p}: {{low: 1, high: 1000000}}" for p in _WIDE) + "}\n"
        ),
        0,
        "sampled 500 of them",
    ),
    "huge-bounds": (
        _space(["p0"], "search: {p0: {low: 1, high: 1.0e+300}}\n"),
        0,
        "an infinite number of variants",
    ),
    "when-chain": (
        _space(
            _CHAIN,
            "search:\n"
            + "".join(
                f"  p{i}: {{choices: [1, 2]" + (f", when: {{p{i - 1}: 1}}" if i else "") + "}\n"
                for i in range(len(_CHAIN))
            ),
        ),
        0,
        "the space holds",
    ),
    "constraint-bomb": (
        _space(["p0"], "search: {p0: [1, 2]}\n", "constraints: ['${9 ** 9 ** 9 > 1}']\n"),
        1,
        "E905",
    ),
}


@pytest.mark.parametrize("name", _HOSTILE_SEARCH)
def test_hostile_search_spaces_are_planned_in_bounded_time(name: str, tmp_path: Path) -> None:
    """Spaces too large to enumerate are counted without listing them and sampled; chains of
    ``when:`` are counted in one pass; a pathological constraint is refused."""
    import contextlib
    import io
    import time

    from graphspec.cli.main import main

    source, want, said = _HOSTILE_SEARCH[name]
    spec = tmp_path / "space.yaml"
    spec.write_text(source)
    text, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(text), contextlib.redirect_stderr(err):
        status = main(["sweep", str(spec), "--plan"])
    seconds = time.perf_counter() - start
    assert status == want, err.getvalue()
    assert said in text.getvalue() + err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["space.yaml"]
    assert seconds < 10, f"{name} took {seconds:.1f} s"
