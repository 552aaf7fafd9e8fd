"""Built-in function families of the worlds, declared as plain data (no numpy import here).

A family entry names the hypothesis strategy builder of its members
(``explainspec.worlds.families:<name>``). ``extra["provides"]`` are the tags its functions have
(what methods may ``require``); ``extra["ground_truth"]`` the attributes a check may ask of
``f`` (``f.weights``, ``f.component(i, t)``, ``f.terms``, ``f.term(S)``, ``f.uses(i)``, ...).

Every family also takes the *modifier* parameters :data:`MODIFIERS` (``unused``,
``symmetric``, ``link``, ``off_support_bump``); the same modifiers exist as wrapper families
(``unused(additive, k = 1)``). Parameters written as ranges (``order = 1..3``) are drawn, and
shrink toward the lower end.
"""

from __future__ import annotations

from explainspec.catalog._common import entry
from explainspec.catalog.sources import FAMILIES as _SOURCE_FAMILIES
from explainspec.registry import Entry, Param

_T = "explainspec.worlds.families"

MODIFIERS: tuple[Param, ...] = (
    Param(
        name="unused",
        type="int | range",
        default=0,
        doc="extra features the function ignores, interleaved among the used ones "
        "(`features` counts them)",
    ),
    Param(
        name="symmetric",
        type="[int, int] | none",
        default=None,
        doc="make f exactly symmetric in these two features: (f + f.swap(i, j)) / 2",
    ),
    Param(
        name="link",
        type="'identity' | 'logistic'",
        default="identity",
        doc="output link; logistic gives 1 / (1 + exp(-f))",
    ),
    Param(
        name="off_support_bump",
        type="bool",
        default=False,
        doc="add a tent bump located off the data support (f unchanged on the support rows)",
    ),
)

_COMMON_TRUTH = ("formula", "uses", "grad", "swap")

_BIAS = Param(
    name="bias",
    type="bool",
    default=True,
    doc="false: every bias is 0 (output layer included), so a ReLU net is positively "
    "homogeneous, f(t x) = t f(x) for t >= 0",
)


def _family(
    name: str,
    doc: str,
    params: tuple[Param, ...] = (),
    *,
    provides: tuple[str, ...],
    ground_truth: tuple[str, ...],
    modifiers: bool = True,
    variadic: bool = False,
) -> Entry:
    return entry(
        "family",
        name,
        doc,
        params + (MODIFIERS if modifiers else ()),
        target=f"{_T}:{name}_family",
        variadic=variadic,
        provides=provides,
        ground_truth=ground_truth,
    )


_SHAPES_DOC = (
    "shape kinds to draw from, simplest first: poly (degree <= 4), abs, relu, step, sin, tanh"
)

