"""Build hook: ship docs/errors.md inside the package, so an installed wheel explains error codes.

Everything else is in pyproject.toml. ``build_py`` copies ``docs/errors.md`` (the one source of
the error-code documentation) to ``graphspec/tools/lsp/data/errors.md`` in the built package,
where ``graphspec lsp`` reads it for hovers and ``codeDescription`` links; a source checkout
reads ``docs/errors.md`` itself. A build without ``docs/errors.md`` fails rather than ship a
wheel with no error documentation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ERRORS = Path(__file__).resolve().parent / "docs" / "errors.md"
PACKAGED = Path("graphspec", "tools", "lsp", "data", "errors.md")


class BuildWithErrorDocs(build_py):
    """``build_py`` that also copies the error-code documentation into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads docs/errors.md from the checkout
        if not ERRORS.is_file():
            raise FileNotFoundError(f"{ERRORS} is missing: the wheel would ship no error docs")
        target = Path(self.build_lib) / PACKAGED
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ERRORS, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), str(Path(self.build_lib) / PACKAGED)]


setup(cmdclass={"build_py": BuildWithErrorDocs})
