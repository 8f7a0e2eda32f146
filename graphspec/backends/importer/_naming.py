"""How the layer names of a run of an imported model are made, so ``names:`` templates can give
them back: ``<instance>_<node>``, a number the run's names share, or names Keras made up."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphspec.plugins.expr.syntax import Call, parse

__all__ = ["ID", "NameForm", "auto_name", "copy_pattern", "name_form", "snake_case"]

_NUMBER: Final = re.compile(r"\d+")


ID: Final = "#"
"""The class of a run's number in numbered names (``conv_dw_3``), beside the auto-name classes."""


@dataclass(frozen=True)
class NameForm:
    """How a run's layer names are made, the same for every run of a candidate.

    ``shapes`` holds one entry per node: ``("node", local)`` for ``<instance>_<local>``,
    ``("instance",)`` for the instance's own name, ``("auto", class, offset)`` for a name Keras
    made up (``add_108``: class ``add``, the run's lowest ``add`` number plus ``offset``);
    ``classes`` the auto-named classes in order and how many nodes of each the run holds.
    """

    shapes: tuple[tuple[Any, ...], ...]
    classes: tuple[tuple[str, int], ...]

    @property
    def locals(self) -> tuple[str, ...]:
        """The block's node names: the local part, else the class (numbered when repeated)."""
        out: list[str] = []
        taken: set[str] = {s[1] for s in self.shapes if s[0] == "node"}
        for shape in self.shapes:
            if shape[0] == "node":
                out.append(shape[1])
                continue
            if shape[0] == "id":
                words = [w for w in shape[1].split("_") if w != "{}"]
                base = "_".join(words)
            else:
                base = shape[1] if shape[0] == "auto" else "out"
            name, k = base, 1
            while name in taken:
                name, k = f"{base}_{k}", k + 1
            taken.add(name)
            out.append(name)
        return tuple(out)


def _class_of(node: Mapping[str, Any]) -> str:
    """The layer class, or for an expression the operation Keras names it after (``Add``)."""
    if "expr" not in node:
        return str(node["type"])
    tree = parse(str(node["expr"]))
    func = tree.func if isinstance(tree, Call) else ""
    return "".join(part.capitalize() for part in func.split("_"))


@functools.cache
def snake_case(class_name: str) -> str:
    """The name Keras gives a layer of this class when none is given (before ``_N``).

    >>> snake_case("BatchNormalization"), snake_case("ReLU"), snake_case("Conv2D")
    ('batch_normalization', 're_lu', 'conv2d')
    """
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(name: str, node: Mapping[str, Any]) -> tuple[str, int] | None:
    """``("add", 108)`` for a name Keras made up for a layer (or operation) of that class.

    >>> auto_name("add_108", {"type": "Add"}), auto_name("conv2_add", {"type": "Add"})
    (('add', 108), None)
    """
    cls = snake_case(_class_of(node))
    digits = name[len(cls) + 1 :] if name.startswith(cls + "_") else ""
    if digits.isdigit() and str(int(digits)) == digits:
        return cls, int(digits)
    return None


