"""Layer packages the user declares: their modules imported, their Keras layer classes registered.

The user names the modules (``--layers MODULE``, ``GRAPHSPEC_LAYERS=a,b``, ``[tool.graphspec]
layers = [...]`` in the nearest ``pyproject.toml``); nothing a spec says ever reaches this module.
Importing a declared module runs it, as ``pip install`` and ``import`` would: it is the user's own
code. Every ``keras.layers.Layer`` subclass the module (or a submodule it imported) defines, or
registers with ``keras.saving.register_keras_serializable`` or ``graphspec.register_layer``,
becomes a type a spec can name, by its class name. A class that defines ``compute_output_shape``
and has no rule of its own (``@graphspec.shape_rule``) gets its shapes and parameter counts from
Keras, by calling the layer on symbolic tensors as Keras does while it builds a model.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import os
import re
import sys
import tomllib
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from graphspec.backends.keras.compiler import keras_text, layer_object
from graphspec.backends.keras.loading import import_keras_quietly, quiet_native_stderr
from graphspec.base import custom_layers
from graphspec.base.catalog import layer_signature
from graphspec.base.shape_types import LayerCall, Shape, ShapeResult
from graphspec.errors import LayerPackageError
from graphspec.passes.shapes.registry import SHAPE_RULES, UnknownShape, has_rule, shape_rule

__all__ = [
    "ENV_VAR",
    "Declaration",
    "declarations",
    "find_pyproject",
    "layers_for",
    "load_packages",
    "load_portable",
    "loaded_packages",
    "portable_declarations",
    "register_layer",
    "reset",
    "use_layers",
]

ENV_VAR: Final = "GRAPHSPEC_LAYERS"
"""The environment variable naming layer packages, comma-separated."""

_MODULE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_CATALOGUED: Final = frozenset({"keras", "keras_hub"})
"""Packages whose layers graphspec's catalogs hold already: declaring them adds nothing."""
_LOADED: dict[str, tuple[str, ...]] = {}
"""Each module loaded so far -> the spec types it brought (loading twice is a no-op)."""


