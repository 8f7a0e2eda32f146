"""The registry of language-server features: LSP method name to handler, filled by decorator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphspec.base.registry import Registry

__all__ = ["FEATURES", "Feature", "feature"]


@dataclass(frozen=True)
class Feature:
    """One LSP method the server implements, with the options it advertises."""

    method: str
    handler: Callable[..., Any]
    options: Any = None


FEATURES: Registry[str, Feature] = Registry("LSP method")
"""Features by LSP method, in registration order (each capability module adds its own)."""


def feature(method: str, options: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a handler for an LSP method; its first parameter ``ls`` receives the server."""

    return FEATURES.register(method, make=lambda fn: Feature(method, fn, options))
