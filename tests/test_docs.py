"""Docs stay honest: every diagnostic code the package emits is documented in docs/errors.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_code_is_documented() -> None:
    used = set()
    for path in (ROOT / "graphspec").rglob("*.py"):
        used |= set(re.findall(r'"([EWN]\d{3})"', path.read_text()))
    documented = set(
        re.findall(r"^\| ([EWN]\d{3}) \|", (ROOT / "docs/errors.md").read_text(), re.M)
    )
    assert used, "no codes found"
    assert sorted(used - documented) == [], "add these codes to docs/errors.md"


def test_readme_quick_start_is_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quick start", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    assert block.strip().splitlines() == ["make demo", "make test"]


# -- every documented example gives its code ----------------------------------------------------

_H = "inputs:\n  x: {shape: [16]}\n"
_IMG = "inputs:\n  image: {shape: [8, 8, 3]}\n"
_BODY = "nodes:\n  a: {type: Dense, units: 4}\n  b: {type: Dense, units: 4}\n  c: {type: Add}\n"
_TEMPLATES = (
    "FRAG",
    _H + "nodes:\n  n: {type: Dense, units: 4, FRAG}\n",
    _H + "nodes:\n  n: {type: Dense, FRAG}\n",
    _H + "nodes:\n  n: {type: Dropout, FRAG}\n",
    _IMG + "nodes:\n  n: {type: Conv2D, filters: 4, kernel_size: 3, FRAG}\n",
    _IMG + "nodes:\n  n: {type: Conv2D, FRAG}\n",
    _H + "nodes:\n  n: {FRAG}\n",
    _H + "nodes:\n  FRAG\n",
    _H + "nodes:\n  n: {type: Dense, units: 4}\nFRAG\n",
    "FRAG\n" + _H + "nodes:\n  n: {type: Dense, units: 4}\n",
    "inputs:\n  x: {shape: [16]}\n  image: {shape: [16]}\n" + _BODY + "edges:\n  - FRAG\n",
    "graphspec: 1.1\n" + _H + 'nodes:\n  n: {expr: "FRAG"}\n',
    "graphspec: 1.1\n" + _H + "nodes:\n  n: {type: LSTM, units: 4, FRAG}\n",
    "graphspec: 1.1\n" + _H + "nodes:\n  n: {FRAG}\n",
    _H + "nodes:\n  n: {type: Dense, units: 4}\ntrain: {FRAG}\n",
    _H + "nodes:\n  FRAG {type: Dense, units: 4}\n  FRAG {type: Dense, units: 2}\n",
    _H + "nodes:\n  FRAG: {type: Dense, units: 4}\n",
    "inputs:\n  x: {FRAG}\nnodes:\n  n: {type: Dense, units: 4}\n",
    _IMG + "nodes:\n  n: {type: Flatten}\nFRAG\n",
    _H + "nodes:\n  a: {type: Dense, units: 16}\n  b: {type: Add, inputs: [x, a]}\nFRAG\n",
    "graphspec: 1.1\n" + _H + "nodes:\n  n: {model: keras.applications.MobileNetV2, FRAG}\n",
    _H + "nodes:\n  n: {type: FRAG}\n",
    "graphspec: 1.1\n" + _H + "nodes:\n  n: FRAG\n",
    "graphspec: 1.1\ninputs:\n  a: {shape: [4, 6]}\n  v: {shape: [6]}\nnodes:\n"
    '  n: {expr: "FRAG"}\n',
    "graphspec: 1.1\n" + _H + "nodes:\n  n: {model: {inputs: {i: {shape: [4]}}, nodes: "
    "{d: {type: Dense, units: 2, FRAG}}}}\n",
)
_PROSE = {
    "E005": "a 20 MB file: tests/hostile/test_table.py (over the size limit)",
    "E007": "5,000 levels: tests/hostile/test_table.py",
    "E010": "a giant string: tests/hostile/test_table.py",
    "E012": "billion laughs: tests/hostile/test_table.py",
    "E014": "millions of values: tests/hostile/test_table.py",
    "E409": "a huge repeat: tests/hostile/test_table.py",
    "E410": "a repeat whose template names every copy alike: tests/test_block_names.py",
    "E411": "a `when` that is no boolean: tests/test_block_when.py",
    "N015": "a file skipped by --only-specs: tests/test_paths.py",
    "N016": "a folder holding non-specs: tests/test_cli.py",
    "E107": "entries not indented under nodes: tests/cascade/nodes_not_indented.yaml",
    "E705": "labels vs outputs need data: tests/train/test_targets.py",
    "E100": "an empty file: tests/hostile/test_table.py",
    "W303": "a dead branch: tests/test_validate.py",
    "W304": "an unused input: tests/test_validate.py",
    "E307": "tests/test_validate.py",
    "E309": "a node nothing feeds: tests/cascade/disconnected_node.yaml",
    "E313": "tests/test_validate.py",
    "E402": "tests/cascade/missing_block_param.yaml",
    "E403": "tests/test_validate.py",
    "E405": "mutual recursion: tests/hostile/test_table.py",
    "E501": "tests/test_validate.py (the seed's Add of 64 and 32 channels)",
    "E016": "a broken layer package: tests/test_layer_packages.py (language server)",
    "E209": "needs a layer package: tests/test_layer_packages.py",
    "E210": "needs KerasHub missing: tests/test_hub_layers.py",
    "N502": "needs a registered layer: tests/shapes",
    "N503": "needs a layer package: tests/test_user_shapes.py",
    "N505": "validate --deep: tests/test_deep.py",
    "E505": "a graphspec bug by definition: tests/test_deep.py",
    "E506": "tests/test_ports.py",
    "E601": "compile --api sequential: tests/test_compile_cli.py",
    "E602": "a registered layer whose build fails: tests/test_compile_cli.py",
    "E603": "a registered Lambda: tests/test_compiler.py",
    "E620": "export pre-checks: tests/export/test_specs.py",
    "E621": "export pre-checks with a free dimension: tests/export/test_precheck.py",
    "E622": "an export beyond its tolerance: tests/export/test_export.py",
    "E623": "a backend that cannot write a format: tests/export/test_options.py",
    "E624": "a converter package missing: tests/export/test_precheck.py",
    "E625": "a converter short of memory: tests/export/test_options.py",
    "E824": "call arguments: tests/calls",
    "E841": "nested model shapes: tests/nested",
    "E844": "nested model inputs: tests/nested",
    "E847": "include cycles need files: tests/nested",
    "E848": "a chain of includes needs files: tests/nested",
    "E849": "a block in two files: tests/nested/test_includes.py",
    "E710": "a backend not installed: tests/backends/test_select.py",
    "E711": "an environment variable: tests/backends/test_select.py",
    "E712": "a process already on another backend: tests/backends/test_select.py",
    "E713": "a strategy per backend: tests/backends/test_select.py",
    "E714": "a lost worker: tests/backends/test_multiworker.py",
    "E715": "compare --backends: tests/backends/test_compare_backends.py",
    "E716": "a multi-worker start-up failure: tests/backends/test_multiworker.py",
    "E901": "needs spec params: tests/train/test_sweep_plan.py",
    "E902": "needs spec params: tests/train/test_sweep_plan.py",
    "E903": "needs spec params: tests/train/test_sweep_plan.py",
    "E904": "needs two searched params: tests/train/test_sweep_plan.py",
    "E905": "a constraint: tests/train/test_sweep_plan.py",
    "E906": "needs scales and --scale: tests/train/test_sweep_plan.py",
    "N900": "a sweep variant, not a validate diagnostic: tests/train/test_sweep_plan.py",
    "E950": "the language server's own failure: tests/lsp",
    "E970": "Graphviz missing: tests/view",
    "E971": "a viewer bug by definition: tests/view",
    "E310": "tests/cascade/node_named_like_input.yaml",
}
"""Rows whose example is prose or needs files, a registered class or another tool; each is
covered where named. Every other row's first runnable snippet must give the row's code."""


_EXPRESSION_TEMPLATE = "params: {w: 8}\n" + _H + 'nodes:\n  n: {type: Dense, units: "FRAG"}\n'
"""Only for `${...}` snippets (any other text there is just a wrong `units`)."""


def _templates(snippet: str) -> tuple[str, ...]:
    return (*_TEMPLATES, _EXPRESSION_TEMPLATE) if snippet.startswith("${") else _TEMPLATES


def _documented_rows() -> list[tuple[str, list[str]]]:
    rows = []
    for line in (ROOT / "docs/errors.md").read_text().splitlines():
        match = re.match(r"^\| ([EWN]\d{3}) \|[^|]*\|(.*)\|\s*$", line)
        if match:
            snippets = re.findall(r"`([^`]+)`", match.group(2))
            rows.append((match.group(1), snippets))
    return rows


def _codes_of(text: str | bytes) -> set[str]:
    from graphspec import check, load
    from graphspec.errors import GraphSpecError, SpecError
    from graphspec.tools.train.settings import train_diagnostics

    try:
        result = check(text)
        codes = {d.code for d in result.diagnostics}
        codes |= {d.code for d in train_diagnostics(load(text))}  # what `fit` checks first
    except SpecError as err:
        return {d.code for d in err.diagnostics}
    except GraphSpecError:
        return set()
    return codes


def _cli_codes(snippet: str, tmp: Path) -> set[str]:
    import contextlib
    import io
    import json
    import os
    import shlex

    from graphspec.cli.main import main

    spec = tmp / "spec.yaml"
    spec.write_text("params: {p: 0.5, w: 8}\n" + _H + "nodes:\n  n: {type: Dense, units: 4}\n")
    words = shlex.split(snippet)
    if words[:2] == ["graphspec", "validate"]:
        argv = ["validate", "--format", "json", *words[2:]]
    else:
        argv = ["validate", "--format", "json", str(spec), *words]
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            main(argv)
    finally:
        os.chdir(cwd)
    return {d["code"] for d in json.loads(out.getvalue() or "[]")}


def test_every_documented_example_produces_its_code(tmp_path: Path) -> None:
    unproven = []
    for code, snippets in _documented_rows():
        if _PROSE.get(code):
            continue
        found = False
        for snippet in snippets:
            if snippet.startswith(("--set", "graphspec validate")):
                found = code in _cli_codes(snippet, tmp_path)
            elif "\\x" in snippet:  # bytes written as escapes: `b: \xff`
                raw = snippet.encode().decode("unicode_escape").encode("latin-1")
                found = code in _codes_of(raw)
            else:
                found = any(
                    code in _codes_of(t.replace("FRAG", snippet)) for t in _templates(snippet)
                )
            if found:
                break
        if not found:
            unproven.append(f"{code}: {snippets}")
    assert unproven == [], (
        "these docs/errors.md examples do not give their code: make the example a snippet in "
        "backticks that does (see _TEMPLATES), or, when it cannot be one (a file, another "
        "tool), list the code in _PROSE with the test that covers it"
    )


def test_every_snippet_of_value_rows_gives_its_code() -> None:
    """E106 and E203 list several examples each: every one of them must give the code."""
    rows = dict(_documented_rows())
    for code in ("E106", "E203"):
        for snippet in rows[code]:
            if snippet.startswith("--set") or snippet in ("Conv2D",):
                continue
            assert any(
                code in _codes_of(t.replace("FRAG", snippet)) for t in _templates(snippet)
            ), snippet
