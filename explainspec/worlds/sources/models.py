"""The user's model: loading a model file safely, and wrapping an estimator or a callable.

A model reaches explainspec in one of three ways:

- a fitted object handed to the Python API (``explainspec.audit(model=est, ...)``): any fitted
  scikit-learn estimator or pipeline, or a plain callable ``(n, d) -> (n,)``;
- a ``.skops`` file, loaded with :func:`skops.io.load`. skops refuses types it does not trust;
  so do we: the types :func:`skops.io.get_untrusted_types` reports are listed, and the file is
  loaded only if the user trusts each of them by name (``--trust TYPE``), as skops users do;
- a pickle or joblib file, only with ``--trust-pickle``: loading a pickle runs code.

A classifier is audited on one output scale, chosen when it is bound: ``probability`` (its
``predict_proba`` of one class), ``log_odds`` (``log(p / (1 - p))`` of that class; the
``decision_function`` of a binary classifier whose decision function is its log-odds) or
``decision`` (its ``decision_function``). A regressor (or a regression pipeline) is audited on
``predict``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from explainspec.worlds.sources.errors import SourceError, refuse_linked_outside

Array = np.ndarray

SCALES = ("predict", "probability", "log_odds", "decision")
SKOPS_SUFFIXES = (".skops",)
#: the most a .skops file (a zip archive) may hold once unpacked, and its most members; both
#: are read from the archive's directory before skops unpacks anything (ES360): a 300 KB file
#: holding a 300 MB ``schema.json`` of one repeated letter took 9 s and 0.8 GiB to be refused,
#: so a file of a few MB could exhaust the machine
MAX_MODEL_BYTES = 1024 * 1024 * 1024
MAX_MODEL_MEMBERS = 100_000
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".jbl")

#: sklearn warns on every call when a model fitted on a DataFrame gets a numpy array; the
#: columns are matched by name when the model is bound, so the warning says nothing new
_NAMES_WARNING = "X does not have valid feature names"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundModel:
    """A model ready to be evaluated on rows ``(n, d)``, on one output scale.

    ``predict`` returns the audited output ``(n,)``. ``estimator`` is the fitted object (``None``
    for a plain callable). ``handover`` says whether the estimator itself may be handed to a
    library (shap's TreeExplainer, sklearn.inspection): only when its ``predict`` on a numpy
    array *is* the audited output (a single-output regressor or regression pipeline).
    """

    predict: Callable[[Array], Array]
    estimator: Any
    scale: str
    klass: Any
    class_index: int | None
    feature_names: tuple[str, ...] | None
    n_features: int | None
    handover: bool
    description: str
    source: str


# --------------------------------------------------------------------------- loading files


def load_model_file(
    path: str | os.PathLike[str], *, trusted: Sequence[str] = (), trust_pickle: bool = False
) -> Any:
    """The object stored in a model file (``.skops``; pickle/joblib with ``trust_pickle``).

    Raises
    ------
    SourceError
        ES360 (missing file, unknown suffix, a file that does not load), ES368 (a ``.skops``
        file with types not in ``trusted``), ES369 (a pickle without ``trust_pickle``).
    """
    p = os.fspath(path)
    refuse_linked_outside(p, "ES360")
    if not os.path.isfile(p):
        raise SourceError("ES360", "no such model file", path=p)
    suffix = os.path.splitext(p)[1].lower()
    if suffix in SKOPS_SUFFIXES:
        return _load_skops(p, tuple(trusted))
    if suffix in PICKLE_SUFFIXES:
        if not trust_pickle:
            raise SourceError(
                "ES369",
                f"refusing to load a {suffix} file: loading a pickle runs the code it contains",
                path=p,
                hint="save the model with skops.io.dump as a .skops file, or pass "
                "--trust-pickle if you made this file yourself",
            )
        try:
            import joblib

            return joblib.load(p)
        except Exception as e:  # noqa: BLE001 - any failure to load is the file's problem
            raise SourceError("ES360", f"the file does not load: {e}", path=p) from None
    raise SourceError(
        "ES360",
        f"unknown model file type {suffix or '(no suffix)'!r}",
        path=p,
        hint="a model file is .skops (skops.io.dump), or .pkl/.joblib with --trust-pickle",
    )


def _load_skops(path: str, trusted: tuple[str, ...]) -> Any:
    try:
        import skops.io as sio
    except ImportError:
        raise SourceError(
            "ES360",
            "reading a .skops file needs skops (pip install 'explainspec[audit]')",
            path=path,
        ) from None
    _check_archive(path)
    try:
        untrusted = list(sio.get_untrusted_types(file=path))
    except Exception as e:  # noqa: BLE001 - not a skops file
        raise SourceError("ES360", f"not a readable .skops file: {e}", path=path) from None
    missing = [t for t in untrusted if t not in trusted]
    if missing:
        raise SourceError(
            "ES368",
            "the file contains types skops does not trust: " + ", ".join(missing),
            path=path,
            hint="read skops' note on each type; if you made the file or trust its source, pass "
            + " ".join(f"--trust {t}" for t in missing),
        )
    try:
        return sio.load(path, trusted=[t for t in untrusted if t in trusted])
    except Exception as e:  # noqa: BLE001
        raise SourceError("ES360", f"the .skops file does not load: {e}", path=path) from None


def _check_archive(path: str) -> None:
    """ES360 when the zip archive at ``path`` lists more than :data:`MAX_MODEL_MEMBERS`
    members (read from its end record, before the directory is parsed), states that it unpacks
    to more than :data:`MAX_MODEL_BYTES`, or unpacks to more than it states (each member is
    unpacked a MiB at a time and checked). Not a zip archive: left to skops to say."""
    import zipfile

    try:
        with open(path, "rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
        members = int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else 0  # type: ignore[attr-defined]
    except (OSError, IndexError, ValueError):
        return  # skops says what is wrong with it
    if members > MAX_MODEL_MEMBERS:
        raise SourceError(
            "ES360",
            f"the archive has {members} members; the limit is {MAX_MODEL_MEMBERS} "
            "(nothing was unpacked)",
            path=path,
        )
    if end is None:
        return  # not a zip archive
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > MAX_MODEL_BYTES:
                raise SourceError(
                    "ES360",
                    f"the archive unpacks to {total} bytes; the limit is {MAX_MODEL_BYTES} "
                    "(nothing was unpacked)",
                    path=path,
                    hint="a model this large is not audited; a small archive that unpacks to "
                    "this much is a zip bomb",
                )
            # the stated sizes, checked: unpacked a MiB at a time, a member stops at its stated
            # size and fails its CRC when it holds more (skops reads each member whole, and
            # zipfile unpacks it whole before cutting it to the stated size)
            for info in archive.infolist():
                with archive.open(info) as member:
                    while member.read(1 << 20):
                        pass
    except zipfile.BadZipFile as e:
        raise SourceError(
            "ES360", f"the archive is damaged or misstates its sizes: {e}", path=path
        ) from None
    except (OSError, ValueError, NotImplementedError, RuntimeError) as e:
        if isinstance(e, SourceError):
            raise
        return  # an archive skops cannot read either: it says why


# --------------------------------------------------------------------------- wrapping


def _is_classifier(obj: Any) -> bool:
    try:
        from sklearn.base import is_classifier

        return bool(is_classifier(obj))
    except Exception:  # noqa: BLE001 - not a scikit-learn object
        return hasattr(obj, "predict_proba") and hasattr(obj, "classes_")


def _check_fitted(obj: Any, source: str) -> None:
    try:
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(obj)
    except NotFittedError:
        raise SourceError("ES360", f"{type(obj).__name__} is not fitted", path=source) from None
    except Exception:  # noqa: BLE001 - not an sklearn estimator: its first prediction will tell
        return


def _quiet(fn: Callable[[Any], Any]) -> Callable[[Array], Array]:
    def call(X: Array) -> Array:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_NAMES_WARNING)
            return np.asarray(fn(X), dtype=float)

    return call


def wrap_model(
    obj: Any,
    *,
    scale: str | None = None,
    klass: Any = None,
    source: str = "<model>",
) -> BoundModel:
    """A :class:`BoundModel` for a fitted estimator, a pipeline or a callable.

    Parameters
    ----------
    obj
        A fitted scikit-learn estimator or pipeline (anything with ``predict``), or a callable
        ``(n, d) -> (n,)``.
    scale
        ``predict`` (regressors, callables), ``probability`` (the default for classifiers),
        ``log_odds`` or ``decision``.
    klass
        The class whose output a classifier is audited on (a label of ``classes_`` or its
        index); default the positive class of a binary classifier. Required for more classes.

    Raises
    ------
    SourceError
        ES360 for an object that is neither; ES367 for a scale the model does not have.
    """
    name = type(obj).__name__
    if not hasattr(obj, "predict"):
        if callable(obj):
            if scale not in (None, "predict"):
                raise SourceError(
                    "ES367", f"a plain callable has no output scale {scale!r}", path=source
                )
            label = getattr(obj, "__name__", name)
            return BoundModel(
                predict=_quiet(obj),
                estimator=None,
                scale="predict",
                klass=None,
                class_index=None,
                feature_names=None,
                n_features=None,
                handover=False,
                description=f"the callable {label}",
                source=source,
            )
        raise SourceError(
            "ES360",
            f"unknown model type {type(obj).__module__}.{name}: expected a fitted scikit-learn "
            "estimator or pipeline (with predict), or a callable (n, d) -> (n,)",
            path=source,
        )
    _check_fitted(obj, source)
    names = getattr(obj, "feature_names_in_", None)
    feature_names = tuple(str(c) for c in names) if names is not None else None
    n_features = getattr(obj, "n_features_in_", None)
    n_features = int(n_features) if n_features is not None else None
    if not _is_classifier(obj):
        if scale not in (None, "predict"):
            raise SourceError(
                "ES367",
                f"{name} is a regressor: its only output scale is 'predict', not {scale!r}",
                path=source,
            )
        return BoundModel(
            predict=_quiet(obj.predict),
            estimator=obj,
            scale="predict",
            klass=None,
            class_index=None,
            feature_names=feature_names,
            n_features=n_features,
            handover=True,
            description=f"{name} ({_short_params(obj)}), output: predict",
            source=source,
        )
    return _classifier(obj, scale or "probability", klass, feature_names, n_features, source)


def _classifier(
    obj: Any,
    scale: str,
    klass: Any,
    feature_names: tuple[str, ...] | None,
    n_features: int | None,
    source: str,
) -> BoundModel:
    name = type(obj).__name__
    classes = list(getattr(obj, "classes_", []))
    if scale not in SCALES or scale == "predict":
        raise SourceError(
            "ES367",
            f"{name} is a classifier: its output scale is probability, log_odds or decision "
            f"(got {scale!r}); its predict gives labels, which have no attribution",
            path=source,
        )
    k = _class_index(classes, klass, name, source)
    label = classes[k]
    binary = len(classes) == 2
    has_decision = hasattr(obj, "decision_function")
    fn: Callable[[Any], Any]
    if scale == "probability":
        if not hasattr(obj, "predict_proba"):
            raise SourceError("ES367", f"{name} has no predict_proba", path=source)

        def fn(X: Any) -> Any:
            return obj.predict_proba(X)[:, k]

    elif scale == "decision" or (scale == "log_odds" and binary and _decision_is_log_odds(obj)):
        if not has_decision:
            raise SourceError("ES367", f"{name} has no decision_function", path=source)
        sign = 1.0 if (not binary or k == 1) else -1.0

        def fn(X: Any) -> Any:
            out = np.asarray(obj.decision_function(X), dtype=float)
            return sign * out if out.ndim == 1 else out[:, k]

    else:  # log-odds from the probabilities
        if not hasattr(obj, "predict_proba"):
            raise SourceError("ES367", f"{name} has no predict_proba", path=source)

        def fn(X: Any) -> Any:
            p = obj.predict_proba(X)[:, k]
            with np.errstate(divide="ignore"):
                return np.log(p) - np.log1p(-p)

    return BoundModel(
        predict=_quiet(fn),
        estimator=obj,
        scale=scale,
        klass=label,
        class_index=k,
        feature_names=feature_names,
        n_features=n_features,
        handover=False,
        description=f"{name} ({_short_params(obj)}), output: {scale} of class {_label(label)}",
        source=source,
    )


def _decision_is_log_odds(obj: Any) -> bool:
    """Binary classifiers whose ``decision_function`` is exactly ``log(p / (1 - p))``."""
    return type(obj).__name__ in (
        "GradientBoostingClassifier",
        "LogisticRegression",
        "HistGradientBoostingClassifier",
    )


def _class_index(classes: list[Any], klass: Any, name: str, source: str) -> int:
    if klass is None:
        if len(classes) == 2:
            return 1
        raise SourceError(
            "ES367",
            f"{name} has {len(classes)} classes {classes}: choose the class to audit "
            "(--class LABEL or class_=...)",
            path=source,
        )
    for k, c in enumerate(classes):
        if c == klass or str(c) == str(klass):
            return k
    if isinstance(klass, int | np.integer) and 0 <= int(klass) < len(classes):
        return int(klass)
    if isinstance(klass, str) and klass.isdigit() and int(klass) < len(classes):
        return int(klass)
    raise SourceError(
        "ES367", f"{name} has no class {klass!r}; its classes are {classes}", path=source
    )


def _short_params(obj: Any) -> str:
    """A few of the estimator's parameters, for the report (never the whole repr)."""
    try:
        params = obj.get_params(deep=False)
    except Exception:  # noqa: BLE001
        return ""
    keys = ("n_estimators", "max_depth", "learning_rate", "steps")
    parts = []
    for k in keys:
        if k in params:
            v = params[k]
            if k == "steps":
                v = " -> ".join(type(s).__name__ for _, s in v)
            parts.append(f"{k}={v}")
    return ", ".join(parts)


def _label(label: Any) -> str:
    """A class label for messages (numpy scalars as plain values)."""
    value = label.item() if hasattr(label, "item") else label
    return repr(value) if isinstance(value, str) else str(value)
