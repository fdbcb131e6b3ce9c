"""Learning from unlabelled text: the city's word vectors (fastText, trained here on a tiny
corpus written below), message vectors as features, vocabulary and IDF fitted on unlabelled
messages, and the CLI that builds the vectors and trains with them."""

from __future__ import annotations

import csv
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.preprocessing import normalize

from duban.cases.classify import CaseModel, train
from duban.cases.classify_features import VECTOR_WEIGHT, Features
from duban.cases.classify_vectors import (
    archive_files,
    archive_sentences,
    build_vectors,
    load_vectors,
    lookup_of,
    read_message_texts,
    save_vectors,
)
from duban.cases.textutil import CaseInputError
from duban.cases.training_data import LabelledText
from duban.cli import main
from tests.cases.test_cases_cli_classifier import ROWS, write_csv

UNLABELLED = [
    ("物业乱收停车费", "小区物业未经业主同意收取停车费。"),
    ("学校食堂卫生差", "孩子在学校食堂吃饭后肚子疼。"),
    ("拖欠农民工工资", "工地老板拖欠农民工工资两个月。"),
    ("社保卡补办", "社保卡丢失怎样补办？"),
    ("小区垃圾清运不及时", "垃圾站满了没人清运，臭味很大。"),
    ("中学放假通知", "中学寒假安排什么时候公布？"),
]
ARCHIVE = {
    "city/甲市/2021.md": "# 政府工作报告\n\n加强物业管理，整治小区环境。推进义务教育均衡发展，新建中学三所。\n",
    "city/甲市/2022.md": "保障农民工工资支付。扩大社会保险覆盖面，提高养老金待遇。\n改造老旧小区电梯。",
}


def _lookup(term: str) -> np.ndarray | None:
    """A deterministic lookup of our own: a fixed random vector per n-gram, none for digits."""
    if term.isdigit():
        return None
    return np.random.default_rng(zlib.crc32(term.encode())).normal(size=8).astype(np.float32)


def _archive(tmp_path: Path) -> Path:
    for name, text in ARCHIVE.items():
        p = tmp_path / "archive" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp_path / "archive"


def _unlabelled_csv(tmp_path: Path) -> Path:
    path = tmp_path / "unlabelled.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["留言编号", "留言主题", "留言详情", "一级分类"])  # the hotline export's own layout
        w.writerows([(i, s, d, "") for i, (s, d) in enumerate(UNLABELLED)])
    return path


def test_message_vector_is_the_tfidf_weighted_mean_of_its_ngrams() -> None:
    features = Features(small=True)
    pairs = [(s, d) for s, d, _ in ROWS]
    x = features.fit_transform(pairs, lookup=_lookup).toarray()
    assert features.embedding is not None and features.embedding.shape == (len(features.full.vocabulary_), 8)
    tfidf = features.full.transform(features._parts(pairs)[1]).toarray()
    terms = sorted(features.full.vocabulary_, key=features.full.vocabulary_.__getitem__)
    emb = np.array([_lookup(t) / np.linalg.norm(_lookup(t)) for t in terms])
    expected = normalize(tfidf @ emb) * VECTOR_WEIGHT
    assert np.allclose(x[:, -8:], expected, atol=1e-5)
    # the fast one-pass transform of a fitted model gives the same rows
    assert np.allclose(features.transform(pairs).toarray(), x, atol=1e-5)


def test_unlabelled_messages_join_the_vocabulary_and_idf() -> None:
    pairs = [(s, d) for s, d, _ in ROWS]
    alone, joined = Features(small=True), Features(small=True)
    alone.fit_transform(pairs)
    x = joined.fit_transform(pairs, extra=UNLABELLED)
    assert x.shape[0] == len(pairs)
    assert "食堂" in joined.full.vocabulary_ and "食堂" not in alone.full.vocabulary_
    # 小区 is in 3 of 9 labelled texts but 5 of 15 texts with the unlabelled ones: another IDF
    a, j = alone.full.vocabulary_["小区"], joined.full.vocabulary_["小区"]
    assert alone.full.idf_[a] != pytest.approx(joined.full.idf_[j])


