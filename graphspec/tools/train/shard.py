"""Each process's share of every global batch, for data-parallel training across processes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["batch_indices", "process_share"]


def batch_indices(
    order: np.ndarray, batch: int, batch_size: int, processes: int, process_id: int
) -> np.ndarray:
    """The sample indices process ``process_id`` feeds for global batch number ``batch``.

    The global batch ``order[batch * batch_size : (batch + 1) * batch_size]`` is cut into
    ``processes`` equal consecutive parts, in process order: put back together (JAX's
    ``make_array_from_process_local_data`` does), they are the global batch one process reads.

    >>> batch_indices(np.arange(10), 1, 4, 2, 1)
    array([6, 7])
    >>> batch_indices(np.arange(10), 2, 4, 2, 0)  # the short last batch: 2 samples, 1 each
    array([8])
    """
    rows = order[batch * batch_size : (batch + 1) * batch_size]
    part = len(rows) // processes
    return rows[process_id * part : (process_id + 1) * part]


def _take(data: Any, rows: np.ndarray) -> Any:
    """``data`` (an array, a list or a dict of arrays) restricted to ``rows``."""
    if isinstance(data, dict):
        return {k: _take(v, rows) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_take(v, rows) for v in data]
    return data[rows]


def _count(data: Any) -> int:
    if isinstance(data, dict):
        return _count(next(iter(data.values())))
    if isinstance(data, list | tuple):
        return _count(data[0])
    return len(data)


def process_share(
    x: Any, y: Any, batch_size: int, processes: int, process_id: int, *, shuffle: bool
) -> Any:
    """A ``keras.utils.PyDataset`` of this process's part of every global batch of ``(x, y)``.

    Every process holds the whole data set and draws the same order: with ``shuffle``, a new
    ``np.random.permutation`` at the start of each epoch, from NumPy's global generator, as
    Keras does for arrays (so under the same seed the global batches are those one process
    would train on). ``batch_size`` is the global batch; the sample counts must be multiples of
    ``processes`` (the caller cuts them) so that every global batch splits evenly.
    """
    import keras

    samples = _count(x)

    class ProcessShare(keras.utils.PyDataset):  # type: ignore[misc]  # keras is untyped
        def __init__(self) -> None:
            super().__init__()
            self.order = np.arange(samples)

        def __len__(self) -> int:
            return math.ceil(samples / batch_size)

        def on_epoch_begin(self) -> None:
            if shuffle:
                self.order = np.random.permutation(samples)

        def __getitem__(self, batch: int) -> tuple[Any, Any]:
            rows = batch_indices(self.order, batch, batch_size, processes, process_id)
            return _take(x, rows), _take(y, rows)

    return ProcessShare()
