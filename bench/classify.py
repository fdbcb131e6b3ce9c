"""Benchmark the case classifier against the char n-gram baseline on messages-labelled.csv.

Prints stratified k-fold macro-F1 (pooled, and per fold mean ± sd) of the baseline (TF-IDF
char 1–4-grams of subject + detail, LinearSVC) and of ``duban.cases.classify`` without and with
the city's taxonomy terms (``--taxonomy``) and, with ``--unlabelled`` (and ``--vectors``), also
learning from unlabelled messages and the city's word vectors, all from the same folds; for each
of ours the auto-dispatch (智能派单) figures on the held-out folds (the share of messages at or
above the threshold each fold's model chose on its own training part, and their precision); the
time to train on all messages, the model file's size, and prediction cost per message, single
message and batch, with ratios against the baseline. ``--curve`` adds a 10-fold learning curve (each fold trained on 50/75/100 % of its
90 %) and extrapolates, linear in log(training size), to a model trained on all messages, the
situation of an acceptance test on held-back messages. Times are CPU time of this process, so a
busy machine does not inflate them; run with OMP_NUM_THREADS=1 for one core.

    .venv/bin/python bench/classify.py [--folds 5] [--curve] [--taxonomy FILE|none]
        [--data ../shared/corpus/hotline/messages-labelled.csv]
        [--unlabelled FILE ...] [--vectors FILE]   (build vectors once: duban cases vectors)
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from duban.cases.classify import CaseModel, train
from duban.cases.classify_auto import dispatch_figures
from duban.cases.classify_vectors import Lookup, load_vectors, lookup_of, read_message_texts
from duban.cases.training_data import LabelledText, Taxonomy, read_labelled_csv, read_taxonomy

ROOT = Path(__file__).resolve().parents[1]
HOTLINE = ROOT.parent / "shared" / "corpus" / "hotline"
DEFAULT = HOTLINE / "messages-labelled.csv"
TAXONOMY = HOTLINE / "taxonomy.csv"
CURVE = (0.5, 0.75, 1.0)

Predictor = Callable[[list[LabelledText], list[LabelledText]], list[str]]


def baseline() -> Pipeline:
    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True), LinearSVC())


def joined(rows: list[LabelledText]) -> list[str]:
    return [r.subject + " " + r.detail for r in rows]


def predict_baseline(train_rows: list[LabelledText], test_rows: list[LabelledText]) -> list[str]:
    model = baseline().fit(joined(train_rows), [r.label for r in train_rows])
    return [str(p) for p in model.predict(joined(test_rows))]


# Per system: (confidence, right, auto-dispatched) of every held-out message, fold by fold.
AUTO: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def predict_ours(
    name: str,
    taxonomy: Taxonomy | None,
    unlabelled: list[tuple[str, str]] | None = None,
    vectors: Lookup | None = None,
) -> Predictor:
    def run(train_rows: list[LabelledText], test_rows: list[LabelledText]) -> list[str]:
        model = train(train_rows, taxonomy=taxonomy, unlabelled=unlabelled or (), vectors=vectors)
        got = model.predict([(r.subject, r.detail) for r in test_rows])
        conf = np.array([p.confidence for p in got])
        right = np.array([p.label == r.label for p, r in zip(got, test_rows, strict=True)])
        sent = np.array([model.auto_dispatch(p) for p in got])
        AUTO.setdefault(name, []).append((conf, right, sent))
        return [p.label for p in got]

    return run


def per_message_ms(predict, items: list, single: bool) -> float:  # type: ignore[no-untyped-def]
    predict(items[:5])  # warm up (imports, caches)
    gc.collect()  # not the cross-validation's garbage: a server or `duban cases classify` has none
    start = time.process_time()
    if single:
        for item in items:
            predict([item])
    else:
        predict(items)
    return (time.process_time() - start) / len(items) * 1000


def cross_validate(
    rows: list[LabelledText],
    systems: dict[str, Predictor],
    folds: int,
    fraction: float = 1.0,
    verbose: bool = True,
) -> dict[str, tuple[float, list[float]]]:
    """Pooled macro-F1 and per-fold macro-F1 of each system, same folds (seed 0) for all."""
    y = np.array([r.label for r in rows])
    pred = {name: np.empty(len(rows), dtype=object) for name in systems}
    per_fold: dict[str, list[float]] = {name: [] for name in systems}
    rng = np.random.default_rng(0)
    splits = StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y)
    for k, (tr, te) in enumerate(splits, start=1):
        if fraction < 1.0:
            tr = np.sort(rng.permutation(tr)[: round(fraction * len(tr))])
        train_rows = [rows[i] for i in tr]
        test_rows = [rows[i] for i in te]
        for name, predict in systems.items():
            pred[name][te] = predict(train_rows, test_rows)
            per_fold[name].append(float(f1_score(y[te], pred[name][te].astype(str), average="macro")))
        if verbose:
            scores = "  ".join(f"{name} {f[-1]:.4f}" for name, f in per_fold.items())
            print(f"  fold {k}/{folds}: {scores}", flush=True)
    return {
        name: (float(f1_score(y, pred[name].astype(str), average="macro")), per_fold[name])
        for name in systems
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--taxonomy", default=str(TAXONOMY), help="taxonomy CSV, or 'none'")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--curve", action="store_true", help="also the 10-fold learning curve")
    parser.add_argument("--unlabelled", type=Path, action="append", default=[], help="unlabelled message CSV")
    parser.add_argument("--vectors", type=Path, default=None, help="vectors file (duban cases vectors)")
    parser.add_argument("--only-best", action="store_true", help="baseline and the fullest of ours only")
    args = parser.parse_args()
    rows = read_labelled_csv(args.data)
    taxonomy = None if args.taxonomy == "none" else read_taxonomy(args.taxonomy)
    y = np.array([r.label for r in rows])
    print(f"data: {args.data} — {len(rows)} messages, {len(set(y))} classes")
    if taxonomy is not None:
        print(
            f"taxonomy: {args.taxonomy} — {len(taxonomy.terms)} terms under {len(taxonomy.groups)} categories"
        )

    systems: dict[str, Predictor] = {"baseline": predict_baseline}
    if not args.only_best:
        systems["ours"] = predict_ours("ours", None)
    if taxonomy is not None:
        systems["ours+taxonomy"] = predict_ours("ours+taxonomy", taxonomy)
    unlabelled, vectors, best = None, None, "ours+taxonomy" if taxonomy is not None else "ours"
    if args.unlabelled:
        # Messages that are also in the labelled file are left out (no held-out text learnt from).
        texts = {(r.subject, r.detail) for r in rows}
        unlabelled = [p for p in read_message_texts(args.unlabelled) if p not in texts]
        vectors = lookup_of(load_vectors(args.vectors)) if args.vectors else None
        best = "ours+unlabelled" + ("+vectors" if vectors is not None else "")
        print(f"unlabelled: {len(unlabelled)} messages" + (f", vectors {args.vectors}" if vectors else ""))
        systems[best] = predict_ours(best, taxonomy, unlabelled, vectors)
    if args.only_best:
        systems = {k: v for k, v in systems.items() if k in ("baseline", best)}
    result = cross_validate(rows, systems, args.folds)
    base = result["baseline"][0]
    print(f"{args.folds}-fold stratified CV macro-F1 (same folds):")
    for name, (pooled, folds) in result.items():
        gain = "" if name == "baseline" else f"  ({pooled - base:+.4f} vs baseline)"
        print(f"  {name:14s} pooled {pooled:.4f}  per fold {np.mean(folds):.4f} ± {np.std(folds):.4f}{gain}")
    print("auto-dispatch (智能派单) on the held-out folds, threshold chosen on each fold's training part:")
    for name, parts in AUTO.items():
        parts = parts[-args.folds :]  # the k-fold run (not the learning curve's)
        conf, right, sent = (np.concatenate(x) for x in zip(*parts, strict=True))
        share, precision = float(sent.mean()), float(right[sent].mean()) if sent.any() else 0.0
        best_share = max(
            (
                dispatch_figures(conf, right, t)[0]
                for t in np.unique(conf)
                if dispatch_figures(conf, right, t)[1] >= 0.95
            ),
            default=0.0,
        )
        print(
            f"  {name:14s} {share:.1%} of messages sent out, {precision:.1%} right "
            f"(best threshold in hindsight: {best_share:.1%} at ≥ 95 %)"
        )

    if args.curve:
        print("learning curve, 10-fold (training size = fraction of each fold's 90 %):")
        sizes = [round(f * 0.9 * len(rows)) for f in CURVE]
        points: dict[str, list[float]] = {name: [] for name in systems}
        for fraction, size in zip(CURVE, sizes, strict=True):
            res = cross_validate(rows, systems, 10, fraction, verbose=False)
            for name, (pooled, _) in res.items():
                points[name].append(pooled)
            print(
                f"  n={size}: "
                + "  ".join(f"{name} {res[name][0]:.4f} ± {np.std(res[name][1]):.4f}" for name in res),
                flush=True,
            )
        for name, f1s in points.items():
            slope, intercept = np.polyfit(np.log(sizes), f1s, 1)
            print(
                f"  {name:14s} extrapolated to n={len(rows)} (all messages): "
                f"{intercept + slope * np.log(len(rows)):.4f}  (+{slope * np.log(2):.4f} per doubling)"
            )

    t = time.process_time()
    base_model = baseline().fit(joined(rows), y)
    t_base = time.process_time() - t
    t = time.process_time()
    model: CaseModel = train(rows, taxonomy=taxonomy, unlabelled=unlabelled or (), vectors=vectors)
    t_ours = time.process_time() - t
    name = best
    print(
        f"train on all {len(rows)}: baseline {t_base:.1f} s  {name} {t_ours:.1f} s  (×{t_ours / t_base:.1f}), CPU time"
    )
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp) / "model.bin")
        size = os.path.getsize(Path(tmp) / "model.bin")
    print(f"model file: {size / 1e6:.1f} MB")

    sample = rows[:300]
    texts = joined(sample)
    pairs = [(r.subject, r.detail) for r in sample]
    for single in (True, False):
        mb = per_message_ms(base_model.predict, texts, single)
        mo = per_message_ms(model.predict, pairs, single)
        kind = "single message" if single else "batch of 300  "
        print(
            f"predict, {kind}: baseline {mb:.2f} ms/msg  {name} {mo:.2f} ms/msg  (×{mo / mb:.1f}), CPU time"
        )


if __name__ == "__main__":
    main()
