"""The renderer registry: output format -> the function that draws a view in it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from graphspec.base.registry import Registry

if TYPE_CHECKING:
    from graphspec.backends.diagram.boxes import View

__all__ = ["EXTENSIONS", "RENDERERS", "Renderer", "renderer"]


@dataclass(frozen=True)
class Renderer:
    """One output format: the function producing its bytes, and whether it runs ``dot``."""

    format: str
    draw: Callable[[View], bytes]
    needs_dot: bool = False


RENDERERS: Registry[str, Renderer] = Registry("renderer")
"""Output format -> renderer, filled by :func:`renderer` in the back-end modules."""

EXTENSIONS: Final[dict[str, str]] = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mmd",
    ".mermaid": "mmd",
}
"""File extension -> format, used when no format is given."""


def renderer(
    fmt: str, *, needs_dot: bool = False
) -> Callable[[Callable[[View], bytes]], Callable[[View], bytes]]:
    """Register the decorated function as the renderer of ``fmt``."""

    return RENDERERS.register(fmt, make=lambda fn: Renderer(fmt, fn, needs_dot))
