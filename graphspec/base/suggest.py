""" "Did you mean" suggestions for misspelt names, ranked by the typos people make.

Candidates are ranked by a weighted optimal-string-alignment distance (Damerau-Levenshtein
without reuse of a transposed pair), compared case-insensitively:

- two neighbouring letters swapped (``gleu`` for ``gelu``) costs 0.8,
- a key next to the right one on a QWERTY keyboard (``softmaz``) costs 0.6,
- any other substitution, a letter too many or a letter missing costs 1.

So ``gleu`` suggests ``gelu`` (one swap) before ``glu`` (one letter missing). A candidate is
close enough when its distance is at most a third of the word's length (at least 1), or when
:mod:`difflib` finds it similar (ratio at least 0.6) — the older rule, kept so that no
suggestion graphspec made before is lost; those come after every close one. Ties go to the
more similar (difflib's ratio), then to the first given.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Final

__all__ = ["did_you_mean", "distance", "suggest"]

_SWAP: Final = 0.8
_NEIGHBOUR: Final = 0.6
_EDIT: Final = 1.0
_RATIO: Final = 0.6
_FAR: Final = float("inf")
_ROWS: Final = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_STAGGER: Final = (0.0, 0.5, 0.75, 1.25)
"""How far each keyboard row is shifted right, in keys."""


@cache
def _position(char: str) -> tuple[float, float] | None:
    for row, keys in enumerate(_ROWS):
        column = keys.find(char)
        if column >= 0:
            return float(row), column + _STAGGER[row]
    return None


@cache
def _substitution(a: str, b: str) -> float:
    """What writing ``a`` for ``b`` costs: less for keys next to each other."""
    if a == b:
        return 0.0
    pa, pb = _position(a), _position(b)
    if pa is not None and pb is not None:
        rows, columns = abs(pa[0] - pb[0]), abs(pa[1] - pb[1])
        if rows <= 1 and columns <= 1:
            return _NEIGHBOUR
    return _EDIT


def distance(word: str, other: str, *, limit: float | None = None) -> float:
    """The typo distance from ``word`` to ``other`` (case-insensitive).

    With ``limit``, the computation stops as soon as the distance must exceed it (the result
    is then some number above ``limit``).

    >>> distance("gleu", "gelu"), distance("gleu", "glu"), distance("Conv2d", "Conv2D")
    (0.8, 1.0, 0.0)
    >>> distance("softmaz", "softmax") < distance("softmap", "softmax")
    True
    """
    a, b = word.lower(), other.lower()
    if limit is not None and abs(len(a) - len(b)) * _EDIT > limit:
        return abs(len(a) - len(b)) * _EDIT
    rows, cols = len(a) + 1, len(b) + 1
    table = [[0.0] * cols for _ in range(rows)]
    for i in range(rows):
        table[i][0] = i * _EDIT
    for j in range(cols):
        table[0][j] = j * _EDIT
    for i in range(1, rows):
        for j in range(1, cols):
            best = min(
                table[i - 1][j] + _EDIT,
                table[i][j - 1] + _EDIT,
                table[i - 1][j - 1] + _substitution(a[i - 1], b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] != a[i - 1]:
                best = min(best, table[i - 2][j - 2] + _SWAP)
            table[i][j] = best
        if limit is not None and i > 1 and min(table[i - 1]) > limit and min(table[i]) > limit:
            return min(table[i])
    return round(table[-1][-1], 6)


def _limit(word: str) -> float:
    """The largest distance still worth suggesting: a third of the word, at least one edit
    (but never the whole word)."""
    return min(max(_EDIT, len(word) / 3), len(word) - 0.5)


def suggest(word: str, choices: Iterable[str], *, n: int = 1) -> list[str]:
    """Close matches of ``word`` among ``choices``, best first (case-insensitive).

    >>> suggest("Conv2d", ["Conv1D", "Conv2D", "Dense"])
    ['Conv2D']
    >>> suggest("gleu", ["glu", "gelu", "elu"], n=3)
    ['gelu', 'glu']
    """
    import difflib  # only a spec with a misspelt name needs it

    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    low = word.lower()
    limit = _limit(low)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(low)
    ranked = []
    for order, choice in enumerate(by_lower):
        cost = distance(low, choice, limit=limit)
        matcher.set_seq1(choice)
        ratio = 0.0
        if matcher.real_quick_ratio() >= _RATIO and matcher.quick_ratio() >= _RATIO:
            ratio = matcher.ratio()
        if cost <= limit or ratio >= _RATIO:  # similar only: after every close one, by ratio
            ranked.append((cost if cost <= limit else _FAR, -ratio, order, choice))
    ranked.sort()
    return [by_lower[choice] for *_, choice in ranked[:n]]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint text ``did you mean `X`?`` or ``None``.

    >>> did_you_mean("pol1", ["conv1", "pool1"])
    'did you mean `pool1`?'
    >>> did_you_mean("gleu", ["glu", "gelu"])
    'did you mean `gelu`?'
    """
    found = suggest(word, choices)
    return f"did you mean `{found[0]}`?" if found else None
