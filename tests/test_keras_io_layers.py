"""keras.io examples built around layers of their own: ViT (``Patches``, ``PatchEncoder``), EANet
(``PatchExtract``, ``PatchEmbedding``) and the super-resolution EDSR (``DepthToSpace``), imported
from saved ``.keras`` files with ``--layers`` and compiled back to the same model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import graphspec
from graphspec.backends.keras import packages
from tests import _keras_examples as examples
from tests._roundtrip import assert_same_model
from tests.layer_packages import keras_io, keras_io_fixed

pytestmark = pytest.mark.keras

AS_PUBLISHED, FIXED = keras_io.__name__, keras_io_fixed.__name__


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    packages.reset()
    yield
    packages.reset()


def _import(run_cli: Callable[..., Any], model: Any, tmp_path: Path, module: str) -> Any:
    saved = tmp_path / "model.keras"
    model.save(saved)
    out = tmp_path / "model.yaml"
    return run_cli("import", str(saved), "-o", str(out), "--layers", module), out


@pytest.mark.parametrize(
    ("build", "module", "static"),
    [
        (examples.vit_classifier, FIXED, True),
        (examples.eanet, AS_PUBLISHED, False),  # as published: no compute_output_shape
        (examples.edsr, FIXED, True),
    ],
    ids=["vit", "eanet", "edsr"],
)
def test_imports_and_round_trips(
    build: Callable[..., Any],
    module: str,
    static: bool,
    tmp_path: Path,
    run_cli: Callable[..., Any],
) -> None:
    model = build(keras_io_fixed if module == FIXED else keras_io)
    run, spec = _import(run_cli, model, tmp_path, module)
    assert run.status == 0, run.err
    result = graphspec.check(spec)
    assert result.ok, [d.format() for d in result.errors]
    assert result.shapes is not None
    if static:  # shapes and parameters from Keras (compute_output_shape), every node known
        assert result.shapes.complete and result.shapes.total == model.count_params()
    else:
        assert [d.code for d in result.diagnostics] == ["N502"]
    assert_same_model(graphspec.compile(spec), model, size=8)


@pytest.mark.parametrize(
    ("build", "problems"),
    [
        (
            examples.vit_classifier,
            [
                "(Patches): tests.layer_packages.keras_io.Patches.__init__ takes no "
                "`name` (graphspec names every layer): add `**kwargs` and pass them on with "
                "`super().__init__(**kwargs)`",
                "(PatchEncoder): its config has no `projection_dim`, a required argument of "
                "tests.layer_packages.keras_io.PatchEncoder.__init__: return it from get_config()",
            ],
        ),
        (examples.edsr, ["DepthToSpace.__init__ takes no `name`"]),
    ],
    ids=["vit", "edsr"],
)
def test_as_published_the_import_says_what_to_change(
    build: Callable[..., Any], problems: list[str], tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    """Keras itself cannot load these classes back (no `name`, arguments missing from their
    configs): the import names each change, class by class, instead of failing later."""
    run, spec = _import(run_cli, build(keras_io), tmp_path, AS_PUBLISHED)
    assert run.status == 1 and not spec.exists()
    for problem in problems:
        assert problem in run.err
    assert "Traceback" not in run.err
