"""Training data by name (``digits``) or file (``.npz``), checked against the spec's inputs."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from graphspec.errors import TrainError, UsageError
from graphspec.ir.graph import Graph

__all__ = ["DATA_SOURCES", "FILE_FORMATS", "Dataset", "load_data", "resize_bilinear"]

_SPLITS: Final = ("train", "test")
_DIGITS_SIDE: Final = 8
_DIGITS_SUPPORTED: Final = (
    "an image input of rank 2 (H, W) or rank 3 (H, W, C), or a flat vector of 64"
)


@dataclass
class Dataset:
    """Train and test arrays: one array per model input and per model output, in spec order."""

    name: str
    input_names: list[str]
    output_names: list[str]
    x_train: list[np.ndarray]
    y_train: list[np.ndarray]
    x_test: list[np.ndarray]
    y_test: list[np.ndarray]

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return len(self.x_train[0])

    @property
    def n_test(self) -> int:
        """Number of test samples."""
        return len(self.x_test[0])

    def describe(self) -> str:
        """One line: name, sample counts and input shapes."""
        shapes = ", ".join(
            f"{n} {tuple(a.shape[1:])}" for n, a in zip(self.input_names, self.x_train, strict=True)
        )
        return f"{self.name}: {self.n_train} train / {self.n_test} test samples; {shapes}"


# -- shapes -------------------------------------------------------------------------------------


def _fmt(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _input_shape(graph: Graph, name: str) -> tuple[int | None, ...]:
    shape = graph[name].shape
    if shape is None:
        raise TrainError(f"input `{name}` has no known shape")
    return tuple(shape)


def _check_fits(array: np.ndarray, key: str, graph: Graph, name: str) -> None:
    """Raise :class:`TrainError` unless ``array`` holds samples of input ``name``'s shape."""
    expected = _input_shape(graph, name)
    found = array.shape[1:]
    fits = len(found) == len(expected) and all(
        e is None or e == f for e, f in zip(expected, found, strict=True)
    )
    if not fits:
        hint = ""
        if len(found) + 1 == len(expected) and expected[-1] == 1:
            hint = "; add a channel axis (e.g. x[..., None])"
        raise TrainError(
            f"{key} has shape {_fmt(array.shape)}: each sample is {_fmt(found)} but input "
            f"`{name}` expects {_fmt(expected)} (without the batch dimension){hint}"
        )
    if array.dtype.kind not in "biuf":
        raise TrainError(f"{key} has dtype {array.dtype}; expected numbers")


def _check_counts(data: Dataset) -> None:
    for split in _SPLITS:
        arrays = {
            f"{kind}_{split}[{i}]": a
            for kind in ("x", "y")
            for i, a in enumerate(getattr(data, f"{kind}_{split}"))
        }
        counts = {len(a) for a in arrays.values()}
        if len(counts) != 1:
            listed = ", ".join(f"{k}: {len(a)}" for k, a in arrays.items())
            raise TrainError(f"{split} arrays differ in sample count ({listed})")
        if counts == {0}:
            raise TrainError(f"the {split} split is empty")


# -- digits -------------------------------------------------------------------------------------


def resize_bilinear(images: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a batch ``(n, h, w)`` bilinearly with half-pixel centres, like ``tf.image.resize``.

    >>> resize_bilinear(np.arange(4.0).reshape(1, 2, 2), 4, 4)[0, 0]
    array([0.  , 0.25, 0.75, 1.  ])
    """
    rows = _interpolation_matrix(images.shape[1], height)
    cols = _interpolation_matrix(images.shape[2], width)
    resized: np.ndarray = np.einsum("ih,nhw,jw->nij", rows, images, cols)
    return resized


def _interpolation_matrix(size_in: int, size_out: int) -> np.ndarray:
    """The ``(size_out, size_in)`` matrix of bilinear weights."""
    centres = (np.arange(size_out) + 0.5) * size_in / size_out - 0.5
    centres = np.clip(centres, 0, size_in - 1)
    low = np.floor(centres).astype(int)
    high = np.minimum(low + 1, size_in - 1)
    frac = centres - low
    matrix = np.zeros((size_out, size_in))
    np.add.at(matrix, (np.arange(size_out), low), 1 - frac)
    np.add.at(matrix, (np.arange(size_out), high), frac)
    return matrix


def _digits_images(flat: np.ndarray, shape: tuple[int | None, ...], name: str) -> np.ndarray:
    """Digits ``(n, 64)`` in [0, 1] shaped for an input of ``shape``."""
    if len(shape) == 1 and shape[0] in (None, _DIGITS_SIDE**2):
        return flat
    if len(shape) in (2, 3):
        height, width = (d or _DIGITS_SIDE for d in shape[:2])
        images = flat.reshape(-1, _DIGITS_SIDE, _DIGITS_SIDE)
        if (height, width) != (_DIGITS_SIDE, _DIGITS_SIDE):
            images = resize_bilinear(images, height, width)
        if len(shape) == 3:
            images = np.repeat(images[..., None], shape[2] or 1, axis=-1)
        return images
    raise TrainError(
        f"digits are 8×8 grey images but input `{name}` expects {_fmt(shape)}; "
        f"digits fit {_DIGITS_SUPPORTED}"
    )


def _digits(graph: Graph) -> Dataset:
    """scikit-learn's bundled handwritten digits: 1,797 8×8 images, a fixed stratified split."""
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        raise TrainError(
            f"digits has one image and one label per sample, but the spec has "
            f"{len(graph.inputs)} input(s) and {len(graph.outputs)} output(s); "
            "use a .npz file with x_train_<input> / y_train_<output> keys"
        )
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    name = graph.inputs[0]
    shape = _input_shape(graph, name)
    bunch = load_digits()
    flat = (bunch.data / 16.0).astype(np.float32)
    x = _digits_images(flat, shape, name).astype(_float_dtype(graph, name))
    y = bunch.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=0
    )
    return Dataset("digits", [name], _output_names(graph), [x_train], [y_train], [x_test], [y_test])


