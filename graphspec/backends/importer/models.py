"""Serialized models to specs: the registry of model readers (Functional, Sequential) by class."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphspec.backends.importer._state import ImportState
from graphspec.backends.importer.assemble import finish
from graphspec.base.registry import Registry
from graphspec.errors import ImportModelError
from graphspec.frontend.spec import Spec

__all__ = ["ModelReader", "from_config", "model_reader", "reader_of"]

ModelReader = Callable[[ImportState, Mapping[str, Any]], None]
"""Reads a model config's ``config`` mapping into an :class:`ImportState`."""

_READERS: Registry[str, ModelReader] = Registry("model reader")


def model_reader(*class_names: str) -> Callable[[ModelReader], ModelReader]:
    """Register the reader of the serialized models of the given ``class_name`` values."""

    return _READERS.register(*class_names)


def reader_of(class_name: str) -> ModelReader | None:
    """The reader of serialized models of class ``class_name`` (Functional, Sequential)."""
    return _READERS.get(class_name)


def from_config(
    config: Mapping[str, Any],
    *,
    origin: str | None = None,
    vocabularies: Mapping[str, list[Any]] | None = None,
    blocks: bool = False,
) -> Spec:
    """A spec from a serialized Keras model (the JSON form of ``model.to_json()``).

    ``origin`` (e.g. ``keras.applications.ResNet50(weights=None)``) goes in the description;
    ``vocabularies`` are lookup vocabularies kept outside the config (by layer name);
    ``blocks`` writes repeated sub-graphs as ``blocks:`` (:mod:`~graphspec.backends.importer.blocks`).
    """
    kind = config.get("class_name")
    reader = _READERS.get(str(kind))
    if reader is None:
        raise ImportModelError(
            f"{origin or 'the model'}: cannot import a `{kind}` model; only Functional and "
            "Sequential models can be imported (a subclassed model has no graph to read)"
        )
    body = config.get("config")
    if not isinstance(body, Mapping):
        raise ImportModelError(f"{origin or 'the model'}: its config has no `config` mapping")
    state = ImportState(str(body.get("name") or "model"), origin, blocks=blocks)
    state.vocabularies = dict(vocabularies or {})
    reader(state, body)
    return finish(state, blocks=blocks)
