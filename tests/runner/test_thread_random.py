"""Claims run in a new thread each; hypothesis' per-thread Random is registered once, not per claim."""

from __future__ import annotations

import threading

from hypothesis import core
from hypothesis.internal import entropy

from explainspec.runner import claim


def _in_thread(fn):
    out = {}

    def work():
        out["value"] = fn()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    return out["value"]


def test_one_registered_random_serves_claim_after_claim(monkeypatch):
    import hypothesis

    calls = []

    original = hypothesis.register_random
    monkeypatch.setattr(hypothesis, "register_random", lambda r: (calls.append(r), original(r)))

    def one_claim():
        with claim._thread_random():
            used = core.threadlocal._hypothesis_global_random
        assert core.threadlocal._hypothesis_global_random is None  # back in the pool
        return used

    claim._FREE_RANDOMS.clear()
    first = _in_thread(one_claim)
    second = _in_thread(one_claim)
    assert first is second and calls == [first]
    managed = [ref() for ref in entropy.RANDOMS_TO_MANAGE.data.values()]
    assert any(r is first for r in managed)  # hypothesis still seeds and restores it
