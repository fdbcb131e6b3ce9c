"""Benchmark the case classifier against the char n-gram baseline on messages-labelled.csv.

Prints stratified k-fold macro-F1 (pooled, and per fold mean ± sd) of the baseline (TF-IDF
char 1–4-grams of subject + detail, LinearSVC) and of ``duban.cases.classify`` from the same
folds, the time to train on all messages, and prediction cost per message, single message and
batch, with ratios against the baseline. Times are CPU time of this process, so a busy machine
does not inflate them; run with OMP_NUM_THREADS=1 for one core.

    .venv/bin/python bench/classify.py [--folds 5] [--data ../shared/corpus/hotline/messages-labelled.csv]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from duban.cases.classify import CaseModel, LabelledText, read_labelled_csv, train

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "hotline" / "messages-labelled.csv"


def baseline() -> Pipeline:
    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True), LinearSVC())


def joined(rows: list[LabelledText]) -> list[str]:
    return [r.subject + " " + r.detail for r in rows]


def per_message_ms(predict, items: list, single: bool) -> float:  # type: ignore[no-untyped-def]
    predict(items[:5])  # warm up (imports, caches)
    start = time.process_time()
    if single:
        for item in items:
            predict([item])
    else:
        predict(items)
    return (time.process_time() - start) / len(items) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    rows = read_labelled_csv(args.data)
    y = np.array([r.label for r in rows])
    print(f"data: {args.data} — {len(rows)} messages, {len(set(y))} classes")

    pred_base = np.empty(len(rows), dtype=object)
    pred_ours = np.empty(len(rows), dtype=object)
    fold_base: list[float] = []
    fold_ours: list[float] = []
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    for k, (tr, te) in enumerate(folds.split(np.zeros(len(y)), y), start=1):
        train_rows = [rows[i] for i in tr]
        test_rows = [rows[i] for i in te]
        base = baseline().fit(joined(train_rows), y[tr])
        pred_base[te] = base.predict(joined(test_rows))
        ours = train(train_rows)
        pred_ours[te] = [p.label for p in ours.predict([(r.subject, r.detail) for r in test_rows])]
        fold_base.append(f1_score(y[te], pred_base[te].astype(str), average="macro"))
        fold_ours.append(f1_score(y[te], pred_ours[te].astype(str), average="macro"))
        print(f"  fold {k}/{args.folds}: baseline {fold_base[-1]:.4f}  ours {fold_ours[-1]:.4f}", flush=True)
    f1_base = f1_score(y, pred_base.astype(str), average="macro")
    f1_ours = f1_score(y, pred_ours.astype(str), average="macro")
    print(
        f"{args.folds}-fold stratified CV macro-F1, pooled: baseline {f1_base:.4f}  ours {f1_ours:.4f}"
        f"  ({f1_ours - f1_base:+.4f})"
    )
    print(
        f"  per fold, mean ± sd: baseline {np.mean(fold_base):.4f} ± {np.std(fold_base):.4f}"
        f"  ours {np.mean(fold_ours):.4f} ± {np.std(fold_ours):.4f}"
    )

    t = time.process_time()
    base = baseline().fit(joined(rows), y)
    t_base = time.process_time() - t
    t = time.process_time()
    model: CaseModel = train(rows)
    t_ours = time.process_time() - t
    print(
        f"train on all {len(rows)}: baseline {t_base:.1f} s  ours {t_ours:.1f} s  (×{t_ours / t_base:.1f}), CPU time"
    )

    sample = rows[:300]
    texts = joined(sample)
    pairs = [(r.subject, r.detail) for r in sample]
    for single in (True, False):
        mb = per_message_ms(base.predict, texts, single)
        mo = per_message_ms(model.predict, pairs, single)
        kind = "single message" if single else "batch of 300  "
        print(f"predict, {kind}: baseline {mb:.2f} ms/msg  ours {mo:.2f} ms/msg  (×{mo / mb:.1f}), CPU time")


if __name__ == "__main__":
    main()
