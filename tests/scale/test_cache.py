"""The results cache: unchanged claims are not re-run; a bad cache is never trusted."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
import warnings

import pytest
import scale_plugins
from scale_plugins import OPTIONS, outcome

from explainspec.lang import load
from explainspec.runner.cache import (
    APPLICATION_ID,
    CacheWarning,
    ResultsCache,
    RowError,
    decode_result,
    default_cache_dir,
    encode_result,
)
from explainspec.runner.events import (
    ClaimFinished,
    ClaimResult,
    Counterexample,
    Quantity,
    Timings,
    Verdict,
)
from explainspec.runner.parallel import Execution
from explainspec.runner.plan import RunOptions
from explainspec.runner.run import run


def result(**kw):
    base = dict(spec="s", claim="c", kind="holds", verdict=Verdict.REFUTED, margin=float("-inf"))
    base.update(kw)
    return ClaimResult(**base)


COUNTER = Counterexample(
    function="f(x) = x0",
    distribution="grid",
    d=1,
    point=(1.0,),
    baseline=None,
    background_rows=3,
    phi=[[0.5], [float("nan")]],
    quantities=(Quantity(text="sum(phi)", value=0.5, shown="0.5"),),
    margin=-0.5,
    seed=0,
    world_seed=7,
    reproduce="explainspec verify s.espec",
    info=(("noise", "0"),),
)


def test_a_result_survives_the_round_trip():
    r = result(counterexample=COUNTER, timings=Timings(method=1.5), margin=float("inf"))
    back = decode_result(encode_result(r))
    assert back.verdict is Verdict.REFUTED and back.margin == float("inf")
    assert back.counterexample.quantities == COUNTER.quantities
    assert back.counterexample.point == (1.0,) and back.counterexample.info == (("noise", "0"),)
    assert dataclasses.replace(back, counterexample=None) == dataclasses.replace(
        r, counterexample=None
    )


@pytest.mark.parametrize(
    "text",
    ["", "[]", "{}", '{"row_format": 99, "result": {}}', '{"row_format": 1, "result": {"x": 1}}'],
)
def test_rows_that_do_not_decode_are_rejected(text):
    with pytest.raises(RowError):
        decode_result(text)


def test_only_final_verdicts_are_stored(tmp_path):
    with ResultsCache(tmp_path / "c.sqlite") as cache:
        assert not cache.put("k1", result(verdict=Verdict.ERROR))
        assert cache.put("k2", result(verdict=Verdict.VERIFIED))
        assert cache.get("k1", "s.c") is None
        assert cache.get("k2", "s.c").verdict is Verdict.VERIFIED
        assert cache.durations(["s.c"]) == {"s.c": 0.0}


def test_a_row_that_fails_to_decode_is_discarded(tmp_path):
    path = tmp_path / "c.sqlite"
    with ResultsCache(path) as cache:
        cache.put("k", result(verdict=Verdict.VERIFIED))
        cache.put("other", result(verdict=Verdict.VERIFIED))
    db = sqlite3.connect(path)
    db.execute("UPDATE results SET payload = '{broken' WHERE key = 'k'")
    db.execute("UPDATE results SET claim = 's.elsewhere' WHERE key = 'other'")
    db.commit()
    db.close()
    with ResultsCache(path) as cache:
        assert cache.get("k", "s.c") is None
        assert cache.get("other", "s.c") is None
        assert cache.discarded == 2
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM results").fetchone()[0]
    assert rows == 0


def test_a_garbage_file_is_rebuilt(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"not a database at all\x00" * 100)
    with ResultsCache(path) as cache:
        assert any("rebuilt" in w for w in cache.warnings)
        cache.put("k", result(verdict=Verdict.VERIFIED))
        assert cache.get("k", "s.c") is not None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_an_old_schema_version_is_rebuilt(tmp_path):
    path = tmp_path / "c.sqlite"
    with ResultsCache(path) as cache:
        cache.put("k", result(verdict=Verdict.VERIFIED))
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with ResultsCache(path) as cache:
        assert any("schema version 99" in w for w in cache.warnings)
        assert cache.get("k", "s.c") is None


def test_another_applications_database_is_moved_aside_not_read(tmp_path):
    path = tmp_path / "c.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE results (key TEXT, claim TEXT, verdict TEXT, payload TEXT)")
    db.execute("INSERT INTO results VALUES ('k', 's.c', 'verified', 'precious')")
    db.commit()
    db.close()
    with ResultsCache(path) as cache:
        assert cache.get("k", "s.c") is None
        assert any("not an explainspec cache" in w for w in cache.warnings)
    aside = tmp_path / "c.sqlite.foreign"
    assert sqlite3.connect(aside).execute("SELECT payload FROM results").fetchone() == ("precious",)


def test_a_rerun_takes_every_claim_from_the_cache(specs, tmp_path):
    execution = Execution(jobs=1, cache=tmp_path / "cache.sqlite")
    first = list(run(specs, OPTIONS, execution))
    second = list(run(specs, OPTIONS, execution))
    assert outcome(second) == outcome(first)
    assert not any(e.result.cached for e in first if isinstance(e, ClaimFinished))
    assert all(e.result.cached for e in second if isinstance(e, ClaimFinished))
    # a different seed is another search: nothing cached
    third = list(run(specs[:1], dataclasses.replace(OPTIONS, seed=4), execution))
    assert not any(e.result.cached for e in third if isinstance(e, ClaimFinished))


def test_editing_a_claim_reruns_only_that_claim(specs, tmp_path):
    execution = Execution(jobs=1, cache=tmp_path / "cache.sqlite")
    list(run(specs, OPTIONS, execution))
    (tmp_path / "edited").mkdir()
    edited = scale_plugins.write_spec(tmp_path / "edited", "a_exact", "exact", tol="1e-8")
    events = list(run([load(edited), specs[1]], OPTIONS, execution))
    cached = {e.result.id: e.result.cached for e in events if isinstance(e, ClaimFinished)}
    assert cached == {
        "a_exact.efficiency": False,
        "a_exact.dummy": True,
        "a_exact.all_zero": True,
        "b_dropped.efficiency": True,
        "b_dropped.dummy": True,
        "b_dropped.all_zero": True,
    }
    # the cached result carries this run's file path in its reproduce line
    moved = [e.result for e in events if isinstance(e, ClaimFinished)]
    assert all(r.source == str(edited) for r in moved if r.spec == "a_exact")


def test_the_pool_writes_the_cache_the_in_process_run_reads(specs, tmp_path):
    cache = tmp_path / "cache.sqlite"
    pooled = list(run(specs, OPTIONS, Execution(jobs=2, cache=cache)))
    here = list(run(specs, OPTIONS, Execution(jobs=1, cache=cache)))
    assert outcome(here) == outcome(pooled)
    assert all(e.result.cached for e in here if isinstance(e, ClaimFinished))


def test_a_bad_cache_warns_and_the_run_goes_on(specs, tmp_path):
    path = tmp_path / "cache.sqlite"
    path.write_text("garbage")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = list(run(specs, OPTIONS, Execution(jobs=1, cache=path)))
    assert any(issubclass(w.category, CacheWarning) for w in caught)
    assert len(events[-1].result.claims) == 6


def _cli(tmp_path, *args):
    code = (
        "import sys, json\n"
        "from explainspec.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "heavy = [m for m in ('hypothesis', 'explainspec.runner.claim', 'shap', 'sklearn') "
        "if m in sys.modules]\n"
        "print(json.dumps({'rc': rc, 'heavy': heavy}))\n"
    )
    env_path = str(scale_plugins.__file__).rsplit("/", 1)[0]
    proc = subprocess.run(
        [sys.executable, "-c", code, "verify", *map(str, args), "--plugin", "scale_plugins"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            "PYTHONPATH": env_path,
            "NO_COLOR": "1",
            "PATH": "/usr/bin:/bin",
            "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],  # set by tests/conftest.py
            "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"],
        },
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    *lines, last = proc.stdout.strip().splitlines()
    return json.loads(last), "\n".join(lines), proc.stderr


def test_a_cached_rerun_imports_nothing_heavy_and_says_cached(tmp_path):
    spec = scale_plugins.write_spec(tmp_path, "a_exact", "exact")
    args = (spec, "--profile", "fast", "--max-examples", "5", "--jobs", "1")
    first, out1, _ = _cli(tmp_path, *args)
    assert first["rc"] == 0 and "hypothesis" in first["heavy"]
    # the cache is in the user's cache folder, never in the checkout
    assert (default_cache_dir(tmp_path) / "cache.sqlite").exists()
    assert not (tmp_path / ".explainspec").exists()
    second, out2, _ = _cli(tmp_path, *args, "--format", "json", "--output", "r.json")
    assert second == {"rc": 0, "heavy": []}
    assert out2.count(", cached") == 3
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [c["cached"] for c in doc["claims"]] == [True, True, True]
    third, out3, _ = _cli(tmp_path, *args, "--no-cache")
    assert "hypothesis" in third["heavy"] and ", cached" not in out3


def test_cli_rejects_bad_scale_options(tmp_path):
    from explainspec.cli import main

    spec = scale_plugins.write_spec(tmp_path, "a_exact", "exact")
    assert main(["verify", str(spec), "--jobs", "0", "--plugin", "scale_plugins"]) == 2
    assert main(["verify", str(spec), "--executor", "dask", "--plugin", "scale_plugins"]) == 2


def test_options_that_cannot_change_a_verdict_are_not_in_the_key(specs):
    from explainspec.runner.cache import claim_key
    from explainspec.runner.plan import plan

    (_, [p, *_]), *_ = plan(specs, OPTIONS)
    q = dataclasses.replace(p, options=dataclasses.replace(OPTIONS, timeout=5.0))
    v = {"numpy": "1"}
    assert claim_key(p, v) == claim_key(q, v)
    assert claim_key(p, v) != claim_key(p, {"numpy": "2"})
    r = dataclasses.replace(
        p, options=dataclasses.replace(OPTIONS, profile="standard", max_examples=6)
    )
    assert claim_key(p, v) != claim_key(r, v)  # replicates differ between profiles


def test_options_default_is_no_cache():
    assert RunOptions().profile  # run() without an execution never touches a cache
