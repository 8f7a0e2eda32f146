"""Hypothesis settings shared by the shape-rule property tests.

Every example builds a real Keras layer, so counts stay modest: ``make test`` checks a few
examples per catalog class, ``make test-all`` (``GRAPHSPEC_SHAPES=all``) many more.
``GRAPHSPEC_SHAPE_EXAMPLES`` overrides the count for a deeper local run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_PROFILES = {"ci": 6, "all": 60}
_CHOSEN = os.environ.get("GRAPHSPEC_SHAPES", "ci")
EXAMPLES = int(os.environ.get("GRAPHSPEC_SHAPE_EXAMPLES", _PROFILES.get(_CHOSEN, 6)))

for _name, _count in _PROFILES.items():
    settings.register_profile(
        f"shapes-{_name}",
        parent=settings.default,
        max_examples=_count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )

PER_CLASS = settings(settings.get_profile(f"shapes-{_CHOSEN}"), max_examples=EXAMPLES)
"""Examples per catalog class for the Keras oracle (hypothesis profile ``shapes-ci``/``-all``)."""
