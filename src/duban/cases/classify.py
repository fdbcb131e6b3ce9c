"""Case classification: learn the first-level category (一级分类) of a citizen message.

Trains the model a city keeps from its own labelled messages (no model is downloaded), and
optionally from its unlabelled messages and its archive: the features
(:mod:`duban.cases.classify_features`: TF-IDF character 1–3-grams of the subject and of subject
+ detail, the city's taxonomy terms, a message vector from the city's own word vectors,
:mod:`duban.cases.classify_vectors`), the learners (:mod:`duban.cases.classify_stack`: two linear
SVMs and a vote of the most similar training messages stacked under a logistic regression; a
small training set uses the first SVM alone with a fitted softmax temperature), the confidence
(:mod:`duban.cases.classify_trust`: a small correctness model over the stack's prediction) and
the auto-dispatch threshold chosen on held-out confidences (:mod:`duban.cases.classify_auto`).
The model and its file are :mod:`duban.cases.classify_model`; the training files are read by
:mod:`duban.cases.training_data`; the usual unit of a category is
:mod:`duban.cases.category_units`. Pure: no database, no wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from duban.cases.classify_auto import DEFAULT_PRECISION, choose_threshold, learn_margin
from duban.cases.classify_features import Features, jieba_words, normalise
from duban.cases.classify_model import CaseModel, Prediction
from duban.cases.classify_stack import (
    NEIGHBOURS,
    STACK_MIN_PER_LABEL,
    STACK_MIN_ROWS,
    Neighbours,
    decisions_of,
    fit_stack,
    fit_temperature,
    softmax,
    svm,
    svm_weights,
)
from duban.cases.classify_trust import fit_trust, signals
from duban.cases.classify_vectors import Lookup
from duban.cases.textutil import CaseInputError
from duban.cases.training_data import LabelledText, Taxonomy

__all__ = ["CaseModel", "Prediction", "cross_validate", "jieba_words", "normalise", "train"]

# The auto-dispatch threshold is chosen on held-out confidences of models trained on less data
# than the final one, which is more confident on new messages: at a 0.95 target chosen there,
# truly held-out messages were 0.938–0.943 right (5-fold, bench/classify.py). The threshold is
# therefore chosen for the target plus a margin, learnt at training (five more trainings on 4/5
# of the data, :func:`duban.cases.classify_auto.learn_margin`) or, when that is not asked for or
# the data are too few, this one (docs/cases.md).
AUTO_MARGIN = 0.015


@dataclass(frozen=True)
class _Fitted:
    """A model without its auto-dispatch threshold, and the held-out confidences and rightness
    of its training messages to choose one on."""

    model: CaseModel
    confidence: np.ndarray
    correct: np.ndarray


def train(
    rows: Iterable[LabelledText],
    *,
    trained_at: datetime | None = None,
    words: bool = False,
    taxonomy: Taxonomy | None = None,
    unlabelled: Sequence[tuple[str, str]] = (),
    vectors: Lookup | None = None,
    auto_precision: float = DEFAULT_PRECISION,
    auto_margin: float | None = None,
) -> CaseModel:
    """Learn a :class:`CaseModel` from labelled texts (at least two labels).

    ``taxonomy`` (from :func:`read_taxonomy`) adds the city's category-tree terms as features;
    ``unlabelled`` (subject, detail) messages take part in the n-gram vocabulary and IDF;
    ``vectors`` (:func:`duban.cases.classify_vectors.lookup_of`) adds each message's vector. The
    model keeps what it needs of them, so prediction needs none of these files. The
    auto-dispatch threshold keeps ``auto_precision`` + a margin on held-out confidences (the
    correctness model's, or for a small set the single SVM's out-of-fold ones); the margin is
    ``auto_margin``, or when None learnt by training the model five more times on 4/5 of the
    data (a set too small for a stack: :data:`AUTO_MARGIN`); a set too small for held-out
    confidences has no threshold.
    """
    if not 0.5 <= auto_precision <= 1:
        raise CaseInputError("智能派单目标准确率应在 0.5 与 1 之间")
    data = list(rows)
    fit = partial(_fit, words=words, taxonomy=taxonomy, unlabelled=unlabelled, vectors=vectors)
    fitted = fit(data, trained_at=trained_at)
    model = fitted.model
    if not len(fitted.confidence):
        return model
    margin = auto_margin
    if margin is None:
        margin = _learnt_margin(data, auto_precision, fit) if model.stack is not None else AUTO_MARGIN
    chosen = choose_threshold(fitted.confidence, fitted.correct, target=min(1.0, auto_precision + margin))
    model.auto = replace(chosen, target=auto_precision, margin=margin)
    return model


def _learnt_margin(data: list[LabelledText], target: float, fit: Callable[..., _Fitted]) -> float:
    """The margin whose thresholds kept ``target`` for models trained on 4/5 of ``data`` and
    scored on the fifth they never saw (five trainings); :data:`AUTO_MARGIN` if a part is too
    small for a stack."""
    y = np.array([r.label for r in data])
    trials = []
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
        part = fit([data[i] for i in tr], trained_at=None)
        if part.model.stack is None:
            return AUTO_MARGIN
        best, confidence = part.model.scores([(data[i].subject, data[i].detail) for i in te])
        right = np.array(part.model.labels)[best] == y[te]
        trials.append((part.confidence, part.correct, confidence, right))
    return learn_margin(trials, target=target)


def _fit(
    data: list[LabelledText],
    *,
    trained_at: datetime | None,
    words: bool,
    taxonomy: Taxonomy | None,
    unlabelled: Sequence[tuple[str, str]],
    vectors: Lookup | None,
) -> _Fitted:
    """One training: features, SVMs, and with enough data the stack, the neighbours and the
    correctness model; the held-out confidences come with it (no threshold chosen here)."""
    labels = sorted({r.label for r in data})
    if len(labels) < 2:
        raise CaseInputError("训练数据至少需要两个不同的类别")
    y = np.array([labels.index(r.label) for r in data])
    pairs = [(r.subject, r.detail) for r in data]
    features = Features(words=words, small=len(data) < STACK_MIN_ROWS, taxonomy=taxonomy)
    x = features.fit_transform(pairs, extra=unlabelled, lookup=vectors)
    width, everything = x.shape[1], slice(None)
    weights, bias = svm_weights(svm(x, y), width, everything)
    counts = np.bincount(y)
    stack, temperature, neighbours, trust = None, 5.0, None, None
    confidence, correct = np.zeros(0), np.zeros(0, dtype=bool)
    if len(data) >= STACK_MIN_ROWS and counts.min() >= STACK_MIN_PER_LABEL:
        columns = features.text_columns()
        w2, b2 = svm_weights(svm(x[:, columns], y), width, columns)
        weights, bias = np.hstack([weights, w2]), np.concatenate([bias, b2])
        stack, held = fit_stack(x, y, columns, len(labels))
        neighbours = Neighbours.of(x, y, len(labels))
        correct = held.proba.argmax(axis=1) == y
        values = signals(held.proba, held.decisions, held.nearest, pairs)
        trust, confidence = fit_trust(values, correct, held.folds)
    elif counts.min() >= 2:
        # Temperature from out-of-fold decisions on the same features (no refit of TF-IDF).
        oof = np.zeros((len(y), len(labels)))
        for tr, te in StratifiedKFold(int(min(3, counts.min())), shuffle=True, random_state=0).split(x, y):
            oof[te] = decisions_of(svm(x[tr], y[tr]), x[te])
        temperature = fit_temperature(oof, y)
        held_proba = softmax(oof, temperature)
        confidence, correct = held_proba.max(axis=1), held_proba.argmax(axis=1) == y
    model = CaseModel(
        labels=labels,
        training_size=len(data),
        trained_at=trained_at,
        features=features,
        weights=weights.astype(np.float32),  # half the file; decisions agree to ~1e-6
        bias=bias,
        stack=stack,
        temperature=temperature,
        neighbours=neighbours,
        trust=trust,
        meta={
            "features": "char1-3(subject)+char1-3(text)"
            + ("+jieba words" if words else "")
            + (f"+taxonomy terms ({len(taxonomy.terms)})" if taxonomy is not None else "")
            + (f"+IDF on {len(unlabelled)} unlabelled" if unlabelled else "")
            + ("+message vectors" if vectors is not None else ""),
            "classifier": f"LinearSVC(all features) + LinearSVC(text n-grams) + {NEIGHBOURS} nearest"
            " neighbours → LogisticRegression; confidence: LogisticRegression(is the label right)"
            if stack is not None
            else "LinearSVC",
        },
    )
    return _Fitted(model, confidence, correct)


def cross_validate(
    rows: Sequence[LabelledText],
    *,
    folds: int = 5,
    seed: int = 0,
    words: bool = False,
    taxonomy: Taxonomy | None = None,
    unlabelled: Sequence[tuple[str, str]] = (),
    vectors: Lookup | None = None,
) -> float:
    """Stratified k-fold macro-F1 of :func:`train` on ``rows`` (each fold refits everything but
    the auto-dispatch margin, which does not change a label)."""
    y = np.array([r.label for r in rows])
    pred = np.empty(len(rows), dtype=object)
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        model = train(
            [rows[i] for i in tr],
            words=words,
            taxonomy=taxonomy,
            unlabelled=unlabelled,
            vectors=vectors,
            auto_margin=AUTO_MARGIN,
        )
        pred[te] = [p.label for p in model.predict([(rows[i].subject, rows[i].detail) for i in te])]
    return float(f1_score(y, pred.astype(str), average="macro"))
