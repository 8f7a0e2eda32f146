"""`fit --strategy multiworker` for real: two worker processes on this machine (TensorFlow).

Each worker is a `graphspec fit` process with its own TF_CONFIG naming both (two free 127.0.0.1
ports). They must train the seed CNN on digits in lockstep: the same final weights on both
(bit for bit), the same test metrics, and the numbers of a single process with the same global
batch within the tolerance docs/training.md states. A worker that dies mid-run must make the
other fail with an E714 message, soon, not hang.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphspec.tools.train.fit import fit_spec

from ._workers import checksum, finish, read, start
from .conftest import RUN, SEED_CNN, backend_env, free_ports

pytestmark = pytest.mark.keras

TOLERANCE = 0.02
"""|accuracy or loss of two workers − one process| allowed (docs/training.md)."""
EPOCHS = 2


def _tf_config(ports: list[int], index: int) -> str:
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    return json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})


def _start(ports: list[int], index: int, folder: Path, *argv: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", RUN, "fit", str(SEED_CNN), "--data", "digits"]
    command += ["--strategy", "multiworker", *argv]
    env = backend_env("tensorflow", {"TF_CONFIG": _tf_config(ports, index)})
    return start(command, index, folder, env)


def _metrics(text: str) -> dict[str, float]:
    line = re.search(r"^test: (.*)$", text, re.M)
    assert line, text
    return {k: float(v) for k, v in re.findall(r"(\w+) ([0-9.]+)", line.group(1))}


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    folder = tmp_path_factory.mktemp("multiworker")
    ports = free_ports(2)
    history = folder / "history.json"
    procs = [
        _start(ports, i, folder, "--epochs", str(EPOCHS), "--history", str(history))
        for i in range(2)
    ]
    finish(procs, timeout=240)
    return folder, [p.returncode for p in procs]


def test_two_workers_train_in_lockstep(two_workers: tuple[Path, list[int]]) -> None:
    folder, codes = two_workers
    outs = [read(folder, i, "out") for i in range(2)]
    assert codes == [0, 0], "\n".join(outs + [read(folder, i, "err") for i in range(2)])
    for out in outs:
        assert "2 replicas" in out
        assert len(re.findall(r"^Epoch \d+/2$", out, re.M)) == EPOCHS
    assert checksum(outs[0]) == checksum(outs[1])
    assert _metrics(outs[0]) == _metrics(outs[1])
    assert "not the chief worker" in outs[1] and "not the chief worker" not in outs[0]
    data = json.loads((folder / "history.json").read_text())  # written by the chief only
    assert (data["strategy"], data["replicas"], data["backend"]) == ("multiworker", 2, "tensorflow")
    assert data["weights_sha256"] == checksum(outs[0])


def test_two_workers_match_one_process_with_the_same_global_batch(
    two_workers: tuple[Path, list[int]],
) -> None:
    folder, codes = two_workers
    assert codes == [0, 0]
    workers = _metrics(read(folder, 0, "out"))
    single = fit_spec(SEED_CNN, "digits", epochs=EPOCHS)  # global batch 32 on one device
    assert single.replicas == 1 and single.settings.batch_size == 32
    assert abs(workers["accuracy"] - single.test["accuracy"]) <= TOLERANCE
    assert abs(workers["loss"] - single.test["loss"]) <= TOLERANCE
    assert workers["accuracy"] > 0.8  # it trained: chance is 0.1


def test_a_dying_worker_makes_the_other_fail_soon(tmp_path: Path) -> None:
    ports = free_ports(2)
    procs = [
        _start(ports, i, tmp_path, "--epochs", "100", "--worker-timeout", "30") for i in (0, 1)
    ]
    try:
        deadline = time.monotonic() + 180
        while "Epoch 1/" not in read(tmp_path, 1, "out"):
            assert procs[0].poll() is None and procs[1].poll() is None, read(tmp_path, 0, "err")
            assert time.monotonic() < deadline, "the workers never started training"
            time.sleep(0.2)
        os.kill(procs[1].pid, signal.SIGKILL)
        killed = time.monotonic()
        code = procs[0].wait(timeout=90)
        took = time.monotonic() - killed
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    err = read(tmp_path, 0, "err")
    assert code == 1, err
    assert "E714" in err and "worker" in err, err
    assert "Traceback" not in err, err
    assert took < 60, f"the surviving worker took {took:.0f} s to fail"


def test_a_worker_whose_peer_never_comes_is_stopped_by_the_watchdog(tmp_path: Path) -> None:
    """TensorFlow waits for every worker inside C++ (no Python runs): the watchdog process ends it."""
    ports = free_ports(2)
    proc = _start(ports, 0, tmp_path, "--epochs", "1", "--worker-timeout", "3")
    try:
        code = proc.wait(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    err = read(tmp_path, 0, "err")
    assert code == -signal.SIGKILL, err
    assert "[E714] no progress for 3 s while waiting for the other workers to join" in err, err
    assert "Traceback" not in err
