"""Keras models to specs: a model object, a ``.keras`` file, a JSON config or a keras.applications name.

One module per concern: :mod:`~graphspec.backends.importer.sources` (where models come from),
:mod:`~graphspec.backends.importer.models` (the reader of each model class: functional graph walk,
Sequential), :mod:`~graphspec.backends.importer.readers` (what each serialized layer becomes, one module
per kind), :mod:`~graphspec.backends.importer.calls`, :mod:`~graphspec.backends.importer.arguments` and
:mod:`~graphspec.backends.importer.objects` (argument cleaning), :mod:`~graphspec.backends.importer.wiring` and
:mod:`~graphspec.backends.importer.assemble` (the spec written back), :mod:`~graphspec.backends.importer.blocks`
(repeated sub-graphs found and written as blocks, with ``_naming`` and ``_params``) and :mod:`~graphspec.backends.importer.rewrite` (the
same on a flat spec).
"""

from __future__ import annotations

from graphspec.backends.importer import functional as _functional  # noqa: F401  (registers its reader)
from graphspec.backends.importer import layers as _layers  # noqa: F401  (registers the layer kind)
from graphspec.backends.importer import nested as _nested  # noqa: F401  (registers nested models)
from graphspec.backends.importer import ops as _ops  # noqa: F401  (registers keras.ops operations)
from graphspec.backends.importer import sequential as _sequential  # noqa: F401  (registers its reader)
from graphspec.backends.importer import weights as _weights  # noqa: F401  (registers learned tensors)
from graphspec.backends.importer._state import UnsupportedLayersError
from graphspec.backends.importer.models import from_config
from graphspec.backends.importer.rewrite import with_blocks
from graphspec.backends.importer.sources import APPLICATIONS_PREFIX, from_keras, import_source

__all__ = [
    "APPLICATIONS_PREFIX",
    "UnsupportedLayersError",
    "from_config",
    "from_keras",
    "import_source",
    "with_blocks",
]
