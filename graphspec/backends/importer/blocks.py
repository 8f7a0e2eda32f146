"""Block discovery on import: repeated sub-graphs of an imported model written as ``blocks:``.

A general algorithm, with no table of known architectures (docs/import.md#blocks):

1. **Atoms.** The nodes are in a topological order. After a node, the tensors still to be used
   later are *live*; where only that node's output is live, the graph can be cut. The pieces
   between cuts (a ResNet bottleneck, a DenseNet layer ending in its concatenation, a single
   layer of a plain chain) are the atoms, with one input and one output. A second pass cuts
   where at most :data:`MAX_INPUTS` tensors are live (two-input blocks: NASNet cells).
2. **Candidates.** Every run of consecutive atoms (up to :data:`MAX_RUN_ATOMS` atoms and
   :data:`MAX_RUN_NODES` nodes) gets a canonical form: each node's layer class and wiring
   relative to the run, and how its Keras name is made (``<instance>_<node>``, a number shared
   by the run's names, or a name Keras made up: ``add_108``) so that ``names:`` templates give
   every layer its name back. Runs with the same form differ only in argument values.
3. **Switches.** The layers of one numbered instance name (``block2a_*``) form a unit; units
   that are the same sub-graph once some nodes are left out are merged into one block whose
   optional nodes get ``when:`` switches (an expansion, a padding, a projection shortcut).
4. **Greedy selection** by lines saved: the candidate whose non-overlapping occurrences save the
   most spec lines (flat lines minus the block definition and one line per instance, consecutive
   copies with equal values counting once as a ``repeat:``) is taken, its nodes are used up, and
   the rest are scored again, until nothing saves a line.
5. **Params**: argument values that differ between instances become block params named after the
   argument (``filters``, ``strides``; ``filters_<node>`` when two differ independently); a value
   that is always an integer multiple of another param is written ``${filters * 4}``; a value a
   majority of instances share is the param's default.

Everything is deterministic (positions break every tie); the work grows linearly with the
model (runs are bounded), and models above ``MAX_BLOCK_DISCOVERY_NODES`` layers are not searched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.backends.importer._naming import (
    ID,
    NameForm,
    auto_name,
    copy_pattern,
    name_form,
    snake_case,
)
from graphspec.backends.importer._params import block_params, layer_defaults
from graphspec.backends.importer.wiring import base
from graphspec.plugins.expr.syntax import Writer, parse, ref_text

__all__ = [
    "MAX_INPUTS",
    "MAX_RUN_ATOMS",
    "MAX_RUN_NODES",
    "Found",
    "auto_name",
    "find_blocks",
    "snake_case",
]

MAX_RUN_ATOMS: Final = 24
"""The most atoms one block may span."""
MAX_RUN_NODES: Final = 64
"""The most layers one block may hold."""
MAX_INPUTS: Final = 2
"""The most inputs one block may take (a NASNet cell takes the two cells before it)."""
_PLACEHOLDER: Final = "x"
_BARRIER_KEYS: Final = ("share", "call", "model", "block")
"""Nodes with these keys stay outside blocks (they name other nodes, or are named by them)."""
_NUMBER: Final = re.compile(r"\d+")


@dataclass
class Found:
    """What block discovery made of a flat import.

    ``blocks`` are the block definitions (plain spec data); ``nodes`` the top-level nodes in
    order, instances in place of the nodes they stand for; ``sources`` every top-level node's
    inputs; ``rename`` maps a flat node that is now an instance's output to the instance.
    """

    blocks: dict[str, dict[str, Any]] = field(default_factory=dict)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    before: tuple[str, ...]
    """The tensors live where the atom starts (``name`` or ``name:port``), in model order."""
    after: tuple[str, ...]
    """The tensors live after its last node: its output, and tensors passing by it."""
    usable: bool


@dataclass
class _Run:
    first: int
    last: int
    """The first and last atom (indices into the atom list)."""
    start: int
    end: int
    """The first and last node (positions in the model's order)."""
    stem: str | None
    """The instance's name: what its named layers' names start with (``None``: none named)."""
    values: tuple[str, ...]
    """Every node's arguments, as JSON (equal runs have equal values)."""
    bases: tuple[int, ...]
    """Per auto-named layer class of the form (in order), its lowest number in this run."""
    feeds: tuple[str, ...]
    """The tensors the run takes, in the order of its block's inputs."""
    inside: bool = False
    """The stem is the name of one of the run's own layers (InceptionV3's ``mixed1``)."""


@dataclass
class _Candidate:
    key: tuple[Any, ...]
    runs: list[_Run]
    size: int
    form: NameForm
    switched: _Union | None = None
    """For a block with optional nodes: the union of its instances' sub-graphs."""


@dataclass
class _Entry:
    """One node of a unit, by its local name: what it is and what feeds it (locals, ``x``)."""

    kind: tuple[Any, ...]
    sources: tuple[str, ...]
    args: dict[str, Any]


@dataclass
class _Unit:
    """The layers of one instance name (``block2a_*``): a run that may join a switched block."""

    run: _Run
    order: list[str]
    entries: dict[str, _Entry]


@dataclass
class _Union:
    """A block with optional nodes (``when:``): the union of its units' nodes, in order."""

    order: list[str]
    entries: dict[str, _Entry]
    members: list[_Unit] = field(default_factory=list)


def find_blocks(
    inputs: Mapping[str, Any],
    nodes: Mapping[str, Mapping[str, Any]],
    sources: Mapping[str, list[str]],
    outputs: list[str] | dict[str, str],
) -> Found | None:
    """The blocks of a flat import, or ``None`` when no repeated sub-graph saves a line.

    >>> conv = {"type": "Conv2D", "kernel_size": 3}
    >>> nodes, sources, prev = {}, {}, "x"
    >>> for i, f in enumerate([8, 8, 8, 16], 1):
    ...     nodes[f"b{i}_conv"] = {**conv, "filters": f}
    ...     nodes[f"b{i}_relu"] = {"type": "ReLU"}
    ...     nodes[f"b{i}_drop"] = {"type": "Dropout", "rate": 0.1}
    ...     sources[f"b{i}_conv"], sources[f"b{i}_relu"] = [prev], [f"b{i}_conv"]
    ...     sources[f"b{i}_drop"] = [f"b{i}_relu"]
    ...     prev = f"b{i}_drop"
    >>> found = find_blocks({"x": {}}, nodes, sources, [prev])
    >>> found.blocks["b"]["params"], found.blocks["b"]["names"]
    ({'filters': None}, '${instance}_${node}')
    >>> found.nodes["b1"], found.nodes["b4"]
    ({'block': 'b', 'filters': 8, 'repeat': 3, 'names': 'b${copy + 1}'}, {'block': 'b', 'filters': 16})
    """
    order = list(nodes)
    if len(order) < 4:
        return None
    graph = _Flat(inputs, nodes, sources, outputs)
    chosen: list[tuple[_Candidate, list[_Run]]] = []
    used = [False] * len(order)
    taken = set(inputs) | set(nodes)
    for most in range(1, MAX_INPUTS + 1):  # one-input blocks first: they can repeat
        atoms = graph.atoms(most)
        candidates = _candidates(graph, atoms)
        if most == 1:
            candidates += _switched(graph, atoms)
        while True:
            best: tuple[int, int, int, _Candidate, list[_Run]] | None = None
            for cand in candidates:
                runs = _available(cand, used, taken)
                if len(runs) < 2:
                    continue
                saved = _saved(cand, runs)
                rank = (saved, cand.size, -runs[0].start)
                if saved > 0 and (best is None or rank > best[:3]):
                    best = (*rank, cand, runs)
            if best is None:
                break
            cand, runs = best[3], best[4]
            for run in runs:
                used[run.start : run.end + 1] = [True] * (run.end + 1 - run.start)
                if run.stem is not None:
                    taken.add(run.stem)
            chosen.append((cand, runs))
    if not chosen:
        return None
    return _write(graph, chosen)


class _Flat:
    """The flat import as positions: nodes in written order, their input tensors, liveness."""

    def __init__(
        self,
        inputs: Mapping[str, Any],
        nodes: Mapping[str, Mapping[str, Any]],
        sources: Mapping[str, list[str]],
        outputs: list[str] | dict[str, str],
    ) -> None:
        self.inputs = list(inputs)
        self.order = list(nodes)
        self.nodes = nodes
        self.sources = sources
        self.outputs = outputs
        self.position = {name: i for i, name in enumerate(self.order)}
        for i, name in enumerate(self.inputs):
            self.position[name] = -1 - i
        shared = {str(n.get("share")) for n in nodes.values() if n.get("share")}
        self.values = [json.dumps(dict(_args(nodes[n]))) for n in self.order]
        """Each node's arguments as JSON (equal runs have equal values)."""
        self.auto = [
            auto_name(n, nodes[n]) if "type" in nodes[n] or "expr" in nodes[n] else None
            for n in self.order
        ]
        self.usable = [
            not any(k in nodes[n] for k in _BARRIER_KEYS)
            and n not in shared
            and ("type" in nodes[n] or "expr" in nodes[n])
            for n in self.order
        ]

    def atoms(self, most: int) -> list[_Atom]:
        """The pieces between cuts: places where at most ``most`` tensors are live, one of
        them the output of the node just passed."""
        end = len(self.order)
        last_use: dict[str, int] = {}
        for i, name in enumerate(self.order):
            for ref in self.sources.get(name, []):
                last_use[ref] = max(last_use.get(ref, -1), i)
        outs = self.outputs.values() if isinstance(self.outputs, dict) else self.outputs
        for ref in outs:
            last_use[ref] = end  # an output is used after the last node
        produced: dict[int, list[str]] = {}
        for ref in last_use:
            produced.setdefault(self.position.get(base(ref), -1), []).append(ref)
        live: set[str] = {r for r in last_use if self.position.get(base(r), -1) < 0}
        dying: dict[int, list[str]] = {}
        for ref, i in last_use.items():
            dying.setdefault(i, []).append(ref)
        atoms: list[_Atom] = []
        before = self.ordered(live)
        start = 0
        for i, name in enumerate(self.order):
            live.difference_update(dying.get(i, []))
            live.update(r for r in produced.get(i, []) if last_use[r] > i)
            if 0 < len(live) <= most and name in live:
                after = self.ordered(live)
                usable = all(self.usable[start : i + 1]) and not any(
                    base(r) == name and r != name for r in live
                )
                atoms.append(_Atom(start, i, before, after, usable))
                before, start = after, i + 1
        return atoms

    def ordered(self, refs: set[str]) -> tuple[str, ...]:
        """Tensors in the order of the nodes making them."""
        return tuple(sorted(refs, key=lambda r: (self.position.get(base(r), -1), r)))

    def relative(self, start: int, feeds: tuple[str, ...]) -> Callable[[str], str]:
        """Node names as positions in a run starting at ``start`` (for canonical forms)."""
        bases = [base(f) for f in feeds]

        def name_of(name: str) -> str:
            if name in bases:
                return f"x{bases.index(name)}_"
            return f"n{self.position.get(name, -1) - start}"

        return name_of

    def source_codes(self, name: str, start: int, feeds: tuple[str, ...]) -> tuple[Any, ...]:
        """A node's inputs relative to a run starting at ``start`` fed by ``feeds``."""
        codes: list[Any] = []
        for ref in self.sources.get(name, []):
            if ref in feeds:
                codes.append(("in", feeds.index(ref)))
                continue
            node, sep, port = ref.rpartition(":")
            if not (sep and port.isdigit()):
                node, port = ref, "0"
            pos = self.position.get(node, -1)
            codes.append((pos - start, int(port)) if pos >= start else ("outside", ref))
        return tuple(codes)


def _args(node: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in node.items() if k not in ("type", "expr")]


def _expr_renamed(text: str, name_of: Callable[[str], str]) -> str:
    """An expression with each node it names renamed (``name_of`` of the name)."""
    return Writer(lambda r: ref_text(name_of(r.name), r.port), "", "'").text(parse(text))[0]


def _candidates(graph: _Flat, atoms: list[_Atom]) -> list[_Candidate]:
    """Every run of atoms grouped by canonical form (only forms seen at least twice)."""
    groups: dict[tuple[Any, ...], _Candidate] = {}
    for first, atom in enumerate(atoms):
        if not atom.usable:
            continue
        start, feeds = atom.start, atom.before
        used: set[int] = set()
        struct: list[Any] = []
        values: list[str] = []
        names: list[str] = []
        types: list[tuple[str, int] | None] = []
        for last in range(first, min(len(atoms), first + MAX_RUN_ATOMS)):
            if not atoms[last].usable:
                break
            for pos in range(atoms[last].start, atoms[last].end + 1):
                name = graph.order[pos]
                node = graph.nodes[name]
                args = _args(node)
                codes = graph.source_codes(name, start, feeds)
                if any(c[0] == "outside" for c in codes):
                    break
                used.update(c[1] for c in codes if c[0] == "in")
                if "expr" in node:
                    text = _expr_renamed(str(node["expr"]), graph.relative(start, feeds))
                    struct.append(("expr", text, codes))
                else:
                    defaults = layer_defaults(str(node["type"]))
                    own = tuple(k for k, _ in args if k not in defaults)  # never left out
                    struct.append((node["type"], codes, own))
                values.append(graph.values[pos])
                names.append(name)
                types.append(graph.auto[pos])
            else:
                if len(names) > MAX_RUN_NODES:
                    break
                if len(names) < 2 or not _one_output(graph, start, atoms[last]):
                    continue
                named = name_form(names, types)
                if named is None:
                    continue
                stem, form, bases = named
                inputs = tuple(sorted(used))
                key = (tuple(struct), form, len(feeds), inputs)
                cand = groups.get(key)
                if cand is None:
                    cand = groups[key] = _Candidate(key, [], len(names), form)
                run_feeds = tuple(feeds[k] for k in inputs)
                end = atoms[last].end
                run = _Run(first, last, start, end, stem, tuple(values), bases, run_feeds)
                run.inside = stem in names
                cand.runs.append(run)
                continue
            break
    return [c for c in groups.values() if len(c.runs) >= 2]


def _one_output(graph: _Flat, start: int, last: _Atom) -> bool:
    """Whether the only tensor of the run used after it is its last node's output."""
    out = graph.order[last.end]
    return all(r == out or graph.position.get(base(r), -1) < start for r in last.after)


def _units(graph: _Flat, atoms: list[_Atom]) -> list[_Unit]:
    """Runs holding every layer of one numbered instance name (``block2a_expand_conv`` …
    ``block2a_project_bn``; ``block_11_*``, not ``block_*``), in model order, not overlapping:
    of the runs from one place whose names all start with ``<stem>_`` and whose next layer's
    does not, the one with the longest stem that holds a number."""
    units: list[_Unit] = []
    i = 0
    while i < len(atoms):
        best: tuple[int, str] | None = None
        names: list[str] = []
        for j in range(i, min(len(atoms), i + MAX_RUN_ATOMS)):
            if not atoms[j].usable:
                break
            names += [graph.order[p] for p in range(atoms[j].start, atoms[j].end + 1)]
            if len(names) > MAX_RUN_NODES:
                break
            named = name_form(names, [None] * len(names))
            if named is None or named[0] is None:
                break
            stem, form, _ = named
            if stem is None:
                break
            if len(names) > 1 and all(shape[0] == "node" for shape in form.shapes):
                following = (
                    graph.order[atoms[j].end + 1] if atoms[j].end + 1 < len(graph.order) else ""
                )
                numbered = any(c.isdigit() for c in stem.rsplit("_", 1)[-1])
                closed = not following.startswith(stem + "_")
                longer = best is None or len(stem) > len(best[1])
                if numbered and closed and longer and _one_output(graph, atoms[i].start, atoms[j]):
                    best = (j, stem)
        if best is None:
            i += 1
            continue
        j, stem = best
        units.append(_unit(graph, atoms, i, j, stem))
        i = j + 1
    return units


def _unit(graph: _Flat, atoms: list[_Atom], i: int, j: int, stem: str) -> _Unit:
    start, end, feed = atoms[i].start, atoms[j].end, atoms[i].before[0]
    names = [graph.order[p] for p in range(start, end + 1)]
    local = {n: n[len(stem) + 1 :] for n in names}
    entries: dict[str, _Entry] = {}
    values: list[str] = []
    for name in names:
        node = graph.nodes[name]
        args = dict(_args(node))
        srcs = tuple(
            "x" if ref == feed else local[base(ref)] + ref[len(base(ref)) :]
            for ref in graph.sources.get(name, [])
        )
        if "expr" in node:
            rename = {base(feed): "x", **local}
            kind: tuple[Any, ...] = ("expr", _expr_renamed(str(node["expr"]), rename.__getitem__))
        else:
            defaults = layer_defaults(str(node["type"]))
            kind = (node["type"], tuple(k for k in args if k not in defaults))
        entries[local[name]] = _Entry(kind, srcs, args)
        values.append(json.dumps(args))
    run = _Run(i, j, start, end, stem, tuple(values), (), (feed,))
    return _Unit(run, [local[n] for n in names], entries)


def _switched(graph: _Flat, atoms: list[_Atom]) -> list[_Candidate]:
    """Blocks with optional nodes: units whose sub-graphs differ by nodes that can be left out
    (an expansion, a padding, a residual ``Add``) merged into one block with switches."""
    unions: list[_Union] = []
    for unit in _units(graph, atoms):
        if len(unit.run.feeds) != 1 or not unit.run.feeds[0]:
            continue
        for union in unions:
            merged = _merge(union, unit)
            if merged is not None:
                union.order, union.entries = merged
                union.members.append(unit)
                break
        else:
            unions.append(_Union(list(unit.order), dict(unit.entries), [unit]))
    out: list[_Candidate] = []
    for union in unions:
        optional = any(len(m.order) != len(union.order) for m in union.members)
        if len(union.members) < 2 or not optional:
            continue
        shapes = tuple(("node", local) for local in union.order)
        form = NameForm(shapes, ())
        runs = [m.run for m in union.members]
        out.append(
            _Candidate(("switched", tuple(union.order)), runs, len(union.order), form, union)
        )
    return out


def _merge(union: _Union, unit: _Unit) -> tuple[list[str], dict[str, _Entry]] | None:
    """The union with the unit's nodes added, when every member (the unit too) is the union
    with the nodes it lacks left out; ``None`` when that does not hold."""
    for local in union.entries.keys() & unit.entries.keys():
        if union.entries[local].kind != unit.entries[local].kind:
            return None
    if unit.entries.keys() <= union.entries.keys():  # nothing new: only the unit to check
        ok = _reduces(union.order, union.entries, unit)
        return (union.order, union.entries) if ok else None
    order = list(union.order)
    for k, local in enumerate(unit.order):
        if local in union.entries:
            continue
        before = [x for x in unit.order[:k] if x in order]
        order.insert(order.index(before[-1]) + 1 if before else 0, local)
    base_entries = {**unit.entries, **union.entries}
    for choice in (base_entries, {**union.entries, **unit.entries}):
        entries = {local: choice[local] for local in order}
        if _topological(order, entries) and all(
            _reduces(order, entries, m) for m in [*union.members, unit]
        ):
            return order, entries
    return None


def _topological(order: list[str], entries: dict[str, _Entry]) -> bool:
    seen = {"x"}
    for local in order:
        if any(base(s) not in seen for s in entries[local].sources):
            return False
        seen.add(local)
    return True


def _stand_in(entries: dict[str, _Entry], local: str) -> str | None:
    """What a left-out node stands for: its one input, or its one input besides ``x``."""
    srcs = entries[local].sources
    if len(srcs) == 1:
        return srcs[0]
    inner = [s for s in srcs if s != "x"]
    return inner[0] if len(inner) == 1 else None


def _reduces(order: list[str], entries: dict[str, _Entry], unit: _Unit) -> bool:
    """Whether the union with the unit's missing nodes left out is the unit's sub-graph."""
    present = set(unit.order)

    def through(ref: str) -> str | None:
        for _ in range(len(order) + 1):
            if ref == "x" or base(ref) in present:
                return ref
            nxt = _stand_in(entries, base(ref))
            if nxt is None:
                return None
            ref = nxt
        return None

    for local in order:
        if local not in present:
            if _stand_in(entries, local) is None:
                return False
            continue
        if tuple(through(s) for s in entries[local].sources) != unit.entries[local].sources:
            return False
    return through(order[-1]) == unit.order[-1]


def _available(cand: _Candidate, used: list[bool], taken: set[str]) -> list[_Run]:
    """The candidate's runs on unused nodes, non-overlapping, first come first served."""
    out: list[_Run] = []
    after = -1
    stems: set[str] = set()
    for run in cand.runs:
        if run.start <= after or (
            run.stem is not None and (run.stem in stems or (run.stem in taken and not run.inside))
        ):
            continue
        if any(used[run.start : run.end + 1]):
            continue
        out.append(run)
        if run.stem is not None:
            stems.add(run.stem)
        after = run.end
    return out


def _groups(cand: _Candidate, runs: list[_Run]) -> list[list[_Run]]:
    """Runs split into instances: consecutive runs with equal values, numbered names and
    auto-name numbers that advance by the block's count are copies of one ``repeat``."""
    counts = [n for _, n in cand.form.classes]
    groups: list[list[_Run]] = []
    for run in runs:
        last = groups[-1] if groups else None
        if (
            last is not None
            and last[-1].end + 1 == run.start
            and len(run.feeds) == 1
            and last[-1].values == run.values
            and all(
                b == b0 + n * len(last)
                for b, b0, n in zip(run.bases, last[0].bases, counts, strict=True)
            )
            and (run.stem is None or copy_pattern([r.stem or "" for r in [*last, run]]))
        ):
            last.append(run)
        else:
            groups.append([run])
    return groups


def _saved(cand: _Candidate, runs: list[_Run]) -> int:
    """Spec lines saved by writing the runs as instances of one block."""
    varies = len({(r.values, r.bases) for r in runs}) > 1
    definition = 3 + cand.size + (1 if varies else 0)  # name, names, nodes, params
    flat = sum(r.end - r.start + 1 for r in runs)
    return flat - definition - len(_groups(cand, runs))


# -- writing -------------------------------------------------------------------------------------


def _write(graph: _Flat, chosen: list[tuple[_Candidate, list[_Run]]]) -> Found:
    """The top-level nodes with instances in place of their runs, and the block definitions."""
    found = Found()
    at: dict[int, tuple[str, dict[str, Any], tuple[str, ...], int]] = {}
    taken = set(graph.inputs) | set(graph.order)
    for cand, runs in chosen:
        block = _block_name(runs, taken | set(found.blocks))
        groups = _groups(cand, runs)
        found.blocks[block], given = _definition(graph, cand, groups)
        for group, args in zip(groups, given, strict=True):
            node: dict[str, Any] = {"block": block, **args}
            stem = group[0].stem
            if stem is None:
                stem = _fresh(f"{block}_1", taken)
            taken.add(stem)
            if len(group) > 1:
                node["repeat"] = len(group)
                pattern = copy_pattern([r.stem or "" for r in group]) if group[0].stem else None
                if pattern is not None:
                    head, first, tail = pattern
                    number = "${copy}" if first == 0 else f"${{copy + {first}}}"
                    node["names"] = f"{head}{number}{tail}"
            end = group[-1].end
            at[group[0].start] = (stem, node, group[0].feeds, end)
            found.rename[graph.order[end]] = stem
    pos = 0
    while pos < len(graph.order):
        if pos in at:
            stem, node, feeds, end = at[pos]
            found.nodes[stem] = node
            found.sources[stem] = [_renamed(f, found.rename) for f in feeds]
            pos = end + 1
            continue
        name = graph.order[pos]
        found.nodes[name] = dict(graph.nodes[name])
        if "expr" in found.nodes[name]:
            text = str(found.nodes[name]["expr"])
            found.nodes[name]["expr"] = _expr_renamed(text, lambda n: found.rename.get(n, n))
        found.sources[name] = [_renamed(r, found.rename) for r in graph.sources.get(name, [])]
        pos += 1
    return found


def _fresh(name: str, taken: set[str]) -> str:
    """``name``, or with its trailing number raised until no node has it."""
    head, _, number = name.rpartition("_")
    k = int(number) if number.isdigit() else 1
    while name in taken:
        k += 1
        name = f"{head}_{k}"
    return name


def _renamed(ref: str, rename: Mapping[str, str]) -> str:
    node = base(ref)
    return rename.get(node, node) + ref[len(node) :]


def _block_name(runs: list[_Run], taken: set[str]) -> str:
    """The instances' common name with digits left out: ``conv_block`` for ``conv2_block1``."""
    stem = next((r.stem for r in runs if r.stem), "")
    words = [w for w in re.split(r"[_\d]+", stem) if w]
    name = "_".join(words) or "block"
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name}_{k}", k + 1
    return candidate


