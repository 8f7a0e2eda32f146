"""The registry of language-server features: LSP method name to handler, filled by decorator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["FEATURES", "Feature", "feature"]


@dataclass(frozen=True)
class Feature:
    """One LSP method the server implements, with the options it advertises."""

    method: str
    handler: Callable[..., Any]
    options: Any = None


FEATURES: dict[str, Feature] = {}
"""Features by LSP method, in registration order (each capability module adds its own)."""


def feature(method: str, options: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a handler for an LSP method; its first parameter ``ls`` receives the server."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if method in FEATURES:
            raise ValueError(f"LSP method {method!r} is registered twice")
        FEATURES[method] = Feature(method, fn, options)
        return fn

    return register
