"""The rest of the tabular toolbox, declared as plain data (no numpy or library import here).

Appended to :data:`explainspec.catalog.methods.ENTRIES`. Each library is an optional extra,
imported by its adapter only when a claim runs it; a claim whose library is missing is reported
``skipped`` (ES350) with the extra to install (``extra["needs"]``, as for the captum entries):

- InterpretML's Explainable Boosting Machine (``interpret``, extra ``[interpret]``: the
  ``interpret-core`` package): term contributions and term importances;
- shapiq (extra ``[shapiq]``): exact and approximated Shapley interaction indices;
- PyALE (extra ``[ale]``): accumulated local effects;
- DiCE (``dice-ml``, extra ``[dice]``): counterfactuals, random and genetic;
- shap's global mean |SHAP| importance;
- reference implementations: a backfitting GAM (its terms, and SHAP of the fitted GAM), ALE, M-plot, conditional permutation importance (finite pmfs and
  Gaussian conditional sampling), LOCO with refitting, the minimal MAD-weighted L1 counterfactual.

As in :mod:`explainspec.catalog.methods`, ``params`` carry the *library's* defaults, so a spec
that leaves a parameter out checks the method as its users run it.
"""

from __future__ import annotations

from typing import Any

from explainspec.catalog._common import method as _common_method
from explainspec.registry import Entry, Param

_INTERPRET = "explainspec.methods.interpret_adapters"
_SHAPIQ = "explainspec.methods.shapiq_adapters"
_DICE = "explainspec.methods.dice_adapters"
_EFFECTS = "explainspec.methods.effects_adapters"
_IMPORTANCE = "explainspec.methods.importance_adapters"
_GAM = "explainspec.methods.gam_adapters"

# library -> (modules it needs, what to install): a claim whose module is missing is reported
# ``skipped`` (ES350) before any world is drawn, the same mechanism as the captum entries
_NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "shapiq": (("shapiq",), "explainspec[shapiq]"),
    "interpret": (("interpret",), "explainspec[interpret]"),
    "pyale": (("PyALE",), "explainspec[ale]"),
    "dice": (("dice_ml",), "explainspec[dice]"),
}


def _method(*args: Any, **kw: Any) -> Entry:
    needs = _NEEDS.get(kw["library"])
    if needs is not None:
        kw["needs"], kw["install"] = needs
    return _common_method(*args, **kw)


# ------------------------------------------------------------------------------------ shapiq

_BITMASK = "(2**d,) per point, indexed by coalition bitmask (feature i in S iff S >> i & 1)"
_SHAPIQ_STAT = {
    "value_function": "interventional (shapiq MarginalImputer, joint marginal rows)",
    "background": "the rows passed as background; at most sample_size of them (shapiq draws "
    "sample_size rows without replacement, random_state=seed, when there are more)",
    "output_scale": "raw",
    "shape": _BITMASK + "; coalitions larger than max_order are 0",
    "empty_coalition": "entry 0 is the mean prediction over the background (shapiq's "
    "baseline_value), whatever the index; shapiq's own value of the empty coalition for SII, BII "
    "and FBII (which is not the same number in ExactComputer and in the approximators) is not "
    "reported",
}
_INDEX = Param(
    name="index",
    type="'k-SII' | 'SII' | 'STII' | 'FSII' | 'FBII' | 'BII'",
    default="k-SII",
    doc="the interaction index (shapiq's TabularExplainer default 'k-SII').",
)
_MAX_ORDER = Param(
    name="max_order",
    type="int",
    default=2,
    doc="largest interaction order (shapiq default 2).",
    low=1,
    limit="order",
)
_SAMPLE_SIZE = Param(
    name="sample_size",
    type="int",
    default=100,
    doc="background rows the MarginalImputer averages over (shapiq default 100; all rows when "
    "the background has at most this many).",
    low=1,
    limit="samples",
)
_BUDGET = Param(
    name="budget",
    type="int | 'all'",
    default="all",
    doc="coalitions evaluated per point. shapiq's explain(x, budget) has no default; explainspec's "
    "'all' is 2**d (every coalition).",
    low=1,
    limit="samples",
)


