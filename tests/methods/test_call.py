"""call_method: failures become one MethodError naming method, parameters and world."""

import time
from types import MappingProxyType

import numpy as np
import pytest
from methods_fakes import linear_function, problem

from explainspec.methods.base import NotApplicable
from explainspec.methods.call import MethodError, call_method, expected_shape
from explainspec.registry import Entry, Param, registry


def _entry(fn, *, output="attribution", scope="local", requires=("callable",)):
    return Entry(
        kind="method",
        name="test.broken",
        doc="a method under test",
        params=(Param(name="alpha", type="float", default=0.5, doc="a knob"),),
        extra=MappingProxyType({"output": output, "scope": scope, "requires": requires}),
        obj=fn,
    )


def _pr(**params):
    return problem(
        linear_function([1.0, -1.0, 2.0]), np.zeros((2, 3)), np.ones((4, 3)), seed=7, **params
    )


def _raises(fn, **kw):
    with pytest.raises(MethodError) as info:
        call_method(_entry(fn, **kw), _pr(alpha=2.0))
    msg = str(info.value)
    assert "test.broken" in msg and "alpha=2.0" in msg
    assert "1*x0 + -1*x1 + 2*x2" in msg and "seed = 7" in msg
    assert "Traceback" not in msg
    return info.value


def test_exception_becomes_method_error():
    def boom(problem):
        raise ZeroDivisionError("division by zero\nmore lines")

    err = _raises(boom)
    assert "ZeroDivisionError: division by zero" in str(err) and "more lines" not in str(err)
    assert err.method == "test.broken" and err.params == {"alpha": 2.0}


def test_wrong_shape_becomes_method_error():
    err = _raises(lambda problem: np.zeros(3))
    assert "shape (3,), expected (2, 3)" in str(err)


def test_nan_becomes_method_error():
    err = _raises(lambda problem: np.full((2, 3), np.nan))
    assert "non-finite" in str(err)


def test_not_an_array_becomes_method_error():
    assert "not an array" in str(_raises(lambda problem: {"a": 1}))


def test_good_output_passes_with_params_merged():
    seen = {}

    def ok(problem):
        seen.update(problem.params)
        return np.ones((2, 3))

    out = call_method(_entry(ok), _pr())
    assert out.shape == (2, 3) and seen == {"alpha": 0.5}


def test_unknown_parameter_is_named():
    with pytest.raises(MethodError, match="no parameter 'beta'.*alpha"):
        call_method(_entry(lambda p: np.ones((2, 3))), _pr(beta=1))


def test_missing_tag_is_not_applicable():
    with pytest.raises(NotApplicable, match="tree"):
        call_method(_entry(lambda p: np.ones((2, 3)), requires=("tree",)), _pr())


def test_timeout_becomes_method_error():
    def slow(problem):
        time.sleep(5)

    t = time.perf_counter()
    with pytest.raises(MethodError, match="within 0.2 s"):
        call_method(_entry(slow), _pr(), timeout=0.2)
    assert time.perf_counter() - t < 2


@pytest.mark.parametrize(
    ("output", "scope", "shape"),
    [
        ("attribution", "local", (2, 3)),
        ("importance", "global", (3,)),
        ("curve", "global", (3, 5)),
        ("curve", "local", (2, 3, 5)),
        ("interaction", "local", (2, 3, 3)),
        ("counterfactual", "local", (2, 3)),
    ],
)
def test_expected_shapes(output, scope, shape):
    assert expected_shape(_entry(None, output=output, scope=scope), _pr()) == shape


def test_builtin_reference_methods_pass_validation():
    pr = problem(linear_function([1.0, -1.0, 2.0]), np.ones((2, 3)), np.eye(3))
    reg = registry("method")
    for name in ("reference.shapley", "reference.pd", "reference.nshapley", "reference.occlusion"):
        out = call_method(reg.get(name), pr)
        assert out.shape == expected_shape(reg.get(name), pr)


def test_a_method_writing_into_its_inputs_leaves_the_callers_arrays_alone():
    """Red team: a method that clips the points in place (or shifts the background, the
    baseline, the data) changed the world the ground truth was then computed on, so a wrong
    explanation at the clipped point agreed with the oracle at that same clipped point."""
    pr = _pr()
    before = {n: np.array(getattr(pr, n), copy=True) for n in ("points", "background", "baseline")}

    def scribbler(problem):
        for name in ("points", "background", "baseline", "data", "y", "grid"):
            arr = getattr(problem, name)
            if isinstance(arr, np.ndarray) and arr.size:
                arr[...] = 99.0  # raises if the method were handed a read-only array
        return np.zeros((2, 3))

    call_method(_entry(scribbler), pr)
    for name, value in before.items():
        assert np.array_equal(getattr(pr, name), value), name


def test_the_output_is_not_an_array_the_method_keeps():
    """Red team: a method that returns one buffer it reuses must not change an output the
    runner already holds (its per-world cache) when it is called again."""
    buffer = np.zeros((2, 3))

    def reuses(problem):
        buffer[...] = problem.params["alpha"]
        return buffer

    first = call_method(_entry(reuses), _pr(alpha=1.0))
    call_method(_entry(reuses), _pr(alpha=2.0))
    assert np.array_equal(first, np.ones((2, 3)))


def test_complex_output_is_not_silently_made_real():
    """Red team: numpy's cast to float dropped the imaginary part with only a warning."""
    err = _raises(lambda problem: np.full((2, 3), 1.0 + 2.0j))
    assert "complex" in str(err)
    real = call_method(_entry(lambda problem: np.full((2, 3), 1.0 + 0.0j)), _pr())
    assert real.dtype == float and np.array_equal(real, np.ones((2, 3)))