ENTRIES: list[Entry] = [
    _family(
        "linear",
        "f(x) = w . x + c with nonzero small-integer/half weights (drawn), or the given weights "
        "and intercept: linear(weights = [1, -2], intercept = 0.5); features beyond the given "
        "weights have weight 0.",
        (
            Param(
                name="weights",
                type="[float]",
                default=None,
                doc="the weights w (drawn when not given); f.weights reads them",
            ),
            Param(
                name="intercept",
                type="float",
                default=None,
                doc="the intercept c (0 when weights are given, else drawn)",
            ),
        ),
        provides=(
            "callable",
            "linear",
            "additive",
            "multilinear",
            "differentiable",
            "smooth",
            "sklearn",
            "terms",
        ),
        ground_truth=(*_COMMON_TRUTH, "weights", "intercept", "component", "terms", "term"),
    ),
    _family(
        "additive",
        "f(x) = c + sum_j g_j(x_j): every feature has a shape (polynomial up to degree 4, "
        "sin(a t), |t|, relu(t - c), step 1[t > tau], tanh(a t)).",
        (Param(name="shapes", type="[str]", default=None, doc=_SHAPES_DOC),),
        provides=("callable", "additive", "terms"),
        ground_truth=(*_COMMON_TRUTH, "component", "intercept", "terms", "term"),
    ),
    _family(
        "multilinear",
        "f(x) = c + sum_S coef_S prod_{i in S} x_i: a sparse multilinear polynomial.",
        (
            Param(name="order", type="int | range", default=None, doc="largest |S| (default: d)"),
            Param(name="terms", type="int", default=4, doc="at most this many terms"),
        ),
        provides=("callable", "multilinear", "differentiable", "smooth", "terms"),
        ground_truth=(*_COMMON_TRUTH, "intercept", "terms", "term"),
    ),
    _family(
        "polynomial",
        "The polynomial of the given terms: polynomial(terms = [[2, [1, 0]], [-1, [2, 1]]], "
        "intercept = 1) is 1 + 2 x0 - x0**2 x1 (a term is [coef, [e0, e1, ...]], the powers of "
        "x0, x1, ... from 0 to 8); exact gradient, terms and uses.",
        (
            Param(
                name="terms",
                type="[[float, [int]]]",
                doc="the monomials: [coef, [e0, e1, ...]] is coef * x0**e0 * x1**e1 * ...",
            ),
            Param(name="intercept", type="float", default=0.0, doc="the constant term"),
        ),
        provides=("callable", "differentiable", "smooth", "terms"),
        ground_truth=(*_COMMON_TRUTH, "intercept", "terms", "term"),
    ),
    _family(
        "interaction",
        "f(x) = c + sum_k coef_k prod_{j in S_k} s_kj(x_j): products of shapes with |S_k| <= "
        "order, at least one term of exactly that order.",
        (
            Param(name="order", type="int | range", default=2, doc="the interaction order k"),
            Param(name="terms", type="int", default=4, doc="at most this many terms"),
            Param(name="shapes", type="[str]", default=None, doc=_SHAPES_DOC),
        ),
        provides=("callable", "terms"),
        ground_truth=(*_COMMON_TRUTH, "intercept", "terms", "term", "order"),
    ),
    _family(
        "relu_net",
        "A small ReLU network with small-integer/half weights, or the given layers: "
        "relu_net(layers = [[[[1, -1], [0, 1]], [0, 0]], [[[1, 1]], [0]]]); exact piecewise "
        "gradient.",
        (
            Param(name="width", type="int | range", default=3, doc="hidden units per layer"),
            Param(name="depth", type="int | range", default=1, doc="hidden layers"),
            _BIAS,
            Param(
                name="layers",
                type="[[[[float]], [float]]]",
                default=None,
                doc="the given network: [[W1, b1], ..., [WL, bL]], W a list of rows (one per "
                "unit), the last layer one unit (drawn when not given; no width/depth then)",
            ),
        ),
        provides=("callable", "differentiable", "relu_net", "piecewise_linear", "formula"),
        ground_truth=(*_COMMON_TRUTH, "layers"),
    ),
    _family(
        "mlp",
        "A small network with relu, tanh or gelu hidden units (exact GELU t * Phi(t), as torch's "
        "nn.GELU()) and small-integer/half weights, drawn like relu_net; exact gradient by "
        "backpropagation. activation = 'relu' gives the relu_net members.",
        (
            Param(name="width", type="int | range", default=3, doc="hidden units per layer"),
            Param(name="depth", type="int | range", default=1, doc="hidden layers"),
            Param(
                name="activation",
                type="'relu' | 'tanh' | 'gelu'",
                default="relu",
                doc="the hidden units' activation",
            ),
            _BIAS,
        ),
        provides=("callable", "differentiable"),
        ground_truth=(*_COMMON_TRUTH,),
    ),
    _family(
        "tree",
        "A real fitted sklearn DecisionTreeRegressor(max_depth = depth) with readable splits "
        "(midpoints of halves) and leaf values (multiples of 0.5), or the tree of the given "
        "splits: tree(splits = [0, 0.5, 0, [1, 0.5, 0, 80]]) is 80 where x0 > 0.5 and x1 > 0.5, "
        "else 0; its node covers (the weights of path-dependent TreeSHAP and Saabas) are the "
        "numbers of data rows reaching each node, internal values their cover-weighted means.",
        (
            Param(name="depth", type="int | range", default=2, doc="max_depth"),
            Param(
                name="splits",
                type="float | [int, float, splits, splits]",
                default=None,
                doc="the given tree: a leaf value, or [feature, threshold, left, right] (left: "
                "x[feature] <= threshold); node covers are the data rows reaching each node",
            ),
        ),
        provides=("callable", "tree", "sklearn"),
        ground_truth=("formula", "uses", "swap", "nodes", "split_features", "depth"),
    ),
    _family(
        "model",
        "A small scikit-learn model (gbr, rf, mlp, logistic: predict_proba[:, 1]) fitted on the "
        "world's data labelled by a function of another family: a black box.",
        (
            Param(
                name="kind",
                type="'gbr' | 'rf' | 'mlp' | 'logistic'",
                default="gbr",
                doc="estimator",
            ),
            Param(
                name="on", type="family", default="additive", doc="family of the labelling function"
            ),
        ),
        provides=("callable", "sklearn", "blackbox"),
        ground_truth=("uses",),
    ),
    _family(
        "formula",
        "A function given as an expression over x0, x1, ... using numbers, + - * / ** and "
        "sin cos exp tanh abs relu step max min (evaluated by a whitelist interpreter).",
        (Param(name="text", type="str", doc='e.g. "x0 * x1 + sin(x2)"'),),
        provides=("callable", "formula"),
        ground_truth=_COMMON_TRUTH,
    ),
    _family(
        "any",
        "One of the given families (drawn; shrinks toward the simplest: linear, additive, "
        "multilinear, polynomial, interaction, relu_net, mlp, tree, model, formula).",
        provides=("callable",),
        ground_truth=("formula", "uses"),
        modifiers=True,
        variadic=True,
    ),
    _family(
        "unused",
        "The family with k extra features its functions ignore, interleaved (not always last).",
        (
            Param(name="family", type="family"),
            Param(name="k", type="int | range", default=1, doc="number of unused features"),
        ),
        provides=("callable",),
        ground_truth=("uses",),
        modifiers=False,
    ),
    _family(
        "symmetric",
        "(f + f.swap(i, j)) / 2 for f of the family: exactly symmetric in x_i and x_j.",
        (
            Param(name="family", type="family"),
            Param(name="i", type="int", default=0),
            Param(name="j", type="int", default=1),
        ),
        provides=("callable",),
        ground_truth=("uses", "swap"),
        modifiers=False,
    ),
    _family(
        "logistic",
        "1 / (1 + exp(-f)) for f of the family (output on the probability scale).",
        (Param(name="family", type="family"),),
        provides=("callable", "logistic"),
        ground_truth=("uses", "grad"),
        modifiers=False,
    ),
    _family(
        "off_support_bump",
        "f of the family plus a tent bump off the data support: identical on the support rows, "
        "different where interventional games and PD extrapolate.",
        (
            Param(name="family", type="family"),
            Param(name="height", type="float", default=1.0, doc="height of the bump"),
        ),
        provides=("callable", "off_support_bump"),
        ground_truth=("uses",),
        modifiers=False,
    ),
]
ENTRIES += _SOURCE_FAMILIES  # bound world sources (explainspec audit): catalog/sources.py
