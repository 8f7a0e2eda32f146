"""Screenshot `graphspec lsp` in a real Neovim: tmux runs it, rich draws the screen, Chromium the PNG.

Run: .venv/bin/python scripts/lsp_screenshot.py (needs nvim, tmux and chromium). Writes
docs/img/lsp-neovim.png (diagnostics and inlay hints) and docs/img/lsp-neovim-hover.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = "specs/bad/seed_skip_original.yaml"
SESSION = "graphspec-shot"
COLS, ROWS = 142, 25


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def capture(keys: list[list[str]]) -> str:
    """Open the spec in Neovim with the server, type ``keys``, return the screen with colours."""
    server = str(Path(sys.executable).parent / "graphspec")
    nvim = (
        f"nvim --clean -n --cmd \"let g:graphspec_cmd=['{server}','lsp']\" "
        f"-u editors/nvim/graphspec.lua -c 'hi NormalFloat ctermbg=237 ctermfg=252' {SPEC}"
    )
    _tmux(
        "new-session", "-d", "-s", SESSION, "-x", str(COLS), "-y", str(ROWS), "-c", str(ROOT), nvim
    )
    try:
        time.sleep(6)  # start-up, first analysis, hints
        for key in keys:
            _tmux("send-keys", "-t", SESSION, *key)
            time.sleep(1.5)
        return _tmux("capture-pane", "-p", "-e", "-t", SESSION)
    finally:
        _tmux("kill-session", "-t", SESSION)


def to_png(ansi: str, out: Path, title: str) -> None:
    """Draw an ANSI screen as SVG (rich), then take a PNG of it with headless Chromium."""
    import io

    from rich.console import Console
    from rich.text import Text

    console = Console(
        record=True, width=COLS, force_terminal=True, color_system="256", file=io.StringIO()
    )
    console.print(Text.from_ansi(ansi.rstrip("\n")), soft_wrap=True)
    with tempfile.TemporaryDirectory() as tmp:
        svg = Path(tmp) / "screen.svg"
        svg.write_text(console.export_svg(title=title))
        html = Path(tmp) / "screen.html"
        html.write_text(
            "<html><body style='margin:0;background:#fff'>"
            "<img src='screen.svg' style='width:1500px'></body></html>"
        )
        subprocess.run(
            [
                shutil.which("chromium") or "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--user-data-dir={tmp}/profile",
                f"--screenshot={out}",
                "--window-size=1500,572",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
        )


def main() -> int:
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    plain = capture([["15G"]])
    to_png(plain, out / "lsp-neovim.png", "graphspec lsp in Neovim: diagnostics and inlay hints")
    hover = capture([["14G5|"], [":lua vim.lsp.buf.hover()", "Enter"]])
    to_png(hover, out / "lsp-neovim-hover.png", "graphspec lsp in Neovim: hover on a node")
    print(f"wrote {out / 'lsp-neovim.png'} and {out / 'lsp-neovim-hover.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
