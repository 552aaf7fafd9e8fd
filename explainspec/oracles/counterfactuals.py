"""Data summaries that counterfactual methods weigh distances with.

:func:`mad` is the median absolute deviation of each column, the proximity weight of DiCE and of
Wachter et al.'s weighted L1 distance ``sum_j |z_j - x_j| / MAD_j``. With it a check can state
the closed form of the minimal weighted-L1 counterfactual of a linear ``f = w.x + c`` on the
boundary ``f = t``: all the change goes to a feature ``j`` maximising ``|w_j| MAD_j`` and its
cost is ``|f(x) - t| / max_j |w_j| MAD_j``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explainspec.oracles._common import OracleError, as_rows

__all__ = ["mad"]


def mad(P: Any) -> np.ndarray:
    """Median absolute deviation of every column of ``P``, with a zero MAD replaced by 1.

    ``MAD_j = median_r |x_rj - median_r x_rj|`` over the rows of ``P`` (a multiset: repeated
    rows count repeatedly), computed as ``numpy.median`` does (the mean of the two middle values
    for an even count). A column whose MAD is 0 (more than half its rows at the median) gets 1,
    DiCE's convention (``dice_ml`` ``get_valid_mads``), so distances stay finite.

    Returns
    -------
    ndarray of shape (d,)

    Examples
    --------
    >>> mad([[0.0, 1.0], [1.0, 1.0], [3.0, 1.0]]).tolist()
    [1.0, 1.0]
    """
    rows = as_rows(P)
    if rows is None:
        raise OracleError("mad needs a finite P (rows)")
    out = np.median(np.abs(rows - np.median(rows, axis=0)), axis=0)
    return np.where(out > 0, out, 1.0)
