"""Every class of the Keras catalog that can be a node has a shape rule that agrees with Keras.

The tests enumerate the catalog, so a class added to Keras (``make catalog``) without a rule,
or without oracle cases, fails here instead of being forgotten.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from graphspec.base.catalog import canonical_type, cell_names, layer_names
from graphspec.passes.shapes import has_rule
from graphspec.passes.shapes.rules.cells import CELL_RULES

from ._settings import PER_CLASS
from .cases import CASES, Case

NAMES = layer_names()


def test_every_catalog_class_has_a_rule() -> None:
    missing = [
        name
        for name in NAMES
        if not (CELL_RULES.get(name) if name in cell_names() else has_rule(name))
    ]
    assert missing == [], "add shape rules (graphspec/passes/shapes/) for these classes"


def test_every_catalog_class_has_oracle_cases() -> None:
    missing = [name for name in NAMES if canonical_type(name) not in CASES]
    assert missing == [], "add hypothesis cases (tests/shapes/cases/) for these classes"
    assert sorted(set(CASES) - set(NAMES)) == [], "cases for classes Keras does not have"


def _cases(name: str) -> st.SearchStrategy[Case]:
    """The cases of catalog class ``name`` (an alias draws its class's, renamed)."""
    canonical = canonical_type(name)
    strategy = CASES[canonical](canonical)
    if canonical != name:  # an alias: the same class under another name
        strategy = strategy.map(lambda case: case.renamed(name))
    return strategy


@pytest.mark.keras
@pytest.mark.parametrize("name", NAMES)
@PER_CLASS
@given(data=st.data())
def test_rule_agrees_with_keras(oracle: Any, name: str, data: st.DataObject) -> None:
    case = data.draw(_cases(name), label="case")
    outcome = oracle.check(case.call, case.inputs, case.dtypes)
    # --hypothesis-show-statistics reports the share of valid calls per class (test_draws.py
    # holds every class to 80% or more).
    event("Keras built the layer" if outcome.error is None else "Keras refused the call")
