"""The built-in library verifies at the `fast` profile: every claim verified or shown, by search.

This is the project's main job (the README's first command) run inside the test suite, so CI
fails when a change breaks a claim. It runs the real CLI on every spec in `specs/`, on two worker
processes, without the results cache or hypothesis's example database (nothing from an earlier
run is replayed), and reads the versioned JSON report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from explainspec.lang import discover, load
from explainspec.registry import registry
from explainspec.resources import specs_dir
from explainspec.runner.claim import missing_library


def test_every_builtin_claim_is_verified_or_shown(tmp_path: Path) -> None:
    report = tmp_path / "library.json"
    env = {**os.environ, "EXPLAINSPEC_NO_CACHE": "1", "NO_COLOR": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "explainspec",
            "verify",
            str(specs_dir()),
            "--profile",
            "fast",
            "--jobs",
            "2",
            "--no-cache",
            "--format",
            "json",
            "--output",
            str(report),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=1500,
    )
    data = json.loads(report.read_text("utf-8"))
    claims = data["claims"]
    # a spec is skipped exactly when its method needs a module that is not installed (the torch
    # extra for captum_*, [ale] for ale_pyale, [dice] for dice_*: not in the test extra)
    specs = [load(p) for p in discover([specs_dir()])]
    optional = {s.name for s in specs if registry("method").get(s.method.use).extra.get("needs")}
    must_skip = {
        s.name for s in specs if missing_library(registry("method").get(s.method.use)) is not None
    }
    skipped = {c["spec"] for c in claims if c["verdict"] == "skipped"}
    assert skipped == must_skip, (sorted(skipped), sorted(must_skip))
    assert {"captum_saliency", "ale_pyale", "dice_random", "shapiq_exact_ksii"} <= optional
    failed = [c for c in claims if not c["passed"] and c["verdict"] != "skipped"]
    details = "\n\n".join(
        f"{c['spec']}.{c['claim']} ({c['kind']}): {c['verdict']}\n"
        + (c.get("error") or json.dumps(c.get("counterexample"), indent=1)[:2000])
        for c in failed
    )
    assert not failed, f"{len(failed)} claims failed:\n{details}"
    # every claim of every spec ran (none skipped, none lost)
    expected = sum(len(s.claims) for s in specs)
    assert len(claims) == expected == data["planned_claims"]
    assert data["status"] == "complete" and data["passed"] is True
    assert {c["verdict"] for c in claims} <= {"verified", "shown", "skipped"}
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
