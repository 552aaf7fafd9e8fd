"""Hypothesis' example database: scoped to the exact claim and seed, it never changes a verdict."""

from __future__ import annotations

from scale_plugins import OPTIONS, outcome

from explainspec.runner import settings
from explainspec.runner.cache import claim_database
from explainspec.runner.parallel import Execution
from explainspec.runner.run import run


def test_the_database_replays_and_the_verdicts_stay_those_of_the_seed(specs, tmp_path):
    db = tmp_path / "hypothesis"
    reference = outcome(list(run(specs, OPTIONS)))
    first = outcome(list(run(specs, OPTIONS, Execution(jobs=1, example_db=db))))
    assert any(db.rglob("*")), "the refuted claim's failure was not saved"
    second = outcome(list(run(specs, OPTIONS, Execution(jobs=2, example_db=db))))
    assert first == reference and second == reference


def test_claims_do_not_share_database_entries(tmp_path):
    a, b = claim_database(tmp_path, "claim-a"), claim_database(tmp_path, "claim-b")
    a.save(b"k", b"v")
    assert list(a.fetch(b"k")) == [b"v"] and list(b.fetch(b"k")) == []
    a.save(b"k.pareto", b"v")  # the pareto front is neither kept nor replayed
    assert list(a.fetch(b"k.pareto")) == []


def test_settings_always_have_a_database_so_attaching_one_does_not_change_the_search(tmp_path):
    # hypothesis optimises the target's pareto front whenever a database is set: the runner
    # therefore always sets one (keeping nothing by default)
    plain = settings.build_settings("fast")
    assert plain.database is not None and plain.database.inner is None
    settings.use_example_database(str(tmp_path), "k")
    try:
        kept = settings.build_settings("fast")
    finally:
        settings.use_example_database(None)
    assert kept.database.inner is not None
    assert plain.phases == kept.phases