@dataclass(frozen=True)
class Declaration:
    """One module the user declared: its name, where it was declared (for messages), and the
    folder its import may also search (the ``pyproject.toml``'s, or the working directory)."""

    module: str
    origin: str
    folder: Path | None = None


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` (a folder or a file's folder) or above it."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def declarations(
    flags: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    starts: Iterable[Path] = (),
    project: bool = True,
) -> list[Declaration]:
    """The modules declared by ``--layers`` flags, ``GRAPHSPEC_LAYERS`` and, with ``project``,
    the nearest ``pyproject.toml`` of each path in ``starts`` (once each, in that order).

    >>> [d.module for d in declarations(["a", "b.c"], env={"GRAPHSPEC_LAYERS": "d, a"})]
    ['a', 'b.c', 'd']
    """
    cwd = Path.cwd()
    found = [Declaration(m, "--layers", cwd) for m in flags]
    text = (os.environ if env is None else env).get(ENV_VAR, "")
    found += [Declaration(m.strip(), ENV_VAR, cwd) for m in text.split(",") if m.strip()]
    if project:
        seen: set[Path] = set()
        for start in starts:
            path = find_pyproject(start)
            if path is not None and path not in seen:
                seen.add(path)
                found += _pyproject_layers(path)
    unique: dict[str, Declaration] = {}
    for item in found:
        unique.setdefault(item.module, item)
    return list(unique.values())


def _pyproject_layers(path: Path) -> list[Declaration]:
    """``[tool.graphspec] layers = [...]`` of one ``pyproject.toml`` (none without the table)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LayerPackageError(f"{path}: cannot read it: {exc}") from None
    table = data.get("tool", {}).get("graphspec", {})
    if not isinstance(table, dict) or "layers" not in table:
        return []
    layers = table["layers"]
    where = f"{path}:{_line_of(text, 'layers')}"
    if not isinstance(layers, list) or not all(isinstance(m, str) for m in layers):
        raise LayerPackageError(
            f"{where}: [tool.graphspec] layers must be a list of module names, e.g. "
            f'layers = ["my_layers"]; found {layers!r}'
        )
    return [Declaration(m, where, path.parent) for m in layers]


def _line_of(text: str, key: str) -> int:
    """The line of ``key = ...`` inside ``[tool.graphspec]`` (1 when it cannot be told)."""
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") == "[tool.graphspec]"
        elif inside and re.match(rf"{key}\s*=", stripped):
            return number
    return 1


def load_packages(found: Iterable[Declaration]) -> list[custom_layers.UserLayer]:
    """Import each declared module (once per process) and register its layer classes.

    Raises :class:`LayerPackageError`, one located line, when a module cannot be used.
    """
    added: list[custom_layers.UserLayer] = []
    for item in found:
        if item.module in _LOADED:
            continue
        names = _load(item)
        _LOADED[item.module] = names
        added += [entry for n in names if (entry := custom_layers.user_layer(n)) is not None]
    return added


_FAILED: dict[str, str] = {}
"""Declared modules that could not be used, with the message (not retried in this process)."""


def layers_for(file: str | os.PathLike[str] | None, flags: Sequence[str] = ()) -> list[str]:
    """For long-running tools (the language server, the viewer): load what ``file``'s setting
    declares (``flags``, ``GRAPHSPEC_LAYERS``, the nearest ``pyproject.toml``); the messages of
    the packages that cannot be used, instead of raising.

    A package is imported once per process (a change to it needs a restart); one that failed is
    not tried again.
    """
    starts = [Path(file)] if file is not None else [Path.cwd()]
    try:
        found = declarations(flags, starts=starts)
    except LayerPackageError as err:
        return [str(err)]
    problems = []
    for item in found:
        if item.module in _FAILED:
            problems.append(_FAILED[item.module])
            continue
        try:
            load_packages([item])
        except LayerPackageError as err:
            _FAILED[item.module] = str(err)
            problems.append(str(err))
    return problems


def loaded_packages() -> dict[str, tuple[str, ...]]:
    """The modules loaded so far and the spec types each brought."""
    return dict(_LOADED)


def portable_declarations() -> list[tuple[str, str | None]]:
    """The packages loaded in this process as ``(module, folder)``, the folder being where its
    import starts (``None`` when unknown): what another process (a Ray trial's worker) needs to
    declare the same packages with :func:`load_portable`, whatever its working directory."""
    return [(module, _import_root(module)) for module in _LOADED]


def load_portable(items: Iterable[Sequence[str | None]], origin: str) -> None:
    """Declare the packages :func:`portable_declarations` listed in another process."""
    load_packages(
        Declaration(str(module), origin, Path(folder) if folder else None)
        for module, folder in items
    )


def _import_root(name: str) -> str | None:
    """The folder the module ``name`` is imported from (``a.b`` in ``/x/a/b.py``: ``/x``)."""
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if not file:
        return None
    path = Path(file).resolve()
    depth = name.count(".") + (1 if path.name == "__init__.py" else 0)
    return str(path.parents[depth])


def reset() -> None:
    """Forget what the declared packages registered (for tests; modules stay imported)."""
    for names in _LOADED.values():
        for name in names:
            custom_layers.unregister_layer(name)
            if name in SHAPE_RULES and name in _KERAS_RULES:
                del SHAPE_RULES[name]
                _KERAS_RULES.discard(name)
    _LOADED.clear()
    _FAILED.clear()


def use_layers(*modules: str) -> list[str]:
    """Declare layer packages from Python: import them, register their layers; the spec types.

    The same as ``--layers`` on the command line (the working directory is searched last).
    """
    load_packages(Declaration(m, "use_layers", Path.cwd()) for m in modules)
    return [name for m in modules for name in _LOADED.get(m, ())]


def _load(item: Declaration) -> tuple[str, ...]:
    if not _MODULE_NAME.fullmatch(item.module):
        raise LayerPackageError(
            f"{item.origin}: `{item.module}` is not a module name; give the name Python imports "
            "it by (`my_layers`, `my_package.layers`), with its folder on PYTHONPATH or beside "
            "the pyproject.toml that declares it"
        )
    if item.module.split(".")[0] in _CATALOGUED:
        return ()  # `--layers keras_hub`: its layers are catalogued types already
    import_keras_quietly()  # the backend chosen first; TensorFlow's start-up logs muted
    before = set(custom_layers.custom_layers())
    module = _import(item)
    registered = [n for n in custom_layers.custom_layers() if n not in before]
    keras = sys.modules.get("keras")
    classes = _defined(keras, item.module) if keras is not None else {}
    for name in registered:  # graphspec.register_layer calls made while it was imported
        entry = custom_layers.user_layer(name)
        if entry is not None:
            custom_layers.register_layer(entry.cls, name=name, package=item.module)
    names = list(registered)
    for cls_name, cls in classes.items():
        if any(custom_layers.custom_layer(n) is cls for n in registered):
            continue
        _check_free(item, cls_name, cls)
        custom_layers.register_layer(cls, package=item.module)
        names.append(cls_name)
    if not names:
        raise LayerPackageError(
            f"{item.origin}: the layer package `{item.module}` ({_where(module)}) defines no "
            "Keras layer: no keras.layers.Layer subclass is defined in it or in a module it "
            "imports, or registered by it",
        )
    for name in names:
        _add_keras_rule(name)
    return tuple(names)


def _import(item: Declaration) -> Any:
    """Import the module, its declaring folder searched last; errors as one located line."""
    import importlib

    if item.folder is not None and str(item.folder) not in sys.path:
        sys.path.append(str(item.folder))
    try:
        with quiet_native_stderr():
            return importlib.import_module(item.module)
    except (Exception, SystemExit) as exc:
        raise LayerPackageError(_import_failure(item, exc)) from None


def _import_failure(item: Declaration, exc: BaseException) -> str:
    head = f"{item.origin}: cannot import the layer package `{item.module}`"
    if isinstance(exc, ModuleNotFoundError) and exc.name and item.module.startswith(exc.name):
        searched = f" or {item.folder}" if item.folder is not None else ""
        return (
            f"{head}: no module named `{exc.name}` on the Python path{searched} (install the "
            "package, or add its folder to PYTHONPATH)"
        )
    where = ""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where, text = f"{exc.filename}:{exc.lineno}: ", str(exc.msg)
    else:
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if "importlib" not in f.filename
        ]
        if frames:
            where = f"{frames[-1].filename}:{frames[-1].lineno}: "
    return f"{head}: {where}{type(exc).__name__}" + (f": {text}" if text else "")


def _where(module: Any) -> str:
    return str(getattr(module, "__file__", None) or module.__name__)


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def _defined(keras: Any, package: str) -> dict[str, type]:
    """Layer classes defined in ``package`` or its imported submodules, or registered with Keras
    from there; by class name."""
    base = keras.layers.Layer
    found: dict[str, type] = {}
    modules = [
        m for name, m in list(sys.modules.items()) if _inside(name, package) and m is not None
    ]
    for module in modules:
        for name, obj in sorted(vars(module).items()):
            if (
                inspect.isclass(obj)
                and issubclass(obj, base)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.setdefault(obj.__name__, obj)
    for obj in keras.saving.get_custom_objects().values():
        if inspect.isclass(obj) and issubclass(obj, base) and _inside(obj.__module__, package):
            found.setdefault(obj.__name__, obj)
    return found


def _check_free(item: Declaration, name: str, cls: type) -> None:
    """Refuse a class whose name a spec could not tell apart from another layer's."""
    qualname = f"{cls.__module__}.{cls.__qualname__}"
    other = custom_layers.user_layer(name)
    if other is not None and other.cls is not cls:
        raise LayerPackageError(
            f"{item.origin}: two layer classes are called `{name}`: {other.qualname} and "
            f"{qualname}; register one under another name, e.g. "
            f"graphspec.register_layer({cls.__name__}, name='My{name}')"
        )
    if layer_signature(name) is not None:
        raise LayerPackageError(
            f"{item.origin}: the layer class {qualname} has the name of a layer graphspec "
            f"knows (keras.layers.{name} or KerasHub's); a spec could not tell them apart: "
            f"register it under another name, e.g. graphspec.register_layer({cls.__name__}, "
            f"name='My{name}')"
        )


def register_layer(cls: Any, *, name: str | None = None) -> Any:
    """:func:`graphspec.register_layer`: register ``cls``, and its shape from Keras when it
    defines ``compute_output_shape`` (see the module's docstring)."""
    custom_layers.register_layer(cls, name=name)
    _add_keras_rule(name or cls.__name__)
    return cls


# -- shapes from Keras --------------------------------------------------------------------------

_KERAS_RULES: set[str] = set()


def _add_keras_rule(name: str) -> None:
    cls = custom_layers.custom_layer(name)
    keras = sys.modules.get("keras")
    if cls is None or keras is None or has_rule(name) or not _defines_output_shape(keras, cls):
        return
    shape_rule(name)(_traced)
    _KERAS_RULES.add(name)


def _defines_output_shape(keras: Any, cls: type) -> bool:
    base = keras.layers.Layer
    if not (inspect.isclass(cls) and issubclass(cls, base)):
        return False
    owner = next(c for c in cls.__mro__ if "compute_output_shape" in vars(c))
    return owner is not base and not owner.__module__.startswith("keras.")


def _traced(call: LayerCall, inputs: Sequence[Shape]) -> ShapeResult:
    """The layer called on symbolic tensors (nothing computed): Keras's shapes and counts."""
    cls = custom_layers.custom_layer(call.type)
    key = json.dumps(dict(call.args), sort_keys=True, default=repr)
    return _trace(call.type, id(cls), key, tuple(tuple(s) for s in inputs))


@functools.lru_cache(maxsize=512)
def _trace(type_name: str, _cls: int, args: str, inputs: tuple[Shape, ...]) -> ShapeResult:
    import keras

    try:
        with quiet_native_stderr():
            layer = layer_object(type_name, json.loads(args))
            tensors = [keras.KerasTensor(shape) for shape in inputs]
            out = layer(tensors[0] if len(tensors) == 1 else tensors)
    except Exception as exc:
        raise UnknownShape(keras_text(exc)) from None
    outputs = tuple(tuple(t.shape) for t in keras.tree.flatten(out))
    trainable = sum(math.prod(v.shape) for v in layer.trainable_weights)
    frozen = sum(math.prod(v.shape) for v in layer.non_trainable_weights)
    return ShapeResult(outputs, trainable, frozen)
