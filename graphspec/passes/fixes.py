"""Diagnostics made exact: the end of the range at fault, and fixes a tool can apply."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Final

from graphspec.base.registry import Registry
from graphspec.base.source import Loc, Path, SourceMap, yaml11_float
from graphspec.base.suggest import suggest
from graphspec.errors import Diagnostic, Fix, TextEdit

__all__ = ["FIX_RULES", "fix_rule", "refine"]

_DID_YOU_MEAN: Final = re.compile(r"did you mean `([^`]+)`\?")
_WORD: Final = re.compile(r"^[A-Za-z_][\w.]*$")
_GLUED: Final = re.compile(r"^([A-Za-z_]\w*):(\S.*)$", re.S)
"""A key written ``name:value``: YAML reads it as one word, the space after ``:`` is missing."""
_GLUED_IN_LINE: Final = re.compile(r"(?:^|[\s{,\[])(?:- )?([A-Za-z_]\w*):(?=[^\s:/,\]}])")
_UNDEFINED_PARAM: Final = re.compile(r"uses `([A-Za-z_]\w*)`, which is not a param")
_UNQUOTED_EXPRESSION: Final = re.compile(r"`(\$\{[^`]*\})` inside a .* must be quoted")
_INDENT_WITH: Final = re.compile(r"indent `[^`]+` with (\d+) spaces?")
_FLOOR_DIVISION: Final = re.compile(r"`//` divides to a whole number: `(\$\{[^`]*\})`")
_EXPR_BODY: Final = re.compile(r"\$\{[^{}]*\}")
_SURPRISE_CODES: Final = frozenset({"E106", "W106"})
_MISSING_CODES: Final = frozenset({"E102", "E200", "E207"})
"""Codes reporting a missing key: a glued ``key:value`` inside the entry may be the cause."""


@dataclasses.dataclass(frozen=True)
class _Site:
    """What a rule sees: the diagnostic, the text at fault and where it sits in the spec."""

    diagnostic: Diagnostic
    source: SourceMap
    start: Loc
    end: Loc | None
    path: Path | None
    is_key: bool
    glued: tuple[Path, ...] = ()
    """Every key of the file written ``name:value`` (usually none)."""

    @property
    def text(self) -> str:
        if self.end is None:
            return ""
        a, b = self.source.offset(self.start), self.source.offset(self.end)
        return self.source.text[a:b] if a is not None and b is not None else ""

    def replace(self, title: str, text: str) -> Fix | None:
        if self.end is None:
            return None
        edit = TextEdit(self.start.line, self.start.column, self.end.line, self.end.column, text)
        return Fix(title, (edit,))


Rule = Callable[[_Site], Fix | None]
FIX_RULES: Registry[str, Rule] = Registry("fix rule")
"""Rules that derive a fix for a located diagnostic, by name, tried in order (first fix wins)."""


def fix_rule(name: str) -> Callable[[Rule], Rule]:
    """Register a fix rule."""

    return FIX_RULES.register(name)


def refine(diagnostics: Iterable[Diagnostic], source: SourceMap) -> list[Diagnostic]:
    """Give each diagnostic located in ``source`` its end position and, when certain, fixes.

    >>> from graphspec import check
    >>> d = check("inputs: {x: {shape: [4]}}\\nnodes:\\n  d: {type: Dens, units: 2}\\n").errors[0]
    >>> (d.line, d.column, d.end_line, d.end_column), d.fixes[0].title
    ((3, 13, 3, 17), 'write `Dense`')
    """
    out: list[Diagnostic] = []
    glued: tuple[Path, ...] | None = None
    for diag in diagnostics:
        if diag.line is None or diag.file != source.file or not source.text:
            out.append(diag)
            continue
        start = Loc(diag.line, diag.column or 1)
        found = source.located(start)
        end = (
            Loc(diag.end_line, diag.end_column or 1)
            if diag.end_line is not None
            else source.end_of(start)
        )
        if glued is None:  # one pass over the keys, only when something is reported
            glued = tuple(p for p in source.keys if ":" in str(p[-1]) and _GLUED.match(str(p[-1])))
        path, is_key = found if found is not None else (None, False)
        site = _Site(diag, source, start, end, path, is_key, glued)
        fixes = diag.fixes
        if not fixes:
            for rule in FIX_RULES.values():
                fix = rule(site)
                if fix is not None:
                    fixes = (fix,)
                    break
        if diag.end_line is None and end is not None:
            diag = dataclasses.replace(diag, fixes=fixes, end_line=end.line, end_column=end.column)
        else:
            diag = dataclasses.replace(diag, fixes=fixes)
        out.append(diag)
    return out


# -- rules --------------------------------------------------------------------------------------


@fix_rule("missing-space")
def _missing_space(site: _Site) -> Fix | None:
    """``units:4`` or ``{type:Dense}``: a key and its value glued together by YAML."""
    if site.is_key and site.path is not None:
        depth = len(site.path) + 1
        glued = [
            p for p in site.glued if p == site.path or (len(p) == depth and p[:-1] == site.path)
        ]
        edits = []
        for path in glued:
            start = site.source.keys[path]
            col = start.column + str(path[-1]).index(":") + 1
            edits.append(TextEdit(start.line, col, start.line, col, " "))
        if edits:
            return Fix("insert the missing space after `:`", tuple(edits))
    if site.diagnostic.code == "E003":
        return _glued_in_lines(site)
    return None


@fix_rule("yaml-1.1")
def _yaml11(site: _Site) -> Fix | None:
    """A value YAML 1.1 reads differently from what was meant: write what was meant."""
    if site.diagnostic.code not in _SURPRISE_CODES or site.path is None or site.is_key:
        return None
    surprise = site.source.surprises.get(site.path)
    if surprise is None:
        return None
    raw = surprise.raw
    if surprise.kind == "float-string":
        fixed = yaml11_float(raw)
        return site.replace(f"write `{fixed}`", fixed) if fixed else None
    if surprise.kind == "octal":
        plain = raw.lstrip("+").lstrip("0") or "0"
        return site.replace(f"write `{plain}` (decimal)", plain)
    if surprise.kind == "bool" and site.diagnostic.code == "W106":
        word = "true" if surprise.value else "false"
        return site.replace(f"write `{word}`", word)
    return site.replace(f"quote it: `'{raw}'`", f"'{raw}'")


@fix_rule("did-you-mean")
def _did_you_mean(site: _Site) -> Fix | None:
    """Replace a misspelt word with the name the hint suggests, when the range is that word."""
    match = _DID_YOU_MEAN.search(site.diagnostic.hint or "")
    if match is None:
        return None
    word, choice = site.text, match.group(1)
    if not _WORD.match(word) or word == choice:
        return None
    if not suggest(word, [choice]):  # the range is not the word the hint is about
        return None
    return site.replace(f"write `{choice}`", choice)


@fix_rule("quote-expression")
def _quote_expression(site: _Site) -> Fix | None:
    """``{units: ${width}}``: put the expression the message names in double quotes."""
    match = _UNQUOTED_EXPRESSION.match(site.diagnostic.message)
    if site.diagnostic.code != "E003" or match is None:
        return None
    start = site.source.offset(site.start)
    written = match.group(1)
    if start is None or not site.source.text.startswith(written, start):
        return None
    line, column = site.start
    end = column + len(written)
    edits = (TextEdit(line, column, line, column, '"'), TextEdit(line, end, line, end, '"'))
    return Fix(f'quote it: `"{written}"`', edits)


@fix_rule("indentation")
def _indentation(site: _Site) -> Fix | None:
    """A key indented off every level: re-indent its line as the hint says."""
    if site.diagnostic.code != "E003" or "lines up with no key" not in site.diagnostic.message:
        return None
    hint = site.diagnostic.hint or ""
    match = _INDENT_WITH.match(hint)
    if match is not None:
        width = int(match.group(1))
    elif hint.startswith("write `") and "at the start of the line" in hint:
        width = 0
    else:
        return None
    line, column = site.start
    edit = TextEdit(line, 1, line, column, " " * width)
    title = f"indent it with {width} spaces" if width else "write it at the start of the line"
    return Fix(title, (edit,))


@fix_rule("param-name")
def _param_name(site: _Site) -> Fix | None:
    """``${bsae * 4}``: replace the misspelt param inside the expression with the suggestion."""
    match = _DID_YOU_MEAN.search(site.diagnostic.hint or "")
    used = _UNDEFINED_PARAM.search(site.diagnostic.message)
    if site.diagnostic.code != "E407" or match is None or used is None or site.end is None:
        return None
    word, choice, text = used.group(1), match.group(1), site.text
    name = re.compile(rf"(?<![\w.]){re.escape(word)}(?![\w.])")
    spots = [
        body.start() + found.start()
        for body in _EXPR_BODY.finditer(text)
        for found in name.finditer(body.group(0))
    ]
    if len(spots) != 1 or site.start.line != site.end.line:
        return None  # several uses, or a value over lines: the user decides
    column = site.start.column + spots[0]
    edit = TextEdit(site.start.line, column, site.start.line, column + len(word), choice)
    return Fix(f"write `{choice}`", (edit,))


@fix_rule("integer-division")
def _integer_division(site: _Site) -> Fix | None:
    """``${width / 3}`` where a whole number is wanted: the hint's ``//`` version, in place."""
    match = _FLOOR_DIVISION.search(site.diagnostic.hint or "")
    text = site.text
    if match is None or site.end is None or site.start.line != site.end.line:
        return None
    found = _EXPR_BODY.search(text)
    if found is None or text.count("${") != 1:
        return None
    fixed = text[: found.start()] + match.group(1) + text[found.end() :]
    return site.replace(f"write `{match.group(1)}`", fixed)