def _approximator(name: str, cls: str, doc: str, estimator: str, indices: str) -> Entry:
    return _method(
        f"shapiq.{name}",
        f"{_SHAPIQ}:{name}",
        f"shapiq.TabularExplainer(f, background, approximator=shapiq.{cls}(n=d, max_order, index, "
        f"random_state=seed), index, max_order, sample_size).explain(x, budget): {doc}",
        output="attribution",
        scope="local",
        statistic={
            **_SHAPIQ_STAT,
            "estimator": estimator,
            "randomness": f"{cls}(random_state=seed) and explain(random_state=seed)",
        },
        library="shapiq",
        randomized=True,
        shape="2**d",
        params=(
            Param(name="index", type=indices, default="k-SII", doc=_INDEX.doc),
            _MAX_ORDER,
            _BUDGET,
            _SAMPLE_SIZE,
        ),
    )


SHAPIQ: list[Entry] = [
    _method(
        "shapiq.exact",
        f"{_SHAPIQ}:exact",
        "shapiq.ExactComputer(game, n_players=d)(index, order=max_order) over the game of shapiq's "
        "MarginalImputer(f, background, x=x, sample_size): every interaction index of the "
        "interventional game by enumerating all 2**d coalitions.",
        output="attribution",
        scope="local",
        statistic={
            **_SHAPIQ_STAT,
            "estimator": "exact enumeration (FSII: weighted least squares with a penalty weight "
            "1e8 on the empty and the grand coalition, so within about 1e-8 of the constrained "
            "solution)",
        },
        library="shapiq",
        shape="2**d",
        params=(_INDEX, _MAX_ORDER, _SAMPLE_SIZE),
    ),
    _approximator(
        "permutation_sii",
        "PermutationSamplingSII",
        "permutation sampling of the Shapley interaction index (Tsai et al. 2023); k-SII by "
        "aggregating the sampled SII.",
        "random permutations; each one gives the discrete derivatives of every interaction "
        "along it (unbiased); a budget too small for one permutation gives all zeros",
        "'SII' | 'k-SII'",
    ),
    _approximator(
        "kernelshapiq",
        "KernelSHAPIQ",
        "KernelSHAP-IQ (Fumagalli et al. 2024): iterative weighted least squares over sampled "
        "coalitions.",
        "weighted least squares over sampled coalitions (consistent, not unbiased); with "
        "budget >= 2**d every coalition is used and the result is exact up to the penalty "
        "weight 1e8 of the border coalitions",
        "'SII' | 'k-SII'",
    ),
    _approximator(
        "svarmiq",
        "SVARMIQ",
        "SVARM-IQ (Kolpaczki et al. 2024): stratified sampling of coalitions by size.",
        "stratified sampling; with budget >= 2**d every coalition is evaluated and the result "
        "is exact",
        "'SII' | 'k-SII' | 'STII' | 'FSII'",
    ),
]

# ---------------------------------------------------------------------------------- interpret

