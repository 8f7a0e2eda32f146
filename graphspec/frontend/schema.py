"""Plain data to :class:`Spec`: record validation with every error located; the JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from graphspec.base.record import pydantic_twin
from graphspec.base.source import Path, SourceMap
from graphspec.base.suggest import did_you_mean
from graphspec.errors import Diagnostic, RecordError, SpecError
from graphspec.frontend.loader import Document
from graphspec.frontend.orphans import adopt_orphans
from graphspec.frontend.spec import BlockSpec, InputSpec, Spec, TrainSpec

__all__ = ["build_spec", "json_schema"]

_SECTIONS = ("nodes", "inputs", "blocks")
_FIELDS: dict[Path, list[str]] = {
    (): list(Spec.model_fields),
    ("inputs", "*"): list(InputSpec.model_fields),
    ("blocks", "*"): list(BlockSpec.model_fields),
    ("train",): list(TrainSpec.model_fields),
}
_TYPE_WORDS = {
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "list_type": "a list",
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "finite_number": "an integer",
    "bool_type": "true or false",
}


def build_spec(doc: Document, *, default_name: str = "model") -> tuple[Spec, list[Diagnostic]]:
    """Validate loaded data against the spec model, reporting every schema error with its place.

    Entries of ``nodes``, ``inputs`` and ``blocks`` that fail are reported and dropped, so the
    rest of the spec is still checked in the same run; names of dropped entries are kept in
    ``spec.source`` via the returned diagnostics (``node`` field).
    Raises :class:`SpecError` when the document is not a mapping or the top level is invalid.
    """
    source = doc.source
    data = doc.data
    if not isinstance(data, dict):
        kind = type(data).__name__
        found = "an empty file" if data is None else f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
        root = source.at(())
        raise SpecError(
            [
                Diagnostic(
                    "E100",
                    f"a spec must be a mapping with `inputs` and `nodes`; found {found}",
                    file=source.file,
                    line=1 if data is None or root is None else root.line,
                    column=1,
                    hint="start from an example in specs/ or see docs/spec-format.md",
                )
            ]
        )
    work, diagnostics = adopt_orphans(dict(data), source)
    library = "blocks" in work and "inputs" not in work and "nodes" not in work
    if library:  # a block library (format 1.1): only blocks, for other specs to include
        work.update(inputs={}, nodes={})
    for _ in range(2):
        try:
            spec = Spec.model_validate(work)
        except RecordError as err:
            diagnostics.extend(_diagnose(err, work, source))
            work, dropped = _drop_faulty(work, err)
            if not dropped:
                raise SpecError(diagnostics) from None
            continue
        spec._source = source
        spec._library = library
        if spec.name is None:
            spec.name = default_name
        diagnostics.extend(_train_diagnostics(work.get("train"), source))
        return spec, diagnostics
    raise SpecError(diagnostics)


def _train_diagnostics(train: Any, source: SourceMap) -> list[Diagnostic]:
    """``train:`` mappings reach Keras (optimizer, loss): refuse keys that name code to import
    (E206) and YAML 1.1 number readings such as ``learning_rate: 1e-3`` → a string (E106)."""
    from graphspec.base.catalog import FORBIDDEN_KEYS
    from graphspec.base.source import describe_surprise

    out: list[Diagnostic] = []

    def add(code: str, message: str, loc: Any, hint: str) -> None:
        line, column = (loc.line, loc.column) if loc else (None, None)
        out.append(Diagnostic(code, message, source.file, line, column, hint=hint))

    stack: list[tuple[Path, Any]] = [(("train",), train)]
    while stack:
        path, value = stack.pop()
        if not isinstance(value, dict | list):
            continue
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            here = (*path, key)
            if isinstance(key, str) and key in FORBIDDEN_KEYS:
                where = ".".join(map(str, here))
                add(
                    "E206",
                    f"`{where}` is not accepted: specs never name code to import",
                    source.key_at(here),
                    "name a Keras optimizer or loss, e.g. `optimizer: {type: Adam, "
                    "learning_rate: 0.001}`",
                )
            else:
                stack.append((here, item))
    for path, surprise in source.surprises.items():
        if path[:1] == ("train",) and surprise.kind != "bool":
            text, hint = describe_surprise(surprise)
            add("E106", f"`{'.'.join(map(str, path))}`: {text}", source.at(path), hint)
    return sorted(out, key=lambda d: (d.line or 0, d.column or 0))


def _drop_faulty(data: dict[str, Any], err: RecordError) -> tuple[dict[str, Any], bool]:
    faulty: dict[str, set[str]] = {}
    for error in err.errors():
        loc = error["loc"]
        if len(loc) >= 2 and loc[0] in _SECTIONS and isinstance(data.get(loc[0]), dict):
            faulty.setdefault(str(loc[0]), set()).add(str(loc[1]))
        else:
            return data, False
    out = dict(data)
    for section, names in faulty.items():
        out[section] = {k: v for k, v in data[section].items() if k not in names}
    return out, True


def _diagnose(err: RecordError, data: Any, source: SourceMap) -> list[Diagnostic]:
    seen: dict[tuple[Path, str], int] = {}
    expected: dict[int, list[str]] = {}
    out: list[Diagnostic] = []
    for error in err.errors():
        path = _data_path(error["loc"], data)
        kind = error["type"]
        key = (path, "union" if kind in _TYPE_WORDS else kind)
        if key in seen:
            words = expected.setdefault(seen[key], [])
            word = _TYPE_WORDS.get(kind)
            if word and word not in words:
                words.append(word)
            continue
        seen[key] = len(out)
        expected[len(out)] = [_TYPE_WORDS[kind]] if kind in _TYPE_WORDS else []
        out.append(_one(error, path, source))
    for index, words in expected.items():
        if len(words) > 1:
            diag = out[index]
            head, _, found = diag.message.rpartition("; found ")
            head = head.rsplit(" must be ", 1)[0]
            message = f"{head} must be {' or '.join(words)}; found {found}"
            out[index] = Diagnostic(**{**diag.__dict__, "message": message})
    return out


def _data_path(loc: tuple[Any, ...], data: Any) -> Path:
    """The part of an error's ``loc`` that exists in the data (drops union branch names)."""
    path: list[str | int] = []
    for part in loc:
        if (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and part < len(data)
        ):
            data = data[part]
        elif isinstance(data, dict) and isinstance(part, str) and path[-1:] != [part]:
            path.append(part)  # a missing or unknown key: keep it, then stop
            break
        else:
            break
        path.append(part)
    return tuple(path)