# -- helpers ------------------------------------------------------------------------------------


def _glued_in_lines(site: _Site) -> Fix | None:
    """A YAML syntax error on (or just after) a line that glues a key to its value: a key spec
    files use (``units:4``), or any name glued to a flow collection (``x:{shape: [4]}``)."""
    text, names = site.source.text, _known_keys()
    for line_no in (site.start.line, site.start.line - 1):
        start = site.source.offset(Loc(line_no, 1)) if line_no >= 1 else None
        if start is None:
            continue
        end = text.find("\n", start)
        line = text[start : end if end >= 0 else len(text)]
        code = line.split(" #", 1)[0]
        edits = [
            TextEdit(line_no, m.end() + 1, line_no, m.end() + 1, " ")
            for m in _GLUED_IN_LINE.finditer(code)
            if m.group(1) in names or code[m.end() : m.end() + 1] in ("{", "[")
        ]
        if edits:
            return Fix("insert the missing space after `:`", tuple(edits))
    return None


@cache
def _known_keys() -> frozenset[str]:
    """Every key a spec may write: spec fields, node keys, Keras layer arguments."""
    from graphspec.base.catalog import catalog
    from graphspec.frontend.spec import BlockSpec, InputSpec, NodeKey, Spec, TrainSpec

    names = {k.value for k in NodeKey}
    for model in (Spec, InputSpec, BlockSpec, TrainSpec):
        names.update(model.model_fields)
    for entry in catalog()["layers"].values():
        names.update(entry["args"])
    names.update(catalog()["base_args"])
    return frozenset(names)
