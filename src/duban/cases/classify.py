"""Case classification: learn the first-level category (一级分类) of a citizen message.

Owns the model a city trains from its own labelled messages (no model is downloaded): TF-IDF
character 1–3-grams of the subject and of subject + detail (jieba words optional: they cost
half the prediction time and did not help in cross-validation), optionally, per top-level
category of the city's own category tree (a taxonomy CSV), how many of its sub-category terms
the text contains. Two linear SVMs with balanced class weights, one on all of these features and
one on the subject + detail n-grams alone, and a vote of the most similar training messages are
stacked: a logistic regression learns the label and its confidence from their out-of-fold
decision values (a small training set uses the first SVM alone, with a softmax temperature
fitted on cross-validated decisions). Also owns saving/loading the model file (pickle with a
format tag and version). The training files (labelled messages, the taxonomy) are read by
:mod:`duban.cases.training_data`; the usual unit of a category is
:mod:`duban.cases.category_units`. Pure: no database, no wall clock.
"""

from __future__ import annotations

import logging
import pickle
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import chain
from operator import add
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler, normalize
from sklearn.svm import LinearSVC

from duban.cases.textutil import CaseInputError, clean_text
from duban.cases.training_data import LabelledText, Taxonomy

MODEL_FORMAT = "duban.cases.model"
MODEL_VERSION = 5
# Weight of the taxonomy-term block against the L2-normalised TF-IDF blocks: 0.3–0.5 gained
# 0.004–0.009 macro-F1 in 5-fold CV over three fold seeds, 1.0 less (bench/classify.py).
TAXONOMY_WEIGHT = 0.4
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

_AREA = re.compile(r"[A-Z]\d{0,2}[市区县]")
_DIGITS = re.compile(r"\d+")
_FIRST_CLAUSE = re.compile(r"^(.{4,40}?)[。！？!?；;，,]")


@dataclass(frozen=True)
class Prediction:
    """A predicted label and its confidence in [0, 1]."""

    label: str
    confidence: float


def normalise(text: str) -> str:
    """Clean a text for the model: whitespace collapsed, anonymised areas and digits folded.

    >>> normalise("A市A3区 12栋\\n漏水")
    'ＸＸ 0栋 漏水'
    """
    return _DIGITS.sub("0", _AREA.sub("Ｘ", clean_text(text)))


def _subject_of(subject: str, detail: str) -> str:
    """The subject, or for a bare text its first clause (the model weighs the subject apart)."""
    if subject:
        return subject
    m = _FIRST_CLAUSE.match(detail)
    return m.group(1) if m else detail[:40]


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" lines on the user's terminal
    return jieba


def jieba_words(text: str) -> list[str]:
    """Words of a text by jieba (module-level so a saved model can be unpickled)."""
    return [w for w in _jieba().lcut(text) if w.strip()]