def name_form(
    names: list[str], autos_: list[tuple[str, int] | None]
) -> tuple[str | None, NameForm, tuple[int, ...]] | None:
    """The run's instance name, name form and auto-name bases; ``None`` when a template
    could not give the layers these names.

    >>> stem, form, bases = name_form(["conv2_block1_1_conv", "conv2_block1_add"], [None, None])
    >>> stem, form.locals, bases
    ('conv2_block1', ('1_conv', 'add'), ())
    >>> stem, form, bases = name_form(["stage_0_conv", "add_108"], [None, ("add", 108)])
    >>> stem, form.shapes, bases
    ('stage_0_conv', (('instance',), ('auto', 'add', 0)), (108,))
    >>> name_form(["conv1", "conv2"], [None, None]) is None
    True
    """
    autos = {i: auto for i, auto in enumerate(autos_) if auto is not None}
    named = [n for i, n in enumerate(names) if i not in autos]
    stem = _stem(named) if named else None
    number = _shared_number(named) if named else None
    if stem is not None and number is not None and not _in_every_local(named, stem, number):
        number = None  # the instance's name holds the number (``conv2_block1``)
    if number is not None:
        stem = None
    if named and stem is None and number is None:
        return None
    low: dict[str, int] = {}
    count: Counter[str] = Counter()
    if number is not None:
        low[ID], count[ID] = number, 1
    for cls, value in autos.values():
        low[cls] = min(low.get(cls, value), value)
        count[cls] += 1
    shapes: list[tuple[Any, ...]] = []
    for i, name in enumerate(names):
        if i in autos:
            cls, value = autos[i]
            shapes.append(("auto", cls, value - low[cls]))
        elif number is not None:
            shapes.append(("id", _numbered(name, number)))
        elif name == stem:
            shapes.append(("instance",))
        else:
            shapes.append(("node", name[len(stem or "") + 1 :]))
    if sum(1 for s in shapes if s[0] == "instance") > 1:
        return None
    classes = tuple((cls, count[cls]) for cls in low)
    return stem, NameForm(tuple(shapes), classes), tuple(low.values())


def _shared_number(named: list[str]) -> int | None:
    """The one number every name holds as a ``_N`` word (a NASNet cell's ``normal_add_1_3``,
    MobileNet's ``conv_dw_3_bn``), or ``None``."""
    common: frozenset[str] | None = None
    for name in named:
        words = _digit_words(name)
        common = words if common is None else common & words
    return int(next(iter(common))) if common and len(common) == 1 else None


def _in_every_local(named: list[str], stem: str, number: int) -> bool:
    """Whether the number is a word of every name past the stem (``conv_dw_1_bn``)."""
    rests = [n[len(stem) + 1 :] for n in named if n != stem]
    return bool(rests) and all(str(number) in r.split("_") for r in rests)


@functools.cache
def _digit_words(name: str) -> frozenset[str]:
    return frozenset(w for w in name.split("_")[1:] if w.isdigit() and str(int(w)) == w)


def _numbered(name: str, number: int) -> str:
    """``name`` with its last ``_N`` word (``N`` = ``number``) made the hole ``{}``."""
    words = name.split("_")
    k = max(i for i, w in enumerate(words) if i and w == str(number))
    return "_".join([*words[:k], "{}", *words[k + 1 :]])


def _common_prefix(names: list[str]) -> str:
    """The characters every name starts with."""
    first, last = min(names), max(names)
    k = 0
    while k < min(len(first), len(last)) and first[k] == last[k]:
        k += 1
    return first[:k]


def _stem(named: list[str]) -> str | None:
    """What every name starts with, followed by ``_`` or nothing: the instance's name."""
    prefix = _common_prefix(named)
    if not all(n == prefix or n.startswith(prefix + "_") for n in named):
        cut = prefix.rfind("_")
        if cut <= 0:
            return None
        prefix = prefix[:cut]
    if not prefix or "." in prefix or prefix.endswith("_"):
        return None
    return prefix


def copy_pattern(stems: list[str]) -> tuple[str, int, str] | None:
    """``(head, first, tail)`` when the stems are ``head + str(first + i) + tail``.

    >>> copy_pattern(["conv2_block2", "conv2_block3"])
    ('conv2_block', 2, '')
    >>> copy_pattern(["block_4", "block_6"]) is None
    True
    """
    first = stems[0]
    for match in reversed(list(_NUMBER.finditer(first))):
        head, tail = first[: match.start()], first[match.end() :]
        number = int(match.group())
        if str(number) != match.group():
            continue  # a leading zero: the copies would not print the same
        if all(s == f"{head}{number + i}{tail}" for i, s in enumerate(stems)):
            return head, number, tail
    return None
