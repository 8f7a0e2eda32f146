"""Custom layers a user registers from Python: the only way a spec reaches code outside keras.layers."""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

from graphspec.base.catalog import ArgInfo, LayerSignature
from graphspec.errors import UsageError

__all__ = ["custom_layer", "custom_layer_signature", "custom_layers", "register_layer"]

T = TypeVar("T", bound=type)
_CUSTOM: dict[str, type] = {}


def register_layer(cls: T, *, name: str | None = None) -> T:
    """Allow specs to use ``cls`` as ``type: NAME`` (default: the class name). Usable as decorator.

    Only Python code can call this, so a spec can never pull in code by itself.

    >>> class Scale:  # any Keras layer class; a plain class shows the mechanics
    ...     def __init__(self, factor: float = 2.0, **kwargs): ...
    >>> _ = register_layer(Scale)
    >>> custom_layer_signature("Scale").arg("factor").default
    2.0
    >>> unregister_layer("Scale")
    """
    if not inspect.isclass(cls):
        raise UsageError(f"register_layer expects a class; got {cls!r}")
    key = name or cls.__name__
    _CUSTOM[key] = cls
    custom_layer_signature_cache.pop(key, None)
    return cls


def unregister_layer(name: str) -> None:
    """Forget a registered layer (mostly for tests)."""
    _CUSTOM.pop(name, None)
    custom_layer_signature_cache.pop(name, None)


custom_layer_signature_cache: dict[str, LayerSignature] = {}


def custom_layers() -> dict[str, type]:
    """The registered classes by spec type name."""
    return dict(_CUSTOM)


def custom_layer(name: str) -> type | None:
    """The registered class for ``name``, if any."""
    return _CUSTOM.get(name)


def custom_layer_signature(name: str) -> LayerSignature | None:
    """The constructor signature of a registered layer, or ``None`` if ``name`` is not registered."""
    cls: type[object] | None = _CUSTOM.get(name)
    if cls is None:
        return None
    cached = custom_layer_signature_cache.get(name)
    if cached is not None:
        return cached
    args: dict[str, ArgInfo] = {}
    var_kwargs = False
    for pname, p in list(inspect.signature(cls.__init__).parameters.items())[1:]:
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            var_kwargs = True
        elif p.kind is not inspect.Parameter.VAR_POSITIONAL:
            required = p.default is inspect.Parameter.empty
            args[pname] = ArgInfo(pname, required, None if required else _plain(p.default))
    sig = LayerSignature(name, args, var_kwargs)
    custom_layer_signature_cache[name] = sig
    return sig


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


__all__ += ["unregister_layer"]
