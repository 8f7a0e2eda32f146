""" "Did you mean" suggestions for misspelt names."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["did_you_mean", "suggest"]


def suggest(word: str, choices: Iterable[str], *, n: int = 1) -> list[str]:
    """Close matches of ``word`` among ``choices``, best first (case-insensitive).

    >>> suggest("Conv2d", ["Conv1D", "Conv2D", "Dense"])
    ['Conv2D']
    """
    import difflib  # only a spec with a misspelt name needs it

    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[m] for m in matches]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint text ``did you mean `X`?`` or ``None``.

    >>> did_you_mean("pol1", ["conv1", "pool1"])
    'did you mean `pool1`?'
    """
    found = suggest(word, choices)
    return f"did you mean `{found[0]}`?" if found else None
