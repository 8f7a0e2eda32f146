"""The user's own layer classes: registered from Python or found in the packages the user declares.

This is the only way a spec reaches code outside the catalog, and a spec never fills it: classes
come from :func:`register_layer` (Python) or from the modules the user names on the command line,
in ``GRAPHSPEC_LAYERS`` or in ``pyproject.toml`` (:mod:`graphspec.backends.keras.packages`).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from graphspec.base.catalog import ArgInfo, LayerSignature
from graphspec.errors import UsageError

__all__ = [
    "UserLayer",
    "custom_layer",
    "custom_layer_signature",
    "custom_layers",
    "register_layer",
    "takes_name",
    "unregister_layer",
    "user_layer",
]

T = TypeVar("T", bound=type)


@dataclass(frozen=True)
class UserLayer:
    """One user layer: the ``type`` a spec names, its class, and where it came from.

    ``package`` is the declared module that brought it (``None`` when Python code registered it).
    """

    name: str
    cls: type
    package: str | None = None

    @property
    def qualname(self) -> str:
        """``module.Class``: where codegen imports it from, and what messages call it."""
        return f"{self.cls.__module__}.{self.cls.__qualname__}"


_CUSTOM: dict[str, UserLayer] = {}
_SIGNATURES: dict[str, LayerSignature] = {}


def register_layer(cls: T, *, name: str | None = None, package: str | None = None) -> T:
    """Allow specs to use ``cls`` as ``type: NAME`` (default: the class name). Usable as decorator.

    Only Python code can call this (the user's, or the loader of the packages the user declared),
    so a spec can never pull in code by itself. Registering a name again replaces its class.

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
    _CUSTOM[key] = UserLayer(key, cls, package)
    _SIGNATURES.pop(key, None)
    return cls


def unregister_layer(name: str) -> None:
    """Forget a registered layer (mostly for tests)."""
    _CUSTOM.pop(name, None)
    _SIGNATURES.pop(name, None)


def custom_layers() -> dict[str, type]:
    """The registered classes by spec type name."""
    return {key: entry.cls for key, entry in _CUSTOM.items()}


def user_layer(name: str) -> UserLayer | None:
    """The registration of ``name``, if any."""
    return _CUSTOM.get(name)


def custom_layer(name: str) -> type | None:
    """The registered class for ``name``, if any."""
    entry = _CUSTOM.get(name)
    return entry.cls if entry is not None else None


def custom_layer_signature(name: str) -> LayerSignature | None:
    """The constructor signature of a registered layer, or ``None`` if ``name`` is not registered.

    Keyword arguments are the class's own; with ``**kwargs`` the base ``Layer``'s are accepted too.
    """
    entry = _CUSTOM.get(name)
    if entry is None:
        return None
    cached = _SIGNATURES.get(name)
    if cached is not None:
        return cached
    args: dict[str, ArgInfo] = {}
    var_kwargs = False
    for pname, p in _parameters(entry.cls).items():
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            var_kwargs = True
        elif p.kind is not inspect.Parameter.VAR_POSITIONAL:
            required = p.default is inspect.Parameter.empty
            args[pname] = ArgInfo(pname, required, None if required else _plain(p.default))
    sig = LayerSignature(name, args, var_kwargs)
    _SIGNATURES[name] = sig
    return sig


def takes_name(name: str) -> bool:
    """Whether the registered class ``name`` accepts ``name=`` (graphspec names every layer).

    >>> class Plain:
    ...     def __init__(self, size): ...
    >>> _ = register_layer(Plain)
    >>> takes_name("Plain")
    False
    >>> unregister_layer("Plain")
    """
    sig = custom_layer_signature(name)
    return sig is None or sig.accepts_base_args or "name" in sig.args


def _parameters(cls: type) -> Mapping[str, inspect.Parameter]:
    """The constructor's parameters (``self`` left out)."""
    try:
        return inspect.signature(cls).parameters
    except (TypeError, ValueError):  # a C-level constructor: nothing to read
        return {}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value
