"""Audit on scikit-learn's wine data (178 rows, 13 features, 3 classes): a classifier.

A random forest audited on the probability of class 0: a forest's probability is the mean of its
trees' class frequencies, so the exact interventional Shapley values are computed from the trees
(at 13 features, KernelSHAP's default budget samples coalitions instead of enumerating them).

    python examples/audit/wine.py            # fit, save, audit (offline)
    python examples/audit/wine.py --no-audit # only write the files
"""

from __future__ import annotations

import sys

from _common import TREE_TYPE, rel, run, save
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier


def main() -> int:
    frame = load_wine(as_frame=True).frame  # 13 features and the column "target" (0, 1, 2)
    X, y = frame.drop(columns="target"), frame["target"]
    model = RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    folder = save("wine", model, frame)
    return run(
        [
            "--model",
            f"forest={rel(folder / 'model.skops')}",
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
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
