"""A place's record and every place's: consecutive reports reviewed, a panel per metric.

``review_series(plans)`` reviews each pair of consecutive years of one place's plans;
``duban.review.panel`` lays them out metric × year. ``review_archive(root, jobs=…)`` does the same
for every place folder under a root such as ``shared/corpus/archive`` (``city/大同市/2021.md``)
in a process pool, one task per place, so each report is read once; each place's promises come
back whole (one per place × year × metric).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from duban.reading.model import Plan, ReadError
from duban.review.model import Promise
from duban.review.promises import ReviewError, promises

REPORT_SUFFIXES = (".md", ".txt", ".docx", ".pdf", ".html", ".htm")


@dataclass
class PlaceResult:
    """What reviewing one place gave: its rows, how many reports and pairs, and what failed."""

    place: str
    rows: list[Promise] = field(default_factory=list)
    reports: int = 0
    pairs: int = 0
    errors: list[str] = field(default_factory=list)


def review_series(plans: Iterable[Plan]) -> tuple[list[Promise], list[str]]:
    """Each pair of consecutive years reviewed (one plan per year, the first file wins); errors."""
    by_year: dict[int, Plan] = {}
    for plan in plans:
        if plan.year is not None:
            by_year.setdefault(plan.year, plan)
    out: list[Promise] = []
    errors: list[str] = []
    for year in sorted(by_year):
        if year + 1 in by_year:
            try:
                out += promises(by_year[year], by_year[year + 1])
            except ReviewError as exc:
                errors.append(str(exc))
    return out, errors


def place_folders(root: Path) -> list[tuple[str, list[Path]]]:
    """Every folder under ``root`` that holds reports, with its reports sorted by name."""
    found: list[tuple[str, list[Path]]] = []
    for folder, _dirs, names in sorted(os.walk(root, followlinks=True)):
        files = sorted(Path(folder, n) for n in names if Path(n).suffix.lower() in REPORT_SUFFIXES)
        if files:
            found.append((Path(folder).name, files))
    return found


def review_place(name: str, files: list[Path]) -> PlaceResult:
    """Read one place's reports and review its consecutive years (run in a worker process)."""
    from duban.reading.api import read_report

    result = PlaceResult(place=name)
    plans: list[Plan] = []
    for f in files:
        try:
            plans.append(read_report(f))
        except ReadError as exc:
            result.errors.append(str(exc))
    if name.endswith(("省", "市", "自治区", "州", "盟", "县", "区", "旗")):
        for plan in plans:  # the archive's folder names the place; the text may not (or wrongly)
            plan.place = name
    result.reports = len(plans)
    reviewed, errors = review_series(plans)
    result.errors += errors
    years = {p.year for p in plans if p.year is not None}
    result.pairs = sum(1 for y in years if y + 1 in years) - len(errors)
    result.rows = reviewed
    return result


def review_archive(
    root: Path, *, jobs: int | None = None, on_place: Callable[[PlaceResult], None] | None = None
) -> Iterator[PlaceResult]:
    """Review every place folder under ``root`` with ``jobs`` processes (default: all cores)."""
    folders = place_folders(root)
    workers = max(1, jobs or os.cpu_count() or 1)
    if workers == 1:
        for name, files in folders:
            result = review_place(name, files)
            if on_place:
                on_place(result)
            yield result
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(review_place, name, files) for name, files in folders]
        for future in as_completed(futures):
            result = future.result()
            if on_place:
                on_place(result)
            yield result
