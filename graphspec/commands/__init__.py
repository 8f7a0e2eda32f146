"""The sub-commands; importing this package registers each one with :mod:`graphspec.cli`."""

from graphspec.commands import check_cmds

__all__ = ["check_cmds"]

for _optional in ("compile_cmd", "render_cmd", "import_cmds", "train_cmds", "view_cmd", "lsp_cmd"):
    try:
        __import__(f"graphspec.commands.{_optional}")
    except ModuleNotFoundError as _err:  # a command module not built yet in this checkout
        if _err.name != f"graphspec.commands.{_optional}":
            raise
