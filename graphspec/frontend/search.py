"""Search spaces (``search:``, ``constraints:``) and named scales (``scales:``) of a spec.

``search:`` names spec params and the values each may take: a list is a categorical choice,
``{low, high}`` an integer range (both bounds integers) or a float range, with ``step`` and
``log: true``; ``when: {depth: 4}`` makes a param depend on an earlier one. ``constraints:``
are conditions every variant must meet, over params and the static figures ``params``,
``trainable_params``, ``flops`` and ``macs`` (``flops <= 5e8``, ``${width * depth <= 512}``).
``scales:`` names sets of param values (``scales: {s: {width: 32}, m: {width: 64}}``).

Everything is read with located diagnostics (E901-E906); a space enumerates its variants when
it is finite and small, and samples them otherwise.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.base.source import Path, SourceMap, describe_surprise
from graphspec.base.suggest import did_you_mean
from graphspec.errors import Diagnostic
from graphspec.frontend.params import ExprError, condition_names, evaluate_condition
from graphspec.frontend.spec import Spec

__all__ = [
    "FIGURES",
    "SCALE_KEY",
    "Constraint",
    "Dimension",
    "SearchSpace",
    "read_search",
    "scale_diagnostics",
    "scale_params",
    "variants_of",
]

FIGURES: Final = {
    "params": "parameters (trainable and not)",
    "trainable_params": "trainable parameters",
    "flops": "FLOPs per sample",
    "macs": "multiply-accumulates per sample",
}
"""The static figures a constraint may name, computed from each variant's checked graph."""

SCALE_KEY: Final = "@scale"
"""The key under which a params mapping may carry the name of a scale (``--scale``): no param
can be named so, and it travels wherever params go (to a diff's sides, a viewer's specs, a
training child process)."""

_OTHER: Final = object()
"""While counting: any value of a param that no `when:` asks for."""

_RANGE_KEYS: Final = ("low", "high", "step", "log", "when", "choices")
_Scalar = int | float | str | bool | None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Dimension:
    """One searched param: a categorical choice, or an integer or float range.

    ``when`` maps earlier params to the values (any of) under which this one is searched;
    otherwise it keeps the spec's value.

    >>> Dimension("depth", "int", low=1, high=7, step=2).values()
    [1, 3, 5, 7]
    >>> Dimension("lr", "float", low=0.001, high=0.1, log=True).values() is None
    True
    """

    name: str
    kind: str
    choices: tuple[_Scalar, ...] = ()
    low: float = 0
    high: float = 0
    step: float | None = None
    log: bool = False
    when: Mapping[str, tuple[_Scalar, ...]] = field(default_factory=dict)

    def count(self) -> int | None:
        """How many values the param takes (``None`` for a continuous range), without listing
        them.

        >>> Dimension("w", "int", low=1, high=10**12).count()
        1000000000000
        """
        if self.kind == "choice":
            return len(self.choices)
        if self.kind == "float" and self.step is None:
            return None
        step = self.step or 1
        if _integer(self.low) and _integer(self.high) and _integer(step):
            return (int(self.high) - int(self.low)) // int(step) + 1
        return math.floor((self.high - self.low) / step + 1e-9) + 1

    def value_at(self, index: int) -> _Scalar:
        """The ``index``-th value (0 is the lowest), for a param with :meth:`count`."""
        if self.kind == "choice":
            return self.choices[index]
        step = self.step or 1
        if self.kind == "int":
            return int(self.low) + index * int(step)
        return round(self.low + index * step, 12)

    def takes(self, value: object) -> bool:
        """Whether ``value`` is one of the param's values."""
        if self.kind == "choice":
            return value in self.choices
        if not _number(value):
            return False
        number = float(value)  # type: ignore[arg-type]  # _number checked it
        if not self.low <= number <= self.high:
            return False
        if self.kind == "float" and self.step is None:
            return True
        offset = (number - self.low) / (self.step or 1)
        return abs(offset - round(offset)) < 1e-9

    def values(self, limit: int = 1_000_000) -> list[_Scalar] | None:
        """Every value, or ``None`` for a continuous range (or one of more than ``limit``)."""
        count = self.count()
        if count is None or count > limit:
            return None
        return [self.value_at(i) for i in range(count)]

    def active(self, assigned: Mapping[str, Any]) -> bool:
        """True when every ``when`` condition holds for the params assigned so far."""
        return all(assigned.get(name) in allowed for name, allowed in self.when.items())

    def draw(self, rng: random.Random) -> _Scalar:
        """One value at random (uniform, or log-uniform with ``log``)."""
        count = self.count()
        if count is not None and not self.log:
            return self.value_at(rng.randrange(count))
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        if self.kind == "int":
            return min(max(round(value), int(self.low)), int(self.high))
        return value

    def describe(self) -> str:
        """``[16, 32, 64]``, ``int 1..4 step 1``, ``float 0.0001..0.01 log``."""
        if self.kind == "choice":
            return "[" + ", ".join(repr(c) for c in self.choices) + "]"
        text = f"{self.kind} {self.low:g}..{self.high:g}"
        if self.step is not None:
            text += f" step {self.step:g}"
        if self.log:
            text += " log"
        if self.when:
            text += " when " + ", ".join(f"{k} in {list(v)}" for k, v in self.when.items())
        return text


