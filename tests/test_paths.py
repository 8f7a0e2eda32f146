"""Spec paths: arguments are always files, folders are walked, several files are all checked."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

import graphspec
from graphspec.cli.main import main
from graphspec.errors import UsageError
from graphspec.frontend.paths import is_marked_spec, looks_like_path, spec_files_in

ROOT = Path(__file__).resolve().parent.parent
GOOD = "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  d: {type: Dense, units: 2}\n"
BAD = "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  d: {type: Dnse, units: 2}\n"
CI = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make test}]\n"


@pytest.mark.parametrize(
    ("text", "is_path"),
    [
        ("specs/seed_skip", True),
        ("specs/seed_skip.yaml", True),
        ("nope", True),
        ("my model.yml", True),
        ("inputs: {x: {shape: [3]}}", False),
        ("inputs:\n  x: {shape: [3]}\n", False),
        ("a: 1", False),
    ],
)
def test_what_a_string_means(text: str, is_path: bool) -> None:
    assert looks_like_path(text) is is_path


@pytest.mark.parametrize("name", ["specs/seed_skip", "nope", "specs"])
def test_load_never_parses_a_path_as_yaml(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    with pytest.raises(UsageError, match=r"no such spec file|is a folder") as info:
        graphspec.load(name)
    if name == "specs/seed_skip":
        assert str(info.value) == (
            "no such spec file: specs/seed_skip (did you mean specs/seed_skip.yaml?)"
        )
    if name == "specs":
        assert str(info.value).startswith("specs is a folder, not a spec file")


def test_path_objects_and_inline_yaml_still_load() -> None:
    assert graphspec.load(ROOT / "specs" / "seed_skip.yaml").name == "seed_skip"
    assert graphspec.load("inputs: {x: {shape: [3]}}\nnodes: {d: {type: Dense, units: 1}}").name


@pytest.mark.parametrize(
    ("command", "argument"),
    [
        (c, a)
        for c in ("validate", "summary", "render", "codegen", "compile")
        for a in ("specs/seed_skip", "specs", "nope")
        if (c, a) != ("validate", "specs")  # validate walks folders (tested below)
    ],
)
def test_cli_arguments_are_paths(
    command: str, argument: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    extra = {"render": ["-o", "/tmp/x.dot"], "compile": ["-o", "/tmp/x.keras"]}
    status = main([command, argument, *extra.get(command, [])])
    err = capsys.readouterr().err
    assert status == 2
    assert "E100" not in err and "found a str" not in err
    if command == "validate":
        assert err.startswith(f"{argument}: error[E001]: no such spec file\n")
    elif argument == "specs":
        assert err == (
            f"graphspec {command}: error: specs is a folder, not a spec file "
            "(`graphspec validate specs` checks every spec in it)\n"
        )
    else:
        tail = " (did you mean specs/seed_skip.yaml?)" if argument == "specs/seed_skip" else ""
        assert err == f"graphspec {command}: error: no such spec file: {argument}{tail}\n"


def test_validate_checks_every_file_and_exits_with_the_worst(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    (tmp_path / "good.yaml").write_text(GOOD)
    args = [str(tmp_path / n) for n in ("nope.yaml", "bad.yaml", "good.yaml")]
    assert main(["validate", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == f"{tmp_path}/good.yaml: ok\n"
    assert captured.err.splitlines() == [
        f"{tmp_path}/nope.yaml: error[E001]: no such spec file",
        f"{tmp_path}/bad.yaml:4:13: error[E201]: node `d`: unknown layer type `Dnse`",
        "  hint: did you mean `Dense`?",
        "2 errors, 0 warnings",
    ]
    assert main(["validate", *args[1:]]) == 1
    assert main(["validate", args[2]]) == 0


def test_validate_walks_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    (tmp_path / "specs" / ".hidden").mkdir()
    (tmp_path / "specs" / ".hidden" / "x.yaml").write_text("not: [a spec")
    assert main(["validate", str(tmp_path / "specs")]) == 1  # specs/bad holds a broken spec
    captured = capsys.readouterr()
    checked = sorted(line.split(": ok")[0] for line in captured.out.splitlines())
    shipped = [p for p in (tmp_path / "specs").rglob("*.yaml") if "bad" not in p.parts]
    assert checked == sorted(str(p) for p in shipped if ".hidden" not in p.parts)
    assert "seed_skip_original.yaml:12:37: error[E501]" in captured.err
    assert ".hidden" not in captured.err
    (tmp_path / "empty").mkdir()
    assert main(["validate", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.startswith(
        f"{tmp_path}/empty: error[E001]: the folder holds no spec files (*.yaml, *.yml, *.json)"
    )


def test_spec_files_in_sorted_and_hidden_skipped(tmp_path: Path) -> None:
    for name in ("b.yml", "a.yaml", "c.json", "d.txt", ".e.yaml", "sub/f.yaml", ".git/g.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in spec_files_in(tmp_path)]
    assert found == ["a.yaml", "b.yml", "c.json", "sub/f.yaml"]


@pytest.mark.parametrize(
    ("head", "marked"),
    [
        ("graphspec: 1\n", True),
        ("# comment\ngraphspec: 1.1\n", True),
        ("# yaml-language-server: $schema=../docs/graphspec.schema.json\n", True),
        ('{\n  "graphspec": 1,\n  "inputs": {}\n}\n', True),
        ("\ufeffgraphspec: 1\n", True),
        (CI, False),
        ("inputs: {x: {shape: [4]}}\n", False),
        ("  graphspec: 1\n", False),  # nested, not the top-level key
        ("# yaml-language-server: $schema=https://json.schemastore.org/github-workflow\n", False),
    ],
)
def test_is_marked_spec(head: str, marked: bool, tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text(head)
    assert is_marked_spec(tmp_path / "f.yaml") is marked


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return next(h for h in hooks if h["id"] == "graphspec-validate")


def test_the_shipped_hook_is_safe_in_a_repository_full_of_other_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path
    files = {
        ".github/workflows/ci.yml": CI,
        "docker-compose.yaml": "services:\n  web: {image: nginx}\n",
        "package.json": '{"name": "x", "version": "1.0.0"}\n',
        "models/net.yaml": GOOD,
        "models/seed.yaml": (ROOT / "specs/seed_skip.yaml").read_text(),
    }
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    hook = _hook()
    pattern = re.compile(str(hook["files"]))
    staged = sorted(name for name in files if pattern.search(name))
    assert len(staged) == 5
    monkeypatch.chdir(repo)
    entry = str(hook["entry"]).split()
    assert entry[:2] == ["graphspec", "validate"] and "--only-specs" in entry
    assert main([*entry[1:], *staged]) == 0
    assert capsys.readouterr().err == ""  # --quiet: nothing to say about skipped files
    (repo / "models/net.yaml").write_text(BAD)
    assert main([*entry[1:], *staged]) == 1
    assert "models/net.yaml:4:13: error[E201]" in capsys.readouterr().err
    assert main(["validate", "--only-specs", *staged]) == 1
    err = capsys.readouterr().err
    assert ".github/workflows/ci.yml: note[N015]: skipped: not marked as a graphspec spec" in err


def test_readme_hook_snippet_has_no_placeholders() -> None:
    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("## Pre-commit", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    config = yaml.safe_load(snippet)
    hook = config["repos"][0]["hooks"][0]
    assert config["repos"][0]["repo"] == "local"
    assert "--only-specs" in hook["entry"] and hook["files"]
    assert re.search(hook["files"], "models/net.yaml")
    for doc in [readme, *(p.read_text() for p in (ROOT / "docs").glob("*.md"))]:
        assert "OWNER" not in doc
