"""Benchmark: read the whole shared corpus of work reports, beside jieba segmenting the same text.

    python bench/read_corpus.py [--corpus ../shared/corpus/reports] [--repeat 3]

Each side runs in its own process (so one's memory does not count against the other):
``duban.read_report`` on every file (decode, clean, structure, quantities, tasks, deadlines),
and ``jieba.lcut`` over the same decoded text. Prints MB/s, reports/s, peak RSS and the
ratio reader/jieba. Targets (issue 2): ratio ≥ 1.0, reader peak memory < 200 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "reports"


def _files(corpus: Path) -> list[Path]:
    files = sorted(corpus.glob("*.txt"))
    if not files:
        sys.exit(f"no reports in {corpus}")
    return files


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_reader(corpus: Path, repeat: int) -> dict[str, float]:
    from duban import read_report

    files = _files(corpus)
    size = sum(f.stat().st_size for f in files)
    read_report(files[0])  # load lexicons once, as a long-running process would
    best = float("inf")
    items = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        items = 0
        for f in files:
            plan = read_report(f)
            items += len(plan.quantities) + len(plan.tasks)
        best = min(best, time.perf_counter() - t0)
    return {"seconds": best, "bytes": size, "files": len(files), "items": items, "peak_mb": _peak_mb()}


def run_jieba(corpus: Path, repeat: int) -> dict[str, float]:
    import logging
    import tempfile

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = tempfile.gettempdir()
    files = _files(corpus)
    texts = [f.read_text(encoding="utf-8") for f in files]
    size = sum(f.stat().st_size for f in files)
    jieba.lcut(texts[0])  # load the dictionary first
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            jieba.lcut(t)
        best = min(best, time.perf_counter() - t0)
    return {"seconds": best, "bytes": size, "files": len(files), "peak_mb": _peak_mb()}


def _child(side: str, corpus: Path, repeat: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--side", side, "--corpus", str(corpus), "--repeat", str(repeat)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--side", choices=("reader", "jieba"))
    args = ap.parse_args()
    if args.side:
        fn = run_reader if args.side == "reader" else run_jieba
        print(json.dumps(fn(args.corpus, args.repeat)))
        return
    reader = _child("reader", args.corpus, args.repeat)
    jieba_ = _child("jieba", args.corpus, args.repeat)
    mb = reader["bytes"] / 1e6
    r_mbs, j_mbs = mb / reader["seconds"], mb / jieba_["seconds"]
    print(f"corpus: {args.corpus} ({int(reader['files'])} reports, {mb:.1f} MB)")
    print(f"duban read : {r_mbs:6.2f} MB/s  {reader['files'] / reader['seconds']:6.1f} reports/s  "
          f"{int(reader['items'])} items  peak {reader['peak_mb']:.0f} MB")  # fmt: skip
    print(f"jieba.lcut : {j_mbs:6.2f} MB/s  {jieba_['files'] / jieba_['seconds']:6.1f} reports/s  "
          f"peak {jieba_['peak_mb']:.0f} MB (reference)")  # fmt: skip
    ratio = r_mbs / j_mbs
    print(
        f"ratio reader/jieba: {ratio:.2f} (target ≥ 1.0)  reader memory: {reader['peak_mb']:.0f} MB (target < 200)"
    )


if __name__ == "__main__":
    main()
