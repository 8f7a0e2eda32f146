"""Record tests/golden/keras_configs/NAME.json: the saved Keras config of specs/NAME.yaml.

Run it only when a change to the compiled models is intended and reviewed:
    .venv/bin/python scripts/record_golden_configs.py seed_skip [more names ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests._golden import GOLDEN_DIR, SPECS_DIR, saved_config


def main(names: list[str]) -> int:
    if not names:
        print(__doc__, file=sys.stderr)
        return 2
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = GOLDEN_DIR / f"{name}.json"
        target.write_bytes(saved_config(SPECS_DIR / f"{name}.yaml"))
        print(
            f"wrote {target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
