"""Where imported models come from: a model object, a ``.keras`` file, a JSON config, an application."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, Final

from graphspec.backends.importer.models import from_config
from graphspec.backends.importer.vocabularies import archive_vocabularies, model_vocabularies
from graphspec.errors import ImportModelError, UsageError
from graphspec.frontend.spec import Spec

__all__ = ["APPLICATIONS_PREFIX", "from_keras", "import_source"]

APPLICATIONS_PREFIX: Final = "keras.applications."
"""Sources starting with this name a ``keras.applications`` model built with ``weights=None``."""

_MAX_CONFIG_BYTES: Final = 64 * 1024 * 1024


def from_keras(model: Any, *, blocks: bool = False) -> Spec:
    """A spec for a built Keras model (Functional or Sequential); weights are not part of it.

    ``blocks``: write repeated sub-graphs as ``blocks:`` instances that keep every layer name.
    Raises :class:`ImportModelError` naming every layer a spec cannot express.
    """
    try:
        text = model.to_json()
    except Exception as exc:  # e.g. a subclassed model without get_config
        raise ImportModelError(f"cannot read the model's configuration: {exc}") from exc
    return from_config(json.loads(text), vocabularies=model_vocabularies(model), blocks=blocks)


def import_source(source: str, *, blocks: bool = True) -> Spec:
    """A spec from ``keras.applications.NAME``, a ``.keras`` file or a model JSON config file.

    ``blocks`` (the default) writes repeated sub-graphs as ``blocks:``; ``False`` one node per
    layer call (``graphspec import --flat``). Files are parsed, never deserialized: no Keras object is built from them and no module they
    name is imported.
    """
    if source.startswith(APPLICATIONS_PREFIX):
        return _from_application(source[len(APPLICATIONS_PREFIX) :], blocks)
    path = Path(source)
    if not path.is_file():
        raise UsageError(
            f"no such file: {source} (expected a .keras file, a model JSON config, or "
            "keras.applications.NAME)"
        )
    size = path.stat().st_size
    if size > _MAX_CONFIG_BYTES and not zipfile.is_zipfile(path):
        raise ImportModelError(f"{source}: {size:,} bytes is too large for a model config")
    if zipfile.is_zipfile(path):
        config, vocabularies = _read_keras_archive(path)
        return from_config(config, vocabularies=vocabularies, blocks=blocks)
    return from_config(_read_json_config(path), blocks=blocks)


def _unknown_application(name: str, known: list[str]) -> UsageError:
    from graphspec.base.suggest import did_you_mean

    hint = did_you_mean(name, known)
    return UsageError(
        f"keras.applications has no model `{name}`"
        + (f"; {hint}" if hint else "")
        + f" (`graphspec import --list` lists all {len(known)})"
    )


def _from_application(name: str, blocks: bool) -> Spec:
    from graphspec.backends.keras.loading import import_keras_quietly
    from graphspec.plugins.nested.applications import application_names

    known = application_names()
    if name not in known:  # answered from the catalog, before TensorFlow is imported
        raise _unknown_application(name, known)
    import_keras_quietly()
    import keras

    apps = keras.applications
    public = [n for n in dir(apps) if n[:1].isupper() and callable(getattr(apps, n))]
    if name not in public:  # the installed Keras differs from the catalog's
        raise _unknown_application(name, public)
    try:
        model = getattr(apps, name)(weights=None)
    except Exception as exc:
        raise ImportModelError(f"keras.applications.{name}(weights=None) failed: {exc}") from exc
    try:
        text = model.to_json()
    except Exception as exc:  # pragma: no cover - applications are functional models
        raise ImportModelError(f"cannot read keras.applications.{name}: {exc}") from exc
    origin = f"keras.applications.{name}(weights=None)"
    return from_config(json.loads(text), origin=origin, blocks=blocks)


def _read_keras_archive(path: Path) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The model config of a ``.keras`` archive and the lookup vocabularies in its assets."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > _MAX_CONFIG_BYTES:
                raise ImportModelError(f"{path}: config.json is too large")
            config = _parse_json(archive.read(info), str(path))
            return config, archive_vocabularies(archive, config)
    except KeyError:
        raise ImportModelError(f"{path}: not a .keras file (no config.json inside)") from None
    except zipfile.BadZipFile as exc:
        raise ImportModelError(f"{path}: not a readable .keras file: {exc}") from None


def _read_json_config(path: Path) -> dict[str, Any]:
    return _parse_json(path.read_bytes(), str(path))


def _parse_json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportModelError(f"{where}: not a Keras model config (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or "class_name" not in data:
        raise ImportModelError(f"{where}: not a Keras model config (no `class_name`)")
    return data
