"""Lookup vocabularies on import: from the config, the ``.keras`` assets or the model object.

``StringLookup``, ``IntegerLookup`` and ``TextVectorization`` keep a vocabulary given to their
constructor in their config, but an adapted one only in the ``.keras`` archive's assets (or in
the live layer). Either way the spec gets it as ``vocabulary: [...]`` without the mask and OOV
tokens (Keras adds those back), and the config-only ``vocabulary_size`` is left out.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from typing import Any, Final

from graphspec.backends.importer._state import ImportState

__all__ = [
    "LOOKUPS",
    "archive_vocabularies",
    "lookup_args",
    "model_vocabularies",
]

LOOKUPS: Final = frozenset({"StringLookup", "IntegerLookup", "TextVectorization"})
"""Layers whose state includes a vocabulary."""

CONFIG_ONLY: Final[dict[str, Any]] = {"vocabulary_size": None, "oov_method": "floormod"}
"""Config keys of the lookups that are not constructor arguments, and the value a spec can drop."""

_OOV: Final = {"StringLookup": "[UNK]", "IntegerLookup": -1, "TextVectorization": "[UNK]"}
_MAX_VOCABULARY_BYTES: Final = 64 * 1024 * 1024


def _snake(name: str) -> str:
    """Keras's ``naming.to_snake_case`` (the names of the saved state's folders)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def archive_vocabularies(
    archive: zipfile.ZipFile, config: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Vocabularies of the top-level lookup layers of a ``.keras`` archive, by layer name.

    Keras saves the state of ``model.layers[i]`` under ``assets/layers/<snake class>[_k]/``,
    numbering repeated classes in model order; the files are read as text, never executed.
    """
    body = config.get("config") if isinstance(config.get("config"), Mapping) else {}
    layers = [x for x in (body or {}).get("layers") or [] if isinstance(x, Mapping)]
    used: dict[str, int] = {}
    found: dict[str, list[str]] = {}
    for layer in layers:
        folder = _snake(str(layer.get("class_name")))
        if folder in used:
            used[folder] += 1
            folder = f"{folder}_{used[folder]}"
        else:
            used[folder] = 0
        if layer.get("class_name") not in LOOKUPS:
            continue
        path = f"assets/layers/{folder}/vocabulary.txt"
        try:
            info = archive.getinfo(path)
        except KeyError:
            continue
        if info.file_size > _MAX_VOCABULARY_BYTES:
            continue
        text = archive.read(info).decode("utf-8", errors="replace")
        lines = text.split("\n")
        name = str((layer.get("config") or {}).get("name") or layer.get("name"))
        found[name] = lines
    return found


def model_vocabularies(model: Any) -> dict[str, list[Any]]:
    """Vocabularies of the lookup layers of a live model (nested models included), by name."""
    found: dict[str, list[Any]] = {}
    for layer in getattr(model, "layers", []):
        if type(layer).__name__ in LOOKUPS and hasattr(layer, "get_vocabulary"):
            try:
                found[layer.name] = [_plain(t) for t in layer.get_vocabulary()]
            except Exception:  # a layer neither given nor adapted a vocabulary
                continue
        elif hasattr(layer, "layers"):
            found.update(model_vocabularies(layer))
    return found


def _plain(token: Any) -> Any:
    """A vocabulary entry as YAML can hold it (bytes decoded, NumPy scalars unwrapped)."""
    if isinstance(token, bytes):
        return token.decode("utf-8", errors="replace")
    item = getattr(token, "item", None)
    return item() if callable(item) else token


def _special(type_name: str, config: Mapping[str, Any]) -> list[Any]:
    """The tokens Keras puts before the vocabulary: the mask (int mode), then the OOV tokens."""
    mode = config.get("output_mode", "int")
    if type_name == "TextVectorization":
        return ["", "[UNK]"] if mode == "int" else ["[UNK]"]
    mask = config.get("mask_token")
    oov = config.get("oov_token", _OOV[type_name])
    count = int(config.get("num_oov_indices", 1) or 0)
    return ([mask] if mask is not None and mode == "int" else []) + [oov] * count


def lookup_args(
    state: ImportState,
    name: str,
    type_name: str,
    config: Mapping[str, Any],
    out: dict[str, Any],
) -> None:
    """Write a lookup's vocabulary into ``out`` (specials stripped); check its config-only keys."""
    for key, neutral in CONFIG_ONLY.items():
        value = config.get(key)
        if key != "vocabulary_size" and value not in (None, neutral):
            state.problem(name, type_name, f"`{key}: {value}` has no spec form")
    vocabulary = config.get("vocabulary")
    if vocabulary is None:
        vocabulary = state.vocabularies.get(name)
    if isinstance(vocabulary, str):
        state.problem(name, type_name, "its vocabulary is a file path; a spec holds the tokens")
        return
    if not vocabulary:
        if config.get("vocabulary_size"):
            state.problem(
                name,
                type_name,
                "its adapted vocabulary is not in a JSON config; import the .keras file (which "
                "keeps it) or the model object",
            )
        return
    tokens = list(vocabulary)
    if type_name == "IntegerLookup":  # an asset file holds the integers as text
        tokens = [_integer(t) for t in tokens]
    special = _special(type_name, config)
    if tokens[: len(special)] == special:
        tokens = tokens[len(special) :]
    out["vocabulary"] = tokens


def _integer(token: Any) -> Any:
    try:
        return int(token)
    except (TypeError, ValueError):
        return token
