"""The docs show real specs and real output: the example specs check, the tutorial's commands
give what the tutorial prints, the CI how-to's failure and the home page's counterexample are
what the runner finds, and every complete spec in a code block of the docs loads.

If one of these fails after a change of the runner or the report, re-run the command the page
shows and paste its output into the page (trim long parts with an explicit "…").
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from explainspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
TIME = re.compile(r"\d+\.\d\d s\b")


def _normalized(text: str) -> list[str]:
    """Lines without trailing blanks, with run times (``0.79 s``) masked."""
    return [TIME.sub("<time>", line.rstrip()) for line in text.splitlines()]


def _block_after(page: str, marker: str) -> list[str]:
    """The lines of the first fenced block that starts after ``marker`` in ``page``."""
    start = page.index(marker)
    body = page[page.index("\n", page.index("```", start + len(marker))) + 1 :]
    return _normalized(body[: body.index("\n```")])


def _block_with(page: str, marker: str) -> list[str]:
    """The lines after the line with ``marker``, to the end of the fenced block holding it."""
    start = page.index("\n", page.index(marker)) + 1
    return _normalized(page[start : page.index("\n```", start)])


def _shown_in(actual: list[str], shown: list[str]) -> None:
    """Every line the docs show is a line of the real output, in the same order; the docs may
    leave lines out only where they say so with "…"."""
    it = iter(actual)
    skipping = False
    for line in shown:
        if line.strip() == "…":
            skipping = True
            continue
        for real in it:
            if real == line:
                break
            assert skipping, f"the docs show {line!r} where the real output has {real!r}"
        else:
            pytest.fail(f"the docs show {line!r}, which the real output does not have (in order)")
        skipping = False


@pytest.fixture
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPLAINSPEC_NO_CACHE", "1")


def _example_specs() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*") if p.name.endswith((".espec", ".espec.yaml")))


def test_there_are_example_specs() -> None:
    names = [p.relative_to(EXAMPLES).as_posix() for p in _example_specs()]
    assert "first.espec" in names and "specs/my.espec" in names


@pytest.mark.parametrize("path", _example_specs(), ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_example_spec_checks(
    path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["check", "--strict", str(path)]
    plugin = path.parent / (path.name.split(".")[0] + ".py")  # a spec of a plugin method beside it
    if plugin.is_file():
        monkeypatch.syspath_prepend(str(path.parent))
        args = ["--plugin", plugin.stem, *args]
    assert main(args) == 0, capsys.readouterr()


def test_tutorial_includes_the_example_file() -> None:
    tutorial = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    assert '```espec\n--8<-- "first.espec"\n```' in tutorial


def test_tutorial_commands_print_what_the_tutorial_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, no_cache: None
) -> None:
    """The tutorial's three commands, run as the tutorial runs them, in a fresh folder."""
    tutorial = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    shutil.copyfile(EXAMPLES / "first.espec", tmp_path / "first.espec")
    monkeypatch.chdir(tmp_path)

    assert main(["check", "first.espec"]) == 0
    out = capsys.readouterr()
    _shown_in(_normalized(out.out + out.err), _block_with(tutorial, "$ explainspec check"))

    argv = [
        "verify",
        "first.espec",
        "--profile",
        "fast",
        "--format",
        "json",
        "--output",
        "report.json",
    ]
    assert f"$ explainspec {' '.join(argv)}" in tutorial
    assert main([*argv, "--jobs", "1"]) == 0
    report = _normalized(capsys.readouterr().out)
    _shown_in(report, _block_after(tutorial, "the readable report still goes to the\nterminal:"))
    verdicts = {
        c["claim"]: c["verdict"] for c in json.loads(Path("report.json").read_text())["claims"]
    }
    assert verdicts == {
        "efficiency": "verified",
        "additive_recovery": "verified",
        "sign_is_direction": "shown",
    }

    argv = ["docs", "first.espec", "--out", "cards", "--results", "report.json"]
    assert main(argv) == 0
    out = capsys.readouterr()
    _shown_in(
        _normalized(out.out + out.err), _block_with(tutorial, f"$ explainspec {' '.join(argv)}")
    )
    card = _normalized(Path("cards/first_shapley.md").read_text(encoding="utf-8"))
    _shown_in(card, _block_after(tutorial, "The counterexample part of `cards/first_shapley.md`"))
    assert Path("cards/assets/first_shapley-sign_is_direction.png").is_file()


