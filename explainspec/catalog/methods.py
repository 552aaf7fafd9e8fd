"""Built-in explanation methods, declared as plain data (no numpy, shap or sklearn import here).

Each entry names its adapter as ``"module:attr"``; the adapter is imported only when a claim runs
it. ``params`` list every hyper-parameter that changes the numbers, with the *library's* default,
so that a spec which leaves a parameter out checks the method as its users run it. The
``statistic`` dict says what the numbers mean (value function, which rows are the background,
output scale, ...); ``explainspec list methods`` and the docs print it.

Randomness: every randomized method takes its seed from ``Problem.seed`` only. How the seed
reaches the library is recorded under ``statistic["randomness"]``.
"""

from __future__ import annotations

from explainspec.catalog._common import method as _m
from explainspec.catalog.methods_captum import ENTRIES as _CAPTUM_ENTRIES
from explainspec.registry import Entry, Param

_SHAP = "explainspec.methods.shap_adapters"
_SKL = "explainspec.methods.sklearn_adapters"
_LIME = "explainspec.methods.lime_adapters"
_REF = "explainspec.methods.reference"

_LEGACY_SEED = (
    "np.random.seed(seed) around the call (shap uses numpy's global RNG); state restored after"
)


_INTERVENTIONAL_BG = {
    "value_function": "interventional",
    "background": "the rows passed as background (uniform weights)",
    "output_scale": "raw",
}

# shap wraps a background array in maskers.Independent(X), whose default max_samples=100 replaces
# a larger X by shap.utils.sample(X, 100, random_state=0) (checked with shap 0.51; see
# docs/library/notes.md). The tree and linear adapters pass the background as users do.
_INTERVENTIONAL_BG_MAX_100 = {
    **_INTERVENTIONAL_BG,
    "background": "the rows passed as background, at most 100 of them: shap's masker default "
    "max_samples=100 replaces a larger background by a 100-row subsample "
    "(shap.utils.sample(X, 100, random_state=0))",
}

_LINK = Param(
    name="link",
    type="'identity' | 'logit'",
    default="identity",
    doc="shap's link (default identity); 'logit' explains the game logit(E f(x_S, Z_-S)): "
    "attributions on the log-odds scale of the mean probability (f must be a probability).",
)

_LINEARIZE_LINK = Param(
    name="linearize_link",
    type="bool",
    default=True,
    doc="shap default True: with a non-identity link the value of a coalition is a reweighted "
    "mean of link(f) over the background (weights from a first-order expansion of the link at the "
    "mean prediction, so that the empty and the full coalition keep link(mean f) and link(f(x))); "
    "False: link(mean f), the game of KernelExplainer.",
)

_NUM_SAMPLES = Param(
    name="num_samples",
    type="int",
    default=5000,
    doc="perturbation samples (lime default 5000).",
    low=1,
    limit="samples",
)
_KERNEL_WIDTH = Param(
    name="kernel_width", type="float | None", default=None, doc="None = lime's 0.75 * sqrt(d)."
)
_SAMPLE_AROUND = Param(
    name="sample_around_instance",
    type="bool",
    default=False,
    doc="lime default False: sample around the training mean.",
)
_MODEL_REGRESSOR = Param(
    name="model_regressor",
    type="'ridge' | 'linear'",
    default="ridge",
    doc="the surrogate passed as explain_instance(model_regressor=...): 'ridge' = "
    "Ridge(alpha, fit_intercept=True) (lime's default), 'linear' = LinearRegression().",
)
_ALPHA = Param(
    name="alpha",
    type="float",
    default=1.0,
    doc="Ridge penalty of model_regressor='ridge' (lime's default Ridge(alpha=1)).",
    low=0,
)
_LIME_COMMON = {
    "sampling": "around the training mean unless sample_around_instance=True",
    "kernel": "sqrt(exp(-d**2 / w**2)) on standardized distances, w = kernel_width "
    "(None: 0.75*sqrt(d))",
    "regressor": "model_regressor: Ridge(alpha, fit_intercept=True) (lime's default alpha=1) or "
    "LinearRegression()",
    "randomness": "LimeTabularExplainer(random_state=seed); Ridge(random_state=seed)",
}
_H = Param(
    name="h",
    type="float | 'analytic'",
    default="analytic",
    doc="'analytic' uses f.grad whenever the function has an exact gradient (whatever its tags; "
    "at a kink or jump the family's convention: a one-sided derivative, 0 at a step's jump), "
    "else h = 1e-5 central differences; a number h: central differences (jump / 2h at a jump).",
)

