"""Shared by the audit examples: save a fitted model (skops) and its data (CSV), run the audit.

Each example fits a model on one of scikit-learn's bundled data sets (no download), writes
``model.skops`` and ``data.csv`` into a folder beside the script, prints the
``explainspec audit`` command and runs it.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: the type skops 0.16 does not trust by default in every scikit-learn tree model (it reports it
#: with an explanation; the audit refuses the file until it is named with --trust)
TREE_TYPE = "sklearn.tree._tree.Tree"


def save(name: str, model: object, frame: object, extra: dict[str, object] | None = None) -> Path:
    import json

    import skops.io as sio

    folder = HERE / name
    folder.mkdir(exist_ok=True)
    sio.dump(model, folder / "model.skops")
    frame.to_csv(folder / "data.csv", index=False)  # type: ignore[attr-defined]
    for fname, obj in (extra or {}).items():
        (folder / fname).write_text(json.dumps(obj, indent=1), encoding="utf-8")
    return folder


def run(args: list[str]) -> int:
    """Print and run ``explainspec audit ARGS`` (paths relative to the current folder)."""
    print("$ explainspec audit " + " ".join(shlex.quote(a) for a in args), flush=True)
    if "--no-audit" in sys.argv[1:]:
        return 0
    return subprocess.call([sys.executable, "-m", "explainspec", "audit", *args])


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
