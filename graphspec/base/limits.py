"""Hard limits that keep hostile specs cheap to reject (one place, `Final` values)."""

from __future__ import annotations

from typing import Final

__all__ = [
    "MAX_ALIAS_VALUES",
    "MAX_BLOCK_DEPTH",
    "MAX_BLOCK_DISCOVERY_NODES",
    "MAX_CONSTANT_ELEMENTS",
    "MAX_DEPTH",
    "MAX_DRAWN_NODES",
    "MAX_EXPR_LENGTH",
    "MAX_FILE_BYTES",
    "MAX_INT_MAGNITUDE",
    "MAX_NAME_LENGTH",
    "MAX_NODES",
    "MAX_PARAMS",
    "MAX_REPEAT",
    "MAX_STRING_LENGTH",
    "MAX_TENSOR_ELEMENTS",
    "MAX_VALUES",
]

MAX_FILE_BYTES: Final = 16 * 1024 * 1024
"""A spec file larger than this is refused before parsing (16 MiB holds ~400k nodes)."""

MAX_DEPTH: Final = 64
"""Deepest YAML nesting accepted; specs need about six levels."""

MAX_ALIAS_VALUES: Final = 1_000_000
"""Most values aliases may add to the document once followed (stops alias bombs)."""

MAX_VALUES: Final = 2_000_000
"""Most scalars and collections one document may hold (a 100k-node spec has about 800k)."""

MAX_STRING_LENGTH: Final = 65_536
"""Longest string scalar accepted."""

MAX_NAME_LENGTH: Final = 256
"""Longest node, input, block or param name accepted."""

MAX_NODES: Final = 500_000
"""Most nodes a spec may expand to (blocks and repeat included)."""

MAX_REPEAT: Final = 10_000
"""Largest ``repeat:`` accepted on a block instance."""

MAX_BLOCK_DEPTH: Final = 32
"""Deepest nesting of blocks inside blocks."""

MAX_EXPR_LENGTH: Final = 256
"""Longest ``${...}`` expression accepted."""

MAX_INT_MAGNITUDE: Final = 10**15
"""Largest absolute value a ``${...}`` expression may produce."""

MAX_PARAMS: Final = 10**11
"""Parameter-count ceiling of a whole model (100 billion); larger is refused, not allocated."""

MAX_TENSOR_ELEMENTS: Final = 2**40
"""Largest number of elements of one sample's tensor accepted by shape inference."""

MAX_CONSTANT_ELEMENTS: Final = 2**20
"""Most elements of a tensor an expression makes from constants (``arange``, ``zeros``, …): it is
computed when the model is built and written into the saved model's config."""

MAX_DRAWN_NODES: Final = 2000
"""Most boxes a diagram is drawn with unless asked otherwise (``render --max-nodes``).

Measured on this project's machine (one core): Graphviz lays out 2,000 boxes in about 6 s;
4,000 take 17 s and 430 MB, 8,000 take 85 s and 1.5 GB, 20,000 run out of memory after minutes.
Above it ``render`` draws blocks collapsed, or refuses when that is not enough.
"""

MAX_BLOCK_DISCOVERY_NODES: Final = 20_000
"""Most layers an import searches for repeated blocks (a few seconds); a bigger model is written
flat, and its description says so."""
