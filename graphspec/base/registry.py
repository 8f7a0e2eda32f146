"""The one registry helper: a named table that modules fill with a decorator when imported."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar, overload

__all__ = ["Registry", "RegistryError"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
F = TypeVar("F")
D = TypeVar("D")


class RegistryError(LookupError, ValueError):
    """A registry was asked for a key nobody registered, or a key was registered twice.

    Both are programming errors, never a user's: they fail loudly instead of falling back.
    """


class Registry(Generic[K, V]):
    """Values by key, in registration order, filled by :meth:`register` used as a decorator.

    ``what`` names the entries in errors ("shape rule", "graph check"). A key registered twice
    is refused unless ``replace`` is set on the registry; looking up a missing key with ``[]``
    raises :class:`RegistryError` naming the registry and the keys it has.

    >>> RULES: Registry[str, Callable[[int], int]] = Registry("rule")
    >>> @RULES.register("double", "twice")
    ... def double(x: int) -> int:
    ...     return 2 * x
    >>> RULES["twice"](4), list(RULES)
    (8, ['double', 'twice'])
    >>> RULES["half"]
    Traceback (most recent call last):
    ...
    graphspec.base.registry.RegistryError: no rule registered for 'half' (registered: double, twice)
    """

    def __init__(self, what: str, *, replace: bool = False) -> None:
        self.what = what
        self._replace = replace
        self._items: dict[K, V] = {}

    @overload
    def register(self, *keys: K) -> Callable[[F], F]: ...

    @overload
    def register(self, *keys: K, make: Callable[[F], V]) -> Callable[[F], F]: ...

    def register(self, *keys: K, make: Callable[[Any], V] | None = None) -> Callable[[F], F]:
        """A decorator that registers the decorated object under every key in ``keys``.

        With ``make``, what is stored is ``make(obj)`` (a record built around a function); the
        decorated object itself is returned unchanged either way.
        """

        def decorate(obj: F) -> F:
            value = make(obj) if make is not None else obj
            for key in keys:
                self.add(key, value)  # type: ignore[arg-type]  # without make, V is F
            return obj

        return decorate

    def add(self, key: K, value: V) -> None:
        """Register ``value`` under ``key`` (what :meth:`register` does for each key)."""
        if key in self._items and not self._replace:
            raise RegistryError(f"{self.what} {key!r} is already registered")
        self._items[key] = value

    def __setitem__(self, key: K, value: V) -> None:
        """Set ``key`` even when registered already: an explicit replacement (tests, reloads)."""
        self._items[key] = value

    def __delitem__(self, key: K) -> None:
        del self._items[key]

    def __getitem__(self, key: K) -> V:
        try:
            return self._items[key]
        except KeyError:
            known = ", ".join(str(k) for k in self._items) or "none"
            raise RegistryError(
                f"no {self.what} registered for {key!r} (registered: {known})"
            ) from None

    @overload
    def get(self, key: K) -> V | None: ...

    @overload
    def get(self, key: K, default: V) -> V: ...

    @overload
    def get(self, key: K, default: D) -> V | D: ...

    def get(self, key: K, default: object = None) -> object:
        """The value of ``key``, or ``default`` when nobody registered it."""
        return self._items.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[K]:
        """The keys in registration order."""
        return list(self._items)

    def values(self) -> list[V]:
        """The values in registration order."""
        return list(self._items.values())

    def items(self) -> list[tuple[K, V]]:
        """``(key, value)`` pairs in registration order."""
        return list(self._items.items())

    def __repr__(self) -> str:
        return f"Registry({self.what!r}, {len(self)} entries)"