ENTRIES: list[Entry] = [
    # ------------------------------------------------------------------ shap
    _m(
        "shap.exact",
        f"{_SHAP}:exact",
        "shap.explainers.Exact with maskers.Independent(background, max_samples=len(background)): "
        "exact interventional Shapley values w.r.t. every background row (no subsampling).",
        output="attribution",
        scope="local",
        statistic={**_INTERVENTIONAL_BG, "estimator": "exact enumeration (2**d coalitions)"},
        library="shap",
        params=(
            Param(
                name="max_evals",
                type="int",
                default=100000,
                doc="shap's guard: raises if 2**d exceeds it (shap default 100000).",
                low=1,
                limit="samples",
            ),
            _LINK,
            _LINEARIZE_LINK,
        ),
    ),
    _m(
        "shap.permutation",
        f"{_SHAP}:permutation",
        "shap.explainers.Permutation: antithetic permutation sampling of the interventional game "
        "(each sampled order and its reverse). Exact for games with interactions of order <= 2.",
        output="attribution",
        scope="local",
        statistic={
            **_INTERVENTIONAL_BG,
            "estimator": "antithetic permutation sampling; efficient by construction",
            "randomness": "Permutation(..., seed=seed) (shap calls np.random.seed(seed))",
        },
        randomized=True,
        library="shap",
        params=(
            Param(
                name="max_evals",
                type="int | 'auto'",
                default=500,
                doc="model evaluations per point, shap default 500 (about max_evals / (2d) permutations).",
                low=1,
                limit="samples",
            ),
            _LINK,
            _LINEARIZE_LINK,
        ),
    ),
    _m(
        "shap.kernel",
        f"{_SHAP}:kernel",
        "shap.KernelExplainer(f, background).shap_values(points): weighted least squares over "
        "coalitions with the Shapley kernel and the efficiency constraint. Enumerates all 2**d - 2 "
        "coalitions when nsamples >= 2**d - 2 (then exact).",
        output="attribution",
        scope="local",
        statistic={
            **_INTERVENTIONAL_BG,
            "estimator": "KernelSHAP (constrained WLS); exact when nsamples >= 2**d - 2",
            "default_nsamples": "2*d + 2**11",
            "l1_reg": "default 'num_features(10)': a LARS step keeps at most 10 features, the others "
            "get 0; it also drops a feature whose sampled response has no correlation left, even for "
            "d <= 10, so a sampled estimate is not exactly linear in f (tests/methods/"
            "test_shap_kernel_selection.py); with every coalition enumerated it changes nothing",
            "randomness": _LEGACY_SEED,
        },
        randomized=True,
        library="shap",
        params=(
            Param(
                name="nsamples",
                type="int | 'auto'",
                default="auto",
                doc="coalitions sampled per point; 'auto' = 2*d + 2048 (shap's default).",
                low=1,
                limit="samples",
            ),
            Param(
                name="l1_reg",
                type="str | float | bool",
                default="num_features(10)",
                doc="feature selection before the WLS solve (shap >= 0.47 default "
                "'num_features(10)'); False disables it.",
            ),
            _LINK,
        ),
    ),
    _m(
        "shap.sampling",
        f"{_SHAP}:sampling",
        "shap.SamplingExplainer(f, background).shap_values(points): per-feature Monte-Carlo "
        "permutation estimate (Strumbelj & Kononenko), followed by shap's ridge correction that "
        "makes the values efficient (sum = f(x) - mean prediction, measured within ~1e-8).",
        output="attribution",
        scope="local",
        statistic={
            **_INTERVENTIONAL_BG,
            "estimator": "per-feature Monte-Carlo; each value a Monte-Carlo estimate, the sum "
            "corrected to f(x) - mean prediction by a ridge step (prior weight 1e6 on the sum)",
            "default_nsamples": "1000*d",
            "randomness": _LEGACY_SEED,
        },
        randomized=True,
        library="shap",
        params=(
            Param(
                name="nsamples",
                type="int | 'auto'",
                default="auto",
                doc="total samples per point; 'auto' = 1000*d (shap's default).",
                low=1,
                limit="samples",
            ),
            Param(
                name="min_samples_per_feature",
                type="int",
                default=100,
                doc="first-round samples per feature (shap default 100).",
                low=1,
                limit="samples",
            ),
        ),
    ),
    _m(
        "shap.tree",
        f"{_SHAP}:tree",
        "shap.TreeExplainer(model, data=background, feature_perturbation='interventional'): exact "
        "interventional Shapley values of a tree model w.r.t. the background rows; shap keeps at "
        "most 100 of them (masker default max_samples=100: a larger background is replaced by a "
        "100-row subsample).",
        output="attribution",
        scope="local",
        statistic={
            **_INTERVENTIONAL_BG_MAX_100,
            "estimator": "interventional TreeSHAP (exact up to float32 thresholds)",
        },
        requires=("tree", "sklearn"),
        library="shap",
    ),
    _m(
        "shap.tree_path",
        f"{_SHAP}:tree_path",
        "shap.TreeExplainer(model, feature_perturbation='tree_path_dependent'): Shapley values of "
        "the cover-weighted (path-dependent) game; no background data. Not conditional SHAP.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "path_dependent",
            "background": "none: node covers of the training data stored in the trees",
            "output_scale": "raw",
            "estimator": "path-dependent TreeSHAP (exact for its game)",
        },
        requires=("tree", "sklearn"),
        library="shap",
    ),
    _m(
        "shap.saabas",
        f"{_SHAP}:saabas",
        "shap.TreeExplainer(model).shap_values(points, approximate=True): Saabas attributions "
        "(the change of the node mean along the decision path). Not a Shapley value.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "path_dependent",
            "background": "none: node covers of the training data stored in the trees",
            "output_scale": "raw",
            "estimator": "Saabas path attribution (order-dependent, not Shapley)",
        },
        requires=("tree", "sklearn"),
        library="shap",
    ),
    _m(
        "shap.tree_interaction",
        f"{_SHAP}:tree_interaction",
        "shap.TreeExplainer(model).shap_interaction_values(points): SHAP interaction values of the "
        "path-dependent game (shap supports them only with tree_path_dependent), (d, d) per point; "
        "the diagonal holds main effects and each row sums to the SHAP value.",
        output="interaction",
        scope="local",
        statistic={
            "value_function": "path_dependent",
            "background": "none: node covers of the training data stored in the trees",
            "output_scale": "raw",
            "estimator": "Shapley interaction index, off-diagonal split in halves",
        },
        requires=("tree", "sklearn"),
        library="shap",
    ),
    _m(
        "shap.linear",
        f"{_SHAP}:linear",
        "shap.LinearExplainer(model, background) (interventional, shap's default): "
        "w_i * (x_i - mean(background)_i), where shap keeps at most 100 background rows (masker "
        "default max_samples=100: the mean is that of a 100-row subsample of a larger background).",
        output="attribution",
        scope="local",
        statistic={
            **_INTERVENTIONAL_BG_MAX_100,
            "estimator": "closed form w * (x - mean(background)), background as kept by shap",
        },
        requires=("linear",),
        library="shap",
    ),
    _m(
        "shap.linear_correlation",
        f"{_SHAP}:linear_correlation",
        "shap.LinearExplainer(model, shap.maskers.Impute(background)) (the replacement of the "
        "deprecated feature_perturbation='correlation_dependent'): conditional Shapley values of a "
        "linear model under a Gaussian fitted to the background (mean and covariance).",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "conditional (Gaussian fitted to the background)",
            "background": "mean and covariance of the rows passed as background",
            "output_scale": "raw",
            "estimator": "closed-form transform estimated from nsamples sampled coalitions",
            "randomness": _LEGACY_SEED,
        },
        requires=("linear",),
        randomized=True,
        library="shap",
        params=(
            Param(
                name="nsamples",
                type="int",
                default=1000,
                doc="coalition samples used to estimate the transform (shap default 1000).",
                low=1,
                limit="samples",
            ),
        ),
    ),
    _m(
        "shap.partition",
        f"{_SHAP}:partition",
        "shap.explainers.Partition with shap.maskers.Partition(background, clustering=...): Owen "
        "values of the interventional game under a hierarchical clustering of the features.",
        output="attribution",
        scope="local",
        statistic={
            **_INTERVENTIONAL_BG,
            "value_function": "interventional, Owen value under the feature clustering",
            "estimator": "recursive partition (exact Owen values when max_evals suffices)",
            "randomness": _LEGACY_SEED + " (tie-breaking in the priority queue)",
        },
        randomized=True,
        library="shap",
        params=(
            Param(
                name="max_evals",
                type="int",
                default=500,
                doc="model evaluations per point (shap default 500).",
                low=1,
                limit="samples",
            ),
            Param(
                name="clustering",
                type="str",
                default="correlation",
                doc="maskers.Partition clustering metric (shap default 'correlation').",
            ),
        ),
    ),
    # --------------------------------------------------------------- sklearn
    _m(
        "sklearn.permutation_importance",
        f"{_SKL}:permutation_importance",
        "sklearn.inspection.permutation_importance(model, data, y, ...).importances_mean: the "
        "mean increase of the loss over n_repeats random permutations of each column.",
        output="importance",
        scope="global",
        statistic={
            "value_function": "marginal permutation (breaks X_j's dependence on X_-j and Y)",
            "background": "data and y of the world (permuted within the data rows)",
            "output_scale": "score difference: baseline score - permuted score",
            "loss": "scoring (default neg MSE, so the importance is an increase of the MSE)",
            "estimator": "n_repeats random permutations; the limit is pfi(f, P, y)",
            "randomness": "random_state=seed",
        },
        randomized=True,
        library="sklearn",
        params=(
            Param(
                name="n_repeats",
                type="int",
                default=5,
                doc="permutations per feature (sklearn default 5).",
                low=1,
                limit="samples",
            ),
            Param(
                name="scoring",
                type="str | None",
                default="neg_mean_squared_error",
                doc="sklearn scorer name. NOTE: sklearn's own default (None) is estimator.score, "
                "R^2 for regressors; explainspec defaults to the squared loss of the closed forms.",
            ),
            Param(
                name="max_samples",
                type="float | int",
                default=1.0,
                doc="rows drawn for each repeat (sklearn default 1.0 = all).",
            ),
        ),
    ),
    _m(
        "sklearn.partial_dependence",
        f"{_SKL}:partial_dependence",
        "sklearn.inspection.partial_dependence(model, data, [j], kind='average', method='brute', "
        "custom_values={j: grid[j]}): the mean of f over the data rows with x_j := t.",
        output="curve",
        scope="global",
        statistic={
            "value_function": "marginal (interventional) expectation over the data rows",
            "background": "data (the rows passed as X)",
            "output_scale": "raw (response_method='auto' -> predict for a regressor)",
            "grid": "the world's grid (custom_values); sklearn's grid_resolution is not used",
        },
        library="sklearn",
    ),
    _m(
        "sklearn.ice",
        f"{_SKL}:ice",
        "sklearn.inspection.partial_dependence(model, points, [j], kind='individual', "
        "method='brute', custom_values={j: grid[j]}): one ICE curve per explained point.",
        output="curve",
        scope="local",
        statistic={
            "value_function": "f(x with x_j := t) (no averaging)",
            "background": "none",
            "output_scale": "raw",
            "grid": "the world's grid (custom_values)",
        },
        library="sklearn",
    ),
    # ------------------------------------------------------------------ lime
    _m(
        "lime.tabular",
        f"{_LIME}:tabular",
        "lime.lime_tabular.LimeTabularExplainer(background, mode='regression') with the package "
        "defaults: quartile discretization, samples around the training mean, Ridge(alpha=1) on "
        "the binary 'same bin as x' features. Coefficients per feature, in feature order.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "local surrogate (weighted ridge) on discretized indicators",
            "background": "the rows passed as background (training_data: quartiles, mean, std)",
            "output_scale": "coefficient of the indicator 'x_j in the same quartile bin as x'",
            **_LIME_COMMON,
        },
        randomized=True,
        library="lime",
        params=(
            _NUM_SAMPLES,
            _KERNEL_WIDTH,
            Param(
                name="discretizer",
                type="'quartile' | 'decile' | 'entropy'",
                default="quartile",
                doc="how continuous features are binned (lime default quartile).",
            ),
            _SAMPLE_AROUND,
            _MODEL_REGRESSOR,
            _ALPHA,
        ),
    ),
    _m(
        "lime.tabular_continuous",
        f"{_LIME}:tabular_continuous",
        "lime.lime_tabular.LimeTabularExplainer(background, mode='regression', "
        "discretize_continuous=False): Ridge(alpha=1) on standardized features, so the "
        "coefficient of a linear f is about w_j * std(background_j), not w_j.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "local surrogate (weighted ridge) on standardized features",
            "background": "the rows passed as background (training_data: mean, std)",
            "output_scale": "coefficient per standard deviation of the feature",
            **_LIME_COMMON,
        },
        randomized=True,
        library="lime",
        params=(
            _NUM_SAMPLES,
            _KERNEL_WIDTH,
            _SAMPLE_AROUND,
            _MODEL_REGRESSOR,
            _ALPHA,
        ),
    ),
    # ------------------------------------------------------------- reference
    _m(
        "reference.shapley",
        f"{_REF}:shapley",
        "Exact interventional Shapley values by enumerating all 2**d coalitions.",
        output="attribution",
        scope="local",
        statistic={**_INTERVENTIONAL_BG, "estimator": "exact enumeration"},
        library="reference",
    ),
    _m(
        "reference.shapley_permutation",
        f"{_REF}:shapley_permutation",
        "Monte-Carlo Shapley values: mean marginal contribution over random feature orders "
        "(independent orders, no antithetic pairing). Efficient by construction.",
        output="attribution",
        scope="local",
        statistic={
            **_INTERVENTIONAL_BG,
            "estimator": "permutation sampling, error O(n_permutations**-0.5)",
            "randomness": "numpy.random.default_rng(seed)",
        },
        randomized=True,
        library="reference",
        params=(
            Param(
                name="n_permutations",
                type="int",
                default=100,
                doc="random feature orders.",
                low=1,
                limit="samples",
            ),
        ),
    ),
    _m(
        "reference.shapley_conditional",
        f"{_REF}:shapley_conditional",
        "Exact observational (conditional-expectation) Shapley values: v(S) is the mean of f over "
        "the background rows that agree with x on S. x must lie in the support of the background.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "conditional (empirical filtering of the background)",
            "background": "the rows passed as background, as a finite pmf",
            "output_scale": "raw",
            "estimator": "exact enumeration",
        },
        library="reference",
    ),
    _m(
        "reference.shapley_baseline",
        f"{_REF}:shapley_baseline",
        "Baseline Shapley (BShap): v(S) = f(x_S, b_-S) with the world's baseline b.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "baseline",
            "background": "the baseline point",
            "output_scale": "raw",
            "estimator": "exact enumeration",
        },
        library="reference",
    ),
    _m(
        "reference.banzhaf",
        f"{_REF}:banzhaf",
        "Exact Banzhaf values of the interventional game (uniform weight over coalitions; "
        "not efficient).",
        output="attribution",
        scope="local",
        statistic={**_INTERVENTIONAL_BG, "estimator": "exact enumeration"},
        library="reference",
    ),
    _m(
        "reference.nshapley",
        f"{_REF}:nshapley",
        "n-Shapley values (Bordt & von Luxburg 2023) of the interventional game, by bitmask: "
        "(2**d,) per point, zero for |S| > n; n = 1 gives Shapley values, n = d the Moebius "
        "transform.",
        output="attribution",
        scope="local",
        statistic={
            **_INTERVENTIONAL_BG,
            "estimator": "exact enumeration (Bernoulli-number recursion)",
            "shape": "(2**d,) indexed by subset bitmask",
        },
        library="reference",
        params=(
            Param(
                name="n",
                type="int",
                default=2,
                doc="highest interaction order.",
                low=1,
                limit="order",
            ),
        ),
        shape="2**d",
    ),
    _m(
        "reference.gradient",
        f"{_REF}:gradient",
        "The gradient of f at x: analytic where the function provides one, else central "
        "differences with step h.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "none (infinitesimal)",
            "background": "none",
            "output_scale": "raw",
        },
        library="reference",
        params=(_H,),
    ),
    _m(
        "reference.gradient_x_input",
        f"{_REF}:gradient_x_input",
        "x * grad f(x) (gradient times input).",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "none (infinitesimal)",
            "background": "none",
            "output_scale": "raw",
        },
        library="reference",
        params=(_H,),
    ),
    _m(
        "reference.integrated_gradients",
        f"{_REF}:integrated_gradients",
        "Integrated gradients along the straight path from the world's baseline to x, by a "
        "Riemann rule with `steps` gradient evaluations.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "path integral from the baseline",
            "background": "the baseline point",
            "output_scale": "raw",
            "estimator": "quadrature: riemann_left O(1/steps), midpoint O(1/steps**2) for smooth f",
        },
        library="reference",
        params=(
            Param(
                name="steps",
                type="int",
                default=50,
                doc="gradient evaluations on the path.",
                low=1,
                limit="samples",
            ),
            Param(
                name="rule",
                type="'riemann_left' | 'riemann_right' | 'midpoint' | 'trapezoid'",
                default="riemann_left",
                doc="the quadrature rule on the path.",
            ),
        ),
    ),
    _m(
        "reference.occlusion",
        f"{_REF}:occlusion",
        "Occlusion: f(x) - f(x with x_i := b_i) for each feature, with the world's baseline b.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "baseline, one feature at a time",
            "background": "the baseline point",
            "output_scale": "raw",
        },
        library="reference",
    ),
    _m(
        "reference.lime_wls",
        f"{_REF}:lime_wls",
        "Transparent LIME-style surrogate: Gaussian samples (scale = std of the background), "
        "exponential kernel on standardized distances, weighted ridge (alpha = 0: WLS) on "
        "standardized or raw features. Coefficients per feature.",
        output="attribution",
        scope="local",
        statistic={
            "value_function": "local surrogate (weighted least squares)",
            "background": "the rows passed as background (mean and std)",
            "output_scale": "per unit of x_j (standardize=False) or per std (standardize=True)",
            "randomness": "numpy.random.default_rng(seed)",
        },
        randomized=True,
        library="reference",
        params=(
            Param(
                name="num_samples",
                type="int",
                default=5000,
                doc="perturbation samples.",
                low=1,
                limit="samples",
            ),
            Param(
                name="kernel_width",
                type="float | None",
                default=None,
                doc="None = 0.75 * sqrt(d) (lime's default).",
            ),
            Param(
                name="sample_around",
                type="'instance' | 'mean'",
                default="instance",
                doc="around x ('instance') or around the background mean (lime's default).",
            ),
            Param(
                name="standardize",
                type="bool",
                default=False,
                doc="regress on (z - mean) / std like lime (True) or on raw z (False).",
            ),
            Param(name="alpha", type="float", default=0.0, doc="ridge penalty (lime uses 1.0)."),
        ),
    ),
    _m(
        "reference.permutation_importance",
        f"{_REF}:permutation_importance",
        "Permutation importance under squared loss: mean over K random permutations of column j "
        "of MSE(permuted) - MSE(original), on the world's data and y.",
        output="importance",
        scope="global",
        statistic={
            "value_function": "marginal permutation",
            "background": "data and y of the world",
            "output_scale": "increase of the mean squared error",
            "estimator": "K random permutations; the limit is pfi(f, P, y)",
            "randomness": "numpy.random.default_rng(seed)",
        },
        randomized=True,
        library="reference",
        params=(
            Param(
                name="n_repeats",
                type="int",
                default=5,
                doc="permutations K per feature.",
                low=1,
                limit="samples",
            ),
        ),
    ),
    _m(
        "reference.pd",
        f"{_REF}:pd",
        "Partial dependence on the world's grid: the mean of f over the data rows with x_j := t.",
        output="curve",
        scope="global",
        statistic={
            "value_function": "marginal (interventional) expectation over the data rows",
            "background": "data",
            "output_scale": "raw",
        },
        library="reference",
    ),
    _m(
        "reference.counterfactual_l2",
        f"{_REF}:counterfactual_l2",
        "The nearest point (L2) with f(z) = threshold: closed form x - (f(x) - t) w / |w|^2 for a "
        "linear f, scipy SLSQP otherwise. Returns the counterfactual point.",
        output="counterfactual",
        scope="local",
        statistic={
            "value_function": "none (optimisation)",
            "background": "none",
            "output_scale": "a point in feature space",
            "estimator": "closed form (linear) or SLSQP (tolerance ~1e-8)",
        },
        library="reference",
        params=(Param(name="threshold", type="float", default=0.0, doc="decision threshold t."),),
    ),
]

ENTRIES += _CAPTUM_ENTRIES  # captum.* (explainspec.catalog.methods_captum)

# the rest of the tabular toolbox (interpret, shapiq, PyALE, DiCE, importance, references)
from explainspec.catalog.methods_tabular import ENTRIES as _TABULAR  # noqa: E402

ENTRIES += _TABULAR
