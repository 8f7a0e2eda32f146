"""Format 1.0 does not regress: every shipped spec saves the same Keras config it did at 0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._golden import GOLDEN_DIR, SPECS_DIR, saved_config

pytestmark = pytest.mark.keras

_RECORDED = sorted(GOLDEN_DIR.glob("*.json"))
_AT_0_1 = {"multi_io", "resnet_mini", "seed_functional", "seed_sequential", "seed_skip", "siamese"}
"""The specs shipped with version 0.1 (the three seed models among them)."""


def test_every_spec_shipped_with_0_1_has_a_recorded_config() -> None:
    assert {p.stem for p in _RECORDED} >= _AT_0_1


@pytest.mark.parametrize("golden", _RECORDED, ids=lambda p: p.stem)
def test_saved_config_is_byte_identical_to_the_recorded_one(golden: Path) -> None:
    spec = SPECS_DIR / f"{golden.stem}.yaml"
    assert spec.is_file(), f"{golden.name} is recorded but specs/{spec.name} is gone"
    got = saved_config(spec)
    assert got == golden.read_bytes(), (
        f"specs/{spec.name} now compiles to a different Keras config than recorded; if the "
        f"change is intended, re-record with scripts/record_golden_configs.py {golden.stem}"
    )
