"""``duban review``: what became of last year's promises (targets against the next report's results)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console

from duban.cli.common import db_option, friendly, migrated_session
from duban.reading.model import Plan, ReadError
from duban.review.model import Promise

# Text formats go to a stream (stdout by default); documents (duban.review.documents) need -o FILE.
TEXT_FORMATS = ("table", "jsonl", "csv", "md")
DOCUMENT_FORMATS: tuple[str, ...] = ("xlsx", "docx")


def _fail(message: str) -> None:
    """One clear line on stderr and exit 2: files that cannot be reviewed together (a usage error)."""
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
@click.option("--save", is_flag=True, help="同时存入数据库（控制台“复盘”和公开页“政府承诺追踪”读取）。")
@db_option
def promises_command(
    earlier: Path, later: Path, fmt: str, output: Path | None, save: bool, database_url: str | None
) -> None:
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
    if save:
        _save(rows, source=f"{earlier.name} → {later.name}", database_url=database_url)
    if fmt in DOCUMENT_FORMATS:
        _write_document(rows, fmt, output, title=f"{plan_a.place}{plan_a.year}年政府工作报告目标完成情况")
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


def _write_document(rows: list[Promise], fmt: str, output: Path | None, *, title: str) -> None:
    """The xlsx or docx an office hands its leaders."""
    from duban.review.documents import DocumentError, write_promises_docx, write_promises_xlsx

    assert output is not None
    writer = write_promises_xlsx if fmt == "xlsx" else write_promises_docx
    try:
        writer(rows, output, title=title)
    except (DocumentError, OSError) as exc:
        raise click.ClickException(f"{output}: {exc}") from exc
    click.echo(f"已写入 {output}（{len(rows)} 项目标）", err=True)


@friendly
def _save(rows: list[Promise], *, source: str, database_url: str | None) -> None:
    """Store a review (replacing the place-years it covers) and say what was stored."""
    from duban.review.store import save_review

    if not rows:
        raise click.ClickException("没有可存入的目标")
    with migrated_session(database_url) as session:
        report = save_review(
            session=session, promises=rows, source=source, actor="cli", now=datetime.now(UTC)
        )
    years = "、".join(f"{place}{year}年" for place, year in report.place_years)
    click.echo(f"已存入复盘：{years}，{report.written} 项（替换 {report.replaced} 项）", err=True)


@review_group.command("load")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def load_command(source: Path, database_url: str | None) -> None:
    """把 promises/archive 输出的 JSON Lines 复盘结果存入数据库（同一地区同一年度整体替换）。"""
    from duban.review.records import PromiseFormatError, read_jsonl

    try:
        rows = read_jsonl(source)
    except PromiseFormatError as exc:
        raise click.ClickException(str(exc)) from exc
    _save(rows, source=source.name, database_url=database_url)


def _expand(sources: tuple[str, ...]) -> list[Path]:
    from duban.review.archive import REPORT_SUFFIXES

    out: list[Path] = []
    for s in sources:
        p = Path(s)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES)
        elif p.is_file():
            out.append(p)
        else:
            raise click.ClickException(f"{s}: 文件或目录不存在")
    return out


@review_group.command("series")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(TEXT_FORMATS), default="table", show_default=True, help="输出格式。"
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="输出文件。")
def series_command(sources: tuple[str, ...], fmt: str, output: Path | None) -> None:
    """一个地方历年报告（文件或目录）：逐年复盘相邻两年，按指标列出历年目标与结果。"""
    from duban.review.archive import review_series
    from duban.review.output import TEXT_WRITERS, print_panel, write_panel_markdown
    from duban.review.panel import metric_years
    from duban.review.promises import same_place

    plans = [_read(f) for f in _expand(sources)]
    places = {p.place for p in plans if p.place}
    if len(plans) < 2:
        _fail("至少需要同一地方相邻两年的两份报告")
    first = next(iter(places), "")
    if any(not same_place(first, other) for other in places):
        _fail(f"报告来自不同地方：{'、'.join(sorted(places))}")
    rows, errors = review_series(plans)
    for e in errors:
        click.echo(f"跳过 {e}", err=True)
    if not rows:
        _fail("没有相邻年度的报告可以对照")
    stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "table":
            print_panel(metric_years(rows), Console(file=stream, width=None if output is None else 200))
        elif fmt == "md":
            write_panel_markdown(metric_years(rows), stream)
        else:
            TEXT_WRITERS[fmt](rows, stream)
    finally:
        if output:
            stream.close()


@review_group.command("archive")
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="并行进程数（默认为全部 CPU 核）。")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="输出文件（.csv 或 .jsonl）。",
)
def archive_command(root: Path, jobs: int | None, output: Path) -> None:
    """目录下每个地方、每一年的目标落实情况，一行一个地方×年度×指标（多进程，带进度条）。"""
    import csv
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from duban.review.archive import place_folders, review_archive
    from duban.review.output import CSV_FIELDS, flat_row

    suffix = output.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise click.BadParameter(f"{output.name}: 只支持 .csv 或 .jsonl", param_hint="-o")
    total = len(place_folders(root))
    if total == 0:
        _fail(f"{root}: 目录下没有报告文件")
    reports = pairs = rows = failed = 0
    with output.open("w", encoding="utf-8-sig" if suffix == ".csv" else "utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS) if suffix == ".csv" else None
        if writer:
            writer.writeheader()
        with Progress(
            TextColumn("复盘"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
            console=Console(stderr=True), transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("", total=total)
            for result in review_archive(root, jobs=jobs):
                for row in result.rows:
                    if writer:
                        writer.writerow(flat_row(row))
                    else:
                        out.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
                reports, pairs, rows = reports + result.reports, pairs + result.pairs, rows + len(result.rows)
                failed += len(result.errors)
                progress.update(task, advance=1, description=result.place)
    click.echo(
        f"{total} 个地方，{reports} 份报告，{pairs} 对相邻年度，{rows} 行；{failed} 处无法复盘；已写入 {output}",
        err=True,
    )


@review_group.command("plan")
@click.option("--plan", "plan_id", type=int, default=None, help="计划编号（默认最新载入的计划）")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("docx", "xlsx", "md")),
    default="docx",
    show_default=True,
    help="输出格式。",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出文件。"
)
@click.option("--at", "at", default=None, help="截至日期 YYYY-MM-DD（默认今天）")
@db_option
@friendly
def plan_command(
    plan_id: int | None, fmt: str, output: Path, at: str | None, database_url: str | None
) -> None:
    """年终复盘：计划每项督办事项的目标值、完成值、结论（已完成/基本完成/未完成/滞后）、牵头单位与佐证材料。"""
    from duban.cli.common import parse_at
    from duban.review.documents import (
        DocumentError,
        write_plan_review_docx,
        write_plan_review_md,
        write_plan_review_xlsx,
    )
    from duban.review.plan_review import plan_review

    now = parse_at(at)
    with migrated_session(database_url) as session:
        review = plan_review(session=session, plan_id=plan_id, now=now)
    try:
        if fmt == "md":
            with output.open("w", encoding="utf-8") as out:
                write_plan_review_md(review, out)
        else:
            (write_plan_review_docx if fmt == "docx" else write_plan_review_xlsx)(review, output)
    except (DocumentError, OSError) as exc:
        raise click.ClickException(f"{output}: {exc}") from exc
    click.echo(f"已写入 {output}（{review.title}，{len(review.outcomes)} 项督办事项）", err=True)


def register(main: click.Group) -> None:
    """Add ``duban review`` to the root group."""
    main.add_command(review_group)
