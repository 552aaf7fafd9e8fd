"""The safe interpreter of check expressions, with quantitative margins.

``base`` holds the public types, ``interpreter`` the evaluation of values and conditions,
``margins`` the comparisons, ``guards`` exact integers and the run-time size limits, ``nodes``
static facts about expression nodes (names, text, whether they read the method).

>>> from explainspec.lang import ir
>>> check = ir.Compare(op=ir.CmpOp.LE, left=ir.Name(id="a"), right=ir.Number(value=2))
>>> evaluate(check, SimpleEnv({"a": 1.5})).margin
0.5
"""

from explainspec.expr.base import (
    METHOD_NAMES,
    Env,
    EvalError,
    IntegerRangeError,
    LimitError,
    Mode,
    Outcome,
    SimpleEnv,
    TraceItem,
)
from explainspec.expr.interpreter import evaluate, value

__all__ = [
    # evaluation
    "evaluate",
    "value",
    # environments
    "Env",
    "SimpleEnv",
    "METHOD_NAMES",
    # results and options
    "Mode",
    "Outcome",
    "TraceItem",
    "EvalError",
    "IntegerRangeError",
    "LimitError",
]
