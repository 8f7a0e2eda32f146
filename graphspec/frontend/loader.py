"""Safe YAML loading: plain data plus a source map, with every hostile construct refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, Protocol

import yaml
from yaml import events as ev
from yaml.nodes import ScalarNode

from graphspec.base import limits as _limits
from graphspec.base.source import Loc, Path, SourceMap, YamlSurprise
from graphspec.errors import Diagnostic, LoadError

__all__ = ["Document", "SafeSpecLoader", "ScalarResolver", "load_document", "read_text"]

if TYPE_CHECKING:  # both offer the parser and resolver used here; type against the Python one
    _Loader = yaml.SafeLoader
else:
    _Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafeSpecLoader(_Loader):
    """PyYAML's safe loader (the C one when present); used for its parser and resolver only.

    graphspec never calls its constructor on whole documents: events are composed by
    :func:`load_document`, which refuses every tag that could build a Python object.
    """


_SAFE_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "seq", "map")
)
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_FLOATISH = re.compile(r"^[-+]?(\d[\d_]*)?\.?\d*[eE][-+]?\d+$")
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")
_BOOL_WORDS = frozenset({"true", "false"})
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_PLAIN_INT = re.compile(r"^(?:0|-?[1-9][0-9]*)$")
_PLAIN_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_YAML11_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
)
"""Plain words YAML 1.1 reads as something other than a string (the resolver handles them)."""
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
"""Plain words YAML 1.1 reads as booleans the way they are meant (no surprise recorded)."""
_PLAIN_FLOAT = re.compile(r"^-?[0-9]+\.[0-9]+(?:[eE][-+][0-9]+)?$")
"""Plain decimals YAML 1.1 reads as floats that ``float()`` reads alike (``1.001e-05``)."""
_SCALAR, _ALIAS = ev.ScalarEvent, ev.AliasEvent
_MAP_START, _SEQ_START = ev.MappingStartEvent, ev.SequenceStartEvent
_MAP_END, _SEQ_END = ev.MappingEndEvent, ev.SequenceEndEvent
_DOC_START, _STREAM_END = ev.DocumentStartEvent, ev.StreamEndEvent
_new_loc = tuple.__new__
"""``_new_loc(Loc, (line, column))``: a :class:`Loc` without its Python-level ``__new__``."""


@dataclass
class Document:
    """A loaded spec file: plain data (dicts, lists, scalars) and where each part was written."""

    data: Any
    source: SourceMap


class _Frame:
    """One open mapping or sequence while composing."""

    __slots__ = ("anchor", "container", "is_map", "key", "path", "size")

    def __init__(self, is_map: bool, path: Path, anchor: str | None) -> None:
        self.is_map = is_map
        self.container: Any = {} if is_map else []
        self.path = path
        self.anchor = anchor
        self.key: str | None = None
        self.size = 1


def read_text(path: str | FsPath) -> str:
    """Read a spec file as UTF-8, refusing huge files and undecodable bytes with a located error."""
    name = str(path)
    try:
        size = FsPath(path).stat().st_size
        if size > _limits.MAX_FILE_BYTES:
            raise _fail(
                name,
                None,
                "E005",
                f"file is {size:,} bytes; the limit is {_limits.MAX_FILE_BYTES:,} bytes",
                "split the model into smaller specs, or use blocks with `repeat`",
            )
        raw = FsPath(path).read_bytes()
    except OSError as err:
        raise _fail(name, None, "E001", f"cannot read the file: {err.strerror or err}") from err
    return decode(raw, name)


def decode(raw: bytes, file: str) -> str:
    """Decode UTF-8 bytes, or fail with the line and column of the first bad byte."""
    if len(raw) > _limits.MAX_FILE_BYTES:
        raise _fail(
            file,
            None,
            "E005",
            f"spec is {len(raw):,} bytes; the limit is {_limits.MAX_FILE_BYTES:,} bytes",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise _fail(
            file,
            Loc(line, column),
            "E002",
            f"the file is not valid UTF-8: byte 0x{raw[err.start]:02x} cannot be decoded",
            "save the spec as UTF-8",
        ) from None


def load_document(text: str, file: str = "<spec>") -> Document:
    """Compose YAML text into plain data and a :class:`SourceMap`, safely.

    Refuses: tags that construct Python objects, merge keys, duplicate keys, alias expansion
    beyond a budget, self-referencing aliases, nesting deeper than a cap, huge strings and
    several documents. Keys are always strings, as written.

    >>> doc = load_document("nodes:\\n  d: {type: Dense, units: 4}\\n", "m.yaml")
    >>> doc.data
    {'nodes': {'d': {'type': 'Dense', 'units': 4}}}
    >>> doc.source.at(("nodes", "d", "units"))
    Loc(line=2, column=27)
    """
    if len(text) > _limits.MAX_FILE_BYTES:
        raise _fail(
            file,
            None,
            "E005",
            f"spec has {len(text):,} characters; the limit is {_limits.MAX_FILE_BYTES:,}",
        )
    return _Composer(file, text).compose(text)


class ScalarResolver(Protocol):
    """PyYAML's implicit-tag resolver of scalars, typed (its stubs leave `resolve` untyped)."""

    def resolve(self, kind: type[ScalarNode], value: str, implicit: tuple[bool, bool]) -> str: ...


