"""The documentation site builds strictly, with the generated reference pages and cards."""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build_site(out: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of the project's site into ``out``."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )


@functools.cache
def built_site() -> Path:
    """The site, built once per test session (the browser tests look at the same build)."""
    if not _has_mkdocs():
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    out = Path(tempfile.mkdtemp(prefix="explainspec-site-"))
    atexit.register(shutil.rmtree, out, True)
    result = build_site(out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="session")
def site() -> Path:
    return built_site()


def _has_mkdocs() -> bool:
    try:
        import material  # noqa: F401
        import mkdocs  # noqa: F401
    except ImportError:
        return False
    return True


def test_site_builds_strictly_with_generated_pages(site: Path) -> None:
    for page in ("index.html", "tutorial.html", "howto/ci.html", "concepts/verdicts.html"):
        assert (site / page).is_file(), page
    for page in (
        "methods",
        "families",
        "distributions",
        "oracles",
        "builtins",
        "questions",
        "codes",
    ):
        assert (site / "reference" / f"{page}.html").is_file(), page
    methods = (site / "reference" / "methods.html").read_text(encoding="utf-8")
    assert "reference.shapley" in methods
    # the Python API page, generated from the docstrings (mkdocstrings)
    api = (site / "reference" / "api.html").read_text(encoding="utf-8")
    for anchor in ("explainspec.load", "explainspec.verify", "explainspec.audit"):
        assert f'id="{anchor}"' in api, anchor
    for name in ("RunResult", "to_frame", "ClaimResult", "Problem", "NotApplicable", "Param"):
        assert name in api, name


def test_library_cards_are_in_the_site(site: Path) -> None:
    from explainspec.lang import discover, load
    from explainspec.resources import specs_dir

    names = {load(p).name for p in discover([specs_dir()])}
    assert names, "the built-in library is empty"
    for name in names:
        assert (site / "cards" / f"{name}.html").is_file(), name
    index = (site / "cards" / "index.html").read_text(encoding="utf-8")
    assert "method" in index and "✖" in index


def test_espec_blocks_are_highlighted(site: Path) -> None:
    tutorial = (site / "tutorial.html").read_text(encoding="utf-8")
    # keywords of the DSL get Pygments' declaration class from EspecLexer
    assert '<span class="kd">claim</span>' in tutorial