def _definition(
    graph: _Flat, cand: _Candidate, groups: list[list[_Run]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The block's definition (params, names, nodes) and each instance's params."""
    if cand.switched is not None:
        return _switched_definition(cand.switched, groups)
    first = groups[0][0]
    members = [graph.order[p] for p in range(first.start, first.end + 1)]
    locals_ = cand.form.locals
    local = dict(zip(members, locals_, strict=True))
    placeholders = _placeholders(len(first.feeds), set(locals_))
    inner = dict(zip(first.feeds, placeholders, strict=True))
    per_group = [[json.loads(v) for v in g[0].values] for g in groups]
    types = [str(graph.nodes[name].get("type", "")) for name in members]
    params, templates, given = block_params(types, locals_, per_group)
    numbers = _number_params(cand, groups, params, given)
    repeats = any(len(g) > 1 for g in groups)
    body: dict[str, Any] = {}
    previous: str | None = placeholders[0] if len(placeholders) == 1 else None
    for i, name in enumerate(members):
        original = graph.nodes[name]
        if "expr" in original:
            rename = {base(f): p for f, p in inner.items()} | local
            out: dict[str, Any] = {"expr": _expr_renamed(original["expr"], rename.__getitem__)}
        else:
            out = {"type": original["type"]}
        out.update({k: v for (j, k), v in templates.items() if j == i})
        shape = cand.form.shapes[i]
        if shape[0] == "instance":
            out["names"] = "${instance}"
        elif shape[0] == "auto":
            out["names"] = _auto_template(shape[1], shape[2], numbers[shape[1]], cand, repeats)
        elif shape[0] == "id":
            expr = numbers[ID] + (" + copy" if repeats else "")
            out["names"] = shape[1].replace("{}", f"${{{expr}}}")
        srcs = [
            inner[ref] if ref in inner else local[base(ref)] + ref[len(base(ref)) :]
            for ref in graph.sources.get(name, [])
        ]
        if srcs != [previous] and "expr" not in original:
            out["inputs"] = srcs[0] if len(srcs) == 1 else srcs
        body[locals_[i]] = out
        previous = locals_[i]
    definition: dict[str, Any] = {}
    if params:
        definition["params"] = params
    if placeholders != [_PLACEHOLDER]:
        definition["inputs"] = placeholders
    if any(shape[0] == "node" for shape in cand.form.shapes):
        definition["names"] = "${instance}_${node}"
    definition["nodes"] = body
    return definition, given


def _switched_definition(
    union: _Union, groups: list[list[_Run]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A block with optional nodes: a ``when:`` switch param per set of nodes that come and go
    together, named after them (``expand``), true by default where most instances have them."""
    by_start = {m.run.start: m for m in union.members}
    units = [by_start[g[0].start] for g in groups]
    order = union.order
    per_group: list[list[dict[str, Any] | None]] = [
        [u.entries[local].args if local in u.entries else None for local in order] for u in units
    ]
    types = [
        str(union.entries[n].kind[0]) if union.entries[n].kind[0] != "expr" else "" for n in order
    ]
    params, templates, given = block_params(types, tuple(order), per_group)
    switches: dict[str, str] = {}  # presence vector -> param
    when: dict[str, str] = {}
    for local in order:
        present = [local in u.entries for u in units]
        if all(present):
            continue
        key = json.dumps(present)
        if key not in switches:
            group = [n for n in order if [n in u.entries for u in units] == present]
            pname = _switch_name(group, set(params) | set(switches.values()))
            switches[key] = pname
            default = sum(present) * 2 > len(present)
            params[pname] = default
            for g, args in enumerate(given):
                if present[g] != default:
                    args[pname] = present[g]
        when[local] = f"${{{switches[key]}}}"
    placeholder = _placeholders(1, set(order))[0]
    body: dict[str, Any] = {}
    previous = placeholder
    for i, local in enumerate(order):
        entry = union.entries[local]
        if entry.kind[0] == "expr":
            text = str(entry.kind[1])
            out: dict[str, Any] = {
                "expr": text
                if placeholder == "x"
                else _expr_renamed(text, lambda n: placeholder if n == "x" else n)
            }
        else:
            out = {"type": entry.kind[0]}
        out.update({k: v for (j, k), v in templates.items() if j == i})
        if local in when:
            out["when"] = when[local]
        srcs = [placeholder if s == "x" else s for s in entry.sources]
        if srcs != [previous] and entry.kind[0] != "expr":
            out["inputs"] = srcs[0] if len(srcs) == 1 else srcs
        body[local] = out
        previous = local
    definition: dict[str, Any] = {"params": params} if params else {}
    if placeholder != _PLACEHOLDER:
        definition["inputs"] = [placeholder]
    definition["names"] = "${instance}_${node}"
    definition["nodes"] = body
    return definition, given


def _switch_name(group: list[str], taken: set[str]) -> str:
    """``expand`` for ``expand_conv``, ``expand_bn``, ``expand_activation``; else the first."""
    words = [local.split("_") for local in group]
    common = []
    for parts in zip(*words, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    name = "_".join(common)
    if not name.isidentifier() or name.isdigit():
        name = "with_" + (re.sub(r"\W+", "_", group[0]).strip("_") or "nodes")
    while name in taken:
        name += "_"
    return name


def _placeholders(count: int, taken: set[str]) -> list[str]:
    """The block's input names: ``x`` (then ``y``), ``inp…`` where a node has that name."""
    wanted = ["x", "y"][:count] if count <= 2 else [f"x{i}" for i in range(count)]
    return [w if w not in taken else f"inp_{w}" for w in wanted]


def _number_params(
    cand: _Candidate,
    groups: list[list[_Run]],
    params: dict[str, Any],
    given: list[dict[str, Any]],
) -> dict[str, str]:
    """A param per auto-named class for its numbers (one ``n`` when they all agree), ``id`` for
    the number in numbered names."""
    vectors = {cls: [g[0].bases[k] for g in groups] for k, (cls, _) in enumerate(cand.form.classes)}
    autos = {json.dumps(v) for cls, v in vectors.items() if cls != ID}
    names: dict[str, str] = {}
    owner: dict[str, str] = {}  # a vector's JSON -> its param
    for cls, vector in vectors.items():
        text = json.dumps(vector)
        if text in owner:
            names[cls] = owner[text]
            continue
        pname = "id" if cls == ID else ("n" if len(autos) == 1 else f"n_{cls}")
        while pname in params:
            pname += "_"
        names[cls] = owner[text] = pname
        params[pname] = None
        for g, args in enumerate(given):
            args[pname] = vector[g]
    return names


def _auto_template(cls: str, offset: int, pname: str, cand: _Candidate, repeats: bool) -> str:
    """``add_${n + 1}``: the name Keras gave, from the instance's number param (and the copy)."""
    expr = pname + (f" + {offset}" if offset else "")
    if repeats:
        count = dict(cand.form.classes)[cls]
        expr += " + copy" if count == 1 else f" + {count} * copy"
    return f"{cls}_${{{expr}}}"
