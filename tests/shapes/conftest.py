"""Keras as the oracle for the shape rules: the ``oracle`` fixture (see ``oracle.py``)."""

from __future__ import annotations

import pytest

from .oracle import Oracle


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    """The Keras oracle (skips the test when Keras is not installed)."""
    keras = pytest.importorskip("keras")
    return Oracle(keras)
