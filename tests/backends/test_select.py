"""Choosing the backend: --backend and KERAS_BACKEND, checked before Keras is imported."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from graphspec.backends.keras.select import (
    BACKENDS,
    BackendError,
    installed_backends,
    jax_cpu_pool,
    requested_backend,
    select_backend,
)
from graphspec.tools.train.strategy import STRATEGIES, verify_strategy

from .conftest import RUN, SEED_CNN, run_python


def test_every_backend_names_its_package_and_install_command() -> None:
    assert list(BACKENDS) == ["tensorflow", "jax", "torch"]
    for name, info in BACKENDS.items():
        assert info.module == name and info.install.startswith("pip install ")
    assert {"tensorflow", "jax"} <= set(installed_backends())  # both are dev dependencies


def test_keras_backend_variable_and_keras_json(tmp_path: Path) -> None:
    assert requested_backend({"KERAS_BACKEND": " jax "}) == "jax"
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "torch"}))
    assert requested_backend({"KERAS_HOME": str(tmp_path)}) == "torch"
    assert requested_backend({"KERAS_HOME": str(tmp_path), "KERAS_BACKEND": "jax"}) == "jax"
    with pytest.raises(BackendError, match=r"\[E711\] unknown Keras backend 'theano' \(from "):
        requested_backend({"KERAS_BACKEND": "theano"})


def test_a_missing_backend_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # as if PyTorch were not installed
    env: dict[str, str] = {}
    with pytest.raises(BackendError, match=r"\[E710\] .*`torch`.*pip install torch") as info:
        select_backend("torch", environ=env)
    assert info.value.code == "E710" and env == {}


def test_keras_already_running_cannot_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    import keras

    assert keras.backend.backend() == "tensorflow"
    with pytest.raises(BackendError, match=r"\[E712\] Keras is already running on tensorflow"):
        select_backend("jax", environ={})
    env: dict[str, str] = {}
    assert select_backend("tensorflow", environ=env) == "tensorflow"
    assert env == {"KERAS_BACKEND": "tensorflow"}


def test_cli_exits_2_naming_the_package(
    monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., object], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    out = tmp_path / "m.keras"
    run = run_cli("compile", SEED_CNN, "-o", out, "--backend", "torch")
    assert run.status == 2  # type: ignore[attr-defined]
    assert "graphspec compile: error: [E710]" in run.err  # type: ignore[attr-defined]
    assert "pip install torch" in run.err  # type: ignore[attr-defined]
    assert not out.exists()


def test_cli_refuses_an_unknown_backend(run_cli: Callable[..., object]) -> None:
    run = run_cli("fit", SEED_CNN, "--data", "digits", "--backend", "theano")
    assert run.status == 2  # type: ignore[attr-defined]
    assert "invalid choice: 'theano'" in run.err  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("strategy", "backend", "message"),
    [
        ("mirrored", "torch", "needs the tensorflow backend; the torch backend runs only"),
        ("mirrored", "jax", "on jax, use --strategy data-parallel"),
        ("data-parallel", "tensorflow", "on tensorflow, use --strategy mirrored"),
        ("data-parallel", "torch", "needs the jax backend"),
        ("multiworker", "torch", "needs the tensorflow or jax backend"),
    ],
)
def test_a_strategy_the_backend_cannot_honour_is_refused(
    strategy: str, backend: str, message: str
) -> None:
    with pytest.raises(BackendError, match=rf"\[E713\] --strategy {strategy} .*{message}"):
        verify_strategy(strategy, backend)


def test_the_strategy_table_covers_every_backend() -> None:
    """docs/training.md's table: each strategy is run, or refused, on each backend."""
    table = (Path(__file__).resolve().parents[2] / "docs/training.md").read_text()
    for name, info in STRATEGIES.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{name}` |"))
        cells = [c.strip() for c in row.strip("|").split("|")][1:4]
        for backend, cell in zip(BACKENDS, cells, strict=True):
            assert cell.startswith("yes" if backend in info.factories else "refused"), row


def test_cli_refuses_mirrored_on_jax_before_training() -> None:
    proc = run_python(
        ["-c", RUN, "fit", str(SEED_CNN), "--data", "digits", "--strategy", "mirrored"],
        "jax",
    )
    assert proc.returncode == 2, proc.stderr
    assert "[E713] --strategy mirrored needs the tensorflow backend" in proc.stderr
    assert "training" not in proc.stdout


def test_doctor_names_the_backend_and_the_backend_packages(
    run_cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_cli("doctor")
    out = run.out  # type: ignore[attr-defined]
    assert "keras backend      tensorflow (--backend or KERAS_BACKEND to change)" in out
    assert "\njax " in out and "\ntorch " in out
    monkeypatch.setenv("KERAS_BACKEND", "theano")
    run = run_cli("doctor")
    assert run.status == 0  # type: ignore[attr-defined]
    assert "[E711] unknown Keras backend 'theano'" in run.out  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("environ", "size"),
    [
        ({"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}, 8),
        ({"XLA_FLAGS": "--foo=1 --xla_force_host_platform_device_count=3 --bar"}, 12),
        ({"JAX_NUM_CPU_DEVICES": "2"}, 8),
        ({"XLA_FLAGS": "--xla_force_host_platform_device_count=1"}, None),
        ({}, None),
    ],
)
def test_several_jax_cpu_devices_get_a_thread_pool_that_cannot_starve(
    environ: dict[str, str], size: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert jax_cpu_pool(environ) == size
    assert environ.get("PJRT_NPROC") == (None if size is None else str(size))


@pytest.mark.parametrize("var", ["PJRT_NPROC", "NPROC"])
def test_a_thread_pool_size_the_user_set_is_kept(var: str) -> None:
    environ = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2", var: "3"}
    assert jax_cpu_pool(environ) == 3
    assert environ == {"XLA_FLAGS": "--xla_force_host_platform_device_count=2", var: "3"}


def test_choosing_jax_before_it_is_imported_sizes_the_pool() -> None:
    probe = (
        "import os, sys; from graphspec.backends.keras.select import select_backend; "
        "select_backend('jax'); assert 'jax' not in sys.modules; print(os.environ['PJRT_NPROC'])"
    )
    proc = run_python(
        ["-c", probe], "jax", extra_env={"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.split()[-1]) >= 8