_EBM_PARAMS: tuple[Param, ...] = (
    Param(
        name="interactions",
        type="int | float | str",
        default="5x",
        doc="pair terms: a count, "
        "a fraction of d, or 'Nx' = N times d (interpret default '5x'); 0 = mains only.",
        low=0,
        limit="terms",
    ),
    Param(
        name="max_bins",
        type="int",
        default=1024,
        doc="bins per feature (default 1024).",
        low=2,
        limit="samples",
    ),
    Param(
        name="outer_bags",
        type="int",
        default=14,
        doc="bagged models averaged (default 14).",
        low=1,
        limit="samples",
    ),
    Param(
        name="validation_size",
        type="float",
        default=0.15,
        doc="share of rows held out for "
        "early stopping in each outer bag (default 0.15); 0 = train on every row.",
        low=0,
    ),
    Param(
        name="learning_rate",
        type="float",
        default=0.04,
        doc="boosting step (default 0.04).",
        low=0,
    ),
    Param(
        name="max_rounds",
        type="int",
        default=50000,
        doc="boosting rounds (default 50000).",
        low=1,
        limit="samples",
    ),
    Param(
        name="early_stopping_rounds",
        type="int",
        default=100,
        doc="default 100; 0 = no early stopping.",
        low=0,
        limit="samples",
    ),
    Param(
        name="smoothing_rounds",
        type="int",
        default=500,
        doc="initial rounds with random splits (default 500).",
        low=0,
        limit="samples",
    ),
    Param(
        name="interaction_smoothing_rounds",
        type="int",
        default=100,
        doc="default 100.",
        low=0,
        limit="samples",
    ),
    Param(
        name="min_samples_leaf",
        type="int",
        default=4,
        doc="rows a leaf needs (default 4): "
        "with fewer rows per level than this a feature gets no term.",
        low=1,
        limit="rows",
    ),
    Param(name="greedy_ratio", type="float", default=10.0, doc="default 10.0.", low=0),
)
_EBM_STAT = {
    "value_function": "none: a glass-box model fitted to the world's data and y",
    "background": "data and y of the world (the training set)",
    "output_scale": "raw (regression, identity link)",
    "fitting": "ExplainableBoostingRegressor(**params, random_state=seed, n_jobs=1).fit(data, y): "
    "cyclic gradient boosting of the main terms, then of pair terms on the residual; every term "
    "is centred to weighted mean 0 over the training rows (interpret 0.7.8 does not purify pair "
    "terms by default)",
    "randomness": "random_state=seed (bags, validation split, smoothing rounds)",
}

INTERPRET: list[Entry] = [
    _method(
        "interpret.ebm",
        f"{_INTERPRET}:ebm",
        "interpret.glassbox.ExplainableBoostingRegressor fitted to (data, y); the term "
        "contributions ebm.eval_terms(points) (what explain_local shows) by coalition bitmask: "
        "entry 2**j the main term of x_j, entry 2**i + 2**j the pair term, entry 0 the "
        "intercept, so each row adds up to ebm.predict(x).",
        output="attribution",
        scope="local",
        statistic={**_EBM_STAT, "shape": _BITMASK + "; terms the model does not have are 0"},
        library="interpret",
        randomized=True,
        shape="2**d",
        params=_EBM_PARAMS,
    ),
    _method(
        "interpret.ebm_importance",
        f"{_INTERPRET}:ebm_importance",
        "ebm.term_importances('avg_weight') of the same fitted EBM: the mean absolute term "
        "contribution over the training rows, by coalition bitmask (entry 0, the intercept, is 0).",
        output="importance",
        scope="global",
        statistic={
            **_EBM_STAT,
            "output_scale": "mean |term contribution| over the training rows (bin-weighted)",
            "shape": "(2**d,) indexed by coalition bitmask",
        },
        library="interpret",
        randomized=True,
        shape="2**d",
        params=_EBM_PARAMS,
    ),
]

# ------------------------------------------------------------------------------------------ gam

