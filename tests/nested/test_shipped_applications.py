"""The shipped keras.applications specs (graphspec/data/applications) check clean without Keras.

A nested ``model: keras.applications.NAME`` takes its static shapes from these files, so each
must be a faithful spec: no error, no warning (a dangling layer, W303, means the node order of
an inline nested Sequential was lost), every shape known. tests/nested/test_nested_models.py
compares parameter counts and output shapes of a few with Keras itself.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from graphspec import check
from graphspec.errors import Severity
from graphspec.plugins.nested.applications import application_names, shipped_variants

SHIPPED = [
    pytest.param(name, data, id=f"{name}-{'top' if top else 'notop'}")
    for name in application_names()
    for top, data in shipped_variants(name)
]


def test_every_application_is_shipped_with_and_without_its_top() -> None:
    shipped = {(name, top) for name in application_names() for top, _ in shipped_variants(name)}
    assert shipped == {(name, top) for name in application_names() for top in (True, False)}


@pytest.mark.parametrize(("name", "data"), SHIPPED)
def test_shipped_spec_checks_clean(name: str, data: dict[str, Any]) -> None:
    text = yaml.safe_dump({"graphspec": 1.1, **data}, sort_keys=False)
    result = check(text)
    loud = [d.format() for d in result.diagnostics if d.severity is not Severity.NOTE]
    assert loud == [], (name, loud[:5])
    assert result.shapes is not None
    assert all(node.known for node in result.shapes.nodes.values()), name
