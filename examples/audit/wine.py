"""Audit on scikit-learn's wine data (178 rows, 13 features, 3 classes): a classifier.

A gradient-boosting classifier audited on the probability of class 0. A probability of boosted
trees is not a sum of trees, so the exact interventional Shapley values come from enumerating
all 2**13 coalitions (on 10 rows against 50 background rows, to keep it short); at 13 features
KernelSHAP's default budget (2 d + 2048 < 2**13) samples coalitions instead of enumerating them.

    python examples/audit/wine.py            # fit, save, audit (offline)
    python examples/audit/wine.py --no-audit # only write the files
"""

from __future__ import annotations

import sys

from _common import TREE_TYPE, rel, run, save
from sklearn.datasets import load_wine
from sklearn.ensemble import GradientBoostingClassifier


def main() -> int:
    frame = load_wine(as_frame=True).frame  # 13 features and the column "target" (0, 1, 2)
    X, y = frame.drop(columns="target"), frame["target"]
    model = GradientBoostingClassifier(n_estimators=100, random_state=0).fit(X, y)
    folder = save("wine", model, frame)
    return run(
        [
            "--model",
            f"gbc={rel(folder / 'model.skops')}",
            "--trust",
            TREE_TYPE,
            "--output-scale",
            "probability",
            "--class",
            "0",
            "--data",
            f"wine={rel(folder / 'data.csv')}",
            "--target",
            "target",
            "--points",
            "10",
            "--background",
            "50",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
