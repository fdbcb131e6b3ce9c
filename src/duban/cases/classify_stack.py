"""The classifier's learners: linear SVMs, the vote of the most similar training messages and
the stacking logistic regression over their decisions, all as plain arrays a prediction takes
one product each from. Pure: no database, no wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler, normalize
from sklearn.svm import LinearSVC

# Regularisation of the stacking logistic regression: at 0.1 the stack gained 0.004–0.010
# macro-F1 over the single SVM in 5-fold CV for fold seeds 0 / 1 / 2; at C = 1 nothing.
STACK_C = 0.1
# Stacking needs this many messages and this many of the rarest label (inner 5-fold decisions).
STACK_MIN_ROWS, STACK_MIN_PER_LABEL = 200, 5
# The stack's third voter: the labels of the NEIGHBOURS most similar training messages (cosine
# over all features), each weighted by its similarity. 10 gained 0.003 macro-F1 with the
# taxonomy and 0.006 without, for every fold seed tried; 5, 20 and 40 less (docs/cases.md).
NEIGHBOURS = 10
# A training message is compared by its 100 heaviest features (of ~650): 6× fewer postings to
# add up per prediction, and 0.002 better macro-F1 than all of them (noise, but not worse).
NEIGHBOUR_FEATURES = 100


def softmax(d: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise softmax of ``d × temperature``."""
    z = d * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def fit_temperature(decisions: np.ndarray, y_idx: np.ndarray) -> float:
    """The softmax temperature that minimises log-loss of cross-validated decisions."""
    best, best_loss = 1.0, float("inf")
    for t in np.geomspace(0.5, 30, 40):
        p = softmax(decisions, float(t))[np.arange(len(y_idx)), y_idx]
        loss = float(-np.log(np.clip(p, 1e-12, 1)).mean())
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


def svm(x: sp.csr_matrix, y: np.ndarray) -> LinearSVC:
    """A linear SVM with balanced class weights."""
    return LinearSVC(C=1.0, class_weight="balanced").fit(x, y)


def svm_weights(model: LinearSVC, width: int, columns: slice) -> tuple[np.ndarray, np.ndarray]:
    """An SVM's weights as (width × labels) over all feature columns, and its biases; a binary
    SVM gets two opposite columns so every model has one decision column per label."""
    coef, bias = model.coef_, model.intercept_
    if coef.shape[0] == 1:
        coef, bias = np.vstack([-coef, coef]), np.concatenate([-bias, bias])
    w = np.zeros((width, coef.shape[0]))
    w[columns] = coef.T
    return w, bias


def decisions_of(model: LinearSVC, x: sp.csr_matrix) -> np.ndarray:
    """An SVM's decision values, one column per label (also for two labels)."""
    d = model.decision_function(x)
    return d if d.ndim == 2 else np.column_stack([-d, d])


