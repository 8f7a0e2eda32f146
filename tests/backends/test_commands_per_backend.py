"""The Keras-running commands on JAX and PyTorch, one child process per backend: validate --deep,
codegen (and its code run), compile, import; TensorFlow is never imported for them (Keras's
saving imports it). `fit` on each backend is proven by test_compare_backends.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ROOT, SPECS, needs, run_python

pytestmark = pytest.mark.keras

PROBE = r"""
import contextlib, io, json, sys
from pathlib import Path
from graphspec.cli.main import main

folder, backend, specs = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
report = {}

def run(name, *argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    report[name] = {"status": status, "out": out.getvalue(), "err": err.getvalue(),
                    "tensorflow": "tensorflow" in sys.modules}

run("validate", "validate", "--deep", "--backend", backend, *specs)
run("codegen", "codegen", specs[0], "--backend", backend, "-o", str(folder / "gen.py"))
namespace = {"__name__": "generated"}
exec(compile((folder / "gen.py").read_text(), "gen.py", "exec"), namespace)
generated = namespace["build_model"]()
run("compile", "compile", specs[0], "-o", str(folder / "m.keras"), "--backend", backend)
run("import", "import", str(folder / "m.keras"), "-o", str(folder / "back.yaml"), "--backend", backend)
import keras
report["keras_backend"] = keras.backend.backend()
report["generated_params"] = generated.count_params()
print(json.dumps(report))
"""


@pytest.fixture(scope="module", params=[pytest.param(b, marks=needs(b)) for b in ("jax", "torch")])
def report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    backend = request.param
    folder = tmp_path_factory.mktemp(f"{backend}-commands")
    specs = [str(SPECS / "seed_sequential.yaml"), str(SPECS / "resnet_mini.yaml")]
    argv = ["-c", PROBE, str(folder), backend, *specs]
    proc = run_python(argv, "tensorflow")  # --backend wins over KERAS_BACKEND
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    data["folder"] = str(folder)
    data["backend"] = backend
    return data


def test_backend_option_wins_over_the_environment(report: dict[str, object]) -> None:
    assert report["keras_backend"] == report["backend"]


@pytest.mark.parametrize("command", ["validate", "codegen", "compile", "import"])
def test_command_succeeds(report: dict[str, object], command: str) -> None:
    entry = report[command]
    assert isinstance(entry, dict)
    assert entry["status"] == 0, entry
    assert "Traceback" not in entry["err"]


def test_no_tensorflow_until_a_keras_file_is_saved(report: dict[str, object]) -> None:
    for command in ("validate", "codegen"):
        assert report[command]["tensorflow"] is False, command  # type: ignore[index]


def test_outputs_name_the_backend_and_match_graphspec(report: dict[str, object]) -> None:
    assert "specs/seed_sequential.yaml: ok" in report["validate"]["out"]  # type: ignore[index]
    compiled = f"(Sequential, 34,826 params, backend {report['backend']})"
    assert compiled in report["compile"]["out"]  # type: ignore[index]
    assert report["generated_params"] == 34_826
    code = (Path(str(report["folder"])) / "gen.py").read_text()
    assert f'os.environ["KERAS_BACKEND"] = "{report["backend"]}"' in code
    assert code.index("KERAS_BACKEND") < code.index("import keras")
    back = (Path(str(report["folder"])) / "back.yaml").read_text()
    assert "Conv2D" in back and str(ROOT) not in back
