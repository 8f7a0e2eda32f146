"""Search spaces, constraints and scales read with located errors; ``sweep --plan`` counts the
statically invalid and over-budget variants of a known space exactly (no TensorFlow)."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from graphspec import CheckResult, check, load
from graphspec.frontend.search import read_search, scale_params
from graphspec.tools.train.sweep.plan import plan_sweep

ROOT = Path(__file__).resolve().parents[2]
SWEEP_CNN = ROOT / "specs" / "sweep_cnn.yaml"

BASE = """\
params: {k: 3, j: 1}
%s
inputs: {x: {shape: [8, 8, 1]}}
nodes: {c: {type: Conv2D, filters: "${j}", kernel_size: "${k}"}}
"""


def _params(result: CheckResult) -> int:
    assert result.shapes is not None
    return result.shapes.total


@pytest.mark.parametrize(
    ("section", "code", "message"),
    [
        ("search: {nope: [1, 2]}", "E901", "`search` names `nope`, which is not a param"),
        ("search: {k: {low: 5, high: 2}}", "E902", r"empty range: low 5 is above high 2"),
        ("search: {k: []}", "E902", "search.k"),
        ("search: {k: {low: 1, high: 4, step: 0}}", "E903", r"step` must be above 0"),
        ("search: {k: [1, 3], j: {low: 1, high: 3, when: {zz: 1}}}", "E901", "when` names `zz`"),
        ("search: {k: [1, 3], j: {low: 1, high: 3, when: {k: 7}}}", "E904", "which it never is"),
        ("search: {k: {low: 1, high: 3, when: {j: 1}}, j: [1, 2]}", "E904", "searched after"),
        ("constraints: ['flopz <= 5']", "E905", "names `flopz`, which is neither a param"),
        ("scales: {s: {nope: 1}}", "E901", "scale `s` names `nope`"),
        ("scales: {s: [1, 2]}", "E906", "scale `s` must map params to values"),
    ],
)
def test_validate_locates_every_mistake_of_the_sections(
    section: str, code: str, message: str
) -> None:
    result = check(load(BASE % section))
    errors = [d for d in result.diagnostics if d.is_error]
    assert [d.code for d in errors] == [code]
    assert errors[0].line == 2
    assert re.search(message, errors[0].message), errors[0].message


def test_a_missing_scale_names_the_known_ones() -> None:
    spec = load(SWEEP_CNN)
    values, problems = scale_params(spec, "xl")
    assert values == {}
    assert [d.code for d in problems] == ["E906"]
    assert "its scales: s, m, l" in problems[0].message


def test_scales_change_the_static_figures() -> None:
    sizes = {s: _params(check(SWEEP_CNN, params={"@scale": s})) for s in ("s", "m", "l")}
    assert sizes["s"] < sizes["m"] < sizes["l"]
    assert sizes["m"] == _params(check(SWEEP_CNN))  # m is the spec's own params


def test_plan_reports_exactly_the_invalid_variants_of_a_known_space() -> None:
    """Two 5x5 valid convolutions shrink 8x8 to 0x0: every (depth 2, kernel 5) variant and
    no other is E501; the budget drops exactly the variants whose Keras-free count says so."""
    spec = load(SWEEP_CNN)
    space, problems = read_search(spec)
    assert problems == []
    plan = plan_sweep(spec, space)
    widths, denses, drops = [8, 16, 32], [16, 32, 48, 64], [0.0, 0.25, 0.5]
    expected = 0
    for _width, depth, kernel, _dense in itertools.product(widths, [1, 2], [3, 5], denses):
        if depth == 2 and kernel == 5:
            expected += len(drops)
    assert plan.size == 3 * 4 * (2 + 2 * 3)  # dropout only when depth 2
    assert not plan.sampled and plan.checked == plan.size
    assert plan.invalid == {"E501": expected}
    assert plan.counts["invalid"] == expected == 36
    over = 0
    for variant in space.enumerate():
        if variant["depth"] == 2 and variant["kernel"] == 5:
            continue
        if _params(check(spec, params=variant)) > 40_000:
            over += 1
    assert plan.over == {"params <= 40000": over}
    assert plan.counts["valid"] == plan.size - expected - over


def test_a_continuous_space_is_sampled_with_its_sample_size() -> None:
    spec = load(
        "params: {r: 0.1}\nsearch: {r: {low: 0.0, high: 0.9}}\ninputs: {x: {shape: [4]}}\n"
        "nodes: {d: {type: Dropout, rate: '${r}'}}\n"
    )
    plan = plan_sweep(spec, read_search(spec)[0], samples=40)
    assert plan.size is None and plan.sampled and plan.checked == 40
    assert plan.counts == {"valid": 40}


def test_sweep_plan_cli_json_and_text(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "graphspec.cli.main", "sweep", str(SWEEP_CNN), "--plan"]
    text = subprocess.run(run, capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert "the space holds 96 variants" in text
    assert "E501: 36" in text
    data = json.loads(
        subprocess.run(
            [*run, "--format", "json"], capture_output=True, text=True, check=True, cwd=tmp_path
        ).stdout
    )
    assert data["invalid_by_code"] == {"E501": 36}
    assert data["valid"] + data["invalid"] + data["over_budget"] == 96
    assert list(tmp_path.iterdir()) == []  # --plan writes nothing


def test_sweep_without_a_search_section_says_so(tmp_path: Path) -> None:
    spec = tmp_path / "plain.yaml"
    spec.write_text("inputs: {x: {shape: [4]}}\nnodes: {d: {type: Dense, units: 2}}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "graphspec.cli.main", "sweep", str(spec), "--plan"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "has no `search:` section" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_constraint_on_an_unknown_figure_counts_the_variant_invalid_as_n900() -> None:
    spec = load(
        "params: {u: 4}\nsearch: {u: [2, 4]}\nconstraints: ['flops <= 1e6']\n"
        "inputs: {x: {shape: [null, 8]}}\nnodes: {r: {type: LSTM, units: '${u}'}}\n"
    )
    plan = plan_sweep(spec, read_search(spec)[0])
    assert plan.invalid == {"N900": 2}
    assert "needs a static figure this variant leaves unknown" in plan.text()


def test_training_without_optuna_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['optuna'] = None\n"
        "from graphspec.cli.main import main\n"
        f"sys.exit(main(['sweep', {str(SWEEP_CNN)!r}, '--data', 'digits']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'graphspec[sweep]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []
