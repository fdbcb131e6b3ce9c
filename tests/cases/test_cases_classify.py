"""Classifier: quality on a fixed stratified split of the labelled messages, save/load, units."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from duban.cases.category_units import suggest_unit
from duban.cases.classify import CaseModel, Prediction, train
from duban.cases.classify_auto import MARGINS
from duban.cases.classify_trust import fit_trust
from duban.cases.textutil import CaseInputError
from duban.cases.training_data import LabelledText, Taxonomy, read_labelled_csv, read_taxonomy
from tests.conftest import shared_path

# Measured 0.900 on this split for one SVM (seed 0, 20 % held out; the jieba model measured
# 0.907 here but the same in 5-fold CV); the floor leaves room for sklearn drift.
F1_FLOOR = 0.89
# Auto-dispatch on this split: 81.2 % of the messages sent out, 98.1 % of them right (the
# correctness model, margin learnt 0.005); the stack's top probability with the fixed 0.015
# margin (model version 6) sent out 75.6 % at 98.8 %.
AUTO_SHARE_FLOOR = 0.78
AUTO_PRECISION_FLOOR = 0.95


@pytest.fixture(scope="module")
def split() -> tuple[list[LabelledText], list[LabelledText]]:
    rows = read_labelled_csv(shared_path("corpus", "hotline", "messages-labelled.csv"))
    train_rows, test_rows = train_test_split(
        rows, test_size=0.2, stratify=[r.label for r in rows], random_state=0
    )
    return train_rows, test_rows


@pytest.fixture(scope="module")
def model(split: tuple[list[LabelledText], list[LabelledText]]) -> CaseModel:
    return train(split[0])


@pytest.fixture(scope="module")
def held_out(
    model: CaseModel, split: tuple[list[LabelledText], list[LabelledText]]
) -> list[tuple[Prediction, LabelledText]]:
    """The model's prediction for each held-out message, beside the message."""
    test_rows = split[1]
    return list(zip(model.predict([(r.subject, r.detail) for r in test_rows]), test_rows, strict=True))


@pytest.mark.slow
def test_macro_f1_on_held_out_split(
    model: CaseModel, split: tuple[list[LabelledText], list[LabelledText]]
) -> None:
    test_rows = split[1]
    predicted = [p.label for p in model.predict([(r.subject, r.detail) for r in test_rows])]
    score = f1_score([r.label for r in test_rows], predicted, average="macro")
    assert score >= F1_FLOOR, f"macro-F1 {score:.4f} below floor {F1_FLOOR}"


@pytest.mark.slow
def test_confidence_separates_right_from_wrong(held_out: list[tuple[Prediction, LabelledText]]) -> None:
    right = [p.confidence for p, r in held_out if p.label == r.label]
    wrong = [p.confidence for p, r in held_out if p.label != r.label]
    assert all(0 <= c <= 1 for c in right + wrong)
    assert sum(right) / len(right) > sum(wrong) / len(wrong) + 0.1


@pytest.mark.slow
def test_auto_dispatch_keeps_its_precision_on_messages_never_seen(
    model: CaseModel, held_out: list[tuple[Prediction, LabelledText]]
) -> None:
    sent = [p.label == r.label for p, r in held_out if model.auto_dispatch(p)]
    assert model.trust is not None and model.auto is not None and model.auto.margin in MARGINS
    assert sum(sent) / len(sent) >= AUTO_PRECISION_FLOOR
    assert len(sent) / len(held_out) >= AUTO_SHARE_FLOOR


def test_a_correctness_model_of_labels_all_right_is_a_constant() -> None:
    values = np.random.default_rng(0).normal(size=(40, 3))
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(values, np.arange(40) % 2))
    trust, held = fit_trust(values, np.ones(40, dtype=bool), folds)
    assert np.allclose(held, held[0]) and held[0] > 0.99
    assert np.allclose(trust.confidence(values[:3] * 100), held[0])


@pytest.mark.slow
def test_save_load_round_trip(model: CaseModel, tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    model.save(path)
    loaded = CaseModel.load(path)
    texts = ["A3区某小区电梯经常故障，物业不管", "孩子入学学位紧张，学校划片不合理", "社保断缴如何补缴"]
    assert loaded.labels == model.labels
    assert loaded.training_size == model.training_size
    assert loaded.predict(texts) == model.predict(texts)


def test_text_only_rows_and_tiny_training_set() -> None:
    rows = [
        LabelledText("", "小区门口垃圾堆积，环卫不清理", "城乡建设"),
        LabelledText("", "楼下违章建筑占用消防通道", "城乡建设"),
        LabelledText("", "学校乱收补课费，老师强制补课", "教育文体"),
        LabelledText("", "幼儿园学位不足，孩子无法入园", "教育文体"),
    ]
    model = train(rows)
    assert model.labels == ["城乡建设", "教育文体"]
    [pred] = model.predict(["学校强制学生补课收费"])
    assert pred.label == "教育文体"
    assert 0.5 < pred.confidence <= 1


def test_load_rejects_foreign_and_old_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(CaseInputError, match="不是 duban 工单分类模型文件"):
        CaseModel.load(junk)
    other = tmp_path / "other.pkl"
    other.write_bytes(pickle.dumps({"format": "something-else"}))
    with pytest.raises(CaseInputError, match="格式标记"):
        CaseModel.load(other)
    old = tmp_path / "old.pkl"
    old.write_bytes(pickle.dumps({"format": "duban.cases.model", "version": 0}))
    with pytest.raises(CaseInputError, match="请重新训练"):
        CaseModel.load(old)
    with pytest.raises(CaseInputError, match="无法读取模型文件"):
        CaseModel.load(tmp_path / "missing.bin")


TAXONOMY_CSV = """一级分类,二级分类,三级分类
城乡建设,城市建设和市政管理,公共汽车
城乡建设,城市建设和市政管理,其他
城乡建设,物业管理,电梯
交通运输,出租车,出租车管理
交通运输,公路,路
"""


def test_read_taxonomy_maps_terms_to_top_level(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.csv"
    path.write_text(TAXONOMY_CSV, encoding="utf-8")
    tax = read_taxonomy(path)
    assert tax.groups == ("城乡建设", "交通运输")
    # 其他 and one-character terms (路) are left out; a term under two rows keeps one entry.
    assert tax.terms == {
        "城市建设和市政管理": (0,),
        "公共汽车": (0,),
        "物业管理": (0,),
        "电梯": (0,),
        "出租车": (1,),
        "出租车管理": (1,),
        "公路": (1,),
    }
    assert tax.counts("电梯坏了，出租车也不来").round(3).tolist() == [0.693, 0.693]
    empty = tmp_path / "empty.csv"
    empty.write_text("一级分类\n城乡建设\n", encoding="utf-8")
    with pytest.raises(CaseInputError, match="至少两列"):
        read_taxonomy(empty)


def test_taxonomy_terms_are_features_kept_in_the_model(tmp_path: Path) -> None:
    rows = [
        LabelledText("", "小区电梯坏了没人修", "城乡建设"),
        LabelledText("", "楼下违章建筑占用消防通道", "城乡建设"),
        LabelledText("", "出租车拒载还绕路", "交通运输"),
        LabelledText("", "客运班车严重超载", "交通运输"),
    ]
    tax = Taxonomy(("城乡建设", "交通运输"), {"电梯": (0,), "出租车": (1,), "网约": (1,)})
    with_tax = train(rows, taxonomy=tax)
    text = "网约"  # no character seen in training: only the taxonomy term tells
    assert with_tax.predict([text])[0].label == "交通运输"
    k = with_tax.labels.index("交通运输")
    assert with_tax.decision([text])[0, k] > with_tax.decision(["无关"])[0, k]
    assert "taxonomy" in with_tax.meta["features"]
    path = tmp_path / "model.bin"
    with_tax.save(path)
    assert CaseModel.load(path).predict([text]) == with_tax.predict([text])


@pytest.mark.slow
@pytest.mark.parametrize("n_labels", [2, 7])
def test_enough_data_stacks_two_svms_and_neighbours(n_labels: int, tmp_path: Path) -> None:
    rows = read_labelled_csv(shared_path("corpus", "hotline", "messages-labelled.csv"))
    keep = sorted({r.label for r in rows})[:n_labels]
    data = [r for label in keep for r in [r for r in rows if r.label == label][:110]]
    model = train(data)
    assert model.stack is not None and "LogisticRegression" in model.meta["classifier"]
    # Both SVMs side by side: one decision column per label each.
    assert model.weights.shape == (model.features.transform([("", "x")]).shape[1], 2 * n_labels)
    # ... and the neighbour votes: the stack weighs 3 values per label.
    assert model.neighbours is not None and model.stack.coef.shape[1] == 3 * n_labels
    # 智能派单: a threshold chosen on the correctness model's held-out confidences, for the
    # target plus a margin learnt from five more trainings, kept in the model
    assert model.trust is not None and model.auto is not None and model.auto.target == 0.95
    assert 0 < model.auto.threshold <= 1.01 and model.auto.margin in MARGINS
    assert model.auto.held_out == len(data)
    assert model.auto.share == 0 or model.auto.precision >= 0.95 + model.auto.margin
    sample = data[::3]
    texts = [(r.subject, r.detail) for r in sample]
    assert model.decision(texts).shape == (len(sample), n_labels)
    preds = model.predict(texts)
    right = sum(p.label == r.label for p, r in zip(preds, sample, strict=True))
    assert right >= 0.9 * len(sample)  # seen in training
    assert all(0 < p.confidence < 1 for p in preds)
    path = tmp_path / "model.bin"
    model.save(path)
    assert CaseModel.load(path).predict(texts) == preds


def test_small_data_uses_one_svm() -> None:
    rows = [LabelledText("", f"小区电梯故障第{i}次", "城乡建设") for i in range(3)] + [
        LabelledText("", f"学校补课收费第{i}次", "教育文体") for i in range(3)
    ]
    model = train(rows)
    assert model.stack is None and model.neighbours is None and model.meta["classifier"] == "LinearSVC"
    assert model.weights.shape[1] == 2
    assert model.predict(["学校又补课"])[0].label == "教育文体"


def test_single_label_is_refused() -> None:
    with pytest.raises(CaseInputError, match="两个不同的类别"):
        train([LabelledText("a", "b", "城乡建设"), LabelledText("c", "d", "城乡建设")])


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("城乡建设", "市住房和城乡建设局"),
        ("环境保护", "市生态环境局"),
        ("交通运输", "市交通运输局"),
        ("教育文体", "市教育局"),
        ("劳动和社会保障", "市人力资源和社会保障局"),
        ("商贸旅游", "市商务局"),
        ("卫生计生", "市卫生健康委员会"),
    ],
)
def test_suggest_unit_covers_every_label(label: str, unit: str) -> None:
    assert suggest_unit(label) == unit


