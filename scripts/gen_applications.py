"""Ship the specs of keras.applications: graphspec/data/applications/ (run: make applications).

Each model is built with ``weights=None`` (no download), with and without its top, and imported
by graphspec; the spec data is stored gzipped, so that a nested ``model: keras.applications.NAME``
has static shapes and parameter counts without TensorFlow. ``--check`` (in ``make test``) only
compares the Keras version and a digest of Keras's application sources with the shipped index:
it is fast, and fails when a Keras upgrade could have changed an architecture.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT = Path(__file__).resolve().parent.parent / "graphspec" / "data" / "applications"
INDEX = OUT / "index.json"


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


def _variant(name: str, include_top: bool) -> tuple[dict[str, Any] | None, str | None]:
    import keras

    from graphspec.backends.importer import from_keras
    from graphspec.errors import GraphSpecError

    keras.backend.clear_session()  # layer names made by counters start afresh: stable files
    try:
        model = getattr(keras.applications, name)(weights=None, include_top=include_top)
        spec = from_keras(model)
    except GraphSpecError as exc:
        return None, str(exc).splitlines()[0] + " " + " ".join(str(exc).splitlines()[1:3])
    data = spec.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data.pop("description", None)
    data["name"] = spec.name
    return data, None


def build(names: list[str] | None = None) -> dict[str, Any]:
    from graphspec.backends.keras.loading import import_keras_quietly

    import_keras_quietly()
    import keras

    version, digest = sources_digest()
    apps = sorted(n for n in dir(keras.applications) if n[:1].isupper())
    index: dict[str, Any] = {"keras_version": version, "sources_sha256": digest, "applications": {}}
    OUT.mkdir(parents=True, exist_ok=True)
    for name in apps:
        if names and name not in names:
            previous = (
                json.loads(INDEX.read_text())["applications"].get(name) if INDEX.exists() else None
            )
            if previous is not None:
                index["applications"][name] = previous
            continue
        entry: dict[str, Any] = {}
        payload: dict[str, Any] = {}
        for key, top in (("top", True), ("notop", False)):
            data, reason = _variant(name, top)
            if data is None:
                entry[key] = {"reason": reason}
            else:
                payload[key] = data
                entry[key] = {"nodes": len(data["nodes"])}
        path = OUT / f"{name}.json.gz"
        if payload:
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