def _where(path: Path) -> str:
    if not path:
        return "the spec"
    if len(path) >= 2 and path[0] == "nodes":
        rest = ".".join(str(p) for p in path[2:])
        return f"node `{path[1]}`" + (f", key `{rest}`" if rest else "")
    return "`" + ".".join(str(p) for p in path) + "`"


def _one(error: Any, path: Path, source: SourceMap) -> Diagnostic:
    kind = error["type"]
    node = str(path[1]) if len(path) >= 2 and path[0] == "nodes" else None
    if kind == "extra_forbidden":
        parent = path[:-1]
        pattern = tuple(
            "*" if i == 1 and parent[0] in _SECTIONS else p for i, p in enumerate(parent)
        )
        allowed = _FIELDS.get(pattern, [])
        hint = did_you_mean(str(path[-1]), allowed)
        if allowed and not hint:
            hint = "allowed keys: " + ", ".join(allowed)
        code, message = "E101", f"unknown key `{path[-1]}` in {_where(parent)}"
        loc = source.key_at(path)
    elif kind == "missing":
        code = "E102"
        message = f"{_where(path[:-1])} is missing the required key `{path[-1]}`"
        hint = None
        loc = source.at(path[:-1])
    elif kind == "literal_error" and path == ("graphspec",):
        code = "E104"
        message = f"unsupported format version {error.get('input')!r}; expected 1 or 1.1"
        hint = "this graphspec reads format versions 1 and 1.1 (write the number unquoted)"
        loc = source.at(path)
    else:
        expected = _TYPE_WORDS.get(kind)
        value = error.get("input")
        found = _found(value)
        if expected:
            message = f"{_where(path)} must be {expected}; found {found}"
        elif kind == "greater_than":
            bound = (error.get("ctx") or {}).get("gt")
            message = f"{_where(path)} must be greater than {bound}; found {value!r}"
        else:
            message = f"{_where(path)}: {error['msg']}"
        code, hint, loc = "E103", None, source.at(path)
        if kind == "model_type" and node is not None and len(path) == 2:
            hint = f"write the node's layer, e.g. `{node}: {{type: Dense, units: 8}}`"
    return Diagnostic(
        code,
        message,
        file=source.file,
        loc=loc,
        hint=hint,
        node=node,
    )


def _found(value: Any) -> str:
    """What was written instead, in a diagnostic's words (``nothing`` for an empty value)."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"the string {value!r}"
    return type(value).__name__


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the spec format (for editors running the YAML language server).

    >>> schema = json_schema()
    >>> schema["title"], "nodes" in schema["properties"]
    ('graphspec spec, format 1', True)
    """
    schema: dict[str, Any] = pydantic_twin(Spec).model_json_schema()
    schema["title"] = "graphspec spec, format 1"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    try:
        from graphspec.base.catalog import layer_names
    except ImportError:  # pragma: no cover - the catalog ships with the package
        return schema
    node = schema["$defs"]["NodeSpec"]["properties"]["type"]
    node["anyOf"] = [{"enum": sorted(layer_names())}, {"type": "null"}]
    return schema


def schema_text() -> str:
    """:func:`json_schema` as indented JSON text."""
    return json.dumps(json_schema(), indent=2)