def _float_dtype(graph: Graph, name: str) -> str:
    dtype = graph[name].dtype
    if not dtype.startswith(("float", "bfloat")):
        raise TrainError(f"digits are real-valued images but input `{name}` has dtype {dtype}")
    return "float32" if dtype == "bfloat16" else dtype


# -- .npz files ---------------------------------------------------------------------------------


def _output_names(graph: Graph) -> list[str]:
    return [name for name, _ in graph.outputs]


def _key(found: set[str], kind: str, split: str, name: str, only: bool) -> str:
    """The key holding ``kind``/``split`` for ``name``: ``x_train_<name>`` (or ``x_train``)."""
    own, plain = f"{kind}_{split}_{name}", f"{kind}_{split}"
    if own in found:
        return own
    if only and plain in found:
        return plain
    return plain if only else own


def _npz(path: Path, graph: Graph) -> Dataset:
    """Arrays from an ``.npz`` archive: x_train, y_train, x_test, y_test (never unpickled)."""
    try:
        archive = np.load(path, allow_pickle=False)
    except ValueError as err:
        raise TrainError(f"{path}: refused: {err} (graphspec never unpickles data)") from None
    except (OSError, zipfile.BadZipFile, EOFError) as err:
        raise TrainError(f"{path}: not a readable .npz archive ({err})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise TrainError(f"{path}: a single .npy array, not an .npz archive of named arrays")
    with archive:
        found = set(archive.files)
        names = {"x": list(graph.inputs), "y": _output_names(graph)}
        keys = {
            (kind, split): [_key(found, kind, split, n, len(names[kind]) == 1) for n in names[kind]]
            for kind in names
            for split in _SPLITS
        }
        missing = [k for ks in keys.values() for k in ks if k not in found]
        if missing:
            raise TrainError(
                f"{path}: missing array(s) {', '.join(missing)}; found: "
                f"{', '.join(sorted(found)) or 'none'}"
            )
        arrays = {k: _read(archive, path, k) for ks in keys.values() for k in ks}
    for split in _SPLITS:
        for key, name in zip(keys["x", split], graph.inputs, strict=True):
            _check_fits(arrays[key], key, graph, name)
    parts: dict[tuple[str, str], list[np.ndarray]] = {
        part: [arrays[k] for k in ks] for part, ks in keys.items()
    }
    return Dataset(
        path.name,
        list(graph.inputs),
        names["y"],
        parts["x", "train"],
        parts["y", "train"],
        parts["x", "test"],
        parts["y", "test"],
    )


def _read(archive: Any, path: Path, key: str) -> np.ndarray:
    try:
        array: np.ndarray = archive[key]
    except ValueError as err:
        raise TrainError(
            f"{path}: refused `{key}`: {err} (graphspec never unpickles data)"
        ) from None
    if array.ndim == 0:
        raise TrainError(f"{path}: `{key}` is a scalar; expected one row per sample")
    return array


# -- registries ---------------------------------------------------------------------------------

DATA_SOURCES: Final[dict[str, Callable[[Graph], Dataset]]] = {"digits": _digits}
"""Bundled data sets by name."""

FILE_FORMATS: Final[dict[str, Callable[[Path, Graph], Dataset]]] = {".npz": _npz}
"""Data file readers by suffix."""


def load_data(source: str, graph: Graph) -> Dataset:
    """Load ``source`` (a name from :data:`DATA_SOURCES` or a data file) for ``graph``'s inputs.

    Raises :class:`UsageError` for an unknown name or a missing file, :class:`TrainError` when
    the data do not fit the spec (shapes, keys, pickled content).
    """
    if source in DATA_SOURCES:
        data = DATA_SOURCES[source](graph)
    else:
        path = Path(source)
        reader = FILE_FORMATS.get(path.suffix.lower())
        if reader is None:
            known = " or ".join([*DATA_SOURCES, *(f"a {s} file" for s in FILE_FORMATS)])
            raise UsageError(f"unknown data {source!r}: expected {known}")
        if not path.is_file():
            raise UsageError(f"no such data file: {path}")
        data = reader(path, graph)
    _check_counts(data)
    return data
