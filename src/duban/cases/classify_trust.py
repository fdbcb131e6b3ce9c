"""How far to trust a label: a small correctness model over the stack's prediction, whose
output is the confidence auto-dispatch (智能派单) compares with its threshold.

The stack's top probability ranks right and wrong labels less well than a logistic regression
that also sees whether the two SVMs and the neighbour vote agree with the stack, their margins,
the message's length and its label (pooled held-out folds, five fold seeds: at ≥ 95 % precision
86.0 % of messages could go out on the top probability, 88.8 % on this; docs/cases.md). It is
fitted on the stack's inner cross-fitted predictions, never on predictions of messages the
stack was trained on. Pure: no database, no wall clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

# Regularisation of the correctness model (C 0.1 in the measurement; gradient boosting was
# no better and overfitted its own training scores).
TRUST_C = 0.1


def signals(
    proba: np.ndarray,
    decisions: np.ndarray,
    nearest: np.ndarray,
    pairs: Sequence[tuple[str, str]],
) -> np.ndarray:
    """The correctness model's inputs for each (subject, detail) message, messages × (16 +
    labels): what the stack says (``proba``: its top probability, the logit of it, top minus
    second, entropy), what its three voters say (``decisions``: SVM 1, SVM 2 and the neighbour
    votes, one column per label each: whether each agrees with the stack's label and how many
    do, both SVMs' top-two margins, SVM 1's decision for the label, the vote's top share and the
    label's share), the nearest training message's similarity, log(1 + the message's length),
    whether it came with a subject, and the label one-hot.

    >>> p = np.array([[0.9, 0.1]])
    >>> d = np.array([[1.0, -1.0, -0.5, 0.5, 0.8, 0.2]])
    >>> signals(p, d, np.array([0.7]), [("主题", "内容")]).round(3).tolist()[0][4:8]
    [1.0, 0.0, 1.0, 2.0]
    """
    n, k = proba.shape
    rows = np.arange(n)
    label = proba.argmax(axis=1)
    ordered = -np.sort(-proba, axis=1)
    top = np.clip(ordered[:, 0], 1e-6, 1 - 1e-6)
    second = ordered[:, 1] if k > 1 else np.zeros(n)
    entropy = -(proba * np.log(np.clip(proba, 1e-12, 1))).sum(axis=1)
    svm1, svm2, votes = decisions[:, :k], decisions[:, k : 2 * k], decisions[:, 2 * k : 3 * k]
    agree = np.column_stack([m.argmax(axis=1) == label for m in (svm1, svm2, votes)]).astype(float)
    cast = votes.sum(axis=1)
    cast_safe = np.where(cast > 0, cast, 1.0)
    return np.column_stack(
        [
            top,
            np.log(top / (1 - top)),
            top - second,
            entropy,
            agree,
            agree.sum(axis=1),
            _top_two_margin(svm1),
            _top_two_margin(svm2),
            svm1[rows, label],
            np.where(cast > 0, votes.max(axis=1) / cast_safe, 0.0),
            np.where(cast > 0, votes[rows, label] / cast_safe, 0.0),
            nearest,
            np.log1p([len(subject) + len(detail) for subject, detail in pairs]),
            [float(bool(subject)) for subject, _ in pairs],
            np.eye(k)[label],
        ]
    )


def _top_two_margin(d: np.ndarray) -> np.ndarray:
    ordered = -np.sort(-d, axis=1)
    return ordered[:, 0] - ordered[:, 1] if d.shape[1] > 1 else np.zeros(len(d))


@dataclass(frozen=True)
class Trust:
    """The correctness model as plain arrays: standardise with ``mean`` / ``scale``, then the
    logistic function of ``coef`` · z + ``intercept``: the probability the label is right."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def confidence(self, values: np.ndarray) -> np.ndarray:
        z = (values - self.mean) / self.scale
        return np.asarray(1 / (1 + np.exp(-(z @ self.coef + self.intercept))))


def fit_trust(
    values: np.ndarray, correct: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[Trust, np.ndarray]:
    """The correctness model fitted on every message, and its cross-fitted confidences (fitted
    on 4 of 5 ``folds``, scored on the fifth): held-out confidences to choose a threshold on."""
    held = np.zeros(len(correct))
    for tr, te in folds:
        held[te] = _fit(values[tr], correct[tr]).confidence(values[te])
    return _fit(values, correct), held


def _fit(values: np.ndarray, correct: np.ndarray) -> Trust:
    scaler = StandardScaler().fit(values)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    ok = correct.astype(int)
    if ok.min() == ok.max():  # every label right (or wrong): nothing to tell them apart by
        rate = np.clip(ok.mean(), 1e-3, 1 - 1e-3)
        return Trust(scaler.mean_, scale, np.zeros(values.shape[1]), float(np.log(rate / (1 - rate))))
    model = LogisticRegression(C=TRUST_C, max_iter=2000).fit((values - scaler.mean_) / scale, ok)
    return Trust(scaler.mean_, scale, model.coef_[0], float(model.intercept_[0]))
