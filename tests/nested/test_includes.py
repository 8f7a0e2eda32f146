"""``include:``: block libraries shared between files, located errors, the same path policy."""

from __future__ import annotations

from pathlib import Path

from graphspec import check
from tests._util import by_code, only

LIB = """\
graphspec: 1.1
include: [more.yaml]
blocks:
  residual:
    params: {filters: null}
    nodes:
      a:   {type: Conv2D, filters: "${filters}", kernel_size: 3, padding: same, activation: relu}
      b:   {type: Conv2D, filters: "${filters}", kernel_size: 3, padding: same}
      add: {expr: "x + b"}
    edges: [x -> a -> b]
    outputs: [add]
"""
MORE = """\
graphspec: 1.1
blocks:
  hswish:
    nodes: {y: {expr: "x * relu6(x + 3.0) / 6.0"}}
"""
TOP = """\
graphspec: 1.1
include: [lib/blocks.yaml]
inputs: {image: {shape: [32, 32, 16]}}
nodes:
  r1:  {block: residual, filters: 16}
  hs:  {block: hswish}
  out: {type: GlobalAveragePooling2D}
"""


def _files(root: Path, **files: str) -> Path:
    for name, text in files.items():
        path = root / (name.replace("__", "/") + ".yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "top.yaml"


def test_blocks_of_included_files_and_theirs(tmp_path: Path) -> None:
    result = check(_files(tmp_path, top=TOP, lib__blocks=LIB, lib__more=MORE))
    assert result.ok, [d.format() for d in result.diagnostics]
    assert list(result.graph.nodes) == ["image", "r1.a", "r1.b", "r1.add", "hs.y", "out"]
    assert result.shapes.total == 2 * (3 * 3 * 16 * 16 + 16)


def test_errors_inside_an_included_block_name_its_file(tmp_path: Path) -> None:
    bad = LIB.replace("padding: same}", "padding: same, activaton: relu}")
    top = _files(tmp_path, top=TOP, lib__blocks=bad, lib__more=MORE)
    diag = only(check(top), "E202")
    assert diag.file == str((tmp_path / "lib" / "blocks.yaml").resolve())
    assert (diag.line, diag.column) == (8, 81)


def test_a_block_defined_twice_is_refused(tmp_path: Path) -> None:
    text = TOP + "blocks:\n  hswish:\n    nodes: {y: {type: ReLU}}\n"
    diag = only(check(_files(tmp_path, top=text, lib__blocks=LIB, lib__more=MORE)), "E849")
    assert "block `hswish` of `more.yaml` is already defined in this spec" in diag.message
    assert diag.file.endswith("blocks.yaml") and diag.line == 2


def test_include_cycles_paths_and_versions(tmp_path: Path) -> None:
    cyclic = LIB.replace("include: [more.yaml]", "include: [../top.yaml]")
    result = check(_files(tmp_path, top=TOP, lib__blocks=cyclic))
    assert "top.yaml -> blocks.yaml -> top.yaml" in only(result, "E847").message
    result = check(_files(tmp_path / "b", top=TOP.replace("lib/blocks.yaml", "../../x.yaml")))
    assert by_code(result, "E845")
    old = TOP.replace("graphspec: 1.1\n", "")
    result = check(_files(tmp_path / "c", top=old, lib__blocks=LIB, lib__more=MORE))
    assert "`include:` is format 1.1" in only(result, "E800").message


def test_a_broken_library_reports_its_own_errors(tmp_path: Path) -> None:
    result = check(_files(tmp_path, top=TOP, lib__blocks="blocks: [1, 2]\n"))
    diag = only(result, "E103")
    assert diag.file == str((tmp_path / "lib" / "blocks.yaml").resolve()) or diag.file.endswith(
        "blocks.yaml"
    )


def test_a_library_checked_on_its_own_reports_its_includes(tmp_path: Path) -> None:
    """`validate lib.yaml`: its blocks wait for a spec using them, its `include:` paths do not."""
    _files(tmp_path, top=TOP, lib__blocks=LIB, lib__more=MORE)
    result = check(tmp_path / "lib" / "blocks.yaml")
    assert [d.code for d in result.diagnostics] == ["N849"]
    assert [i.file for i in result.graph.included] == [
        str((tmp_path / "lib" / "more.yaml").resolve())
    ]
    broken = LIB.replace("more.yaml", "mroe.yaml")
    _files(tmp_path, lib__blocks=broken)
    diag = only(check(tmp_path / "lib" / "blocks.yaml"), "E846")
    assert "no such spec file: `mroe.yaml`" in diag.message and diag.line == 2


def test_the_graph_records_every_included_file(tmp_path: Path) -> None:
    result = check(_files(tmp_path, top=TOP, lib__blocks=LIB, lib__more=MORE))
    assert [(i.written, Path(i.by).name, i.spec is not None) for i in result.graph.included] == [
        ("lib/blocks.yaml", "top.yaml", True),
        ("more.yaml", "blocks.yaml", True),
    ]


def test_spans_are_not_confused_by_the_included_files_locations(tmp_path: Path) -> None:
    """An included file's locations are merged into the spec's source map; a place in the spec
    that happens to have the same line and column as a key in the included file stays a word."""
    lib = "graphspec: 1.1\nblocks:\n  gate:\n    nodes:\n      ddd:  {type: Dense, units: 2}\n"
    top = TOP.replace("lib/blocks.yaml", "lib.yaml").replace("hs:  {block: hswish}", "")
    top = top.replace("r1:  {block: residual, filters: 16}", "g: {block: gate}")
    result = check(_files(tmp_path, top=top, lib=lib))
    assert result.ok
    source = result.spec.source
    start, end = source.span(("nodes", "g", "block"))  # (5, 14): where `type` is in lib.yaml
    assert (start.line, start.column) == (5, 14)
    assert source.text.split("\n")[4][start.column - 1 : end.column - 1] == "gate"
