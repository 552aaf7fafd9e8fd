"""The how-to "Check a PyTorch explanation method" shows real files and real output: its plugin
and spec are the files in docs/examples/pytorch, its verify output and its bug's counterexample
are what the runner prints, and its printed module is what the handover builds."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .test_examples import _normalized, _shown_in

pytest.importorskip("torch")
pytest.importorskip("captum")

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "howto" / "pytorch.md").read_text(encoding="utf-8")
EXAMPLES = ROOT / "docs" / "examples" / "pytorch"


def _block_after(marker: str) -> list[str]:
    start = PAGE.index(marker)
    body = PAGE[PAGE.index("\n", PAGE.index("```", start + len(marker))) + 1 :]
    return _normalized(body[: body.index("\n```")])


def _verify(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, *extra: str) -> str:
    """The page's command, in-process (the plugin imported afresh from the current folder)."""
    from explainspec.cli import main

    monkeypatch.delitem(sys.modules, "my_ig", raising=False)
    args = ["verify", "my_ig.espec", "--plugin", "my_ig", "--profile", "fast", "--jobs", "1"]
    main([*args, *extra])
    return capsys.readouterr().out


def test_page_includes_the_example_files():
    assert '--8<-- "pytorch/my_ig.py"' in PAGE and '--8<-- "pytorch/my_ig.espec"' in PAGE
    assert "$ PYTHONPATH=. explainspec verify my_ig.espec --plugin my_ig --profile fast" in PAGE


def test_printed_module_is_the_handover():
    from explainspec.worlds.functions import relu_net

    f = relu_net([([[1.0, -1.0], [0.5, 2.0]], [0.0, 1.0]), ([[1.0, -2.0]], [0.5])], d=2)
    _shown_in(_normalized(str(f.handover("torch"))), _block_after("print(model)\n```"))


def test_the_run_and_the_bug_print_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    for name in ("my_ig.py", "my_ig.espec"):
        shutil.copyfile(EXAMPLES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("EXPLAINSPEC_NO_CACHE", "1")
    out = _verify(monkeypatch, capsys)
    _shown_in(_normalized(out), _block_after("--plugin my_ig --profile fast\n```"))
    buggy = (tmp_path / "my_ig.py").read_text(encoding="utf-8")
    assert "    return (total * (x - b)).numpy()" in buggy
    (tmp_path / "my_ig.py").write_text(
        buggy.replace("    return (total * (x - b)).numpy()", "    return total.numpy()")
    )
    out = _verify(monkeypatch, capsys, "--claim", "linear_is_exact")
    _shown_in(_normalized(out), _block_after("and run the spec again:"))