def test_ci_howto_failure_is_the_real_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_cache: None
) -> None:
    """The how-to's pytest failure is the counterexample the runner finds for specs/my.espec."""
    import explainspec

    howto = (DOCS / "howto" / "ci.md").read_text(encoding="utf-8")
    (tmp_path / "specs").mkdir()
    shutil.copyfile(EXAMPLES / "specs" / "my.espec", tmp_path / "specs" / "my.espec")
    monkeypatch.chdir(tmp_path)
    result = explainspec.verify(Path("specs/my.espec"), profile="fast")
    assert result["efficiency"].verdict.value == "verified"
    failed = result["sums_to_prediction"]
    assert failed.verdict.value == "refuted"
    shown = _block_after(howto, "whose second claim forgets the base value")
    real = [f"    {line}" for line in failed.counterexample.lines()]
    _shown_in(real, [line for line in shown if line.startswith("    ")])


def test_home_page_counterexample_is_the_real_one(no_cache: None) -> None:
    import explainspec
    from explainspec.resources import specs_dir

    home = (DOCS / "index.md").read_text(encoding="utf-8")
    result = explainspec.verify(
        specs_dir() / "shap_linear_correlation.espec",
        profile="fast",
        claims="unused_feature_gets_credit",
    )
    claim = result["unused_feature_gets_credit"]
    assert claim.verdict.value == "shown"
    shown = _block_with(home, "$ explainspec verify specs/shap_linear_correlation.espec")
    cx = [line.strip() for line in shown if line.startswith("  ") or line.strip() == "…"]
    real = [
        line.replace(str(specs_dir()), "specs").strip() for line in claim.counterexample.lines()
    ]
    _shown_in(real, [line for line in cx if not line.startswith("claim:")])


# --------------------------------------------------------------------------- code blocks

FENCE = re.compile(r"^```(espec|yaml)[^\n]*\n(.*?)^```", re.S | re.M)


def _spec_blocks() -> list[tuple[str, str, str]]:
    """``(where, form, text)`` of every complete spec in a code block of the docs."""
    blocks = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            lang, body = match.groups()
            snippet = re.fullmatch(r'--8<-- "([^"]+)"\s*', body)
            if snippet:
                body = (EXAMPLES / snippet.group(1)).read_text(encoding="utf-8")
            where = f"{page.relative_to(DOCS)}:{text[: match.start()].count(chr(10)) + 1}"
            lines = [
                ln
                for ln in body.splitlines()
                if ln.strip() and not ln.lstrip().startswith(("#", "//"))
            ]
            if lang == "espec" and lines and lines[0].startswith("spec ") and lines[-1] == "}":
                blocks.append((where, "dsl", body))
            elif lang == "yaml" and re.search(r"^explainspec: ", body, re.M) and "\nspec: " in body:
                blocks.append((where, "yaml", body))
    return blocks


def test_docs_have_complete_spec_blocks() -> None:
    where = {w.split(":")[0] for w, _, _ in _spec_blocks()}
    assert {"index.md", "tutorial.md", "howto/yaml.md"} <= where, where


@pytest.mark.parametrize(
    ("where", "form", "text"), _spec_blocks(), ids=lambda v: v if ":" in str(v) else ""
)
def test_complete_spec_blocks_load(where: str, form: str, text: str) -> None:
    from explainspec import loads
    from explainspec.lang import SpecError

    try:
        loads(text, form=form)
    except SpecError as err:
        pytest.fail(f"{where}: the spec in this code block does not load:\n{err}")


# --------------------------------------------------------------------------- literature (issue 15)

LITERATURE = sorted((EXAMPLES / "literature").glob("*.espec"))


def test_literature_examples_are_short_cited_and_shown_in_the_docs() -> None:
    from explainspec.lang import load

    assert len(LITERATURE) >= 12
    page = (DOCS / "examples" / "literature.md").read_text()
    for path in LITERATURE:
        text = path.read_text()
        assert len(text.splitlines()) <= 40, path.name
        spec = load(path)
        assert spec.references and all(re.search(r"\b(19|20)\d\d\b", r) for r in spec.references)
        for claim in spec.claims:
            span = claim.check.span
            assert span is not None and span.end_line - span.line < 3, (path.name, claim.name)
        assert f"literature/{path.name}" in page, path.name


@pytest.mark.slow
@pytest.mark.parametrize("path", LITERATURE, ids=lambda p: p.name)
def test_literature_examples_verify_at_fast(path: Path, no_cache: None) -> None:
    import explainspec

    result = explainspec.verify(explainspec.load(path), profile="fast")
    assert result.passed, [(c.id, c.verdict.value) for c in result.claims]
