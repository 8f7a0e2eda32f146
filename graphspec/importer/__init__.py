"""Keras models to specs: a model object, a ``.keras`` file, a JSON config or a keras.applications name.

One module per concern: :mod:`~graphspec.importer.sources` (where models come from),
:mod:`~graphspec.importer.models` (the reader of each model class: functional graph walk,
Sequential), :mod:`~graphspec.importer.kinds` (what each serialized layer becomes, one module
per kind), :mod:`~graphspec.importer.calls`, :mod:`~graphspec.importer.arguments` and
:mod:`~graphspec.importer.objects` (argument cleaning), :mod:`~graphspec.importer.wiring` and
:mod:`~graphspec.importer.assemble` (the spec written back).
"""

from __future__ import annotations

from graphspec.importer import functional as _functional  # noqa: F401  (registers its reader)
from graphspec.importer import layers as _layers  # noqa: F401  (registers the layer kind)
from graphspec.importer import nested as _nested  # noqa: F401  (registers nested models)
from graphspec.importer import ops as _ops  # noqa: F401  (registers keras.ops operations)
from graphspec.importer import sequential as _sequential  # noqa: F401  (registers its reader)
from graphspec.importer._state import UnsupportedLayersError
from graphspec.importer.models import from_config
from graphspec.importer.sources import APPLICATIONS_PREFIX, from_keras, import_source

__all__ = [
    "APPLICATIONS_PREFIX",
    "UnsupportedLayersError",
    "from_config",
    "from_keras",
    "import_source",
]
