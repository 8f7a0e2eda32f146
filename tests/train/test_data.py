"""Training data: digits shaped for the spec's input, .npz files checked (never unpickled)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from graphspec import check
from graphspec.cli.main import main
from graphspec.errors import TrainError, UsageError
from graphspec.tools.train.data import load_data, resize_bilinear

from .conftest import SPECS


def _graph(shape: str, dtype: str = "float32"):
    text = f"""\
    inputs: {{img: {{shape: {shape}, dtype: {dtype}}}}}
    nodes: {{flat: {{type: Flatten}}, out: {{type: Dense, units: 10}}}}
    """
    return check(textwrap.dedent(text)).graph


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("[28, 28, 1]", (28, 28, 1)),
        ("[8, 8]", (8, 8)),
        ("[64]", (64,)),
        ("[16, 16, 3]", (16, 16, 3)),
        ("[null, null, 1]", (8, 8, 1)),
    ],
)
def test_digits_fit_the_input_shape(shape: str, expected: tuple[int, ...]) -> None:
    data = load_data("digits", _graph(shape))
    assert data.x_train[0].shape == (1347, *expected)
    assert data.x_test[0].shape == (450, *expected)
    assert data.x_train[0].dtype == np.float32
    assert data.x_train[0].min() >= 0.0 and data.x_train[0].max() <= 1.0
    assert sorted(set(data.y_train[0].tolist())) == list(range(10))


def test_digits_split_is_fixed_and_stratified() -> None:
    a, b = load_data("digits", _graph("[64]")), load_data("digits", _graph("[64]"))
    assert np.array_equal(a.x_test[0], b.x_test[0])
    counts = np.bincount(a.y_test[0])
    assert counts.min() >= 43 and counts.max() <= 47


def test_three_channels_repeat_the_grey_image() -> None:
    x = load_data("digits", _graph("[8, 8, 3]")).x_train[0]
    assert np.array_equal(x[..., 0], x[..., 2])


def test_resize_matches_half_pixel_bilinear() -> None:
    image = np.arange(16.0).reshape(1, 4, 4)
    assert np.allclose(resize_bilinear(image, 4, 4), image)
    assert resize_bilinear(image, 8, 8).shape == (1, 8, 8)
    assert np.isclose(resize_bilinear(image, 2, 2)[0, 0, 0], image[0, :2, :2].mean())


@pytest.mark.parametrize("shape", ["[10]", "[4, 4, 4, 1]"])
def test_digits_refuse_shapes_they_cannot_fill(shape: str) -> None:
    with pytest.raises(
        TrainError, match=r"digits fit an image input of rank 2 .* flat vector of 64"
    ):
        load_data("digits", _graph(shape))


def test_digits_refuse_integer_inputs() -> None:
    with pytest.raises(TrainError, match="has dtype int32"):
        load_data("digits", _graph("[64]", "int32"))


def test_digits_need_a_single_input() -> None:
    graph = check(SPECS / "multi_io.yaml").graph
    with pytest.raises(
        TrainError, match=r"spec has 2 input\(s\) and 2 output\(s\).*x_train_<input>"
    ):
        load_data("digits", graph)


def _npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def _split(n: int, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.random((n, *shape), dtype=np.float32),
        "y_train": rng.integers(0, 10, n),
        "x_test": rng.random((n // 2, *shape), dtype=np.float32),
        "y_test": rng.integers(0, 10, n // 2),
    }


def test_npz_loads(tmp_path: Path) -> None:
    path = _npz(tmp_path / "d.npz", **_split(20, (64,)))
    data = load_data(str(path), _graph("[64]"))
    assert (data.n_train, data.n_test, data.name) == (20, 10, "d.npz")


def test_npz_wrong_shape_says_expected_and_found(tmp_path: Path) -> None:
    path = _npz(tmp_path / "d.npz", **_split(20, (28, 28)))
    with pytest.raises(
        TrainError,
        match=r"x_train has shape \(20, 28, 28\): each sample is \(28, 28\) but input `img` "
        r"expects \(28, 28, 1\).*add a channel axis",
    ):
        load_data(str(path), _graph("[28, 28, 1]"))


def test_npz_missing_keys_are_listed(tmp_path: Path) -> None:
    arrays = _split(20, (64,))
    del arrays["y_test"]
    path = _npz(tmp_path / "d.npz", **arrays)
    with pytest.raises(TrainError, match=r"missing array\(s\) y_test; found: x_test, x_train"):
        load_data(str(path), _graph("[64]"))


def test_npz_sample_counts_must_agree(tmp_path: Path) -> None:
    arrays = _split(20, (64,))
    arrays["y_train"] = arrays["y_train"][:5]
    path = _npz(tmp_path / "d.npz", **arrays)
    with pytest.raises(TrainError, match="train arrays differ in sample count"):
        load_data(str(path), _graph("[64]"))


def test_npz_with_pickled_objects_is_refused(tmp_path: Path) -> None:
    arrays = _split(20, (64,))
    arrays["y_train"] = np.array([{"label": i} for i in range(20)], dtype=object)
    path = _npz(tmp_path / "d.npz", **arrays)
    with pytest.raises(TrainError, match=r"refused `y_train`.*never unpickles"):
        load_data(str(path), _graph("[64]"))


def test_pickle_file_named_npz_is_refused(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "d.npz"
    path.write_bytes(pickle.dumps({"x_train": [1, 2, 3]}))
    with pytest.raises(TrainError, match=r"refused.*never unpickles"):
        load_data(str(path), _graph("[64]"))


def test_multi_input_npz_uses_per_input_keys(tmp_path: Path) -> None:
    graph = check(SPECS / "multi_io.yaml").graph
    rng = np.random.default_rng(1)
    arrays = {}
    for split, n in (("train", 12), ("test", 6)):
        arrays[f"x_{split}_image"] = rng.random((n, 32, 32, 3), dtype=np.float32)
        arrays[f"x_{split}_meta"] = rng.random((n, 8), dtype=np.float32)
        arrays[f"y_{split}_label"] = rng.integers(0, 5, n)
        arrays[f"y_{split}_score"] = rng.random((n, 1), dtype=np.float32)
    data = load_data(str(_npz(tmp_path / "m.npz", **arrays)), graph)
    assert [a.shape for a in data.x_train] == [(12, 32, 32, 3), (12, 8)]
    assert data.output_names == ["label", "score"]
    del arrays["x_test_meta"]
    with pytest.raises(TrainError, match=r"missing array.*x_test_meta"):
        load_data(str(_npz(tmp_path / "m2.npz", **arrays)), graph)


def test_unknown_source_and_missing_file_are_usage_errors(tmp_path: Path) -> None:
    graph = _graph("[64]")
    with pytest.raises(UsageError, match=r"unknown data 'mnist': expected digits or a \.npz file"):
        load_data("mnist", graph)
    with pytest.raises(UsageError, match="no such data file"):
        load_data(str(tmp_path / "none.npz"), graph)


def test_cli_missing_data_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["fit", str(SPECS / "seed_sequential.yaml"), "--data", str(tmp_path / "x.npz")])
    assert status == 2
    assert "no such data file" in capsys.readouterr().err


def test_cli_bad_data_shape_exits_1_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _npz(tmp_path / "d.npz", **_split(20, (64,)))
    status = main(["fit", str(SPECS / "seed_sequential.yaml"), "--data", str(path)])
    assert status == 1
    assert "expects (28, 28, 1)" in capsys.readouterr().err


def test_cli_unknown_optimizer_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        (SPECS / "seed_sequential.yaml").read_text().replace("optimizer: adam", "optimizer: adan")
    )
    spec = tmp_path / "s.yaml"
    spec.write_text(text)
    assert main(["fit", str(spec), "--data", "digits"]) == 1
    err = capsys.readouterr().err
    assert "error[E701]: unknown optimizer `adan`" in err and "did you mean `adam`?" in err


def test_cli_output_must_be_keras(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(SPECS / "seed_sequential.yaml")
    assert main(["fit", spec, "--data", "digits", "-o", "model.h5"]) == 2
    assert "-o/--output must name a .keras file" in capsys.readouterr().err


def test_data_errors_come_before_tensorflow_is_imported(tmp_path: Path) -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from graphspec.cli.main import main; "
        f"status = main(['fit', {str(SPECS / 'seed_sequential.yaml')!r}, '--data', 'mnist']); "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules)); sys.exit(status)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout.strip() == "[]"