class _Features:
    """Subject char n-grams ⊕ full-text char n-grams (⊕ full-text words) (⊕ taxonomy terms)."""

    def __init__(self, *, words: bool = False, small: bool = False, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy
        # A tiny training set keeps every n-gram (pruning could leave no vocabulary at all).
        min_df, max_df = (1, 1.0) if small else (2, 0.5)
        self.subject = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32
        )
        self.full = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 3),
            sublinear_tf=True,
            min_df=min_df,
            max_df=max_df,
            dtype=np.float32,
        )
        self.words: TfidfVectorizer | None = (
            TfidfVectorizer(
                tokenizer=jieba_words,
                token_pattern=None,
                lowercase=False,
                sublinear_tf=True,
                min_df=min_df,
                max_df=max_df,
                dtype=np.float32,
            )
            if words
            else None
        )

    @staticmethod
    def _parts(pairs: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
        subjects, fulls = [], []
        for subject, detail in pairs:
            s = normalise(_subject_of(subject, detail))
            subjects.append(s)
            fulls.append(s + " " + normalise(detail))
        return subjects, fulls

    def fit_transform(self, pairs: Sequence[tuple[str, str]]) -> sp.csr_matrix:
        subjects, fulls = self._parts(pairs)
        blocks = [self.subject.fit_transform(subjects), self.full.fit_transform(fulls)]
        if self.words is not None:
            blocks.append(self.words.fit_transform(fulls))
        if self.taxonomy is not None:
            blocks.append(sp.csr_matrix(self._taxonomy_block(fulls)))
        return sp.hstack(blocks).tocsr()

    def _taxonomy_block(self, fulls: Sequence[str]) -> np.ndarray:
        assert self.taxonomy is not None
        return np.array([self.taxonomy.counts(t) for t in fulls]) * TAXONOMY_WEIGHT

    def text_columns(self) -> slice:
        """The columns of the subject + detail n-grams (the second SVM of the stack sees these)."""
        start = len(self.subject.vocabulary_)
        return slice(start, start + len(self.full.vocabulary_))

    def _vectorizers(self) -> list[TfidfVectorizer]:
        return [self.subject, self.full] + ([self.words] if self.words is not None else [])

    def transform(self, pairs: Sequence[tuple[str, str]]) -> sp.csr_matrix:
        """The fitted TF-IDF rows, built in one pass without scikit-learn's per-call checks.

        Same values as the vectorizers' own ``transform`` (sublinear tf × idf, each block
        L2-normalised), at a fraction of the cost for one message.
        """
        subjects, fulls = self._parts(pairs)
        vecs = self._vectorizers()
        # A block's analyzer, vocabulary, idf and first column: looked up once per call.
        plan, offset = [], 0
        for vec, texts in zip(vecs, [subjects, fulls, fulls], strict=False):
            fast = vec.analyzer == "char" and vec.ngram_range == (1, 3) and vec.lowercase
            analyse = _char_1to3 if fast else vec.build_analyzer()
            plan.append((analyse, vec.vocabulary_, vec.idf_, offset, texts))
            offset += len(vec.vocabulary_)
        data: list[float] = []
        indices: list[int] = []
        indptr = [0]
        tax = self._taxonomy_block(fulls) if self.taxonomy is not None else None
        for i in range(len(pairs)):
            for analyse, vocab, idf, start, texts in plan:
                # map(dict.get) and Counter both run in C: one pass from n-grams to column counts.
                counts = Counter(map(vocab.get, analyse(texts[i])))
                counts.pop(None, None)
                if not counts:
                    continue
                cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                vals = (1.0 + np.log(tf)) * idf[cols]
                vals /= np.sqrt(vals @ vals)
                indices.extend((cols + start).tolist())
                data.extend(vals.tolist())
            if tax is not None:
                (nz,) = tax[i].nonzero()
                indices.extend((nz + offset).tolist())
                data.extend(tax[i, nz].tolist())
            indptr.append(len(indices))
        width = offset + (len(self.taxonomy.groups) if self.taxonomy is not None else 0)
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
            shape=(len(pairs), width),
        )


def _char_1to3(text: str) -> Iterator[str]:
    """Character 1-, 2- and 3-grams, as scikit-learn's ``analyzer="char"`` gives them for
    ``ngram_range=(1, 3)`` on cleaned text, iterated in C (no Python loop per character).

    >>> list(_char_1to3("Ab路"))
    ['a', 'b', '路', 'ab', 'b路', 'ab路']
    """
    t = text.lower()
    pairs = map(add, t, t[1:])
    return chain(t, map(add, t, t[1:]), map(add, pairs, t[2:]))


def _softmax(d: np.ndarray, temperature: float) -> np.ndarray:
    z = d * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _fit_temperature(decisions: np.ndarray, y_idx: np.ndarray) -> float:
    """The softmax temperature that minimises log-loss of cross-validated decisions."""
    best, best_loss = 1.0, float("inf")
    for t in np.geomspace(0.5, 30, 40):
        p = _softmax(decisions, float(t))[np.arange(len(y_idx)), y_idx]
        loss = float(-np.log(np.clip(p, 1e-12, 1)).mean())
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


def _svm(x: sp.csr_matrix, y: np.ndarray) -> LinearSVC:
    return LinearSVC(C=1.0, class_weight="balanced").fit(x, y)


def _weights(svm: LinearSVC, width: int, columns: slice) -> tuple[np.ndarray, np.ndarray]:
    """An SVM's weights as (width × labels) over all feature columns, and its biases; a binary
    SVM gets two opposite columns so every model has one decision column per label."""
    coef, bias = svm.coef_, svm.intercept_
    if coef.shape[0] == 1:
        coef, bias = np.vstack([-coef, coef]), np.concatenate([-bias, bias])
    w = np.zeros((width, coef.shape[0]))
    w[columns] = coef.T
    return w, bias