def test_unit_table_matches_labels_in_data() -> None:
    rows = read_labelled_csv(shared_path("corpus", "hotline", "messages-labelled.csv"))
    fallback = suggest_unit("没有这个类别")
    assert {r.label for r in rows} and all(suggest_unit(r.label) != fallback for r in rows)


def test_neighbour_votes_match_a_brute_force_reference() -> None:
    """Votes by gathered postings = cosine similarity to every training row, top k summed per
    label; each training row is compared by its NEIGHBOUR_FEATURES heaviest features."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    from duban.cases.classify_stack import NEIGHBOUR_FEATURES, NEIGHBOURS, Neighbours

    rng = np.random.default_rng(0)
    train_x = sp.random(60, 400, density=0.4, format="csr", random_state=1)  # ~160 features a row
    labels = rng.integers(0, 3, 60)
    blank = np.ones(9)
    blank[4] = 0  # a text with no known feature gets no votes
    query = (sp.diags(blank) @ sp.random(9, 400, density=0.3, format="csr", random_state=2)).tocsr()
    query.eliminate_zeros()
    votes = Neighbours.of(train_x, labels, 3).votes(query)

    rows = normalize(train_x).toarray()
    for row in rows:  # keep the heaviest features of each training row
        row[np.argsort(-row)[NEIGHBOUR_FEATURES:]] = 0
    sims = normalize(query).toarray() @ rows.T
    expected = np.zeros((9, 3))
    for i in range(9):
        for j in np.argsort(-sims[i])[:NEIGHBOURS]:
            expected[i, labels[j]] += sims[i, j]
    assert np.allclose(votes, expected, atol=1e-5)
    assert not votes[4].any() and votes.sum() > 0


def test_fast_transform_matches_scikit_learn_and_taxonomy_counts_every_term() -> None:
    """The one-pass ``transform`` gives the fitted vectorizers' own values, block by block, and
    the taxonomy block counts every term found (overlapping ones and one-character ones too)."""
    import numpy as np
    import scipy.sparse as sp

    from duban.cases.classify_features import TAXONOMY_WEIGHT, Features

    tax = Taxonomy(("城乡建设", "交通运输"), {"公共汽车": (0,), "汽车": (1,), "路灯": (0,), "车": (1,)})
    features = Features(small=True, taxonomy=tax)
    train_pairs = [
        ("路灯不亮", "A3区某路段路灯坏了三天"),
        ("", "公共汽车绕路，汽车站无人管"),
        ("车", "出租车拒载"),
    ]
    features.fit_transform(train_pairs)
    pairs = [("公共汽车站", "路灯也不亮，汽车乱停"), ("", "完全无关的话"), ("", "")]
    fast = features.transform(pairs).toarray()
    subjects, fulls = features._parts(pairs)
    expected = sp.hstack([features.subject.transform(subjects), features.full.transform(fulls)]).toarray()
    assert np.allclose(fast[:, : expected.shape[1]], expected, atol=1e-6)
    counts = fast[:, expected.shape[1] :] / TAXONOMY_WEIGHT
    # 公共汽车 + 路灯 → 城乡建设 2; 汽车 + 车 → 交通运输 2; nothing in the other texts
    assert np.allclose(counts, np.log1p([[2, 2], [0, 0], [0, 0]]))
