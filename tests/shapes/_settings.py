"""Hypothesis settings shared by the shape-rule property tests."""

from __future__ import annotations

import os

from hypothesis import settings

# GRAPHSPEC_SHAPE_EXAMPLES raises the example count for a deeper local run.
EXAMPLES = int(os.environ.get("GRAPHSPEC_SHAPE_EXAMPLES", "30"))

FEW = settings(max_examples=EXAMPLES, deadline=None)
"""Modest example counts: every property test builds a real Keras layer per example."""
