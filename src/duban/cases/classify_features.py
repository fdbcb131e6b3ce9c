"""The classifier's features: TF-IDF character 1–3-grams of the subject and of subject + detail
(jieba words optional), the city's taxonomy terms, and optionally a message vector from the
city's own word vectors (:mod:`duban.cases.classify_vectors`): the TF-IDF-weighted mean of the
vectors of its character n-grams, one sparse · dense product. IDF may be fitted on unlabelled
messages besides the labelled ones. Pure: no database, no wall clock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from duban.cases.classify_ngrams import count_terms, index_of
from duban.cases.classify_vectors import Lookup
from duban.cases.textutil import clean_text
from duban.cases.training_data import Taxonomy

# Weight of the taxonomy-term block against the L2-normalised TF-IDF blocks: 0.3–0.5 gained
# 0.004–0.009 macro-F1 in 5-fold CV over three fold seeds, 1.0 less (bench/classify.py).
TAXONOMY_WEIGHT = 0.4
# Weight of the (L2-normalised) message vector block (docs/cases.md for what was measured).
VECTOR_WEIGHT = 0.5

_AREA = re.compile(r"[A-Z]\d{0,2}[市区县]")
_DIGITS = re.compile(r"\d+")
_FIRST_CLAUSE = re.compile(r"^(.{4,40}?)[。！？!?；;，,]")


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


class Features:
    """Subject char n-grams ⊕ full-text char n-grams (⊕ full-text words) (⊕ taxonomy terms)."""

    def __init__(self, *, words: bool = False, small: bool = False, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy
        # Full-text n-gram → vector (n-grams × dimensions), when the city's vectors are used.
        self.embedding: np.ndarray | None = None
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

    def fit_transform(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        extra: Sequence[tuple[str, str]] = (),
        lookup: Lookup | None = None,
    ) -> sp.csr_matrix:
        """Fit on ``pairs`` (and, for vocabulary and IDF only, the unlabelled ``extra``), project
        the full-text n-grams on ``lookup``'s vectors if given, and return the rows of ``pairs``."""
        subjects, fulls = self._parts(pairs)
        if extra:
            more_subjects, more_fulls = self._parts(extra)
            for vec, texts in ((self.subject, subjects + more_subjects), (self.full, fulls + more_fulls)):
                vec.fit(texts)
            if self.words is not None:
                self.words.fit(fulls + more_fulls)
            blocks = [self.subject.transform(subjects), self.full.transform(fulls)]
            if self.words is not None:
                blocks.append(self.words.transform(fulls))
        else:
            blocks = [self.subject.fit_transform(subjects), self.full.fit_transform(fulls)]
            if self.words is not None:
                blocks.append(self.words.fit_transform(fulls))
        if self.taxonomy is not None:
            blocks.append(sp.csr_matrix(self._taxonomy_block(fulls)))
        x = sp.hstack(blocks).tocsr()
        if lookup is not None:
            self.embedding = self._project(lookup)
            x = self._with_vectors(x)
        return x

    def _project(self, lookup: Lookup) -> np.ndarray:
        """Each full-text n-gram's vector (zeros for one the vectors do not know)."""
        terms = sorted(self.full.vocabulary_, key=self.full.vocabulary_.__getitem__)
        found = [lookup(t) for t in terms]
        size = next((len(v) for v in found if v is not None), 0)
        out = np.zeros((len(terms), size), dtype=np.float32)
        for i, v in enumerate(found):
            if v is not None:
                out[i] = v / (np.linalg.norm(v) or 1.0)
        return out

    def _with_vectors(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """``x`` with the message vector block appended (TF-IDF-weighted mean, L2-normalised)."""
        assert self.embedding is not None
        dense = normalize(np.asarray(x[:, self.text_columns()] @ self.embedding)) * VECTOR_WEIGHT
        return sp.hstack([x, sp.csr_matrix(dense.astype(np.float32))]).tocsr()

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
        # A block's counter, idf and first column: looked up once per call.
        plan, offset = [], 0
        for vec, texts in zip(vecs, [subjects, fulls, fulls], strict=False):
            fast = vec.analyzer == "char" and vec.ngram_range == (1, 3) and vec.lowercase
            count = index_of(vec).count if fast else _counter(vec.build_analyzer(), vec.vocabulary_)
            plan.append((count, vec.idf_, offset, texts))
            offset += len(vec.vocabulary_)
        data: list[float] = []
        indices: list[int] = []
        indptr = [0]
        tax = self._taxonomy_block(fulls) if self.taxonomy is not None else None
        for i in range(len(pairs)):
            for count, idf, start, texts in plan:
                cols, tf = count(texts[i])
                if not len(cols):
                    continue
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
        x = sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
            shape=(len(pairs), width),
        )
        return x if self.embedding is None else self._with_vectors(x)


def _counter(
    analyse: Callable[[str], Any], vocabulary: Mapping[str, int]
) -> Callable[[str], tuple[Any, Any]]:
    """(columns, counts) of a text's terms by ``analyse`` (a block of jieba words)."""
    return lambda text: count_terms(analyse(text), vocabulary)
