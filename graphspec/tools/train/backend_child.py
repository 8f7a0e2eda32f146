"""The child process of ``compare --backends``: one backend's comparison, written as JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from graphspec.backends.keras.select import select_backend
from graphspec.base.output import write_text
from graphspec.errors import GraphSpecError
from graphspec.tools.train.compare import compare_specs

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """The child: read a request on stdin, compare on ``KERAS_BACKEND``, write JSON to argv[0]."""

    args = list(sys.argv[1:] if argv is None else argv)
    request = json.loads(sys.stdin.read())
    try:
        backend = select_backend()
        comparison = compare_specs(
            request["specs"],
            request["data"],
            seeds=request["seeds"],
            epochs=request["epochs"],
            batch_size=request["batch_size"],
            both_apis=request["both_apis"],
            params=request["params"],
            progress=lambda line: print(f"[{backend}] {line}", file=sys.stderr, flush=True),
        )
    except GraphSpecError as err:
        print(f"graphspec compare: error: {err}", file=sys.stderr)
        return 1
    write_text(args[0], json.dumps(comparison.to_dict()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