GAM: list[Entry] = [
    _method(
        "reference.gam",
        f"{_GAM}:gam",
        "A generalized additive model g(x) = alpha + sum_j g_j(x_j) fitted to (data, y) by "
        "backfitting with the level smoother (the mean partial residual at each distinct level "
        "of x_j), every term centred to mean 0 over the rows; values = 'terms': the terms "
        "g_j(x_j) at the points (linear between levels, constant beyond), values = 'shap': the "
        "interventional SHAP values of the fitted g (shap.explainers.Exact over the rows).",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "none: a glass-box additive model fitted to the world's data and y "
            "(values = 'shap': interventional, of the fitted model over the training rows)",
            "background": "data and y of the world (the training set)",
            "output_scale": "raw; each term centred to mean 0 over the training rows",
            "fitting": "backfitting (Hastie & Tibshirani 1990) to the least-squares additive "
            "fit; alpha = mean(y); a sweep updates every term in turn; stops when no term "
            "is further than tol from the fixed point (change * r / (1 - r), r the observed "
            "linear rate), fails after max_iter sweeps",
        },
        library="reference",
        params=(
            Param(
                name="values",
                type="'terms' | 'shap'",
                default="terms",
                doc="what is reported at each point: the fitted terms, or the SHAP values of "
                "the fitted GAM.",
            ),
            Param(
                name="tol",
                type="float",
                default=1e-12,
                doc="convergence: the largest distance of a term from the fixed point, bounded by "
                "the last sweep's change and the observed rate of convergence.",
                low=0,
            ),
            Param(
                name="max_iter",
                type="int",
                default=10000,
                doc="most backfitting sweeps.",
                low=1,
                limit="samples",
            ),
        ),
    ),
]

# ------------------------------------------------------------------------------------- effects

EFFECTS: list[Entry] = [
    _method(
        "reference.ale",
        f"{_EFFECTS}:ale",
        "Accumulated local effects (Apley & Zhu 2020) on the world's data: K quantile "
        "intervals of X_j (the distinct levels when there are at most K), the mean difference "
        "f(upper edge) - f(lower edge) over the rows in each interval, accumulated, and centred to "
        "mean 0 over the rows; evaluated on the world's grid by linear interpolation.",
        output="curve",
        scope="global",
        statistic={
            "value_function": "local differences where the data are (no extrapolation across "
            "the support beyond neighbouring edges)",
            "background": "data",
            "output_scale": "raw, centred to mean 0 over the data rows",
            "intervals": "(q_{k-1}, q_k], the first one closed, as in R's ALEPlot",
        },
        library="reference",
        params=(
            Param(
                name="grid_size",
                type="int",
                default=40,
                doc="K intervals (ALEPlot 40).",
                low=1,
                limit="grid",
            ),
        ),
    ),
    _method(
        "pyale.ale",
        f"{_EFFECTS}:pyale",
        "PyALE.ale(X=data, model, feature=j, feature_type, grid_size, plot=False, "
        "include_CI=False) for each feature: accumulated local effects as the PyALE package "
        "computes them, evaluated on the world's grid by linear interpolation between its points.",
        output="curve",
        scope="global",
        statistic={
            "value_function": "local differences where the data are",
            "background": "data",
            "output_scale": "raw; centring depends on the feature type (below)",
            "feature_type": "'auto' (PyALE default): a feature with at most 10 distinct values "
            "(or at most 0.2% of the rows) is 'discrete': the effect of level k is the mean of "
            "f(level k) - f(level k-1) over the rows at level k-1 moved up AND the rows at level "
            "k moved down, centred to mean 0 over the rows; otherwise 'continuous': quantile "
            "intervals, centred by the size-weighted mean of interval midpoints",
        },
        library="pyale",
        params=(
            Param(
                name="feature_type",
                type="'auto' | 'discrete' | 'continuous'",
                default="auto",
                doc="PyALE default 'auto'.",
            ),
            Param(
                name="grid_size",
                type="int",
                default=20,
                doc="quantile intervals of a continuous feature (PyALE default 20).",
                low=1,
                limit="grid",
            ),
        ),
    ),
    _method(
        "reference.mplot",
        f"{_EFFECTS}:mplot",
        "Marginal plot (M-plot): the mean of f over the data rows with x_j = t, for every t of "
        "the world's grid (which must be levels of X_j, as on finite-pmf worlds).",
        output="curve",
        scope="global",
        statistic={
            "value_function": "conditional mean E[f(X) | X_j = t] over the data rows",
            "background": "data",
            "output_scale": "raw",
        },
        library="reference",
    ),
]

