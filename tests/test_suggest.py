"""Suggestions ranked by the typos people make (base/suggest.py), everywhere graphspec suggests."""

from __future__ import annotations

import pytest

from graphspec import check
from graphspec.base.catalog import named_objects
from graphspec.base.suggest import distance, suggest


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("gleu", "gelu"),  # a swap beats a missing letter (glu)
        ("rleu", "relu"),
        ("softmaks", "softmax"),
        ("sigmod", "sigmoid"),
        ("tnah", "tanh"),
        ("seul", "selu"),
    ],
)
def test_activation_typos_rank_the_meant_name_first(typo: str, meant: str) -> None:
    assert suggest(typo, named_objects("activations"))[0] == meant


def test_neighbouring_keys_cost_less_than_far_ones() -> None:
    assert distance("dense", "dwnse") < distance("dense", "dpnse") == 1.0
    assert distance("ab", "ba") == 0.8


def test_no_suggestion_for_a_different_word() -> None:
    assert suggest("x", ["y", "z"]) == []
    assert suggest("completely", ["Dense", "Conv2D"]) == []


def test_the_check_suggests_gelu_for_gleu() -> None:
    text = "inputs: {x: {shape: [4]}}\nnodes: {d: {type: Dense, units: 2, activation: gleu}}\n"
    (diag,) = check(text).errors
    assert diag.hint == "did you mean `gelu`?"
    assert diag.fixes[0].title == "write `gelu`"
