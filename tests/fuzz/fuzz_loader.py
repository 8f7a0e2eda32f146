"""Coverage-guided fuzz target for the spec front end (atheris / libFuzzer). Not run in CI.

Run with ``make fuzz`` (installs atheris, then runs this file for 300 s), or by hand::

    .venv/bin/python -m pip install atheris
    .venv/bin/python tests/fuzz/fuzz_loader.py -max_total_time=300 [CORPUS_DIR]

Every input goes bytes -> ``decode`` -> ``load_document`` -> ``build_spec`` -> ``expand`` ->
``validate.check`` -> shape inference. Only :class:`graphspec.errors.GraphSpecError` may escape;
anything else (or a hang, or memory blow-up: use ``-timeout=`` / ``-rss_limit_mb=``) is a bug.
Importing this module without atheris is fine (pytest's doctest collection imports it); running
it without atheris prints how to install it and exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import atheris
except ImportError:  # pragma: no cover - depends on the environment
    atheris = None

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # run as a script from anywhere in the checkout
    sys.path.insert(0, str(_ROOT))


def _instrumented() -> tuple[object, ...]:
    """Import graphspec's front end, instrumented for coverage when atheris is present."""
    if atheris is not None:
        with atheris.instrument_imports(include=["graphspec"]):
            from graphspec.errors import GraphSpecError
            from graphspec.frontend import loader, schema
            from graphspec.passes import expand, validate
            from graphspec.passes.shapes import infer
    else:
        from graphspec.errors import GraphSpecError
        from graphspec.frontend import loader, schema
        from graphspec.passes import expand, validate
        from graphspec.passes.shapes import infer
    return loader, schema, expand, validate, infer, GraphSpecError


def one_input(data: bytes) -> None:
    """Feed one input through the front end; graphspec's own errors are expected and ignored.

    >>> one_input(b"inputs: {x: {shape: [3]}}\\nnodes: {d: {type: Dense, units: 2}}\\n")
    >>> one_input(b"!!python/object/apply:os.system [ls]")
    >>> one_input(b"\\xff\\xfe")
    """
    loader, schema, expand, validate, infer, error = _MODULES
    try:
        text = loader.decode(data, "<fuzz>")
        doc = loader.load_document(text, "<fuzz>")
        spec, _ = schema.build_spec(doc)
        graph, found = expand.expand(spec)
        found += validate.check(graph, spec.source)
        if not any(d.code == "E302" for d in found):
            infer.infer_shapes(graph, spec.source, skip={d.node for d in found if d.is_error})
    except error:
        pass


TestOneInput = one_input
"""The name atheris and libFuzzer examples use."""

_MODULES = _instrumented()


def main(argv: list[str]) -> int:
    if atheris is None:
        print(
            "fuzz_loader.py needs atheris: `.venv/bin/python -m pip install atheris` "
            "(or run `make fuzz`)",
            file=sys.stderr,
        )
        return 2
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()
    return 0  # pragma: no cover - atheris.Fuzz() does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv))