def test_vectors_are_learnt_from_messages_and_archive_and_kept_in_a_file(tmp_path: Path) -> None:
    files = archive_files(_archive(tmp_path))
    assert [f.name for f in files] == ["2021.md", "2022.md"]
    sentences = list(archive_sentences(files))
    assert "加强物业管理，整治小区环境" in sentences and "政府工作报告" in sentences
    messages = read_message_texts([_unlabelled_csv(tmp_path)])
    assert messages[0] == UNLABELLED[0]
    vectors, corpus = build_vectors(messages=messages, archive=files, size=16, epochs=2)
    assert (corpus.messages, corpus.archive_files) == (6, 2) and corpus.archive_chars > 40
    path = tmp_path / "city.vectors"
    save_vectors(vectors, path)
    lookup = lookup_of(load_vectors(path))
    known, unseen = lookup("小区"), lookup("楼道灯")  # fastText composes an unseen word from subwords
    assert known is not None and known.shape == (16,) and unseen is not None
    rows = [LabelledText(subject=s, detail=d, label=label) for s, d, label in ROWS]
    model = train(rows, unlabelled=messages, vectors=lookup)
    assert "message vectors" in model.meta["features"] and "IDF on 6 unlabelled" in model.meta["features"]
    model.save(tmp_path / "m.bin")
    again = CaseModel.load(tmp_path / "m.bin")  # the projection is in the model: no vectors file needed
    assert again.predict(["公司拖欠工资不发"])[0].label == "劳动和社会保障"
    bad = tmp_path / "bad.vectors"
    bad.write_bytes(b"nonsense")
    with pytest.raises(CaseInputError, match="不是 duban 词向量文件"):
        load_vectors(bad)
    with pytest.raises(CaseInputError, match="档案目录不存在"):
        archive_files(tmp_path / "nowhere")


def test_cli_builds_vectors_and_trains_with_them(tmp_path: Path) -> None:
    runner = CliRunner()
    data = write_csv(tmp_path / "train.csv", ["subject", "detail", "label"], ROWS, encoding="utf-8-sig")
    unlabelled, archive = _unlabelled_csv(tmp_path), _archive(tmp_path)
    vec = tmp_path / "city.vectors"
    got = runner.invoke(
        main, ["cases", "vectors", "--unlabelled", str(unlabelled), "--archive", str(archive), "-o", str(vec)]
    )
    assert got.exit_code == 0, got.output
    assert "由 6 条留言与 2 份档案" in got.output and vec.is_file()
    model = tmp_path / "m.bin"
    got = runner.invoke(
        main,
        [
            "cases",
            "train",
            str(data),
            "-o",
            str(model),
            "--unlabelled",
            str(unlabelled),
            "--vectors",
            str(vec),
        ],
    )
    assert got.exit_code == 0, got.output
    assert "未标注留言 6 条" in got.output and f"词向量 {vec.resolve()}" in got.output
    meta = CaseModel.load(model).meta["sources"]
    assert meta["unlabelled"] == [str(unlabelled.resolve())] and meta["vectors"] == str(vec.resolve())
    # --archive without --vectors: the vectors are built from the unlabelled messages and the archive
    got = runner.invoke(
        main,
        [
            "cases",
            "train",
            str(data),
            "-o",
            str(model),
            "--unlabelled",
            str(unlabelled),
            "--archive",
            str(archive),
        ],
    )
    assert got.exit_code == 0, got.output
    assert "词向量：由 6 条未标注留言与 2 份档案" in got.output
    nothing = runner.invoke(main, ["cases", "vectors", "-o", str(vec)])
    assert nothing.exit_code == 1 and "须给出 --unlabelled 或 --archive" in nothing.output
