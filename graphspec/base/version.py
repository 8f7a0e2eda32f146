"""graphspec's version, in one place (the package, the CLI and the language server report it)."""

from __future__ import annotations

__all__ = ["VERSION"]

VERSION = "0.1.0"
"""The release (``pyproject.toml`` reads it from here)."""