@dataclass(frozen=True)
class Neighbours:
    """The training messages as L2-normalised feature rows (stored transposed, feature ×
    message, so one message's similarities are one sparse product) and their label indexes."""

    rows_t: sp.csr_matrix
    labels: np.ndarray
    n_labels: int

    @classmethod
    def of(cls, x: sp.csr_matrix, y: np.ndarray, n_labels: int) -> Neighbours:
        """Each training message by its ``NEIGHBOUR_FEATURES`` heaviest normalised features."""
        rows = normalize(x).astype(np.float32).tocsr()
        keep = []
        for i in range(rows.shape[0]):
            d = rows.data[rows.indptr[i] : rows.indptr[i + 1]]
            if len(d) > NEIGHBOUR_FEATURES:
                d = np.where(d >= np.partition(d, len(d) - NEIGHBOUR_FEATURES)[-NEIGHBOUR_FEATURES], d, 0)
            keep.append(d)
        rows.data = np.concatenate(keep) if keep else rows.data
        rows.eliminate_zeros()
        return cls(rows.T.tocsr(), y.astype(np.int32), n_labels)

    def votes(self, x: sp.csr_matrix) -> np.ndarray:
        """Per label, the summed cosine similarity of the ``NEIGHBOURS`` most similar training
        messages with that label (texts × labels).

        >>> nb = Neighbours.of(sp.csr_matrix(np.eye(3)), np.array([0, 1, 1]), 2)
        >>> nb.votes(sp.csr_matrix([[1.0, 1.0, 0.0]])).round(3).tolist()
        [[0.707, 0.707]]
        """
        return self.votes_and_nearest(x)[0]

    def votes_and_nearest(self, x: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`votes`, and each text's cosine similarity to its nearest training message."""
        out = np.zeros((x.shape[0], self.n_labels))
        nearest = np.zeros(x.shape[0])
        n = self.rows_t.shape[1]
        k = min(NEIGHBOURS, n)
        index = self.rows_t  # feature → (message, weight) postings
        postings = index.indptr
        for i in range(x.shape[0]):
            cols = x.indices[x.indptr[i] : x.indptr[i + 1]]
            values = x.data[x.indptr[i] : x.indptr[i + 1]]
            norm = np.sqrt(values @ values)
            if not norm:
                continue
            # The postings (message, weight) of this text's features, gathered in one pass:
            # similarities by bincount instead of a sparse · sparse product (5× faster for one).
            starts, lens = postings[cols], postings[cols + 1] - postings[cols]
            at = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(lens.sum())
            weight = np.repeat(values / norm, lens) * index.data[at]
            sims = np.bincount(index.indices[at], weights=weight, minlength=n)
            top = np.argpartition(-sims, k - 1)[:k]
            out[i] = np.bincount(self.labels[top], weights=sims[top], minlength=self.n_labels)
            nearest[i] = sims[top].max()
        return out, nearest


@dataclass(frozen=True)
class Stack:
    """The stacking logistic regression, as plain arrays: standardise the concatenated SVM
    decisions and neighbour votes with ``mean`` / ``scale``, then softmax of ``coef`` · z +
    ``intercept``."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    def proba(self, decisions: np.ndarray) -> np.ndarray:
        z = (decisions - self.mean) / self.scale
        logits = z @ self.coef.T + self.intercept
        if logits.shape[1] == 1:  # binary logistic regression: one logit for the second label
            logits = np.column_stack([np.zeros(len(logits)), logits[:, 0]])
        return softmax(logits, 1.0)


@dataclass(frozen=True)
class HeldOut:
    """What the stack's inner 5-fold cross-fitting says of each training message, as if unseen:
    the SVMs' decisions and neighbour votes (``decisions``), the similarity of the nearest
    other-fold message, and the stack's probabilities (its logistic regression refitted on 4 of
    5 parts of those decisions, scored on the fifth); and the folds themselves."""

    decisions: np.ndarray
    nearest: np.ndarray
    proba: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]


def fit_stack(x: sp.csr_matrix, y: np.ndarray, columns: slice, n_labels: int) -> tuple[Stack, HeldOut]:
    """Logistic regression on inner 5-fold out-of-fold decisions of both SVMs and neighbour
    votes; also what those folds say of each message (:class:`HeldOut`), to choose the
    auto-dispatch confidence and threshold on."""
    oof = np.zeros((len(y), 3 * n_labels))
    nearest = np.zeros(len(y))
    part = x[:, columns]
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(x, y))
    for tr, te in folds:
        oof[te, :n_labels] = decisions_of(svm(x[tr], y[tr]), x[te])
        oof[te, n_labels : 2 * n_labels] = decisions_of(svm(part[tr], y[tr]), part[te])
        oof[te, 2 * n_labels :], nearest[te] = Neighbours.of(x[tr], y[tr], n_labels).votes_and_nearest(x[te])
    stack = _meta(oof, y)
    held_out = np.zeros((len(y), n_labels))
    for tr, te in folds:
        held_out[te] = _meta(oof[tr], y[tr], n_labels).proba(oof[te])
    return stack, HeldOut(oof, nearest, held_out, folds)


def _meta(decisions: np.ndarray, y: np.ndarray, n_labels: int | None = None) -> Stack:
    scaler = StandardScaler().fit(decisions)
    meta = LogisticRegression(C=STACK_C, class_weight="balanced", max_iter=2000)
    meta.fit(scaler.transform(decisions), y)
    coef, intercept = meta.coef_, meta.intercept_
    if n_labels is not None and len(meta.classes_) < n_labels and coef.shape[0] > 1:
        # A part without some label: that label gets no logit mass (-inf after softmax ≈ 0).
        full_coef = np.zeros((n_labels, coef.shape[1]))
        full_int = np.full(n_labels, -1e9)
        full_coef[meta.classes_], full_int[meta.classes_] = coef, intercept
        coef, intercept = full_coef, full_int
    return Stack(scaler.mean_, scaler.scale_, coef, intercept)
