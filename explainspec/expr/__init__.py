"""The safe interpreter of check expressions, with quantitative margins.

>>> from explainspec.lang import ir
>>> check = ir.Compare(op=ir.CmpOp.LE, left=ir.Name(id="a"), right=ir.Number(value=2))
>>> evaluate(check, SimpleEnv({"a": 1.5})).margin
0.5
"""

from explainspec.expr.interpreter import (
    Env,
    EvalError,
    Mode,
    Outcome,
    SimpleEnv,
    TraceItem,
    evaluate,
    value,
)

__all__ = [
    # evaluation
    "evaluate",
    "value",
    # environments
    "Env",
    "SimpleEnv",
    # results and options
    "Mode",
    "Outcome",
    "TraceItem",
    "EvalError",
]
