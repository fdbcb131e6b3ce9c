"""Char 1–3-grams counted as packed integers (:mod:`duban.cases.classify_ngrams`) give the same
columns and counts as scikit-learn's own analyzer, for every kind of character a message holds."""

from __future__ import annotations

from collections import Counter

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from duban.cases.classify_ngrams import GramIndex, index_of

TEXTS = [
    "小区门口路灯不亮，已经三天了",
    "XX路0号 井盖缺失!!! 请尽快处理",
    "Wi-Fi 信号差 ABC abc",
    "𠮷野家门口占道经营（扩展B区汉字）😀😀",  # code points above U+FFFF
    "a",
    "ab",
    "",
    "含\x00空字符的文本",  # NUL: the packed keys could collide, so the strings are counted
]


def _expected(vec: TfidfVectorizer, text: str) -> dict[int, int]:
    analyse = vec.build_analyzer()
    counts = Counter(vec.vocabulary_.get(g) for g in analyse(text))
    counts.pop(None, None)
    return dict(counts)


@pytest.mark.parametrize("text", TEXTS)
def test_counts_match_scikit_learn(text):
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit([*TEXTS[:4], text])
    cols, tf = GramIndex(vec.vocabulary_).count(text)
    assert dict(zip(cols.tolist(), tf.tolist(), strict=True)) == _expected(vec, text)


def test_unknown_ngrams_are_left_out_and_the_index_follows_a_refit():
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit(["路灯不亮"])
    cols, _tf = index_of(vec).count("井盖缺失 路灯")
    assert sorted(cols.tolist()) == sorted(_expected(vec, "井盖缺失 路灯"))
    vec.fit(["井盖缺失"])  # a new vocabulary: a new index
    assert dict(zip(*(a.tolist() for a in index_of(vec).count("井盖缺失 路灯")), strict=True)) == _expected(
        vec, "井盖缺失 路灯"
    )