# ---------------------------------------------------------------------------------- importance

IMPORTANCE: list[Entry] = [
    _method(
        "reference.cpi",
        f"{_IMPORTANCE}:cpi",
        "Conditional permutation importance on a finite pmf: column j is permuted only among "
        "rows with equal other features x_-j; mean over n_repeats permutations of MSE(permuted) "
        "- MSE, on the world's data and y.",
        output="importance",
        scope="global",
        statistic={
            "value_function": "conditional permutation (keeps X_j's dependence on X_-j)",
            "background": "data and y of the world",
            "output_scale": "increase of the mean squared error",
            "estimator": "n_repeats random within-group permutations; the limit is cpi(f, P, y)",
            "randomness": "numpy.random.default_rng(seed)",
        },
        library="reference",
        randomized=True,
        params=(
            Param(
                name="n_repeats",
                type="int",
                default=5,
                doc="permutations per feature.",
                low=1,
                limit="samples",
            ),
        ),
    ),
    _method(
        "reference.cpi_gaussian",
        f"{_IMPORTANCE}:cpi_gaussian",
        "Conditional-sampling permutation importance: a Gaussian is fitted to the data rows "
        "(mean and maximum-likelihood covariance); x_j of every row is replaced by n_draws "
        "draws from X_j | X_-j = x_-j under that Gaussian; mean increase of the squared error.",
        output="importance",
        scope="global",
        statistic={
            "value_function": "conditional sampling from a Gaussian fitted to the data",
            "background": "data and y of the world",
            "output_scale": "increase of the mean squared error",
            "estimator": "n_draws conditional draws per row; the limit is cpi_gaussian(f, data, y)",
            "randomness": "numpy.random.default_rng(seed)",
        },
        library="reference",
        randomized=True,
        params=(
            Param(
                name="n_draws",
                type="int",
                default=5,
                doc="conditional draws per row.",
                low=1,
                limit="samples",
            ),
        ),
    ),
    _method(
        "reference.loco",
        f"{_IMPORTANCE}:loco",
        "Leave-one-covariate-out with refitting: least-squares linear regression (with "
        "intercept) of y on all features and on all but x_j, refitted on the world's data; the "
        "increase of the in-sample mean squared error. Uses data and y only, not f.",
        output="importance",
        scope="global",
        statistic={
            "value_function": "refitting without the feature (a property of the data, not of f)",
            "background": "data and y of the world (training and evaluation rows)",
            "output_scale": "increase of the mean squared error",
            "learner": "ordinary least squares with intercept (numpy.linalg.lstsq)",
        },
        library="reference",
    ),
    _method(
        "shap.mean_abs",
        f"{_IMPORTANCE}:mean_abs_shap",
        "Global mean |SHAP|: shap.explainers.Exact(f, maskers.Independent(data, "
        "max_samples=len(data))) on every data row, then np.abs(values).mean(0), as shap's bar "
        "plot ranks features.",
        output="importance",
        scope="global",
        statistic={
            "value_function": "interventional, background = the data rows",
            "background": "data (explained rows and background)",
            "output_scale": "mean absolute Shapley value over the data rows",
            "estimator": "exact enumeration (2**d coalitions)",
        },
        library="shap",
    ),
]

# ----------------------------------------------------------------------------- counterfactuals

_THRESHOLD = Param(
    name="threshold",
    type="float",
    default=0.0,
    doc="decision threshold t on f's scale: class 1 iff f(x) > t.",
)
_DICE_STAT = {
    "value_function": "none (search)",
    "background": "data: DiCE's Data interface gets the data rows labelled with the class of "
    "f (permitted range = min..max of each column; MADs for the proximity weights)",
    "output_scale": "a point in feature space: the first of total_CFs = 1 counterfactuals",
    "classifier": "predict_proba = [1 - p, p] with p = 1 / (1 + exp(-(f - threshold))), "
    "desired_class='opposite'",
}