def _decisions(svm: LinearSVC, x: sp.csr_matrix) -> np.ndarray:
    d = svm.decision_function(x)
    return d if d.ndim == 2 else np.column_stack([-d, d])


@dataclass(frozen=True)
class _Neighbours:
    """The training messages as L2-normalised feature rows (stored transposed, feature ×
    message, so one message's similarities are one sparse product) and their label indexes."""

    rows_t: sp.csr_matrix
    labels: np.ndarray
    n_labels: int

    @classmethod
    def of(cls, x: sp.csr_matrix, y: np.ndarray, n_labels: int) -> _Neighbours:
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

        >>> nb = _Neighbours.of(sp.csr_matrix(np.eye(3)), np.array([0, 1, 1]), 2)
        >>> nb.votes(sp.csr_matrix([[1.0, 1.0, 0.0]])).round(3).tolist()
        [[0.707, 0.707]]
        """
        out = np.zeros((x.shape[0], self.n_labels))
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
        return out


@dataclass(frozen=True)
class _Stack:
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
        return _softmax(logits, 1.0)


def _fit_stack(x: sp.csr_matrix, y: np.ndarray, columns: slice, n_labels: int) -> _Stack:
    """Logistic regression on inner 5-fold out-of-fold decisions of both SVMs and neighbour
    votes."""
    oof = np.zeros((len(y), 3 * n_labels))
    part = x[:, columns]
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(x, y):
        oof[te, :n_labels] = _decisions(_svm(x[tr], y[tr]), x[te])
        oof[te, n_labels : 2 * n_labels] = _decisions(_svm(part[tr], y[tr]), part[te])
        oof[te, 2 * n_labels :] = _Neighbours.of(x[tr], y[tr], n_labels).votes(x[te])
    scaler = StandardScaler().fit(oof)
    meta = LogisticRegression(C=STACK_C, class_weight="balanced", max_iter=2000)
    meta.fit(scaler.transform(oof), y)
    return _Stack(scaler.mean_, scaler.scale_, meta.coef_, meta.intercept_)


@dataclass
class CaseModel:
    """A trained classifier and what it was trained on.

    ``weights`` / ``bias`` hold the SVMs side by side (all features, then, with a stack, the
    subject + detail n-grams alone), so one sparse · dense product gives every decision value;
    with a stack, ``neighbours`` holds the training messages for the neighbour votes.
    """

    labels: list[str]
    training_size: int
    trained_at: datetime | None
    features: _Features
    weights: np.ndarray
    bias: np.ndarray
    stack: _Stack | None
    temperature: float
    neighbours: _Neighbours | None = None
    version: int = MODEL_VERSION
    meta: dict[str, Any] = field(default_factory=dict)

    def _rows(self, texts: Sequence[str | tuple[str, str]]) -> sp.csr_matrix:
        return self.features.transform([t if isinstance(t, tuple) else ("", t) for t in texts])

    def _all_decisions(self, texts: Sequence[str | tuple[str, str]]) -> np.ndarray:
        """Every SVM's decision values, then (with a stack) the neighbour votes."""
        x = self._rows(texts)
        # A plain sparse · dense product: scikit-learn's decision_function re-validates its
        # input on every call, which costs more than the product for one message.
        d = np.asarray(x @ self.weights) + self.bias
        return d if self.neighbours is None else np.hstack([d, self.neighbours.votes(x)])

    def decision(self, texts: Sequence[str | tuple[str, str]]) -> np.ndarray:
        """Decision values of the SVM on all features, one column per label."""
        n = len(self.labels)
        return np.asarray(self._rows(texts) @ self.weights[:, :n]) + self.bias[:n]

    def predict(self, texts: Sequence[str | tuple[str, str]]) -> list[Prediction]:
        """Predict a label for each text (a string, or a (subject, detail) pair)."""
        if not texts:
            return []
        d = self._all_decisions(texts)
        proba = self.stack.proba(d) if self.stack is not None else _softmax(d, self.temperature)
        best = proba.argmax(axis=1)
        return [
            Prediction(label=self.labels[k], confidence=round(float(proba[i, k]), 4))
            for i, k in enumerate(best)
        ]

    def save(self, path: str | Path) -> None:
        """Write the model file (a pickle with a format tag, version and metadata)."""
        payload = {
            "format": MODEL_FORMAT,
            "version": self.version,
            "labels": self.labels,
            "training_size": self.training_size,
            "trained_at": self.trained_at.isoformat() if self.trained_at else None,
            "meta": self.meta,
            "model": self,
        }
        with Path(path).open("wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: str | Path) -> CaseModel:
        """Read a model file written by :meth:`save`; a wrong file gives a clear error.

        The file is a pickle: load only model files the city itself wrote.
        """
        name = str(path)
        try:
            with Path(path).open("rb") as fh:
                payload = pickle.load(fh)
        except OSError as exc:
            raise CaseInputError(f"{name}: 无法读取模型文件（{exc.strerror}）") from None
        except Exception:
            raise CaseInputError(f"{name}: 不是 duban 工单分类模型文件（无法解析）") from None
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise CaseInputError(f"{name}: 不是 duban 工单分类模型文件（缺少格式标记 {MODEL_FORMAT}）")
        if payload.get("version") != MODEL_VERSION:
            raise CaseInputError(
                f"{name}: 模型文件版本为 {payload.get('version')}，本程序需要版本 {MODEL_VERSION}，请重新训练"
            )
        model = payload.get("model")
        if not isinstance(model, cls):
            raise CaseInputError(f"{name}: 模型文件内容损坏")
        return model


def train(
    rows: Iterable[LabelledText],
    *,
    trained_at: datetime | None = None,
    words: bool = False,
    taxonomy: Taxonomy | None = None,
) -> CaseModel:
    """Learn a :class:`CaseModel` from labelled texts (at least two labels).

    ``taxonomy`` (from :func:`read_taxonomy`) adds the city's category-tree terms as features;
    the model keeps them, so prediction needs no taxonomy file.
    """
    data = list(rows)
    labels = sorted({r.label for r in data})
    if len(labels) < 2:
        raise CaseInputError("训练数据至少需要两个不同的类别")
    y = np.array([labels.index(r.label) for r in data])
    features = _Features(words=words, small=len(data) < STACK_MIN_ROWS, taxonomy=taxonomy)
    x = features.fit_transform([(r.subject, r.detail) for r in data])
    width, everything = x.shape[1], slice(None)
    weights, bias = _weights(_svm(x, y), width, everything)
    counts = np.bincount(y)
    stack, temperature, neighbours = None, 5.0, None
    if len(data) >= STACK_MIN_ROWS and counts.min() >= STACK_MIN_PER_LABEL:
        columns = features.text_columns()
        w2, b2 = _weights(_svm(x[:, columns], y), width, columns)
        weights, bias = np.hstack([weights, w2]), np.concatenate([bias, b2])
        stack = _fit_stack(x, y, columns, len(labels))
        neighbours = _Neighbours.of(x, y, len(labels))
    elif counts.min() >= 2:
        # Temperature from out-of-fold decisions on the same features (no refit of TF-IDF).
        oof = np.zeros((len(y), len(labels)))
        for tr, te in StratifiedKFold(int(min(3, counts.min())), shuffle=True, random_state=0).split(x, y):
            oof[te] = _decisions(_svm(x[tr], y[tr]), x[te])
        temperature = _fit_temperature(oof, y)
    return CaseModel(
        labels=labels,
        training_size=len(data),
        trained_at=trained_at,
        features=features,
        weights=weights.astype(np.float32),  # half the file; decisions agree to ~1e-6
        bias=bias,
        stack=stack,
        temperature=temperature,
        neighbours=neighbours,
        meta={
            "features": "char1-3(subject)+char1-3(text)"
            + ("+jieba words" if words else "")
            + (f"+taxonomy terms ({len(taxonomy.terms)})" if taxonomy is not None else ""),
            "classifier": f"LinearSVC(all features) + LinearSVC(text n-grams) + {NEIGHBOURS} nearest"
            " neighbours → LogisticRegression"
            if stack is not None
            else "LinearSVC",
        },
    )


def cross_validate(
    rows: Sequence[LabelledText],
    *,
    folds: int = 5,
    seed: int = 0,
    words: bool = False,
    taxonomy: Taxonomy | None = None,
) -> float:
    """Stratified k-fold macro-F1 of :func:`train` on ``rows`` (each fold refits everything)."""
    y = np.array([r.label for r in rows])
    pred = np.empty(len(rows), dtype=object)
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        model = train([rows[i] for i in tr], words=words, taxonomy=taxonomy)
        pred[te] = [p.label for p in model.predict([(rows[i].subject, rows[i].detail) for i in te])]
    return float(f1_score(y, pred.astype(str), average="macro"))
