"""Cost of reading hostile or large spec files with `explainspec check`, as ratios against
``python -c pass`` measured in the same run (issue 14.10).

Measures (wall time of the whole command, repeated runs, median):

- the library spec ``tests/lang/data/kernel_shap.espec`` (the baseline of a real spec);
- a spec with the largest list literal allowed (``literal_items`` = 10 000 numbers);
- a valid spec just under the token limit (``tokens`` = 50 000);
- a 440 KB file of list literals (reading stops at the token limit, ES112);
- the issue's 4 MB file of list literals (refused by its size before it is read, ES102).

Run::

    python bench/parse_cost.py [--runs 5]

Nothing here is asserted by the test suite: speed is measured, not tested.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKETCH = (ROOT / "tests" / "lang" / "data" / "kernel_shap.espec").read_text()
CHECK = "check sum(phi) == f(x) - mean(f(background)) within 1e-6"


def spec_with(check: str) -> str:
    return SKETCH.replace(CHECK, check, 1)


def files(folder: Path) -> dict[str, Path]:
    out = {}

    def write(name: str, text: str) -> None:
        path = folder / f"{name}.espec"
        path.write_text(text)
        out[name] = path

    write("library spec", SKETCH)
    write("10 000-item list", spec_with("check sum([" + ", ".join(["1"] * 10_000) + "]) > 0"))
    write("48 000 tokens", spec_with("check " + " and ".join(["phi[0] > -1"] * 6_000)))
    lists = ", ".join("[1, 2, 3]" for _ in range(40_000))
    write("440 KB of lists", spec_with(f"check sum([{lists}]) > 0"))
    big = ", ".join("[1, 2, 3]" for _ in range(400_000))
    write("4 MB of lists", spec_with(f"check sum([{big}]) > 0"))
    return out


def timed(cmd: list[str], runs: int) -> list[float]:
    subprocess.run(cmd, capture_output=True, check=False)  # warm-up
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    py = sys.executable
    base = statistics.median(timed([py, "-c", "pass"], args.runs))
    print(f"python -c pass: median {base * 1e3:.1f} ms ({args.runs} runs)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in files(Path(tmp)).items():
            proc = subprocess.run(
                [py, "-m", "explainspec", "check", "-q", str(path)], capture_output=True, text=True
            )
            codes = sorted({w for w in proc.stdout.split() if w.startswith("ES")}) or ["valid"]
            t = statistics.median(
                timed([py, "-m", "explainspec", "check", "-q", str(path)], args.runs)
            )
            size = path.stat().st_size
            print(
                f"{name:<18} {size / 1e3:8.0f} KB  median {t * 1e3:8.1f} ms  ratio "
                f"{t / base:6.1f}x  ({', '.join(codes)})"
            )


if __name__ == "__main__":
    main()
