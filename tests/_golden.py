"""The saved Keras configs of the shipped specs, recorded once: format 1.0 must compile the same."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

__all__ = ["GOLDEN_DIR", "SPECS_DIR", "saved_config"]

_ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = _ROOT / "tests" / "golden" / "keras_configs"
SPECS_DIR = _ROOT / "specs"
_OBJECT_ID = re.compile(rb'"shared_object_id": (\d+)')


def saved_config(spec: Path) -> bytes:
    """``config.json`` of the ``.keras`` file ``graphspec compile`` writes for ``spec``.

    Keras numbers shared objects by their Python ``id()``; those numbers are renumbered in order
    of first appearance (1, 2, …), every other byte is Keras's own.
    """
    from graphspec.backends.keras.compiler import compile_spec

    model = compile_spec(spec)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{spec.stem}.keras"
        model.save(path)
        with zipfile.ZipFile(path) as archive:
            raw = archive.read("config.json")
    numbers: dict[bytes, int] = {}

    def renumber(match: re.Match[bytes]) -> bytes:
        number = numbers.setdefault(match.group(1), len(numbers) + 1)
        return b'"shared_object_id": %d' % number

    return _OBJECT_ID.sub(renumber, raw)
