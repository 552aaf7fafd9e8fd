"""``explainspec audit``: bad inputs exit 2 with a located ES36x error and nothing run; a run
prints the report (text or JSON), writes the card, honours --budget and --spec."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from explainspec.cli import main
from tests.audit_helpers import diabetes

TREE = "sklearn.tree._tree.Tree"
FAST = ["--methods", "shap.tree,sklearn.partial_dependence", "--points", "3", "--background", "20"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    import skops.io as sio

    d = tmp_path_factory.mktemp("audit")
    frame, model = diabetes()
    sio.dump(model, d / "gbr.skops")
    frame.to_csv(d / "data.csv", index=False)
    (d / "gbr.pkl").write_bytes(pickle.dumps(model))
    return d


def run(argv, capsys):
    rc = main(["audit", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def base(files, *extra):
    return [
        "--model",
        f"gbr={files / 'gbr.skops'}",
        "--trust",
        TREE,
        "--data",
        f"db={files / 'data.csv'}",
        "--target",
        "target",
        *extra,
    ]


def test_audit_runs_and_prints_the_report(files, capsys):
    rc, out, err = run(base(files, *FAST), capsys)
    assert rc == 0, err
    assert "checks of 2 method(s)" in err and "about" in err  # the estimate, before the run
    assert "shap.tree" in out and "sklearn.partial_dependence" in out
    assert "holds   reliance        unused_column" in out
    assert "Summary" in out and "error max" in out


def test_json_output_and_card(files, tmp_path, capsys):
    out_file = tmp_path / "report.json"
    rc, _, err = run(
        base(
            files,
            *FAST,
            "--format",
            "json",
            "--output",
            str(out_file),
            "--docs",
            str(tmp_path / "site"),
        ),
        capsys,
    )
    assert rc == 0, err
    doc = json.loads(out_file.read_text())
    assert doc["kind"] == "explainspec-audit" and doc["methods"] == [
        "shap.tree",
        "sklearn.partial_dependence",
    ]
    f = next(
        x
        for x in doc["findings"]
        if x["method"] == "shap.tree" and x["claim"] == "interventional_shapley"
    )
    assert f["rows"] == 3 and f["error_max"] is not None and f["worst"][0]["row"].isdigit()
    assert f["worst"][0]["values"][0][0] == "age"  # column names carried through
    card = (tmp_path / "site" / "audit-gbr-db.md").read_text()
    assert card.startswith("# Audit: gbr on db") and "| shap.tree |" in card


@pytest.mark.parametrize(
    "mutate, code, where",
    [
        (lambda f: f.assign(city=["Paris"] * len(f)), "ES362", "'city'"),
        (
            lambda f: f.assign(bmi=[np.nan] + list(f["bmi"][1:])),
            "ES363",
            "'bmi': 1 missing (rows 0)",
        ),
        (lambda f: f.drop(columns=["bmi"]), "ES365", "bmi"),
        (lambda f: f.iloc[:0], "ES364", "no rows"),
    ],
    ids=["text column", "missing value", "missing column", "no rows"],
)
def test_bad_data_exits_2_naming_file_and_column(files, tmp_path, capsys, mutate, code, where):
    frame, _ = diabetes()
    bad = tmp_path / "bad.csv"
    mutate(frame).to_csv(bad, index=False)
    rc, out, err = run(
        [
            "--model",
            f"gbr={files / 'gbr.skops'}",
            "--trust",
            TREE,
            "--data",
            f"db={bad}",
            "--target",
            "target",
        ],
        capsys,
    )
    assert rc == 2 and out == ""
    assert f"{bad}: {code}" in err and where in err and "nothing was run" in err


def test_bad_models_exit_2(files, tmp_path, capsys):
    data = ["--data", f"db={files / 'data.csv'}", "--target", "target"]
    rc, _, err = run(["--model", f"gbr={files / 'gbr.skops'}", *data], capsys)
    assert rc == 2 and "ES368" in err and f"--trust {TREE}" in err
    rc, _, err = run(["--model", f"gbr={files / 'gbr.pkl'}", *data], capsys)
    assert rc == 2 and "ES369" in err and "--trust-pickle" in err
    rc, out, err = run(
        ["--model", f"gbr={files / 'gbr.pkl'}", "--trust-pickle", *data, *FAST], capsys
    )
    assert rc == 0, err
    import skops.io as sio

    sio.dump({"not": "a model"}, tmp_path / "dict.skops")
    rc, _, err = run(["--model", f"m={tmp_path / 'dict.skops'}", *data], capsys)
    assert rc == 2 and "ES360" in err and "unknown model type" in err
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    frame, _ = diabetes()
    X = frame.drop(columns="target")
    logged = make_pipeline(FunctionTransformer(np.log), LinearRegression()).fit(
        X.abs() + 1, frame["target"]
    )
    (tmp_path / "log.pkl").write_bytes(pickle.dumps(logged))
    rc, _, err = run(["--model", f"m={tmp_path / 'log.pkl'}", "--trust-pickle", *data], capsys)
    assert rc == 2 and "ES361" in err and "log.pkl" in err  # the log of negative values: NaN


def test_a_huge_data_file_is_refused_before_reading(files, tmp_path, capsys):
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as fh:
        fh.write(b"a,b\n")
        fh.truncate(10 * 1024**3)
    rc, _, err = run(
        ["--model", f"gbr={files / 'gbr.skops'}", "--trust", TREE, "--data", f"db={huge}"], capsys
    )
    assert rc == 2 and f"{huge}: ES366" in err


@pytest.mark.parametrize(
    "argv, text",
    [
        (["--model", "=x", "--data", "d=y"], "expected NAME=FILE"),
        (["--model", "a=x", "--model", "a=y", "--data", "d=y"], "bound twice"),
        (["--model", "a=x", "--model", "b=y", "--data", "d=y"], "one --model and one --data"),
    ],
)
def test_usage_errors(argv, text, capsys):
    rc, _, err = run(argv, capsys)
    assert rc == 2 and text in err


def test_budget_stops_after_the_running_check(files, capsys):
    rc, out, err = run(base(files, *FAST, "--budget", "0.001"), capsys)
    assert rc == 1
    assert "stopped by --budget" in out and "not run" in out


def test_user_spec_runs_instead_of_the_builtin_audit(files, tmp_path, capsys):
    spec = tmp_path / "mine.espec"
    spec.write_text(
        """spec mine "My reading" {
    method = shap.tree
    output = attribution
    question "?"
    world { function = user_model("gbr"); data = table("db"); background = sample(10); points = 2 }
    claim sums answers decomposition "The values add up." {
        check sum(phi) == f(x) - mean(f(background)) within 1e-3
    }
}"""
    )
    rc, out, err = run(base(files, "--spec", str(spec)), capsys)
    assert rc == 0, err
    assert "holds   decomposition   sums" in out and "on 2 rows" in out


def test_help_imports_nothing_heavy():
    code = (
        "import sys\nfrom explainspec.cli import main\n"
        "try:\n    main(['audit', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', [m for m in ('numpy', 'pandas', 'sklearn', 'shap', 'skops') if m in sys.modules], file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stderr, proc.stderr
    assert "--trust-pickle" in proc.stdout


def test_frame_index_gives_row_ids(tmp_path, capsys):
    frame, model = diabetes()
    import explainspec

    indexed = frame.set_index(pd.Index([f"p{i}" for i in range(len(frame))]))
    rep = explainspec.audit(
        model, indexed, target="target", methods=["shap.tree"], points=2, background=10
    )
    f = rep.finding("shap.tree", "interventional_shapley")
    assert all(w.row.startswith("p") for w in f.worst)


@pytest.mark.slow  # two worker processes import shap and scikit-learn: ~15 s of CPU
def test_two_worker_processes_give_the_same_report(files, capsys):
    def findings(jobs):
        rc, out, err = run(base(files, *FAST, "--format", "json", "--jobs", jobs), capsys)
        assert rc == 0, err
        doc = json.loads(out)
        return [
            (f["method"], f["claim"], f["verdict"], f["error_max"], f["rows"])
            for f in doc["findings"]
        ]

    assert findings("2") == findings("1")
