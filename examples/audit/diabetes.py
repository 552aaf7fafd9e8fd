"""Audit on scikit-learn's diabetes data (442 rows, 10 features): a gradient-boosting regressor.

    python examples/audit/diabetes.py            # fit, save, audit (offline)
    python examples/audit/diabetes.py --no-audit # only write model.skops and data.csv

Then, as the README shows:

    explainspec audit --model gbr=examples/audit/diabetes/model.skops \
        --trust sklearn.tree._tree.Tree --data diabetes=examples/audit/diabetes/data.csv \
        --target target
"""

from __future__ import annotations

import sys

from _common import TREE_TYPE, rel, run, save
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor


def main() -> int:
    frame = load_diabetes(as_frame=True).frame  # 10 features and the column "target"
    X, y = frame.drop(columns="target"), frame["target"]
    model = GradientBoostingRegressor(n_estimators=100, random_state=0).fit(X, y)
    folder = save("diabetes", model, frame)
    return run(
        [
            "--model",
            f"gbr={rel(folder / 'model.skops')}",
            "--trust",
            TREE_TYPE,
            "--data",
            f"diabetes={rel(folder / 'data.csv')}",
            "--target",
            "target",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
