"""A watchdog for multi-process training: no progress for too long ends the worker, loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Final

__all__ = ["Watchdog", "progress_callback"]

_STOP: Final = "\x00stop"

# The watcher runs in a small process of its own: a worker blocked inside the backend (waiting
# for a peer that never comes, in C++ that holds the GIL) runs no Python thread at all. The
# worker sends one line per step of progress (the line says what it awaits next); silence for
# `timeout` seconds makes the watcher print the E714 message on the shared stderr and kill it.
# A worker that dies without saying stop (SIGKILL, or a C++ abort such as JAX's when its
# coordinator is gone) closes the pipe: the watcher says so, so no worker ends without a word.
_WATCHER: Final = r"""
import os, select, signal, sys, time
pid, timeout, stage = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
fd, buffer, last = sys.stdin.fileno(), b"", time.monotonic()
while True:
    left = timeout - (time.monotonic() - last)
    if left <= 0:
        sys.stderr.write(
            f"graphspec fit: error: [E714] no progress for {timeout:g} s while {stage} "
            f"(--worker-timeout {timeout:g}): another worker has probably stopped or become "
            "unreachable; check every worker's log, then restart all of them\n"
        )
        sys.stderr.flush()
        os.kill(pid, signal.SIGKILL)
        sys.exit(0)
    if select.select([fd], [], [], left)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:  # the worker is gone without saying stop: killed, or aborted in C++
            sys.stderr.write(
                f"graphspec fit: error: [E714] this worker ended abruptly while {stage}: it was "
                "killed, or its backend aborted it (JAX ends every process of a run whose "
                "coordinator, process 0, is gone); check every worker's log, then restart all "
                "of them\n"
            )
            sys.stderr.flush()
            sys.exit(0)
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line == b"\x00stop":
                sys.exit(0)
            if line:
                stage = line.decode("utf-8", "replace")
        last = time.monotonic()
"""


class Watchdog:
    """Ends this process with an E714 message when :meth:`kick` is not called for ``timeout`` s.

    ``stage`` says what is awaited, for the message. The process is killed (``SIGKILL``): one
    blocked inside the backend cannot be asked to stop.

    >>> with Watchdog(60.0, "waiting for the other workers") as dog:
    ...     dog.kick("training")
    """

    def __init__(self, timeout: float, stage: str) -> None:
        self.timeout = timeout
        self.stage = stage
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Watchdog:
        sys.stderr.flush()
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _WATCHER, str(os.getpid()), repr(self.timeout), self.stage],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def kick(self, stage: str | None = None) -> None:
        """Record progress, and what is awaited next."""
        self._send(stage or "")

    def stop(self) -> None:
        """Stop watching (the run finished, or failed on its own)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._write(proc, _STOP)
        assert proc.stdin is not None  # started with stdin=PIPE
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()

    def _send(self, line: str) -> None:
        if self._proc is not None:
            self._write(self._proc, line)

    @staticmethod
    def _write(proc: subprocess.Popen[bytes], line: str) -> None:
        assert proc.stdin is not None  # started with stdin=PIPE
        try:
            proc.stdin.write(line.replace("\n", " ").encode() + b"\n")
            proc.stdin.flush()
        except (OSError, ValueError):  # the watcher is gone: nothing left to tell
            pass


def progress_callback(dog: Watchdog) -> Any:
    """A Keras callback that kicks ``dog`` after every batch and epoch (train and test)."""
    import keras

    class Progress(keras.callbacks.Callback):  # type: ignore[misc]  # keras is untyped
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            dog.kick("training (waiting for the other workers' gradients)")

        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            dog.kick("evaluating (waiting for the other workers' metrics)")

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            dog.kick(f"training epoch {epoch + 1}")

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            dog.kick("evaluating")

    return Progress()