class _Composer:
    """Builds plain data from a YAML event stream, iteratively and with every limit checked.

    One loop over the parser's events, the common cases inline: a spec has thousands of
    scalars, and each function call or tuple built per event shows in the time to load one.
    """

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.source = SourceMap(file, text=text)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.resolve: Any = None
        self.resolved: dict[Any, Any] = {}
        self.any_resolved = False

    def compose(self, text: str) -> Document:
        parser = None
        try:
            parser = SafeSpecLoader(text)
            self.resolve = parser.resolve
            # plain words whose first character no implicit resolver looks at are strings
            self.resolved = parser.yaml_implicit_resolvers
            self.any_resolved = None in self.resolved or bool(parser.yaml_path_resolvers)
            root = self._walk(parser)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            loc = Loc(mark.line + 1, mark.column + 1) if mark is not None else None
            problem = err.problem or err.context or "malformed YAML"
            if "nesting depth" in problem:
                raise _fail(
                    self.file,
                    loc,
                    "E007",
                    f"nesting is deeper than {_limits.MAX_DEPTH} levels",
                    "a spec needs only a few levels; flatten the structure",
                ) from None
            from graphspec.frontend.yaml_errors import explain  # only for a YAML error

            found = explain(text, err)
            where = Loc(found.line, found.column or 1) if found.line is not None else loc
            raise _fail(self.file, where, "E003", found.message, found.hint) from None
        except yaml.reader.ReaderError as err:  # a control character such as NUL: locate it
            char = err.character if isinstance(err.character, int) else -1
            at = text.find(chr(char)) if 0 <= char < 0x110000 else -1
            loc = None
            if at >= 0:  # the reader stops at the first such character, so find() is exact
                loc = Loc(text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1)
            raise _fail(
                self.file,
                loc,
                "E003",
                f"YAML syntax error: unacceptable character #x{max(char, 0):04x}: {err.reason}",
                "remove control characters (NUL and the like) from the file",
            ) from None
        except yaml.YAMLError as err:
            raise _fail(self.file, None, "E003", f"YAML syntax error: {err}") from None
        finally:
            if parser is not None:
                parser.dispose()
        return Document(root, self.source)

    def _walk(self, parser: Any) -> Any:
        values, keys = self.source.values, self.source.keys
        max_string, max_values = _limits.MAX_STRING_LENGTH, _limits.MAX_VALUES
        get_event = parser.get_event
        stack: list[_Frame] = []
        top: _Frame | None = None
        root: Any = None
        documents = count = total = 0
        while True:
            event = get_event()
            kind = type(event)
            if kind is _SCALAR:
                raw = event.value
                if len(raw) > max_string:
                    raise self._too_long(event)
                mark = event.start_mark
                loc = _new_loc(Loc, (mark.line + 1, mark.column + 1))
                if top is None:
                    path: Path = ()
                elif not top.is_map:
                    path = (*top.path, len(top.container))
                elif top.key is not None:
                    path = (*top.path, top.key)
                else:  # a key: the rare cases (a tag, `<<`, a duplicate, too many) apart
                    count += 1
                    rare = event.tag is not None or raw == "<<" or raw in top.container
                    if rare or count > max_values:
                        self._key(event, raw, loc, top, count)
                    else:
                        top.key = raw
                        keys[(*top.path, raw)] = loc
                    continue
                if event.tag is not None or event.style:
                    value = self._scalar(event, path)
                elif _PLAIN_INT.match(raw):
                    value = int(raw)
                elif raw in _BOOLS:
                    value = _BOOLS[raw]
                elif _PLAIN_WORD.match(raw) and raw.lower() not in _YAML11_WORDS:
                    value = raw
                else:
                    value = self._plain(event, path)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                count += 1
                if count > max_values:
                    raise self._too_many(event)
                size = 1
            elif kind is _MAP_START or kind is _SEQ_START:
                top = self._open(event, kind is _MAP_START, stack, top)
                continue
            elif kind is _MAP_END or kind is _SEQ_END:
                count += 1
                top, root = self._close(event, stack, count, root)
                continue
            elif kind is _ALIAS:
                count += 1
                value, size, total = self._alias(event, top, count, total)
                path, loc = _child_path(top), _loc(event)
            elif kind is _DOC_START:
                documents += 1
                if documents > 1:
                    raise self._several_documents(event)
                continue
            elif kind is _STREAM_END or event is None:
                return root
            else:  # the stream's start, a document's end
                continue
            # a scalar or alias value: attach it where it was written
            values[path] = loc
            if top is None:
                root = value
            elif top.is_map:
                top.size += size
                top.container[top.key] = value
                top.key = None
            else:
                top.size += size
                top.container.append(value)

    # -- structure ----------------------------------------------------------------------------

    def _key(self, event: ev.ScalarEvent, key: str, loc: Loc, top: _Frame, count: int) -> None:
        """A scalar written as a key of the mapping ``top`` (the ``count``-th value read)."""
        if event.tag is not None:
            self._check_tag(event, "str")
        if key == "<<" and not event.style:
            raise self._error(
                event,
                "E011",
                "YAML merge keys (`<<`) are not supported",
                "use a block or `${params}` to reuse settings",
            )
        if count > _limits.MAX_VALUES:
            raise self._too_many(event)
        path = (*top.path, key)
        if key in top.container:
            first = self.source.keys[path]
            raise self._error(
                event,
                "E013",
                f"duplicate key {key!r} (first written at line {first.line}, "
                f"column {first.column})",
                "YAML keeps only one of them; rename or remove one",
            )
        top.key = key
        self.source.keys[path] = loc

    def _open(self, event: Any, is_map: bool, stack: list[_Frame], top: _Frame | None) -> _Frame:
        """A mapping or sequence starts: its frame, now the top of ``stack``."""
        if len(stack) >= _limits.MAX_DEPTH:
            raise self._error(
                event,
                "E007",
                f"nesting is deeper than {_limits.MAX_DEPTH} levels",
                "a spec needs only a few levels; flatten the structure",
            )
        if event.tag is not None:
            self._check_tag(event, "map" if is_map else "seq")
        if top is None:
            path: Path = ()
        elif not top.is_map:
            path = (*top.path, len(top.container))
        elif top.key is not None:
            path = (*top.path, top.key)
        else:
            raise self._error(
                event, "E008", "a mapping key must be a plain string, not a collection"
            )
        mark = event.start_mark
        self.source.values[path] = _new_loc(Loc, (mark.line + 1, mark.column + 1))
        frame = _Frame(is_map, path, event.anchor)
        if event.anchor:
            self.open_anchors.add(event.anchor)
        stack.append(frame)
        return frame

    def _close(
        self, event: Any, stack: list[_Frame], count: int, root: Any
    ) -> tuple[_Frame | None, Any]:
        """A mapping or sequence ends: attach it to its parent; the new top and the root."""
        frame = stack.pop()
        top = stack[-1] if stack else None
        if frame.anchor:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.container, frame.size)
        if count > _limits.MAX_VALUES:
            raise self._too_many(event)
        if top is None:
            return None, frame.container
        top.size += frame.size
        if top.is_map:
            top.container[top.key] = frame.container
            top.key = None
        else:
            top.container.append(frame.container)
        return top, root

    def _alias(
        self, event: ev.AliasEvent, top: _Frame | None, count: int, total: int
    ) -> tuple[Any, int, int]:
        """The value an alias stands for, its size, and the values aliases expanded so far."""
        value, size = self._aliased(event, top)
        total += size
        if count > _limits.MAX_VALUES:
            raise self._too_many(event)
        if total > _limits.MAX_ALIAS_VALUES:
            raise self._error(
                event,
                "E012",
                f"aliases expand the document by more than {_limits.MAX_ALIAS_VALUES:,} values "
                "(alias expansion bomb?)",
                "avoid nesting aliases; write blocks with `repeat` instead",
            )
        return value, size, total

    # -- leaves -------------------------------------------------------------------------------

    def _aliased(self, event: ev.AliasEvent, top: _Frame | None) -> tuple[Any, int]:
        if event.anchor in self.open_anchors:
            raise self._error(
                event,
                "E009",
                f"alias *{event.anchor} refers to the collection that contains it "
                "(self-referencing alias)",
                "specs cannot be recursive; write the value out",
            )
        if event.anchor not in self.anchors:
            raise self._error(event, "E009", f"alias *{event.anchor} is not defined")
        if top is not None and top.is_map and top.key is None:
            raise self._error(event, "E008", "a mapping key must be a plain string, not an alias")
        return self.anchors[event.anchor]

    def _plain(self, event: ev.ScalarEvent, path: Path) -> Any:
        """A plain scalar that is not a plain integer, boolean or word."""
        raw = event.value
        if _PLAIN_FLOAT.match(raw):
            return float(raw)
        if raw[:1] not in self.resolved and raw[:1] not in "eE" and not self.any_resolved:
            return raw  # e.g. an edge `a -> b`: no resolver reads it, nor _FLOATISH
        return self._scalar(event, path)

    def _scalar(self, event: ev.ScalarEvent, path: Path) -> Any:
        raw = event.value
        tag = self._check_tag(event, None)
        if tag is None:
            tag = self.resolve(ScalarNode, event.value, event.implicit)
        if tag == _MERGE:
            raise self._error(
                event,
                "E011",
                "YAML merge keys (`<<`) are not supported",
                "use a block or `${params}` to reuse settings",
            )
        node = ScalarNode(tag, raw, style=event.style)  # the constructors read no marks
        if tag == _STR:
            if event.style:
                self.source.styles[path] = event.style
            if not event.style and _FLOATISH.match(raw):
                self.source.surprises[path] = YamlSurprise("float-string", raw, raw)
            return raw
        if tag == _NULL:
            return None
        if tag == _BOOL:
            flag = _CONSTRUCTOR.construct_yaml_bool(node)
            if raw.lower() not in _BOOL_WORDS:
                self.source.surprises[path] = YamlSurprise("bool", raw, flag)
            return flag
        if tag == _INT:
            whole = _CONSTRUCTOR.construct_yaml_int(node)
            if ":" in raw:
                self.source.surprises[path] = YamlSurprise("sexagesimal", raw, whole)
            elif _OCTAL.match(raw):
                self.source.surprises[path] = YamlSurprise("octal", raw, whole)
            return whole
        if tag == _FLOAT:
            real = _CONSTRUCTOR.construct_yaml_float(node)
            if ":" in raw:
                self.source.surprises[path] = YamlSurprise("sexagesimal", raw, real)
            return real
        return raw  # timestamps and the like stay as the text written

    def _check_tag(
        self, event: ev.ScalarEvent | ev.CollectionStartEvent, kind: str | None
    ) -> str | None:
        tag = event.tag
        if tag is None or tag == "!":
            return None
        if (
            tag not in _SAFE_TAGS
            or (kind == "map" and not tag.endswith(":map"))
            or (kind == "seq" and not tag.endswith(":seq"))
        ):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise self._error(
                event,
                "E004",
                f"the YAML tag {shown} is not allowed",
                "graphspec never constructs Python objects from a spec; remove the tag",
            )
        return tag

    def _too_long(self, event: ev.ScalarEvent) -> LoadError:
        return self._error(
            event,
            "E010",
            f"a string of {len(event.value):,} characters exceeds the limit of "
            f"{_limits.MAX_STRING_LENGTH:,}",
        )

    def _several_documents(self, event: Any) -> LoadError:
        return self._error(
            event,
            "E006",
            "the file holds several YAML documents; a spec is one document",
            "remove the `---` separators, or split the file",
        )

    def _too_many(self, event: Any) -> LoadError:
        return self._error(
            event,
            "E014",
            f"the document holds more than {_limits.MAX_VALUES:,} values",
            "a spec of 100,000 nodes needs under a million; use blocks with `repeat`",
        )

    def _error(self, event: Any, code: str, message: str, hint: str | None = None) -> LoadError:
        return _fail(self.file, _loc(event), code, message, hint)


def _loc(event: Any) -> Loc:
    mark = event.start_mark
    return _new_loc(Loc, (mark.line + 1, mark.column + 1))


def _child_path(top: _Frame | None) -> Path:
    """The path of the next value read inside ``top`` (the document's root when ``None``)."""
    if top is None:
        return ()
    if top.is_map:
        assert top.key is not None  # a key is never a collection or an alias (E008)
        return (*top.path, top.key)
    return (*top.path, len(top.container))


def _fail(
    file: str, loc: Loc | None, code: str, message: str, hint: str | None = None
) -> LoadError:
    return LoadError.single(
        Diagnostic(
            code,
            message,
            file=file,
            loc=loc,
            hint=hint,
        )
    )
