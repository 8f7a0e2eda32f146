"""JAX multi-process runs: which processes (flags, TF_CONFIG, Keras's variables) and batch shares."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphspec.errors import TrainError, UsageError
from graphspec.tools.train.shard import batch_indices
from graphspec.tools.train.strategy import (
    Cluster,
    check_cluster_flags,
    is_chief,
    is_multi_process,
    jax_cluster,
    jax_cluster_of,
)

KERAS_ENV = {
    "KERAS_DISTRIBUTION_JOB_ADDRESSES": "h1:1234,h2:1234,h3:1234",
    "KERAS_DISTRIBUTION_NUM_PROCESSES": "3",
    "KERAS_DISTRIBUTION_PROCESS_ID": "2",
}


def _tf_config(cluster: dict[str, list[str]], kind: str, index: int) -> dict[str, str]:
    return {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": kind, "index": index}})}


@pytest.mark.parametrize(
    ("kind", "index", "process"), [("chief", 0, 0), ("worker", 0, 1), ("worker", 1, 2)]
)
def test_tf_config_with_a_chief_numbers_the_chief_first(
    kind: str, index: int, process: int
) -> None:
    env = _tf_config({"worker": ["w0:2", "w1:2"], "chief": ["c:1"]}, kind, index)
    assert jax_cluster(environ=env) == Cluster("c:1", 3, process, "TF_CONFIG")
    assert is_chief("multiworker", env, backend="jax") == (process == 0)


def test_keras_variables_name_the_processes() -> None:
    assert jax_cluster(environ=KERAS_ENV) == Cluster("h1:1234", 3, 2, "KERAS_DISTRIBUTION_*")
    assert is_multi_process("data-parallel", KERAS_ENV)
    assert not is_chief("data-parallel", KERAS_ENV, backend="jax")


def test_flags_win_over_the_environment() -> None:
    flags = Cluster("127.0.0.1:9", 2, 0)
    assert jax_cluster(flags, environ=KERAS_ENV) is flags
    assert is_chief("multiworker", KERAS_ENV, backend="jax", cluster=flags)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, r"needs to know the processes: give every process --coordinator HOST:PORT"),
        (
            {**KERAS_ENV, **_tf_config({"worker": ["a:1"]}, "worker", 0)},
            "both TF_CONFIG and KERAS_DISTRIBUTION_JOB_ADDRESSES describe the processes",
        ),
        (_tf_config({"worker": ["a:1"], "ps": ["p:1"]}, "worker", 0), "names `ps` tasks"),
        (_tf_config({"worker": ["a:1"]}, "worker", 3), "task worker 3 is not in its cluster"),
        (_tf_config({"worker": ["nohost"]}, "worker", 0), "must be HOST:PORT"),
        (_tf_config({"worker": "a:1"}, "worker", 0), "cluster.worker must be a list"),  # type: ignore[dict-item]
        (
            {
                **KERAS_ENV,
                "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
                "KERAS_DISTRIBUTION_PROCESS_ID": "1",
            },
            "lists 3 addresses but KERAS_DISTRIBUTION_NUM_PROCESSES is 2",
        ),
    ],
)
def test_a_missing_or_unclear_cluster_is_an_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(TrainError, match=message):
        jax_cluster(environ=env)


@pytest.mark.parametrize(
    ("strategy", "backend", "args", "message"),
    [
        ("multiworker", "jax", ("h:1", None, 0), "--num-processes is missing"),
        ("multiworker", "jax", (None, 2, None), "--coordinator and --process-id are missing"),
        ("multiworker", "jax", ("h:1", 2, 2), r"--process-id 2 must be in 0\.\.1"),
        ("multiworker", "jax", ("h:99999", 2, 0), "a port in 1..65535"),
        ("multiworker", "tensorflow", ("h:1", 2, 0), "TensorFlow reads every worker's address"),
        ("none", "jax", ("h:1", 2, 0), "use them with --backend jax --strategy multiworker"),
    ],
)
def test_cluster_flags_are_checked(
    strategy: str, backend: str, args: tuple[str | None, int | None, int | None], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        check_cluster_flags(strategy, backend, *args)


def test_only_jax_joins_a_cluster() -> None:
    flags = Cluster("h:1", 2, 1)
    assert jax_cluster_of("multiworker", "jax", flags) == flags
    assert jax_cluster_of("multiworker", "tensorflow", flags) is None
    assert jax_cluster_of("none", "jax", flags) is None


@pytest.mark.parametrize(("samples", "batch", "processes"), [(24, 8, 2), (30, 12, 3), (10, 4, 2)])
def test_the_process_shares_put_together_are_the_global_batches(
    samples: int, batch: int, processes: int
) -> None:
    order = np.random.default_rng(0).permutation(samples)
    for number in range(-(-samples // batch)):
        shares = [batch_indices(order, number, batch, processes, p) for p in range(processes)]
        assert len({len(s) for s in shares}) == 1  # equal parts: the arrays can be assembled
        together = np.concatenate(shares)
        assert together.tolist() == order[number * batch : (number + 1) * batch].tolist()
