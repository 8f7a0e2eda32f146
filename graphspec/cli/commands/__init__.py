"""The sub-commands; importing this package registers each one in :mod:`graphspec.cli.registry`.

The order here is the order ``graphspec --help`` lists them.
"""

from __future__ import annotations

from graphspec.cli.commands import (
    check_cmds,
    compile_cmd,
    diff_cmd,
    export_cmd,
    import_cmds,
    lsp_cmd,
    render_cmd,
    sweep_cmd,
    train_cmds,
    view_cmd,
)

__all__ = ["MODULES"]

MODULES = (
    check_cmds,
    compile_cmd,
    export_cmd,
    render_cmd,
    diff_cmd,
    import_cmds,
    train_cmds,
    sweep_cmd,
    view_cmd,
    lsp_cmd,
)
"""Every command module (imported above, eagerly)."""
