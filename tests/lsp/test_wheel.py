"""`graphspec lsp` installed from the built wheel: error-code documentation ships in the package.

The wheel is built from a copy of the checkout (`pip wheel --no-build-isolation`, no network)
and installed without dependencies into a fresh virtualenv, which borrows the test run's
installed packages (pydantic, pygls, ...) through a `.pth` file; the server runs from there with
no `PYTHONPATH` and outside the checkout, so it can only read what the wheel ships.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import BAD, ROOT, Doc, _make_client

SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "docs/errors.md", "graphspec")
"""What a build needs from the checkout (the rest of it is left out of the copy)."""
PACKAGED = Path("graphspec", "tools", "lsp", "data", "errors.md")


def _run(*args: str | Path, cwd: Path) -> None:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site-packages of a virtualenv holding graphspec installed from its wheel."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, src / name)
    pip = (sys.executable, "-m", "pip")
    _run(
        *pip,
        "wheel",
        "-q",
        "--no-deps",
        "--no-index",
        "--no-build-isolation",
        "-w",
        tmp / "dist",
        src,
        cwd=tmp,
    )
    (wheel,) = (tmp / "dist").glob("graphspec-*.whl")
    assert PACKAGED.as_posix() in zipfile.ZipFile(wheel).namelist()
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", venv, cwd=tmp)
    python = venv / "bin" / "python"
    _run(*pip, "--python", python, "install", "-q", "--no-deps", "--no-index", wheel, cwd=tmp)
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "_graphspec_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return site


@pytest_asyncio.fixture(loop_scope="session")
async def wheel_client(installed: Path) -> AsyncIterator[LanguageClient]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    server = installed.parents[2] / "bin" / "graphspec"
    config = ClientServerConfig(
        server_command=[str(server), "lsp"], client_factory=_make_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    await client.initialize_session(
        lsp.InitializeParams(capabilities=client_capabilities("neovim"), root_uri=None)
    )
    yield client
    await client.shutdown_session()


@pytest.mark.asyncio(loop_scope="session")
async def test_the_wheel_installed_server_documents_error_codes(
    wheel_client: LanguageClient, installed: Path
) -> None:
    shipped = installed / PACKAGED
    assert shipped.read_text() == (ROOT / "docs" / "errors.md").read_text()
    doc = Doc(wheel_client, BAD.read_text() + "# see E501\n")
    (diag,) = await doc.open()
    assert diag.code == "E501" and diag.code_description is not None
    href, _, row = diag.code_description.href.partition("#L")
    assert href == shipped.as_uri()  # the copy inside the installed package, at E501's row
    assert shipped.read_text().splitlines()[int(row) - 1].startswith("| E501 |")

    async def hover(at: lsp.Position) -> str:
        found = await wheel_client.text_document_hover_async(
            lsp.HoverParams(text_document=doc.ident(), position=at)
        )
        assert found is not None
        return found.contents.value  # type: ignore[union-attr]

    meaning = "**E501**: a layer cannot take its inputs' shapes"
    link = f"]({diag.code_description.href})"
    # the fault is marked at its cause (`filters: 32` of `shortcut`): what its code means
    on_fault = await hover(diag.range.start)
    assert on_fault.startswith(meaning) and link in on_fault
    on_merge = await hover(doc.find("add:"))  # the merge's node hover is the node's
    assert on_merge.startswith("**add** · `Add`")
    in_comment = await hover(doc.find("E501", offset=1))
    assert in_comment.startswith(meaning) and link in in_comment
    doc.close()
