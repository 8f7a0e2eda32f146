"""The files a viewed spec is rebuilt from: itself, every include at any depth, nested specs."""

from __future__ import annotations

from pathlib import Path

from graphspec.api import check
from graphspec.tools.view._page import spec_files

OUTER = """\
graphspec: 1.1
include: [lib/a.yaml]
inputs: {x: {shape: [8]}}
nodes:
  b1: {block: dense_pair, units: 4}
  tower: {model: towers/t.yaml}
"""
LIB_A = """\
graphspec: 1.1
include: [b.yaml]
blocks:
  dense_pair:
    params: {units: null}
    nodes:
      one: {block: single, units: "${units}"}
      two: {type: Dense, units: "${units}"}
"""
LIB_B = """\
graphspec: 1.1
blocks:
  single:
    params: {units: null}
    nodes:
      d: {type: Dense, units: "${units}"}
"""
TOWER = """\
graphspec: 1.1
inputs: {x: {shape: [4]}}
nodes:
  d: {type: Dense, units: 2}
"""


def test_every_file_a_spec_reads_is_watched(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "towers").mkdir()
    (tmp_path / "lib" / "a.yaml").write_text(LIB_A)
    (tmp_path / "lib" / "b.yaml").write_text(LIB_B)
    (tmp_path / "towers" / "t.yaml").write_text(TOWER)
    spec = tmp_path / "outer.yaml"
    spec.write_text(OUTER)
    result = check(spec)
    assert result.ok, [d.format() for d in result.diagnostics]
    found = {Path(f).resolve() for f in spec_files(result, spec)}
    assert found == {
        spec.resolve(),
        (tmp_path / "lib" / "a.yaml").resolve(),
        (tmp_path / "lib" / "b.yaml").resolve(),
        (tmp_path / "towers" / "t.yaml").resolve(),
    }


def test_a_file_saved_before_it_is_watched_is_seen_by_its_stamp(tmp_path: Path) -> None:
    from graphspec.tools.view._specs import SpecEntry

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.yaml").write_text(LIB_A)
    (tmp_path / "lib" / "b.yaml").write_text(LIB_B)
    (tmp_path / "towers").mkdir()
    (tmp_path / "towers" / "t.yaml").write_text(TOWER)
    spec = tmp_path / "outer.yaml"
    spec.write_text(OUTER)
    entry = SpecEntry(0, spec)
    assert not entry.stale()  # nothing drawn yet: nothing read
    entry.page()
    assert (tmp_path / "lib" / "b.yaml").resolve() in entry.files
    assert not entry.stale()
    (tmp_path / "lib" / "b.yaml").write_text(LIB_B.replace("Dense", "Dense ") + "\n")
    assert entry.stale()  # the include of an include, saved: the watcher rebuilds the page
    entry.changed()
    entry.page()
    assert not entry.stale()
