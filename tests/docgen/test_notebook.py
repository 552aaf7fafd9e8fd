"""The notebook in docs/notebooks/ runs from top to bottom (nbclient), so it cannot rot, and its
outputs are the rich displays: the run table, the counterexample's plot, the frame, the card."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebooks" / "quickstart.ipynb"


def test_the_docs_notebook_runs_and_shows_results():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "✖ refuted" in html and "my_shapley.sums_to_prediction" in html
    assert '<img src="data:image/png;base64,' in html  # the counterexample's plot, inline
    markdown = "".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    assert "## You may conclude" in markdown
    # the spec displays itself, the verification shows its progress, and the counterexample's
    # world is rebuilt and the method re-run on it (issue 19)
    assert "<code>my_shapley</code>" in html and "<th>claim</th>" in html
    texts = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "2/2" in texts  # the progress bar's final state
    assert "f(x) = " in texts and "array([" in texts  # world.f.formula(), phi
