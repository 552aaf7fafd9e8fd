"""A cache that a checkout ships never decides a verdict (issue 14.2).

``verify`` used to trust ``.explainspec/cache.sqlite`` in the working directory: a pull request
that shipped that file with a row edited to ``verified`` turned a refuted claim green. The cache
now lives in the user's cache folder, and every row (and every example-database entry) carries an
HMAC under a secret in the user's configuration folder, so a forged row is refused wherever the
file is.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from explainspec.cli import main
from explainspec.runner import cache as cache_module
from explainspec.runner.cache import claim_database, default_cache_dir

REFUTED = """spec forged "A false claim" {
    method = reference.shapley
    output = attribution
    question "How does f(x) split among the features?"
    world { function = linear; features = 1..3; data = grid(levels = 3); background = data; points = 2 }
    claim sums_to_prediction holds "The attributions add up to f(x)." {
        check sum(phi) == f(x) within 1e-9
    }
}
"""
ARGS = ["--profile", "fast", "--max-examples", "5", "--jobs", "1"]


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A checkout holding a refuted claim, as the working directory."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "forged.espec").write_text(REFUTED)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'victim'\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("EXPLAINSPEC_NO_CACHE", raising=False)
    return tmp_path


def forge(path, sign=None):
    """Edit every row of the cache at ``path`` to ``verified`` (optionally re-signed by ``sign``,
    an attacker's own secret). Returns the number of rows edited."""
    db = sqlite3.connect(path)
    rows = db.execute("SELECT key, claim, payload FROM results").fetchall()
    for key, claim, payload in rows:
        doc = json.loads(payload)
        doc["result"].update(verdict="verified", margin=1.0, counterexample=None)
        text = json.dumps(doc)
        db.execute(
            "UPDATE results SET verdict = 'verified', payload = ? WHERE key = ?", (text, key)
        )
        if sign is not None:
            db.execute(
                "UPDATE results SET mac = ? WHERE key = ?",
                (sign(key, claim, "verified", text), key),
            )
    db.commit()
    db.close()
    return len(rows)


def shipped_cache(checkout, capsys):
    """The cache a pull request ships: made by a real run, in the checkout's .explainspec/."""
    shipped = checkout / ".explainspec" / "cache.sqlite"
    assert main(["verify", "specs", *ARGS, "--cache", str(shipped)]) == 1
    capsys.readouterr()
    return shipped


def test_a_forged_cache_in_the_checkout_is_not_read_by_default(checkout, capsys):
    assert forge(shipped_cache(checkout, capsys)) == 1
    assert main(["verify", "specs", *ARGS]) == 1
    out = capsys.readouterr().out
    assert "refuted" in out and ", cached" not in out
    # the default cache is the user's, outside the checkout
    assert checkout not in default_cache_dir().parents


def test_a_forged_row_is_refused_wherever_the_cache_is(checkout, capsys):
    shipped = shipped_cache(checkout, capsys)
    for option in (["--cache", str(shipped)], ["--cache-dir", str(shipped.parent)]):
        assert forge(shipped) == 1
        assert main(["verify", "specs", *ARGS, *option]) == 1
        out = capsys.readouterr().out
        assert "refuted" in out and ", cached" not in out


def test_a_row_signed_with_another_secret_is_refused(checkout, capsys, monkeypatch):
    shipped = shipped_cache(checkout, capsys)
    ours = cache_module.secret_key()
    monkeypatch.setattr(cache_module, "_SECRET", b"the attacker's own secret, 32 b.")
    forge(shipped, sign=cache_module.mac)
    monkeypatch.setattr(cache_module, "_SECRET", ours)
    assert main(["verify", "specs", *ARGS, "--cache", str(shipped)]) == 1
    assert ", cached" not in capsys.readouterr().out
    # and a row this user's explainspec wrote is still used
    assert main(["verify", "specs", *ARGS, "--cache", str(shipped)]) == 1
    assert ", cached" in capsys.readouterr().out


def test_the_secret_is_kept_outside_the_checkout(checkout):
    import platformdirs

    key_file = platformdirs.user_config_path("explainspec") / cache_module.KEY_FILE
    assert len(cache_module.secret_key()) == 32 and key_file.read_bytes()[:32]
    assert checkout not in key_file.parents
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_example_database_entries_not_written_by_explainspec_are_never_replayed(tmp_path):
    """A shipped example database could spend a claim's budget of worlds on harmless ones (so the
    search stops before the refuting world): foreign entries are not replayed at all."""
    from hypothesis.database import DirectoryBasedExampleDatabase

    ours = claim_database(tmp_path, "claim-key")
    ours.save(b"k", b"our world")
    raw = DirectoryBasedExampleDatabase(str(tmp_path))
    raw.save(b"explainspec:claim-key:k", b"a shipped world")
    raw.save(b"explainspec:claim-key:k", b"x" * 16 + b"a shipped world with a made-up tag")
    assert list(ours.fetch(b"k")) == [b"our world"]
    assert len(list(raw.fetch(b"explainspec:claim-key:k"))) == 3
    ours.move(b"k", b"k2", b"our world")
    assert list(ours.fetch(b"k2")) == [b"our world"] and list(ours.fetch(b"k")) == []


def test_a_shipped_database_would_use_up_the_search_but_it_is_not_replayed(tmp_path):
    """Why the example database is authenticated: hypothesis replays every entry under a test's
    key before generating, and replays count toward max_examples, so harmless entries shipped
    under a claim's key would replace its whole search. Through the claim's database they are
    never replayed: the search is the fresh one."""
    from hypothesis import Phase, given, seed, settings
    from hypothesis import strategies as st
    from hypothesis.core import function_digest
    from hypothesis.database import DirectoryBasedExampleDatabase, choices_to_bytes

    seen: list[int] = []

    def prop(x):
        seen.append(x)

    def search(db):
        seen.clear()
        phases = (Phase.reuse, Phase.generate)
        settings(database=db, max_examples=10, phases=phases)(
            seed(1)(given(st.integers(0, 10**6))(prop))
        )()
        return list(seen)

    fresh = search(None)
    shipped = [choices_to_bytes((i,)) for i in range(1, 11)]
    raw = DirectoryBasedExampleDatabase(str(tmp_path / "raw"))
    for value in shipped:
        raw.save(function_digest(prop), value)
    assert search(raw) == list(range(1, 11))  # the shipped worlds replaced the search
    ours = claim_database(tmp_path / "ours", "claim-key")
    for value in shipped:
        ours.inner.save(ours.prefix + function_digest(prop), value)
    assert search(ours) == fresh
