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
from graphspec.frontend.yaml_errors import explain

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
_LEAF_EVENTS = (ev.ScalarEvent, ev.AliasEvent)
_START_EVENTS = (ev.MappingStartEvent, ev.SequenceStartEvent)
_END_EVENTS = (ev.MappingEndEvent, ev.SequenceEndEvent)


@dataclass
class Document:
    """A loaded spec file: plain data (dicts, lists, scalars) and where each part was written."""

    data: Any
    source: SourceMap


class _Frame:
    """One open mapping or sequence while composing."""

    __slots__ = ("anchor", "container", "key", "key_loc", "path", "seen", "size")

    def __init__(self, container: Any, path: Path, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.key: str | None = None
        self.key_loc: Loc | None = None
        self.seen: dict[str, Loc] = {}
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
    """Builds plain data from a YAML event stream, iteratively and with every limit checked."""

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.source = SourceMap(file, text=text)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.total = 0
        self.count = 0
        self.resolver: ScalarResolver = SafeSpecLoader("")

    def compose(self, text: str) -> Document:
        stack: list[_Frame] = []
        root: Any = None
        documents = 0
        try:
            for event in yaml.parse(text, Loader=SafeSpecLoader):
                if isinstance(event, ev.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        raise self._error(
                            event,
                            "E006",
                            "the file holds several YAML documents; a spec is one document",
                            "remove the `---` separators, or split the file",
                        )
                    continue
                if isinstance(event, _LEAF_EVENTS):
                    value, size = self._leaf(event, stack)
                    root = self._attach(stack, value, size, event, root)
                elif isinstance(event, _START_EVENTS):
                    if len(stack) >= _limits.MAX_DEPTH:
                        raise self._error(
                            event,
                            "E007",
                            f"nesting is deeper than {_limits.MAX_DEPTH} levels",
                            "a spec needs only a few levels; flatten the structure",
                        )
                    self._check_tag(
                        event, "map" if isinstance(event, ev.MappingStartEvent) else "seq"
                    )
                    is_map = isinstance(event, ev.MappingStartEvent)
                    path = self._child_path(stack)
                    if stack and stack[-1].key is None and isinstance(stack[-1].container, dict):
                        raise self._error(
                            event, "E008", "a mapping key must be a plain string, not a collection"
                        )
                    self.source.values[path] = _loc(event)
                    frame = _Frame({} if is_map else [], path, event.anchor)
                    if event.anchor:
                        self.open_anchors.add(event.anchor)
                    stack.append(frame)
                elif isinstance(event, _END_EVENTS):
                    frame = stack.pop()
                    if frame.anchor:
                        self.open_anchors.discard(frame.anchor)
                        self.anchors[frame.anchor] = (frame.container, frame.size)
                    root = self._attach(stack, frame.container, frame.size, event, root, done=True)
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
        return Document(root, self.source)

    # -- leaves -------------------------------------------------------------------------------

    def _leaf(self, event: ev.ScalarEvent | ev.AliasEvent, stack: list[_Frame]) -> tuple[Any, int]:
        if isinstance(event, ev.AliasEvent):
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
            if stack and stack[-1].key is None and isinstance(stack[-1].container, dict):
                raise self._error(
                    event, "E008", "a mapping key must be a plain string, not an alias"
                )
            return self.anchors[event.anchor]
        if len(event.value) > _limits.MAX_STRING_LENGTH:
            raise self._error(
                event,
                "E010",
                f"a string of {len(event.value):,} characters exceeds the limit of "
                f"{_limits.MAX_STRING_LENGTH:,}",
            )
        is_key = bool(stack) and stack[-1].key is None and type(stack[-1].container) is dict
        if is_key:
            self._check_tag(event, "str")
            if event.value == "<<" and not event.style:
                raise self._error(
                    event,
                    "E011",
                    "YAML merge keys (`<<`) are not supported",
                    "use a block or `${params}` to reuse settings",
                )
            return event.value, 0
        value = self._scalar(event, self._child_path(stack))
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        return value, 1

    def _scalar(self, event: ev.ScalarEvent, path: Path) -> Any:
        raw = event.value
        if event.tag is None and not event.style:  # plain scalar: fast paths for common words
            if _PLAIN_INT.match(raw):
                return int(raw)
            if _PLAIN_WORD.match(raw) and raw.lower() not in _YAML11_WORDS:
                return raw
        tag = self._check_tag(event, None)
        if tag is None:
            tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
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

    # -- structure ----------------------------------------------------------------------------

    def _child_path(self, stack: list[_Frame]) -> Path:
        if not stack:
            return ()
        top = stack[-1]
        if type(top.container) is dict:
            return (*top.path, top.key) if top.key is not None else top.path
        return (*top.path, len(top.container))

    def _attach(
        self,
        stack: list[_Frame],
        value: Any,
        size: int,
        event: Any,
        root: Any,
        *,
        done: bool = False,
    ) -> Any:
        self.count += 1
        if self.count > _limits.MAX_VALUES:
            raise self._error(
                event,
                "E014",
                f"the document holds more than {_limits.MAX_VALUES:,} values",
                "a spec of 100,000 nodes needs under a million; use blocks with `repeat`",
            )
        if type(event) is ev.AliasEvent:
            self.total += size
        if self.total > _limits.MAX_ALIAS_VALUES:
            raise self._error(
                event,
                "E012",
                f"aliases expand the document by more than {_limits.MAX_ALIAS_VALUES:,} values "
                "(alias expansion bomb?)",
                "avoid nesting aliases; write blocks with `repeat` instead",
            )
        if not stack:
            if not done:  # a document that is one scalar: locate it like any other value
                self.source.values[()] = _loc(event)
            return value
        top = stack[-1]
        top.size += size
        if type(top.container) is list:
            if not done:
                self.source.values[(*top.path, len(top.container))] = _loc(event)
            top.container.append(value)
            return root
        if top.key is None:  # this scalar is a key
            key = value
            loc = _loc(event)
            if key in top.seen:
                first = top.seen[key]
                raise self._error(
                    event,
                    "E013",
                    f"duplicate key {key!r} (first written at line {first.line}, "
                    f"column {first.column})",
                    "YAML keeps only one of them; rename or remove one",
                )
            top.seen[key] = loc
            top.key, top.key_loc = key, loc
            self.source.keys[(*top.path, key)] = loc
            return root
        if not done:
            self.source.values[(*top.path, top.key)] = _loc(event)
        top.container[top.key] = value
        top.key = None
        return root

    def _error(self, event: Any, code: str, message: str, hint: str | None = None) -> LoadError:
        return _fail(self.file, _loc(event), code, message, hint)


def _loc(event: Any) -> Loc:
    mark = event.start_mark
    return Loc(mark.line + 1, mark.column + 1)


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
