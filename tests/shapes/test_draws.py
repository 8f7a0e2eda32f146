"""The oracle's strategies draw mostly valid calls, so it checks Keras's outputs, not only its
refusals; and some invalid ones on purpose, so it checks the refusals too.

No layer is built here: the rule stands in for Keras. ``test_catalog_oracle`` holds the rule to
Keras (it may refuse more, never less), so the draws it accepts are a lower bound of those Keras
builds. ``scripts/oracle_draws.py`` measures with Keras itself and writes the table of
docs/testing.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .cases import CASES
from .draws import DRAWS, FLOOR, Rate, rule_rate

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(CASES)


@pytest.fixture(scope="module")
def rates() -> dict[str, Rate]:
    """Every class's valid draws, by the rule (about 7 s for all of them)."""
    return {name: rule_rate(name) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_most_draws_are_valid(rates: dict[str, Rate], name: str) -> None:
    rate = rates[name]
    assert rate.total == DRAWS, f"{name}: hypothesis drew {rate.total} cases, not {DRAWS}"
    assert rate.percent >= FLOOR, (
        f"{name}: only {rate.valid} of {rate.total} draws are valid calls (below {FLOOR}%); "
        "derive the shapes from the arguments in tests/shapes/cases/ so draws are valid by "
        "construction, and break them on purpose only through fault()"
    )


def test_some_draws_are_invalid_on_purpose(rates: dict[str, Rate]) -> None:
    invalid = sum(r.total - r.valid for r in rates.values())
    total = sum(r.total for r in rates.values())
    assert invalid >= 0.04 * total, f"only {invalid} of {total} draws are invalid calls"
    assert sum(r.valid < r.total for r in rates.values()) >= len(rates) // 2


def test_the_docs_table_lists_every_class() -> None:
    text = (ROOT / "docs" / "testing.md").read_text()
    table = text.split("<!-- oracle-draws:start", 1)[1].split("<!-- oracle-draws:end -->", 1)[0]
    missing = [name for name in NAMES if f"| `{name}`" not in table]
    assert missing == [], "regenerate the table: .venv/bin/python scripts/oracle_draws.py"
