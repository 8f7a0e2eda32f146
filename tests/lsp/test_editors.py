"""The editor set-ups shipped in editors/ are well-formed and start `graphspec lsp` as documented."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib

import pytest

from tests.lsp.conftest import ROOT

EDITORS = ROOT / "editors"


def test_vscode_extension_manifest() -> None:
    manifest = json.loads((EDITORS / "vscode" / "package.json").read_text())
    assert manifest["main"] == "./extension.js"
    assert "onLanguage:yaml" in manifest["activationEvents"]
    setting = manifest["contributes"]["configuration"]["properties"]["graphspec.command"]
    assert setting["default"] == ["graphspec", "lsp"]
    assert "vscode-languageclient" in manifest["dependencies"]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_vscode_extension_parses() -> None:
    subprocess.run(
        ["node", "--check", str(EDITORS / "vscode" / "extension.js")], check=True, timeout=60
    )


def test_helix_languages_toml() -> None:
    config = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text())
    server = config["language-server"]["graphspec"]
    assert (server["command"], server["args"]) == ("graphspec", ["lsp"])
    (yaml,) = config["language"]
    assert yaml["name"] == "yaml" and "graphspec" in yaml["language-servers"]


def test_docs_show_the_shipped_configs() -> None:
    """docs/editors.md quotes the Helix file and the Neovim 0.11 lines of the shipped config."""
    docs = (ROOT / "docs" / "editors.md").read_text()
    helix = (EDITORS / "helix" / "languages.toml").read_text()
    for line in helix.splitlines():
        if line and not line.startswith("#"):
            assert line in docs, line
    lua = (EDITORS / "nvim" / "graphspec.lua").read_text()
    assert 'vim.lsp.enable("graphspec")' in lua and 'vim.lsp.enable("graphspec")' in docs
