"""Word vectors a city learns from its own prose: unlabelled hotline messages and its archive of
government reports (fastText by gensim, trained here, never downloaded).

``build_vectors`` reads the texts, cuts them into jieba words and trains fastText vectors with
character 1–3-gram subwords (so every character n-gram of the classifier's vocabulary gets a
vector, also one the archive never had as a word); ``save_vectors`` / ``load_vectors`` keep
them as a file the city owns (gensim's KeyedVectors format). The classifier
(:mod:`duban.cases.classify_features`) only asks a :data:`Lookup` for one n-gram's vector at
training time and keeps the projection in its model file: predicting needs no gensim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from duban.cases.textutil import CaseInputError, clean_text, read_csv, require_text_columns, row_text

Lookup = Callable[[str], "np.ndarray | None"]
"""An n-gram's vector, or None when the vectors know nothing of it."""

VECTOR_SIZE = 100
# Archive text read at most (characters): ~46 M in the 2,717 reports cost ~3 min of jieba alone
# on one core; the first 20 M (every report's opening sections, spread over all files) are used.
ARCHIVE_CHARS = 20_000_000
_SENTENCE = re.compile(r"[。！？!?；;\n]+")
_MIN_SENTENCE = 4


@dataclass(frozen=True)
class VectorCorpus:
    """What vectors were learnt from: message count, archive files and characters read."""

    messages: int
    archive_files: int
    archive_chars: int


def read_message_texts(paths: Sequence[str | Path]) -> list[tuple[str, str]]:
    """(subject, detail) of every row of unlabelled message CSVs (hotline export layout or
    ``text`` / ``subject``+``detail``); any other columns are ignored."""
    out: list[tuple[str, str]] = []
    for path in paths:
        table = read_csv(path)
        if not table.rows:
            raise CaseInputError(f"{table.path}: 文件没有数据行")
        require_text_columns(table)
        out.extend(p for p in (row_text(r) for r in table.rows) if p[0] or p[1])
    return out


def archive_files(folder: str | Path) -> list[Path]:
    """The report files (``*.md``, ``*.txt``) under an archive folder, sorted."""
    root = Path(folder)
    if not root.is_dir():
        raise CaseInputError(f"{folder}: 档案目录不存在")
    files = sorted(p for p in root.rglob("*") if p.suffix in {".md", ".txt"} and p.is_file())
    if not files:
        raise CaseInputError(f"{folder}: 档案目录中没有 .md 或 .txt 文件")
    return files


def archive_sentences(files: Sequence[Path], *, max_chars: int = ARCHIVE_CHARS) -> Iterator[str]:
    """Sentences of the archive, each file's share of ``max_chars`` from its beginning."""
    share = max(1, max_chars // max(1, len(files)))
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")[:share]
        for sentence in _SENTENCE.split(text):
            s = clean_text(sentence.lstrip("#*-> "))
            if len(s) >= _MIN_SENTENCE:
                yield s


def _tokenised(texts: Iterable[str]) -> list[list[str]]:
    from duban.cases.classify_features import jieba_words, normalise

    return [words for words in (jieba_words(normalise(t)) for t in texts) if words]


def build_vectors(
    *,
    messages: Sequence[tuple[str, str]],
    archive: Sequence[Path] = (),
    archive_chars: int = ARCHIVE_CHARS,
    size: int = VECTOR_SIZE,
    epochs: int = 5,
    seed: int = 0,
) -> tuple[Any, VectorCorpus]:
    """fastText vectors (gensim ``KeyedVectors``) of jieba words with character 1–3-gram
    subwords, one worker thread, from the messages and the archive's sentences."""
    from gensim.models import FastText

    texts = [f"{s} {d}".strip() for s, d in messages]
    sentences = list(archive_sentences(archive, max_chars=archive_chars)) if archive else []
    corpus = _tokenised(texts + sentences)
    if len(corpus) < 2:
        raise CaseInputError("用于训练词向量的文本太少（至少需要两条）")
    model = FastText(
        vector_size=size,
        window=5,
        min_count=2 if len(corpus) > 1000 else 1,
        min_n=1,
        max_n=3,
        workers=1,
        seed=seed,
        sg=0,
        bucket=200_000,
    )
    model.build_vocab(corpus_iterable=corpus)
    model.train(corpus_iterable=corpus, total_examples=len(corpus), epochs=epochs)
    chars = sum(len(s) for s in sentences)
    return model.wv, VectorCorpus(len(texts), len(archive), chars)


def save_vectors(vectors: Any, path: str | Path) -> None:
    """Write vectors in gensim's KeyedVectors format (one file, the city's own)."""
    try:
        vectors.save(str(path), separately=[])
    except OSError as exc:
        raise CaseInputError(f"{path}: 无法写入词向量文件（{exc.strerror}）") from None


def load_vectors(path: str | Path) -> Any:
    """Read vectors written by :func:`save_vectors`; a wrong file gives a clear error."""
    from gensim.models import KeyedVectors

    if not Path(path).is_file():
        raise CaseInputError(f"{path}: 词向量文件不存在")
    try:
        vectors = KeyedVectors.load(str(path))
    except Exception:
        raise CaseInputError(f"{path}: 不是 duban 词向量文件（无法解析）") from None
    if not hasattr(vectors, "get_vector"):
        raise CaseInputError(f"{path}: 不是 duban 词向量文件")
    return vectors


def lookup_of(vectors: Any) -> Lookup:
    """A :data:`Lookup` over gensim vectors (fastText composes unseen n-grams from subwords)."""

    def lookup(term: str) -> np.ndarray | None:
        try:
            v = np.asarray(vectors.get_vector(term), dtype=np.float32)
        except KeyError:
            return None
        return v if np.any(v) else None

    return lookup
