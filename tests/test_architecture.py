"""The layering stays true: no import cycle, no private name across packages, plug-ins eager.

The import contracts themselves (layers, independence, private modules, acyclic siblings) are in
``pyproject.toml`` and run by ``make test`` (``lint-imports``); these tests add what the
contracts do not say: no cycle of any size between modules (imports inside functions and under
``TYPE_CHECKING`` counted), no ``_private`` name taken from another package, every module
documented, and the plug-ins registered whatever is imported first.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "graphspec"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def test_no_import_cycle_of_any_size() -> None:
    graph = grimp.build_graph("graphspec", cache_dir=None)
    dag = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            dag.add_edge(module, imported)
    cycles = [sorted(c) for c in nx.strongly_connected_components(dag) if len(c) > 1]
    assert cycles == [], "import cycles (function-level imports count): " + repr(cycles)


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    """grimp counts a function-level import: the cycle test above would catch a lazy back-edge."""
    pkg = tmp_path / "probe_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from probe_pkg import b\n")
    (pkg / "b.py").write_text("from probe_pkg import a\n")
    code = (
        "import grimp, sys; sys.path.insert(0, sys.argv[1]); "
        "g = grimp.build_graph('probe_pkg', cache_dir=None); "
        "print(sorted(g.find_modules_directly_imported_by('probe_pkg.a')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['probe_pkg.b']"


def _package_of(module: str) -> str:
    path = MODULES[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _private_imports() -> list[str]:
    bad = []
    for module, path in MODULES.items():
        home = _package_of(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "graphspec"
            ):
                continue
            target = node.module or ""
            owner = _package_of(target) if target in MODULES else target.rpartition(".")[0]
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if f"{target}.{alias.name}" in MODULES:  # a module: its own package decides
                    owner, private = target, private
                hidden = any(
                    p.startswith("_") and not p.startswith("__") for p in target.split(".")
                )
                if (private or hidden) and owner != home and not home.startswith(owner + "."):
                    bad.append(f"{module} imports {target}.{alias.name}")
    return bad


def test_no_private_name_crosses_a_package() -> None:
    assert _private_imports() == []


def test_the_package_root_holds_only_the_public_api() -> None:
    root_modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root_modules) <= 12, root_modules
    layers = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert layers == [
        "backends",
        "base",
        "cli",
        "frontend",
        "ir",
        "passes",
        "plugins",
        "tools",
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_says_its_job_and_exports(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc, f"{module} has no docstring"
    assert doc.splitlines()[0].strip(), f"{module}: the docstring starts with its one-line job"
    names = {
        t.id
        for n in tree.body
        if isinstance(n, ast.Assign | ast.AnnAssign)
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(t, ast.Name)
    }
    assert "__all__" in names or module.endswith("__main__"), f"{module} has no __all__"


# -- the plug-ins are registered eagerly, whatever is imported first ---------------------------

_PROBE = textwrap.dedent(
    """
    import importlib, sys
    for name in sys.argv[1:]:
        importlib.import_module(name)
    import graphspec
    from graphspec.ir.kinds import CHECK_STAGES, missing_hooks
    text = '''
    graphspec: 1.1
    inputs: {x: {shape: [8, 4]}}
    nodes:
      d: {type: Dense, units: 3}
      hs: {expr: "d * relu6(d + 3.0) / 6.0"}
      lstm: {type: LSTM, units: 5, return_state: true, inputs: x}
      dec: {type: LSTM, units: 6, inputs: x, call: {initial_state: ["lstm:1", "lstm:2"]}}
    outputs: [hs, dec]
    '''
    result = graphspec.check(text)
    hs = result.shapes.nodes["hs"]
    print("MISSING", missing_hooks(CHECK_STAGES))
    import graphspec.backends.keras.compiler  # the build stages' consumer registers the rest
    print("UNBUILT", missing_hooks())
    print("EXPR", hs.known, hs.output)
    print("CODES", sorted({d.code for d in result.diagnostics}))
    """
)

_ORDERS = [
    [],
    ["graphspec.plugins.nested.inference"],
    ["graphspec.passes.shapes.infer"],
    ["graphspec.plugins.expr.inference", "graphspec.plugins.nested.inference"],
    ["graphspec.backends.keras.compiler"],
    ["graphspec.passes.validate", "graphspec.passes.expand"],
    ["graphspec.ir.kinds"],
    ["graphspec.tools.lsp.analysis"],
]


@pytest.mark.parametrize("first", _ORDERS, ids=lambda names: "+".join(names) or "graphspec")
def test_plugins_are_registered_whatever_is_imported_first(first: list[str]) -> None:
    """The silent wrong answer of lazy plug-in loading: an expression node's shape came back
    unknown (and a call-argument fault unreported) when another module was imported first."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *first], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert lines["MISSING"] == "[]"
    assert lines["UNBUILT"] == "[]"
    assert lines["EXPR"] == "True (None, 8, 3)"
    assert lines["CODES"] == "['E501']"  # initial_state of 5 units fed to an LSTM of 6


def test_a_missing_hook_fails_loudly() -> None:
    """A node kind without the hook a pass needs raises; it is never treated as unknown."""
    from graphspec.base.registry import RegistryError
    from graphspec.ir.graph import NodeKind
    from graphspec.ir.kinds import KINDS, Stage, hook

    hooks = KINDS["expr"].hooks
    saved = hooks[Stage.INFER]
    del hooks[Stage.INFER]
    try:
        with pytest.raises(RegistryError, match="no expr hook registered for"):
            hook(NodeKind.EXPR, Stage.INFER)
        with pytest.raises(RegistryError, match="no expr hook registered"):
            from graphspec import check

            check('graphspec: 1.1\ninputs: {x: {shape: [2]}}\nnodes: {e: {expr: "x * 2.0"}}\n')
    finally:
        hooks[Stage.INFER] = saved


# -- the documents say what the tree is ---------------------------------------------------------


def test_the_readme_layout_is_the_tree() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("graphspec/\n", 1)[1].split("```", 1)[0]
    listed = {line.split()[0].rstrip("/") for line in block.splitlines() if line.strip()}
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert listed - {"__init__.py"} == folders


def test_every_path_the_docs_name_exists() -> None:
    import re

    pattern = re.compile(r"`(graphspec/[\w/.]+?)`")
    missing = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for path in pattern.findall(doc.read_text(encoding="utf-8")):
            if not (ROOT / path.rstrip("/")).exists():
                missing.append(f"{doc.name}: {path}")
    assert missing == []


def test_the_architecture_picture_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_architecture.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
