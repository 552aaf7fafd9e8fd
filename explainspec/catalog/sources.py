"""World sources bound by name: the user's model and data (``explainspec audit``), plain data.

A spec never loads a file. ``user_model("name")`` and ``table("name")`` name a model and a table
that the *caller* binds: ``explainspec audit --model name=FILE --data name=FILE`` or
``explainspec.audit(model=..., data=...)``. A spec that names an unbound source gets verdict
``invalid`` (ES306) when it runs; ``explainspec check`` accepts it.

``user_model`` is not the synthetic ``model`` family (a small scikit-learn model trained on a
drawn world): that name keeps its meaning. The metamorphic derivations are parameters of
``user_model`` (``proxy``, ``duplicate``) or the usual modifiers (``unused``, ``link``,
``off_support_bump``); each changes the bound model in a way whose correct answer is known.

The entries are appended to the family, distribution and oracle catalogs by one line each.
"""

from __future__ import annotations

from explainspec.catalog._common import entry
from explainspec.registry import Entry, Param

_W = "explainspec.worlds.sources.strategy"
_O = "explainspec.oracles.shapley_exact"

#: the family and distribution names of bound sources (read by ``worlds.spec``)
SOURCE_FAMILIES = ("user_model",)
SOURCE_DISTRIBUTIONS = ("table",)

FAMILIES: list[Entry] = [
    entry(
        "family",
        "user_model",
        "The model bound under `name` (a fitted scikit-learn estimator, pipeline or callable, on "
        "the output scale chosen when it was bound), over the columns of the bound table. "
        "Metamorphic derivations: `unused = k` appends k columns the model never reads (copies "
        "of a used column, shuffled); `proxy = j` appends a noisy copy of column j that the model "
        "never reads; `duplicate = j` appends an exact copy of column j and the model reads the "
        "mean of the two copies (identical to the model on every data row); "
        "`off_support_bump = true` adds a bump that is zero on every data row; `link = "
        "logistic` applies a monotone link to the output (the logistic of the standardized "
        "prediction). Column j is an index or a column name; 'top' is the column most "
        "correlated with the prediction.",
        (
            Param(name="name", type="str", doc="the name the model is bound under"),
            Param(
                name="proxy",
                type="int | str | none",
                default=None,
                doc="append a noisy copy of this column, which the model does not read",
            ),
            Param(
                name="duplicate",
                type="int | str | none",
                default=None,
                doc="append an exact copy of this column; the model reads the mean of both",
            ),
            Param(
                name="noise",
                type="float",
                default=0.5,
                doc="sd of the proxy's noise, in standard deviations of its column",
            ),
            Param(
                name="unused",
                type="int",
                default=0,
                doc="append this many columns the model never reads",
            ),
            Param(
                name="link",
                type="'identity' | 'logistic'",
                default="identity",
                doc="logistic: 1 / (1 + exp(-(f - median) / sd)) with the median and sd of f "
                "over the data rows (a strictly increasing link)",
            ),
            Param(
                name="off_support_bump",
                type="bool",
                default=False,
                doc="add a bump of height 1 sd of f, zero on every data row, centred on a "
                "point the interventional game evaluates",
            ),
        ),
        target=f"{_W}:user_model_family",
        provides=("callable", "source"),
        ground_truth=("uses",),
    ),
]

DISTRIBUTIONS: list[Entry] = [
    entry(
        "distribution",
        "table",
        "The rows of the table bound under `name` (CSV or Parquet read with pandas, a DataFrame "
        "or an array): uniform over the rows, a multiset. `background = sample(k)` and `points = "
        "k` pick rows reproducibly from the world's seed; column names and row ids are carried "
        "into every report.",
        (Param(name="name", type="str", doc="the name the table is bound under"),),
        target=f"{_W}:table_distribution",
        finite=True,
        independent="no (the user's rows)",
    ),
]

ORACLES: list[Entry] = [
    entry(
        "oracle",
        "group_shapley",
        "Shapley values of the feature groups bound with the model (each group one player of the "
        "interventional game over the rows of P), by enumeration of the 2**g group coalitions "
        "(g <= 16).",
        (
            Param(name="f", type="function", doc="the bound model (it carries the groups)"),
            Param(name="x", type="point", doc="the point to explain, (d,)"),
            Param(name="P", type="data", doc="the background rows (n, d), uniform weights"),
        ),
        target=f"{_O}:group_shapley_oracle",
        returns="(g,) one value per group, in the order the groups were bound",
    ),
    entry(
        "oracle",
        "owen",
        "Owen values of the interventional game over the rows of P, with the feature groups bound "
        "with the model as a priori unions: exact enumeration (sum over groups of 2**(g-1) * "
        "2**|group| coalitions).",
        (
            Param(name="f", type="function", doc="the bound model (it carries the groups)"),
            Param(name="x", type="point", doc="the point to explain, (d,)"),
            Param(name="P", type="data", doc="the background rows (n, d), uniform weights"),
        ),
        target=f"{_O}:owen_oracle",
        returns="(d,) one value per feature; the values of a group add up to its group Shapley value",
    ),
    entry(
        "oracle",
        "grouped",
        "The sums of a per-feature vector v over the feature groups bound with the model f.",
        (
            Param(name="f", type="function", doc="the bound model (it carries the groups)"),
            Param(name="v", type="array", doc="a per-feature vector, (d,)"),
        ),
        target=f"{_O}:grouped",
        returns="(g,) one sum per group",
    ),
    entry(
        "oracle",
        "twin",
        "The index of the column that the last column of a `proxy` or `duplicate` world copies.",
        (Param(name="f", type="function", doc="the function of a proxy or duplicate world"),),
        target=f"{_O}:twin",
        returns="int",
    ),
]