COUNTERFACTUALS: list[Entry] = [
    _method(
        "dice.random",
        f"{_DICE}:random",
        "dice_ml.Dice(data, model, method='random').generate_counterfactuals(x, total_CFs=1, "
        "desired_class='opposite', random_seed=seed): random search over few features in the "
        "permitted range, then DiCE's post-hoc sparsity step.",
        output="counterfactual",
        scope="local",
        statistic={**_DICE_STAT, "randomness": "random_seed=seed"},
        library="dice",
        randomized=True,
        params=(
            _THRESHOLD,
            Param(
                name="sample_size",
                type="int",
                default=1000,
                doc="random samples per round (DiCE default 1000).",
                low=1,
                limit="samples",
            ),
            Param(
                name="posthoc_sparsity_param",
                type="float",
                default=0.1,
                doc="DiCE default 0.1: moves changed features back toward x while the class holds.",
                low=0,
            ),
        ),
    ),
    _method(
        "dice.genetic",
        f"{_DICE}:genetic",
        "dice_ml.Dice(data, model, method='genetic').generate_counterfactuals(x, total_CFs, "
        "desired_class='opposite'): a genetic search minimising the prediction loss, "
        "proximity (MAD-weighted L1) and sparsity, then the post-hoc sparsity step; the first "
        "(lowest-loss) counterfactual. Not applicable where every data row is in x's class "
        "(dice-ml 0.12 would sample the permitted range for the other class without end).",
        output="counterfactual",
        scope="local",
        statistic={
            **_DICE_STAT,
            "output_scale": "a point in feature space: the first (lowest-loss) of total_CFs "
            "counterfactuals",
            "randomness": "numpy's global RNG seeded with seed around the call (DiCE's genetic "
            "search takes no seed); state restored after",
        },
        library="dice",
        randomized=True,
        params=(
            _THRESHOLD,
            Param(
                name="proximity_weight", type="float", default=0.2, doc="DiCE default 0.2.", low=0
            ),
            Param(
                name="sparsity_weight", type="float", default=0.2, doc="DiCE default 0.2.", low=0
            ),
            Param(
                name="maxiterations",
                type="int",
                default=500,
                doc="DiCE default 500.",
                low=1,
                limit="samples",
            ),
            Param(
                name="total_CFs",
                type="int",
                default=1,
                doc="counterfactuals DiCE searches for (population 10 x total_CFs); the method "
                "returns the first. dice-ml 0.12 can crash with 1 (ValueError: empty range for "
                "randrange(), when the population collapses to one distinct row); with 2 or more "
                "two distinct elite rows are kept, so it cannot collapse once it has them.",
                low=1,
                limit="samples",
            ),
            Param(
                name="posthoc_sparsity_param",
                type="float",
                default=0.1,
                doc="DiCE default 0.1.",
                low=0,
            ),
        ),
    ),
    _method(
        "reference.counterfactual_l1",
        f"{_DICE}:counterfactual_l1",
        "The nearest point with f(z) = threshold in the weighted L1 distance sum_j |z_j - x_j| / "
        "s_j, with s_j the median absolute deviation of column j of the data (DiCE's proximity "
        "weights; a zero MAD counts as 1), or s_j = 1 (scale='none'); a linear program "
        "(scipy.optimize.linprog, HiGHS) for a linear f.",
        output="counterfactual",
        scope="local",
        statistic={
            "value_function": "none (optimisation)",
            "background": "data (for the MADs)",
            "output_scale": "a point in feature space",
            "estimator": "linear program: a vertex, so at most one feature changes for a linear f",
        },
        requires=("linear",),
        library="reference",
        params=(
            _THRESHOLD,
            Param(name="scale", type="'mad' | 'none'", default="mad", doc="distance weights."),
        ),
    ),
]

ENTRIES: list[Entry] = [*SHAPIQ, *INTERPRET, *GAM, *EFFECTS, *IMPORTANCE, *COUNTERFACTUALS]
