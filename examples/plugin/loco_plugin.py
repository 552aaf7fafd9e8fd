"""An example explainspec plugin: leave-one-covariate-out (LOCO) attribution by mean imputation.

Load it with ``explainspec verify SPEC --plugin loco_plugin`` (with this folder on ``PYTHONPATH``),
or publish it from an installed package under the ``explainspec.methods`` entry-point group::

    [project.entry-points."explainspec.methods"]
    loco = "loco_plugin"

The module registers its methods with :func:`explainspec.method` when it is imported; nothing
else is needed. A method is a plain function ``method(problem) -> numpy.ndarray`` (see
:class:`explainspec.methods.base.Method`); its parameters arrive merged over the declared
defaults in ``problem.params``.
"""

from __future__ import annotations

import numpy as np

from explainspec.registry import Param, method


@method(
    "plugin.loco",
    output="attribution",
    scope="local",
    params=(
        Param(
            name="fill",
            type="str",
            default="mean",
            doc="what replaces x_i: 'mean' (of the background column) or 'baseline'.",
        ),
    ),
    statistic={
        "value_function": "one feature removed at a time, filled with a single value",
        "background": "the rows passed as background (their column means)",
        "output_scale": "raw: f(x) - f(x with x_i := fill_i)",
    },
    requires=("callable",),
    randomized=False,
)
def loco(problem):
    """Leave-one-covariate-out: ``f(x) - f(x with x_i := mean(background_i))`` per feature.

    Equal to occlusion with the background mean as baseline; for an additive f it is
    ``g_i(x_i) - g_i(mean_i)``, and for a linear f ``w_i (x_i - mean_i)`` (interventional SHAP).
    """
    fill = problem.params.get("fill", "mean")
    if fill == "mean":
        value = np.asarray(problem.background, dtype=float).mean(axis=0)
    elif fill == "baseline":
        value = np.asarray(problem.baseline, dtype=float)
    else:
        raise ValueError(f"fill = {fill!r}; expected 'mean' or 'baseline'")
    points = np.atleast_2d(np.asarray(problem.points, dtype=float))
    d = points.shape[1]
    out = np.empty_like(points)
    for r, x in enumerate(points):
        removed = np.where(np.eye(d, dtype=bool), value[None, :], x[None, :])
        out[r] = float(problem.f(x[None, :])[0]) - np.asarray(problem.f(removed), dtype=float)
    return out
