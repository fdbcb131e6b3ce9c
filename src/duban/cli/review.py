"""``duban review``: what became of last year's promises (targets against the next report's results)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from duban.reading.model import Plan, ReadError

# Text formats are written here; "xlsx" and "docx" (duban.review.documents) are added by the
# integrator to DOCUMENT_FORMATS with a writer taking (promises, path).
TEXT_FORMATS = ("table", "jsonl", "csv", "md")
DOCUMENT_FORMATS: tuple[str, ...] = ()


def _fail(message: str) -> None:
    """One clear line on stderr and exit 2 (a pair of files that cannot be reviewed)."""
    click.echo(f"无法复盘 {message}", err=True)
    sys.exit(2)


def _read(path: Path) -> Plan:
    from duban import read_report

    try:
        return read_report(path)
    except ReadError as exc:
        _fail(str(exc))
        raise  # pragma: no cover - _fail exits


@click.group("review")
def review_group() -> None:
    """复盘：上一年政府工作报告的目标与下一年报告给出的结果逐项对照。"""


@review_group.command("promises")
@click.argument("earlier", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("later", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TEXT_FORMATS + DOCUMENT_FORMATS),
    default="table",
    show_default=True,
    help="输出格式。",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="输出文件。")
def promises_command(earlier: Path, later: Path, fmt: str, output: Path | None) -> None:
    """EARLIER 年度报告的每项目标，对照 LATER（下一年）报告给出的该年结果，判定已实现/未实现/无法核实/待研判。"""
    from duban.review import ReviewError, promises
    from duban.review.output import TEXT_WRITERS, print_table

    if fmt in DOCUMENT_FORMATS and output is None:
        raise click.UsageError(f"--format {fmt} 需要用 -o 指定输出文件")
    plan_a, plan_b = _read(earlier), _read(later)
    try:
        rows = promises(plan_a, plan_b)
    except ReviewError as exc:
        _fail(str(exc))
        return
    stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "table":
            print_table(rows, Console(file=stream, width=None if output is None else 160))
        else:
            TEXT_WRITERS[fmt](rows, stream)
    finally:
        if output:
            stream.close()


def register(main: click.Group) -> None:
    """Add ``duban review`` to the root group."""
    main.add_command(review_group)
