"""Ship the specs of keras.applications: graphspec/data/applications/ (run: make applications).

Each model is built with ``weights=None`` (no download), with and without its top, and imported
by graphspec; the spec data is stored gzipped, so that a nested ``model: keras.applications.NAME``
has static shapes and parameter counts without TensorFlow. Keras's own figures of the same model
are stored beside it (see ``graphspec.plugins.nested.applications.keras_figures``): its parameter
totals and output shapes in the index, the output shapes and parameter counts of every layer and
``keras.ops`` call in the spec file, so that a fast test compares graphspec's static inference with Keras without
TensorFlow. ``--check`` (in ``make test``, well under a second) compares the Keras version, a
digest of Keras's application sources and the data format with the shipped index: it fails when
a Keras upgrade could have changed an architecture, or this script changed what it records.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT = Path(__file__).resolve().parent.parent / "graphspec" / "data" / "applications"
INDEX = OUT / "index.json"
FORMAT = 2
"""The layout of the shipped data; bump it whenever this script records something new."""


def sources_digest() -> tuple[str, str]:
    """The installed Keras version and a SHA-256 of its application sources (without importing TF)."""
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("keras")
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent / "src" / "applications"
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return importlib.metadata.version("keras"), digest.hexdigest()


def _shapes(tensors: Any) -> list[list[int | None]]:
    return [list(t.shape) for t in (tensors if isinstance(tensors, list | tuple) else [tensors])]


def _size(weights: list[Any]) -> int:
    return sum(math.prod(w.shape) for w in weights)


def _figures(model: Any) -> tuple[dict[str, Any], list[list[Any]]]:
    """Keras's totals and ``[name, output shapes, trainable, non-trainable]`` of every operation.

    ``model.operations``: the layers and the ``keras.ops`` calls (no weights), in Keras's order.
    """
    import keras

    operations = []
    for op in model.operations:
        trainable = fixed = 0
        if isinstance(op, keras.layers.Layer):
            trainable, fixed = _size(op.trainable_weights), _size(op.non_trainable_weights)
            if trainable + fixed != op.count_params():
                raise SystemExit(f"{model.name}: layer {op.name} shares weights; cannot record it")
        operations.append([op.name, _shapes(op.output), trainable, fixed])
    if _size(model.weights) != model.count_params():
        raise SystemExit(f"{model.name}: its weights do not add up to count_params()")
    totals = {
        "params": model.count_params(),
        "trainable": _size(model.trainable_weights),
        "non_trainable": _size(model.non_trainable_weights),
        "inputs": _shapes(model.inputs),
        "outputs": _shapes(model.outputs),
    }
    return totals, operations


def _variant(
    name: str, include_top: bool
) -> tuple[dict[str, Any] | None, str | None, dict[str, Any], list[list[Any]]]:
    """The spec data (or why there is none) and Keras's figures of one variant."""
    import keras

    from graphspec.backends.importer import from_keras
    from graphspec.errors import GraphSpecError

    keras.backend.clear_session()  # layer names made by counters start afresh: stable files
    model = getattr(keras.applications, name)(weights=None, include_top=include_top)
    totals, layers = _figures(model)
    try:
        spec = from_keras(model)
    except GraphSpecError as exc:
        why = str(exc).splitlines()[0] + " " + " ".join(str(exc).splitlines()[1:3])
        return None, why, totals, layers
    data = spec.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data.pop("description", None)
    data["name"] = spec.name
    return data, None, totals, layers


def build(names: list[str] | None = None) -> dict[str, Any]:
    from graphspec.backends.keras.loading import import_keras_quietly

    import_keras_quietly()
    import keras

    version, digest = sources_digest()
    apps = sorted(n for n in dir(keras.applications) if n[:1].isupper())
    index: dict[str, Any] = {
        "format": FORMAT,
        "keras_version": version,
        "sources_sha256": digest,
        "applications": {},
    }
    OUT.mkdir(parents=True, exist_ok=True)
    old = json.loads(INDEX.read_text()) if INDEX.exists() else {}
    if names and old.get("format") != FORMAT:
        raise SystemExit(
            f"the shipped data has format {old.get('format')}, this script writes {FORMAT}: "
            "regenerate every application (make applications)"
        )
    for name in apps:
        if names and name not in names:
            previous = old.get("applications", {}).get(name)
            if previous is not None:
                index["applications"][name] = previous
            continue
        entry: dict[str, Any] = {}
        payload: dict[str, Any] = {"keras": {}}
        for key, top in (("top", True), ("notop", False)):
            data, reason, totals, layers = _variant(name, top)
            if data is None:
                entry[key] = {"reason": reason, "keras": totals}
            else:
                payload[key] = data
                payload["keras"][key] = layers
                entry[key] = {"nodes": len(data["nodes"]), "keras": totals}
        path = OUT / f"{name}.json.gz"
        if payload["keras"]:
            raw = json.dumps(payload, separators=(",", ":")).encode()  # node order is meaning
            path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
        elif path.exists():
            path.unlink()
        index["applications"][name] = entry
        print(
            f"{name}: "
            + ", ".join(
                f"{k} {v.get('nodes', 'no: ' + str(v.get('reason'))[:60])}"
                for k, v in entry.items()
            )
        )
    INDEX.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    return index


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if not INDEX.exists():
            print(f"{INDEX} is missing; run: make applications", file=sys.stderr)
            return 1
        shipped = json.loads(INDEX.read_text())
        version, digest = sources_digest()
        if shipped.get("format") != FORMAT:
            print(
                f"the shipped application data has format {shipped.get('format')}; "
                f"scripts/gen_applications.py writes format {FORMAT}; run: make applications",
                file=sys.stderr,
            )
            return 1
        if (shipped["keras_version"], shipped["sources_sha256"]) != (version, digest):
            print(
                f"the shipped application specs were made from Keras {shipped['keras_version']}; "
                f"Keras {version} is installed (or its application sources changed); run: "
                "make applications",
                file=sys.stderr,
            )
            return 1
        print(f"application specs match the installed Keras {version}")
        return 0
    build([a for a in argv if not a.startswith("-")] or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
