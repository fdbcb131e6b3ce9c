"""Benchmark the review on a whole archive: reading alone, then reading and reviewing, same pool.

    .venv/bin/python bench/review.py [--root ../shared/corpus/archive] [--jobs 2] [--limit N]

Both passes run the same process pool over the same place folders (one task per place, each
report read once): the first only reads, the second reads and reviews each pair of consecutive
years (``duban.review.archive.review_place``). Prints reports/s and pairs/s of each pass, the
share the review adds to reading, and peak memory (the parent's and the largest worker's).
Targets: the review adds under 20 % to reading; the whole archive in under 2 minutes.
Never part of the test run; it uses every core it is given, so run it once, not in a loop.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from duban.review.archive import place_folders, review_place


def read_place(name: str, files: list[Path]) -> tuple[int, int]:
    """Read one place's reports without reviewing; (reports read, consecutive pairs)."""
    from duban.reading.api import read_report
    from duban.reading.model import ReadError

    years = set()
    for f in files:
        try:
            plan = read_report(f)
        except ReadError:
            continue
        if plan.year is not None:
            years.add(plan.year)
    return len(files), sum(1 for y in years if y + 1 in years)


def review(name: str, files: list[Path]) -> tuple[int, int]:
    result = review_place(name, files)
    return result.reports, result.pairs


def run(fn, folders, jobs: int) -> tuple[float, int, int]:
    start = time.perf_counter()
    reports = pairs = 0
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for r, p in pool.map(fn, [n for n, _ in folders], [f for _, f in folders], chunksize=1):
            reports, pairs = reports + r, pairs + p
    return time.perf_counter() - start, reports, pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=Path("../shared/corpus/archive"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N place folders")
    args = ap.parse_args()
    if not args.root.is_dir():
        sys.exit(f"{args.root}: not a folder")
    folders = place_folders(args.root)
    if args.limit:
        folders = folders[: args.limit]
    n_files = sum(len(f) for _, f in folders)
    print(f"{len(folders)} places, {n_files} report files, --jobs {args.jobs}")
    t_read, reports, pairs = run(read_place, folders, args.jobs)
    print(f"reading alone:        {t_read:7.1f} s  {reports / t_read:6.1f} reports/s")
    t_both, reports2, pairs2 = run(review, folders, args.jobs)
    print(
        f"reading + review:     {t_both:7.1f} s  {reports2 / t_both:6.1f} reports/s  {pairs2 / t_both:6.1f} pairs/s"
        f"  ({pairs2} pairs reviewed of {pairs} consecutive)"
    )
    print(f"review adds:          {100 * (t_both - t_read) / t_read:+.1f} % to reading")
    kb = 1024 if sys.platform != "darwin" else 1
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kb / 2**20
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * kb / 2**20
    print(f"peak memory:          parent {parent:.0f} MB, largest worker {child:.0f} MB")


if __name__ == "__main__":
    main()
