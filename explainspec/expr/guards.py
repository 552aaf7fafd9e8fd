"""Run-time guards of the check interpreter: exact integers, and sizes refused before allocating.

A check is untrusted input. Sizes it can choose only at evaluation time (a ``range`` of a
computed length, an array constructor, a broadcast or matrix product, fancy indexing, the
bindings of nested quantifiers) are compared with :mod:`explainspec.catalog.limits` *before*
anything is allocated or looped over, and refused with :class:`~explainspec.expr.base.LimitError`
(``ES314``).

Integers are exact or refused (:class:`~explainspec.expr.base.IntegerRangeError`, ``ES313``):

- integer *scalars* (literals, ``d``, quantifier variables, ``len``, ``argmax`` ...) are Python
  integers, computed exactly; a result over ``limit("integer_bits")`` is refused, and ``a ** b``
  is refused from the sizes of ``a`` and ``b`` alone, before it is computed;
- integer *arrays* (``range(n)``, bitmasks, indices) are numpy ``int64``; an operation whose
  result could leave the 64-bit range is refused up front, from bounds on its operands
  (``max |a| + max |b|``, ``max |a| · max |b|``, ...). Refusing is simpler to trust than
  promoting to object arrays (slow, and every builtin would need to accept them) or to floats
  (silently inexact above 2**53); a check that wants approximate large numbers writes them as
  floats (``2.0 ** 64``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from explainspec.catalog.limits import limit
from explainspec.expr.base import IntegerRangeError, LimitError
from explainspec.lang import ir

__all__ = [
    "INT64_MAX",
    "check_array_op",
    "check_bindings",
    "check_cells",
    "check_int",
    "check_int_array",
    "check_range",
    "exact_int",
    "float_of_int",
    "index_cells",
    "int_bound",
]

INT64_MAX: Final = 2**63 - 1


# --------------------------------------------------------------------------- sizes


def check_cells(shape: Sequence[int], what: str) -> None:
    """Refuse an array of ``shape`` with more numbers than ``limit("cells")``.

    >>> check_cells((1000, 1000), "ones([1000, 1000])")
    >>> check_cells((50000, 50000), "ones([50000, 50000])")
    Traceback (most recent call last):
    ...
    explainspec.expr.base.LimitError: ones([50000, 50000]) would hold 2500000000 numbers; a check may build at most 10000000 (limit 'cells')
    """
    cells = math.prod(int(n) for n in shape)
    if cells > limit("cells"):
        raise LimitError(
            f"{what} would hold {cells} numbers; a check may build at most "
            f"{limit('cells')} (limit 'cells')"
        )


def check_range(length: int, what: str) -> None:
    """Refuse a ``range`` (or quantifier domain) longer than ``limit("range")``."""
    if length > limit("range"):
        raise LimitError(
            f"{what} has {length} elements; a range in a check may have at most "
            f"{limit('range')} (limit 'range')"
        )


def check_bindings(total: int, what: str) -> None:
    """Refuse nested quantifiers whose bindings multiply past ``limit("range")``."""
    if total > limit("range"):
        raise LimitError(
            f"{what}: the quantifiers around and in it would evaluate their body {total} times; "
            f"at most {limit('range')} bindings are allowed (limit 'range'; nested quantifiers "
            "multiply)"
        )


def index_cells(shape: tuple[int, ...], key: tuple[Any, ...]) -> int | None:
    """The number of elements ``a[key]`` has, for ``a`` of ``shape``, computed without indexing;
    ``None`` when numpy would refuse the key anyway (it then says why).

    >>> index_cells((100000, 100), (np.arange(1000),))
    100000
    >>> index_cells((10, 4), (slice(None, None, 2), 1))
    5
    """
    dims = list(shape)
    pos, other, fancy = 0, 1, []
    for k in key:
        if isinstance(k, slice):
            if pos >= len(dims):
                return None
            other *= len(range(*k.indices(dims[pos])))
            pos += 1
        elif isinstance(k, int | np.integer):
            pos += 1
        else:
            arr = np.asarray(k)
            if arr.dtype.kind == "b":
                fancy.append((int(np.count_nonzero(arr)),))
                pos += max(arr.ndim, 1)
            else:
                fancy.append(arr.shape)
                pos += 1
    if pos > len(dims):
        return None
    try:
        together = math.prod(np.broadcast_shapes(*fancy)) if fancy else 1
    except ValueError:
        return None
    return other * together * math.prod(dims[pos:])


# --------------------------------------------------------------------------- integers


def check_int(v: int, what: str) -> int:
    """``v`` if its size is within ``limit("integer_bits")``, else refused.

    >>> check_int(2**64, "2 ** 64")
    18446744073709551616
    """
    bits = abs(v).bit_length()
    if bits > limit("integer_bits"):
        raise IntegerRangeError(
            f"{what} is an integer of {bits} bits; integers in a check are exact up to "
            f"{limit('integer_bits')} bits (limit 'integer_bits'), larger ones are refused"
        )
    return v


def float_of_int(v: int) -> float:
    """``float(v)``, or ``±inf`` beyond the float range (the sign is kept, so comparisons of the
    float view with anything but an equally huge integer are still decided right).

    >>> float_of_int(3), float_of_int(-(10**400))
    (3.0, -inf)
    """
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def exact_int(op: ir.BinOp, a: int, b: int, what: str) -> Any:
    """``a op b`` for two Python integers: an exact integer, or a float for ``/`` and negative
    powers (as in Python, except that ``1 / 0`` is ``inf`` as in numpy).

    ``a ** b`` is refused from the sizes of ``a`` and ``b`` before it is computed.

    >>> exact_int(ir.BinOp.MUL, 3, 4611686018427387904, "3 * 4611686018427387904")
    13835058055282163712
    >>> float(exact_int(ir.BinOp.POW, 2, -1, "2 ** -1"))
    0.5
    """
    if op is ir.BinOp.ADD:
        return check_int(a + b, what)
    if op is ir.BinOp.SUB:
        return check_int(a - b, what)
    if op is ir.BinOp.MUL:  # operands hold at most integer_bits each: the product is cheap
        return check_int(a * b, what)
    if op is ir.BinOp.DIV:
        if b == 0:
            return np.float64(float_of_int(a)) / np.float64(0.0)
        try:
            return np.float64(a / b)
        except OverflowError:
            return np.float64(math.inf if (a > 0) == (b > 0) else -math.inf)
    if op is ir.BinOp.POW:
        if b < 0:
            return np.float64(float_of_int(a)) ** np.float64(b)
        if abs(a) >= 2:
            smallest = (abs(a).bit_length() - 1) * b + 1  # bits of |a| ** b are at least this
            if smallest > limit("integer_bits"):
                raise IntegerRangeError(
                    f"{what} would be an integer of at least {smallest} bits; integers in a "
                    f"check are exact up to {limit('integer_bits')} bits (limit 'integer_bits'), "
                    "larger ones are refused (write 2.0 ** n for an approximate float)"
                )
        return check_int(a**b, what)
    raise TypeError(f"unsupported operand types for {op.value}: int and int")


def int_bound(v: Any) -> int | None:
    """The largest ``|element|`` of an integer or boolean scalar or array, as a Python integer;
    ``None`` for anything else (floats, functions, ...).

    >>> int_bound(np.array([3, -7])), int_bound(2.5), int_bound(np.array([], dtype=int))
    (7, None, 0)
    """
    if isinstance(v, bool | int):
        return abs(int(v))
    if not isinstance(v, np.ndarray | np.generic):
        return None
    arr = np.asarray(v)
    if arr.dtype.kind not in "biu":
        return None
    if arr.size == 0:
        return 0
    return max(abs(int(arr.max())), abs(int(arr.min())))


def check_int_array(v: Any, what: str) -> Any:
    """``v`` unless it is an integer array (or numpy integer) whose elements cannot all be
    negated within 64 bits (``-(-2**63)`` wraps around in numpy)."""
    bound = int_bound(v)
    if bound is not None and not isinstance(v, bool | int) and bound > INT64_MAX:
        raise IntegerRangeError(f"{what} leaves the 64-bit range of an integer array")
    return v


def _shape(v: Any) -> tuple[int, ...]:
    return tuple(np.shape(v)) if isinstance(v, np.ndarray | np.generic | int | float) else ()


def _result_shape(op: ir.BinOp, sa: tuple[int, ...], sb: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        if op is not ir.BinOp.MATMUL:
            return tuple(np.broadcast_shapes(sa, sb))
        if not sa or not sb:
            return None
        left = sa if len(sa) > 1 else (1, *sa)
        right = sb if len(sb) > 1 else (*sb, 1)
        batch = tuple(np.broadcast_shapes(left[:-2], right[:-2]))
        shape = (*batch, left[-2], right[-1])
        return shape[: len(shape) - (len(sa) == 1) - (len(sb) == 1)] if shape else shape
    except ValueError:
        return None  # numpy refuses the shapes itself, with its own message


def check_array_op(op: ir.BinOp, a: Any, b: Any, what: str) -> None:
    """Refuse ``a op b`` on arrays when the result would pass ``limit("cells")`` or, for
    integers, could leave the 64-bit range (decided from bounds on the operands, before the
    operation runs).

    >>> check_array_op(ir.BinOp.MUL, np.arange(5), 2**62, "range(5) * 2 ** 62")
    Traceback (most recent call last):
    ...
    explainspec.expr.base.IntegerRangeError: range(5) * 2 ** 62: the result could reach 18446744073709551616, beyond the 64-bit range of an integer array (write the numbers as floats, e.g. 2.0 ** 64, if approximate values are fine)
    """
    sa, sb = _shape(a), _shape(b)
    if sa or sb:
        shape = _result_shape(op, sa, sb)
        if shape is not None:
            check_cells(shape, what)
    if op is ir.BinOp.DIV:
        return
    ba, bb = int_bound(a), int_bound(b)
    if ba is None or bb is None:
        return
    if isinstance(a, bool | int) and isinstance(b, bool | int):
        return  # two Python scalars: exact_int's business
    if op in (ir.BinOp.ADD, ir.BinOp.SUB):
        bound = ba + bb
    elif op is ir.BinOp.MUL:
        bound = ba * bb
    elif op is ir.BinOp.MATMUL:
        inner = sa[-1] if sa else 1
        bound = inner * ba * bb
    elif op is ir.BinOp.POW:
        top = int(np.max(b)) if np.size(b) else 0
        if ba >= 2 and (ba.bit_length() - 1) * top >= 63:
            bound = INT64_MAX + 1
        else:
            bound = ba ** max(top, 0)
    else:
        return
    if bound > INT64_MAX:
        raise IntegerRangeError(
            f"{what}: the result could reach {bound}, beyond the 64-bit range of an integer "
            "array (write the numbers as floats, e.g. 2.0 ** 64, if approximate values are fine)"
        )
