"""Property: whatever ``-o`` points at, a failed write changes nothing and a write changes one file.

Hypothesis draws a command, an output among every kind of path (the input spec, links to it,
files graphspec did and did not write, folders, devices, dangling links, missing and
file-shaped parents) and the flags; the sandbox is compared entry by entry before and after.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphspec.base.output import write_text
from graphspec.cli.main import main

from ._sandbox import snapshot
from .test_commands import SPEC

TARGETS = [
    "spec.yaml",
    "spec-link.yaml",
    "spec-hard.yaml",
    "foreign.out",
    "own.out",
    "folder",
    "folder/new.out",
    "folder-link",
    "folder-link/new.out",
    "null-link.out",
    "dangling.out",
    "missing/new.out",
    "missing/deeper/new.out",
    "foreign.out/new.out",
    "new.out",
    "readonly.out",
]
COMMANDS = {
    "render": ["render", "{spec}", "-o", "{out}", "--format", "dot"],
    "render-mmd": ["render", "{spec}", "-o", "{out}", "--format", "mmd"],
    "codegen": ["codegen", "{spec}", "-o", "{out}"],
    "schema": ["schema", "-o", "{out}"],
}


def _sandbox(root: Path) -> None:
    (root / "spec.yaml").write_text(SPEC)
    (root / "spec-link.yaml").symlink_to("spec.yaml")
    os.link(root / "spec.yaml", root / "spec-hard.yaml")
    (root / "foreign.out").write_text("not graphspec's\n")
    write_text(root / "own.out", "written by graphspec\n")
    (root / "folder").mkdir()
    (root / "folder-link").symlink_to("folder")
    (root / "null-link.out").symlink_to("/dev/null")
    (root / "dangling.out").symlink_to("gone/away.out")
    (root / "readonly.out").write_text("locked\n")
    (root / "readonly.out").chmod(0o444)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    command=st.sampled_from(sorted(COMMANDS)),
    target=st.sampled_from(TARGETS),
    force=st.booleans(),
    mkdir=st.booleans(),
)
def test_no_failed_write_changes_anything(
    command: str,
    target: str,
    force: bool,
    mkdir: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _sandbox(root)
        before = snapshot(root)
        out = root / target
        argv = [a.format(spec=root / "spec.yaml", out=out) for a in COMMANDS[command]]
        argv += ["--force"] * force + ["--mkdir"] * mkdir
        capsys.readouterr()
        status = main(argv)
        err = capsys.readouterr().err
        after = snapshot(root)
        if "{spec}" in COMMANDS[command]:  # the input, whatever happened (schema reads none)
            assert after["spec.yaml"] == before["spec.yaml"]
        if status != 0:
            assert status == 2
            assert err.startswith(f"graphspec {argv[0]}: error: cannot write {out}: ")
            assert err.count("\n") == 1  # one line, no traceback
            assert after == before
            return
        real = Path(os.path.realpath(out))
        changed = {k for k in after.keys() | before.keys() if after.get(k) != before.get(k)}
        written = str(real.relative_to(root))
        created = {str(p.relative_to(root)) for p in [real, *real.parents] if root in p.parents}
        assert changed <= created
        assert written in changed or before.get(written) == after[written]
        assert after[written][0] == "file"
        if written in before and before[written][1] not in (None,) and written != "own.out":
            assert force, f"{written} was replaced without --force"
        if not mkdir:
            assert not any(k.startswith("missing") for k in after)
