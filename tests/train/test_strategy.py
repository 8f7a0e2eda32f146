"""Distribution: MirroredStrategy over two logical CPUs (in a subprocess), TF_CONFIG checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphspec.errors import TrainError
from graphspec.tools.train.fit import fit_spec
from graphspec.tools.train.strategy import is_chief, make_strategy, tf_config

from .conftest import ROOT

# Logical devices must be configured before TensorFlow initialises its devices: a fresh process.
TWO_CPUS = """
import sys
import tensorflow as tf
cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
from graphspec.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.keras
def test_mirrored_strategy_over_two_logical_cpus(tiny_a: Path, tmp_path: Path) -> None:
    history = tmp_path / "h.json"
    argv = ["fit", str(tiny_a), "--data", "digits", "--epochs", "3", "--batch-size", "16"]
    argv += ["--strategy", "mirrored"]
    proc = subprocess.run(
        [sys.executable, "-c", TWO_CPUS, *argv, "--history", str(history)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 replicas" in proc.stdout
    data = json.loads(history.read_text())
    assert (data["strategy"], data["replicas"]) == ("mirrored", 2)
    assert len(data["history"]["loss"]) == 3
    assert data["history"]["loss"][-1] < data["history"]["loss"][0]
    assert data["test"]["accuracy"] > 0.5  # chance is 0.1
    single = fit_spec(tiny_a, "digits", epochs=3, batch_size=16)  # one device, same seed
    assert single.replicas == 1
    assert abs(single.test["accuracy"] - data["test"]["accuracy"]) < 0.05


def test_multiworker_needs_tf_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(TrainError, match="needs the TF_CONFIG environment variable"):
        make_strategy("multiworker")
    monkeypatch.setenv("TF_CONFIG", "{cluster: ")
    with pytest.raises(TrainError, match="TF_CONFIG is not valid JSON"):
        make_strategy("multiworker")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('["worker"]', "must be an object with a `cluster` mapping"),
        ('{"cluster": {"worker": ["a:1"]}}', "must name this process's `task`"),
    ],
)
def test_tf_config_shape_is_checked(raw: str, message: str) -> None:
    with pytest.raises(TrainError, match=message):
        tf_config({"TF_CONFIG": raw})


def test_only_the_chief_writes() -> None:
    two = '{"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": %d}}'
    assert is_chief("multiworker", {"TF_CONFIG": two % 0})
    assert not is_chief("multiworker", {"TF_CONFIG": two % 1})
    chief = (
        '{"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "worker", "index": 0}}'
    )
    assert not is_chief("multiworker", {"TF_CONFIG": chief})
    assert is_chief("none", {})


def test_cli_multiworker_without_tf_config_fails_cleanly(
    tiny_a: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from graphspec.cli.main import main

    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert main(["fit", str(tiny_a), "--data", "digits", "--strategy", "multiworker"]) == 1
    assert "needs the TF_CONFIG environment variable" in capsys.readouterr().err
