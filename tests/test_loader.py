"""Tests for the safe YAML loader: data, locations, and every construct it refuses."""

from __future__ import annotations

import pytest

from graphspec.base import limits as _limits
from graphspec.base.source import Loc
from graphspec.errors import LoadError
from graphspec.frontend.loader import decode, load_document, read_text


def codes(text: str) -> str:
    with pytest.raises(LoadError) as info:
        load_document(text, "t.yaml")
    return info.value.diagnostics[0].code


def test_plain_data_and_locations() -> None:
    doc = load_document("a: 1\nb:\n  - x\n  - {c: 2.5}\n", "t.yaml")
    assert doc.data == {"a": 1, "b": ["x", {"c": 2.5}]}
    assert doc.source.at(("b", 1, "c")) == Loc(4, 9)
    assert doc.source.key_at(("b",)) == Loc(2, 1)
    assert doc.source.at(("b", 0)) == Loc(3, 5)


@pytest.mark.parametrize(
    "text",
    [
        '!!python/object/apply:os.system ["echo pwned"]',
        "x: !!python/object/new:type {args: [z, !!python/tuple [], {extend: !!python/name:exec }]}",
        "x: !!python/name:os.system",
        "x: !custom 3",
        "x: !!binary aGVsbG8=",
    ],
)
def test_object_tags_are_refused(text: str) -> None:
    with pytest.raises(LoadError, match=r"E004.*tag .* is not allowed"):
        load_document(text, "t.yaml")


def test_duplicate_keys_name_both_places() -> None:
    with pytest.raises(
        LoadError,
        match=r"t.yaml:3:3: error\[E013\]: duplicate key 'a' \(first written at line 2, column 3\)",
    ):
        load_document("n:\n  a: 1\n  a: 2\n", "t.yaml")


def test_alias_bomb_is_rejected_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(LoadError, match=r"E012.*by more than 1,000,000 values"):
        load_document("\n".join(lines), "t.yaml")


def test_self_referencing_alias() -> None:
    assert codes("a: &a [1, *a]") == "E009"
    assert codes("a: *nowhere") == "E009"


def test_small_aliases_are_fine() -> None:
    doc = load_document("a: &k 3\nb: *k\n", "t.yaml")
    assert doc.data == {"a": 3, "b": 3}


def test_deep_nesting_has_its_own_message() -> None:
    text = "[" * 5000 + "]" * 5000
    with pytest.raises(LoadError, match=rf"E007.*deeper than {_limits.MAX_DEPTH} levels"):
        load_document(text, "t.yaml")


def test_giant_string() -> None:
    with pytest.raises(LoadError, match=r"E010.*exceeds the limit"):
        load_document("a: " + "x" * (_limits.MAX_STRING_LENGTH + 1), "t.yaml")


def test_syntax_error_is_located() -> None:
    with pytest.raises(LoadError, match=r"t.yaml:1:4: error\[E003\]: `\[` is never closed"):
        load_document("a: [1\nb: 2\n", "t.yaml")


def test_merge_keys_are_refused() -> None:
    assert codes("base: &b {x: 1}\nn:\n  <<: *b\n") == "E011"


def test_several_documents() -> None:
    assert codes("a: 1\n---\nb: 2\n") == "E006"


def test_non_utf8_bytes_are_located() -> None:
    with pytest.raises(LoadError, match=r"t.yaml:2:4: error\[E002\]: .*byte 0xff"):
        decode(b"a: 1\nb: \xff\n", "t.yaml")


def test_file_size_limit(tmp_path, monkeypatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" * 10)
    monkeypatch.setattr(_limits, "MAX_FILE_BYTES", 20)
    with pytest.raises(LoadError, match=r"E005.*the limit is 20 bytes"):
        read_text(path)


def test_yaml11_surprises_are_recorded() -> None:
    doc = load_document("a: [no, on, 1e-3, 012, 1:30, '1e-3', true]", "t.yaml")
    kinds = {path[-1]: s.kind for path, s in doc.source.surprises.items()}
    assert kinds == {0: "bool", 1: "bool", 2: "float-string", 3: "octal", 4: "sexagesimal"}


def test_keys_stay_as_written() -> None:
    assert load_document("on: 1\n1: 2\nnull: 3\n", "t.yaml").data == {"on": 1, "1": 2, "null": 3}


def test_total_value_cap(monkeypatch) -> None:
    monkeypatch.setattr(_limits, "MAX_VALUES", 1000)
    with pytest.raises(
        LoadError, match=r"t.yaml:1:\d+: error\[E014\]: the document holds more than 1,000 values"
    ):
        load_document("[" + ",".join(["0"] * 2000) + "]", "t.yaml")


SCALARS = [
    "1",
    "-3",
    "0",
    "012",
    "0x1f",
    "1_000",
    "1:30",
    "2.5",
    "1e-3",
    "1.0e-3",
    ".inf",
    "nan",
    "y",
    "Y",
    "n",
    "yes",
    "No",
    "ON",
    "off",
    "True",
    "NULL",
    "Null",
    "~",
    "relu",
    "conv_1",
    "2024-01-01",
    "'quoted'",
    '"double"',
    "-0",
    "+5",
]


@pytest.mark.parametrize("text", SCALARS)
def test_scalars_read_as_pyyaml_safe_load_reads_them(text: str) -> None:
    import math

    import yaml

    ours = load_document(f"a: {text}", "t.yaml").data["a"]
    theirs = yaml.safe_load(f"a: {text}")["a"]
    if hasattr(theirs, "isoformat"):  # timestamps stay as the text written
        assert ours == text
    elif isinstance(theirs, float) and math.isnan(theirs):
        assert isinstance(ours, float) and math.isnan(ours)
    else:
        assert ours == theirs and type(ours) is type(theirs)
