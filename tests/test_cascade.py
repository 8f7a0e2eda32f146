"""Every problem once: multi-fault specs and the exact diagnostics each must give, no more.

Each ``tests/cascade/*.yaml`` carries its expectation in its header: ``# args:`` (extra
command-line arguments, e.g. ``--set``) and ``# expect:`` followed by the exact text
``graphspec validate`` prints on stderr, the spec's path written as ``SPEC``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphspec.cli.main import main
from graphspec.passes.cascade import CONSEQUENCES

CORPUS = sorted((Path(__file__).parent / "cascade").glob("*.yaml"))


def _expectation(path: Path) -> tuple[list[str], str]:
    lines = path.read_text().splitlines()
    args = next((ln.split(":", 1)[1].split() for ln in lines if ln.startswith("# args:")), [])
    start = lines.index("# expect:") + 1
    expected = []
    for line in lines[start:]:
        if not line.startswith("#   "):
            break
        expected.append(line[4:])
    return args, "\n".join(expected) + "\n"


@pytest.mark.parametrize("spec", CORPUS, ids=[p.stem for p in CORPUS])
def test_exact_diagnostics(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args, expected = _expectation(spec)
    assert main(["validate", str(spec), *args]) == 1
    err = capsys.readouterr().err
    assert err.replace(f"{spec}:", "SPEC:").replace(f"of {spec}\n", "of SPEC\n") == expected


def test_corpus_covers_every_consequence_rule() -> None:
    assert len(CORPUS) >= 15
    assert set(CONSEQUENCES) == {
        "reachability-of-an-incomplete-graph",
        "unreachable-node-with-an-error",
        "arity-on-a-cycle",
    }
