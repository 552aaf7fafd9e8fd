"""Audit on scikit-learn's breast cancer data (569 rows, 30 features) with 6 feature groups.

A gradient-boosting classifier audited on its log-odds (its decision function), which is a sum
of trees, so the exact interventional Shapley values exist at d = 30; the 6 groups (size,
texture, smoothness, shape, symmetry, fractal dimension; each measured as mean, error and worst)
add the grouped check: may a group's summed values be read as the group's Shapley value?

    python examples/audit/breast_cancer.py            # fit, save, audit (offline)
    python examples/audit/breast_cancer.py --no-audit # only write the files
"""

from __future__ import annotations

import sys

from _common import TREE_TYPE, rel, run, save
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier

FAMILIES = {
    "size": ("radius", "perimeter", "area"),
    "texture": ("texture",),
    "smoothness": ("smoothness",),
    "shape": ("compactness", "concavity", "concave points"),
    "symmetry": ("symmetry",),
    "fractal dimension": ("fractal dimension",),
}


def groups(columns: list[str]) -> dict[str, list[str]]:
    """Each feature into the family of its measurement ('mean radius', 'radius error', ...)."""
    out: dict[str, list[str]] = {name: [] for name in FAMILIES}
    for c in columns:
        measure = c.removeprefix("mean ").removeprefix("worst ").removesuffix(" error")
        family = next(f for f, ms in FAMILIES.items() if measure in ms)
        out[family].append(c)
    return out


def main() -> int:
    frame = load_breast_cancer(as_frame=True).frame  # 30 features and the column "target"
    X, y = frame.drop(columns="target"), frame["target"]
    model = GradientBoostingClassifier(n_estimators=100, random_state=0).fit(X, y)
    folder = save("breast_cancer", model, frame, {"groups.json": groups(list(X.columns))})
    return run(
        [
            "--model",
            f"gbc={rel(folder / 'model.skops')}",
            "--trust",
            TREE_TYPE,
            "--output-scale",
            "log_odds",
            "--data",
            f"cancer={rel(folder / 'data.csv')}",
            "--target",
            "target",
            "--groups",
            rel(folder / "groups.json"),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