@dataclass(frozen=True)
class Constraint:
    """One condition every variant must meet; ``figures`` when it needs the checked graph."""

    text: str
    names: tuple[str, ...]

    @property
    def figures(self) -> bool:
        """True when it names a static figure (so the variant must be checked first)."""
        return any(n in FIGURES for n in self.names)

    def holds(self, scope: Mapping[str, Any]) -> bool:
        """Whether the condition is true for ``scope`` (params and figures)."""
        return evaluate_condition(self.text, scope)


@dataclass
class SearchSpace:
    """The searched params in the order written, the constraints, and the spec's own params."""

    dims: list[Dimension]
    constraints: list[Constraint]
    defaults: dict[str, Any]

    def __bool__(self) -> bool:
        return bool(self.dims)

    @property
    def finite(self) -> bool:
        """True when every searched param takes finitely many values."""
        return all(d.count() is not None for d in self.dims)

    def size(self) -> int | None:
        """How many distinct variants the space holds (``None`` when infinite).

        >>> space = SearchSpace([Dimension("a", "choice", ("x", "y")),
        ...                      Dimension("b", "int", low=1, high=3, when={"a": ("y",)})], [], {})
        >>> space.size()
        4
        """
        if not self.finite:
            return None
        # one pass over the params, counting variants per state: the values of the params that
        # a later `when:` still looks at (any other value of such a param counts as `_OTHER`)
        states: dict[tuple[tuple[str, Any], ...], int] = {(): 1}
        for index, dim in enumerate(self.dims):
            later = {name for d in self.dims[index + 1 :] for name in d.when}
            special = [
                v for d in self.dims[index + 1 :] for v in d.when.get(dim.name, ()) if dim.takes(v)
            ]
            special = list(dict.fromkeys(special))
            count = dim.count() or 0
            grown: dict[tuple[tuple[str, Any], ...], int] = {}
            for state, times in states.items():
                assigned = dict(state)
                choices: list[tuple[Any, int]] = [(None, 1)]
                if dim.active({**self.defaults, **assigned}):
                    if dim.name in later:
                        choices = [(v, 1) for v in special]
                        if count > len(special):
                            choices.append((_OTHER, count - len(special)))
                    else:
                        choices = [(None, count)]
                for value, ways in choices:
                    here = {**assigned, dim.name: value} if value is not None else assigned
                    key = tuple((k, v) for k, v in here.items() if k in later)
                    grown[key] = grown.get(key, 0) + times * ways
            states = grown
        return sum(states.values())

    def enumerate(self) -> Iterator[dict[str, Any]]:
        """Every variant (the searched params that are active), in order; finite spaces only."""
        yield from self._walk(0, {})

    def _walk(self, index: int, assigned: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if index == len(self.dims):
            yield dict(assigned)
            return
        dim = self.dims[index]
        if not dim.active({**self.defaults, **assigned}):
            yield from self._walk(index + 1, assigned)
            return
        for value in dim.values() or []:
            yield from self._walk(index + 1, {**assigned, dim.name: value})

    def sample(self, rng: random.Random) -> dict[str, Any]:
        """One variant drawn at random (each active param drawn in order)."""
        assigned: dict[str, Any] = {}
        for dim in self.dims:
            if dim.active({**self.defaults, **assigned}):
                assigned[dim.name] = dim.draw(rng)
        return assigned

    def param_constraints(self, variant: Mapping[str, Any]) -> list[str]:
        """The constraints over params only that ``variant`` breaks (no check needed)."""
        scope = {**self.defaults, **variant}
        return [c.text for c in self.constraints if not c.figures and not c.holds(scope)]


# -- reading --------------------------------------------------------------------------------


class _Reader:
    """Collects located diagnostics while reading ``search:``, ``constraints:``, ``scales:``."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.source: SourceMap = spec.source
        self.diagnostics: list[Diagnostic] = []

    def error(self, code: str, message: str, path: Path, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic(code, message, file=self.spec.file, loc=self.source.at(path), hint=hint)
        )

    def key_error(self, code: str, message: str, path: Path, hint: str | None = None) -> None:
        loc = self.source.key_at(path) or self.source.at(path)
        self.diagnostics.append(Diagnostic(code, message, file=self.spec.file, loc=loc, hint=hint))

    def surprising(self, path: Path) -> bool:
        """E106 for a value YAML 1.1 reads differently than it looks (``1e-4`` a string)."""
        surprise = self.source.surprises.get(path)
        if surprise is None or surprise.kind == "bool":
            return False
        text, hint = describe_surprise(surprise)
        self.error("E106", f"`{'.'.join(map(str, path))}`: {text}", path, hint)
        return True

    def param(self, name: str, path: Path, what: str) -> bool:
        """Whether ``name`` is a spec param; E901 (or ``code``) otherwise."""
        if name in self.spec.params:
            return True
        known = list(self.spec.params)
        hint = did_you_mean(name, known) or (
            f"spec params: {', '.join(known)}" if known else "define it under `params:` first"
        )
        self.key_error(
            "E901", f"{what} names `{name}`, which is not a param of the spec", path, hint
        )
        return False


def read_search(spec: Spec) -> tuple[SearchSpace, list[Diagnostic]]:
    """The spec's search space and every problem in ``search:`` and ``constraints:``.

    >>> from graphspec import load
    >>> spec = load("params: {w: 8, d: 2}\\nsearch: {w: [8, 16], d: {low: 1, high: 3}}\\n"
    ...             "constraints: ['${w * d <= 32}']\\ninputs: {x: {shape: [4]}}\\n"
    ...             "nodes: {o: {type: Dense, units: '${w}'}}\\n")
    >>> space, problems = read_search(spec)
    >>> space.size(), problems, space.param_constraints({"w": 16, "d": 3})
    (6, [], ['${w * d <= 32}'])
    """
    reader = _Reader(spec)
    dims: list[Dimension] = []
    for name, value in spec.search.items():
        path = ("search", name)
        if not reader.param(name, path, "`search`"):
            continue
        dim = _dimension(reader, name, value, path, {d.name: d for d in dims})
        if dim is not None:
            dims.append(dim)
    constraints = _constraints(reader, spec)
    return SearchSpace(dims, constraints, dict(spec.params)), reader.diagnostics


def _dimension(
    reader: _Reader, name: str, value: Any, path: Path, earlier: Mapping[str, Dimension]
) -> Dimension | None:
    if isinstance(value, list):
        return _choice(reader, name, value, path, {})
    if not isinstance(value, dict):
        reader.error(
            "E902",
            f"`search.{name}` must be a list of values or a range mapping; found "
            f"{type(value).__name__}",
            path,
            "e.g. `width: [16, 32, 64]` or `depth: {low: 1, high: 4}`",
        )
        return None
    for key in value:
        if key not in _RANGE_KEYS:
            reader.key_error(
                "E903",
                f"unknown key `{key}` in `search.{name}`",
                (*path, key),
                did_you_mean(str(key), _RANGE_KEYS) or f"allowed keys: {', '.join(_RANGE_KEYS)}",
            )
            return None
    when = _when(reader, name, value.get("when"), (*path, "when"), earlier)
    if when is None:
        return None
    if "choices" in value:
        extra = [k for k in ("low", "high", "step", "log") if k in value]
        if extra:
            reader.key_error(
                "E903",
                f"`search.{name}` has both `choices` and `{extra[0]}`",
                (*path, extra[0]),
                "a param is either a list of choices or a range",
            )
            return None
        return _choice(reader, name, value["choices"], (*path, "choices"), when)
    return _range(reader, name, value, path, when)


def _choice(
    reader: _Reader, name: str, values: Any, path: Path, when: dict[str, tuple[_Scalar, ...]]
) -> Dimension | None:
    if not isinstance(values, list) or not values:
        reader.error(
            "E902",
            f"`search.{name}` holds no values to choose from",
            path,
            "list at least one value, e.g. [16, 32]",
        )
        return None
    for index, item in enumerate(values):
        if reader.surprising((*path, index)):
            return None
        if isinstance(item, dict | list):
            reader.error(
                "E902",
                f"`search.{name}` choice {index} is a {type(item).__name__}; choices are single "
                "values (numbers, words, true/false, null)",
                (*path, index),
            )
            return None
    return Dimension(name, "choice", tuple(dict.fromkeys(values)), when=when)


def _range(
    reader: _Reader, name: str, value: dict[str, Any], path: Path, when: dict[str, Any]
) -> Dimension | None:
    for key in ("low", "high", "step"):
        if key in value and reader.surprising((*path, key)):
            return None
    missing = [k for k in ("low", "high") if k not in value]
    if missing:
        reader.error(
            "E902",
            f"`search.{name}` is missing `{missing[0]}`",
            path,
            "a range needs both bounds: {low: 1, high: 4}; a list gives choices",
        )
        return None
    low, high, step = value["low"], value["high"], value.get("step")
    for key, number in (("low", low), ("high", high), ("step", step)):
        if key in value and not _number(number):
            reader.error(
                "E902", f"`search.{name}.{key}` must be a number; found {number!r}", (*path, key)
            )
            return None
    if low > high:
        reader.error(
            "E902",
            f"`search.{name}` is an empty range: low {low} is above high {high}",
            (*path, "low"),
            "swap the bounds",
        )
        return None
    log = value.get("log", False)
    if not isinstance(log, bool):
        reader.error("E903", f"`search.{name}.log` must be true or false", (*path, "log"))
        return None
    kind = (
        "int" if _integer(low) and _integer(high) and (step is None or _integer(step)) else "float"
    )
    if step is not None and step <= 0:
        reader.error("E903", f"`search.{name}.step` must be above 0; found {step}", (*path, "step"))
        return None
    if log and low <= 0:
        reader.error(
            "E903",
            f"`search.{name}` is searched on a log scale, so low must be above 0; found {low}",
            (*path, "low"),
        )
        return None
    if log and step is not None and not (kind == "int" and step == 1):
        reader.error(
            "E903",
            f"`search.{name}` cannot combine `log: true` with `step: {step}`",
            (*path, "step"),
            "drop the step (a log scale spaces values by ratio, not by a step)",
        )
        return None
    if step is not None and (high - low) % step > 1e-9 * max(1.0, abs(step)) and kind == "int":
        reader.error(
            "E903",
            f"`search.{name}`: high {high} is not low {low} plus a multiple of step {step}",
            (*path, "high"),
            f"use high: {low + (high - low) // step * step}",
        )
        return None
    return Dimension(name, kind, low=low, high=high, step=step, log=log, when=when)


def _when(
    reader: _Reader, name: str, value: Any, path: Path, earlier: Mapping[str, Dimension]
) -> dict[str, tuple[_Scalar, ...]] | None:
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        reader.error(
            "E904",
            f"`search.{name}.when` must map params to the values they must have",
            path,
            "e.g. when: {depth: 4} or when: {depth: [3, 4]}",
        )
        return None
    out: dict[str, tuple[_Scalar, ...]] = {}
    for other, wanted in value.items():
        here = (*path, other)
        if other == name:
            reader.key_error("E904", f"`search.{name}.when` names the param itself", here)
            return None
        if other not in reader.spec.params:
            reader.param(other, here, f"`search.{name}.when`")
            return None
        if other in reader.spec.search and other not in earlier:
            reader.key_error(
                "E904",
                f"`search.{name}.when` names `{other}`, which is searched after `{name}`",
                here,
                f"list `{other}` before `{name}` under `search:`",
            )
            return None
        allowed = tuple(wanted) if isinstance(wanted, list) else (wanted,)
        possible = earlier[other].values() if other in earlier else [reader.spec.params[other]]
        if possible is not None and not any(a in possible for a in allowed):
            reader.error(
                "E904",
                f"`search.{name}.when` needs `{other}` to be {', '.join(map(repr, allowed))}, "
                f"which it never is (it takes {', '.join(map(repr, possible[:8]))})",
                here,
            )
            return None
        out[other] = allowed
    return out


def _constraints(reader: _Reader, spec: Spec) -> list[Constraint]:
    out: list[Constraint] = []
    known = [*spec.params, *FIGURES]
    for index, text in enumerate(spec.constraints):
        path = ("constraints", index)
        if not isinstance(text, str):
            reader.error(
                "E905",
                f"constraint {index} must be a condition in quotes; found {text!r}",
                path,
                "e.g. 'params <= 2e6' or '${width * depth <= 512}'",
            )
            continue
        try:
            names = condition_names(text)
        except ExprError as err:
            reader.error("E905", f"constraint `{text}`: {err.message}", path, err.hint)
            continue
        unknown = [n for n in names if n not in known]
        if unknown:
            reader.error(
                "E905",
                f"constraint `{text}` names `{unknown[0]}`, which is neither a param nor a "
                f"static figure ({', '.join(FIGURES)})",
                path,
                did_you_mean(unknown[0], known),
            )
            continue
        try:  # catch what cannot work for any variant (syntax aside): unsupported operators
            evaluate_condition(text, {**spec.params, **dict.fromkeys(FIGURES, 1)})
        except ExprError as err:
            if err.code != "E407":
                reader.error("E905", f"constraint `{text}`: {err.message}", path, err.hint)
                continue
        out.append(Constraint(text, tuple(names)))
    return out


# -- scales ---------------------------------------------------------------------------------


def scale_diagnostics(spec: Spec) -> list[Diagnostic]:
    """Problems in ``scales:``: a scale that is not a mapping, a name that is not a param."""
    reader = _Reader(spec)
    for scale, values in spec.scales.items():
        path = ("scales", scale)
        if not isinstance(values, dict):
            reader.error(
                "E906",
                f"scale `{scale}` must map params to values; found {type(values).__name__}",
                path,
                "e.g. scales: {s: {width: 32, depth: 2}}",
            )
            continue
        for name in values:
            if not reader.param(name, (*path, name), f"scale `{scale}`"):
                continue
            reader.surprising((*path, name))
    return reader.diagnostics


def scale_params(spec: Spec, scale: str | None) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The params of scale ``scale`` (none for ``None``), or E906 when the spec has no such scale.

    >>> from graphspec import load
    >>> spec = load("params: {w: 8}\\nscales: {s: {w: 4}, m: {w: 16}}\\n"
    ...             "inputs: {x: {shape: [4]}}\\nnodes: {o: {type: Dense, units: '${w}'}}\\n")
    >>> scale_params(spec, "m")[0], scale_params(spec, "xl")[1][0].message
    ({'w': 16}, 'the spec has no scale `xl` (its scales: s, m)')
    """
    if scale is None:
        return {}, []
    values = spec.scales.get(scale)
    if isinstance(values, dict):
        return dict(values), []
    names = list(spec.scales)
    hint = did_you_mean(scale, names) or (
        "add `scales:` to the spec, e.g. scales: {s: {width: 32}, m: {width: 64}}"
        if not names
        else None
    )
    listed = f"its scales: {', '.join(names)}" if names else "it defines no `scales:`"
    loc = spec.source.key_at(("scales",))
    return {}, [
        Diagnostic(
            "E906",
            f"the spec has no scale `{scale}` ({listed})",
            file=spec.file,
            loc=loc,
            line=None if loc else 1,
            hint=hint,
        )
    ]


def variants_of(space: SearchSpace, count: int, seed: int = 0) -> Sequence[dict[str, Any]]:
    """``count`` variants drawn with a fixed seed (repeats dropped)."""
    rng = random.Random(seed)
    seen: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
    for _ in range(count):
        variant = space.sample(rng)
        seen.setdefault(tuple(sorted(variant.items())), variant)
    return list(seen.values())
