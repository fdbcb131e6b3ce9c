"""``duban read``: work reports in, structured plans out (terminal, JSON, JSONL, CSV, xlsx, Markdown)."""

from __future__ import annotations

import glob
import sys
from pathlib import Path

import click
from rich.console import Console

from duban.reading.model import Plan, ReadError
from duban.reading.output import (
    FORMATS,
    print_table,
    write_csv,
    write_json,
    write_jsonl,
    write_markdown,
    write_xlsx,
)

REPORT_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")


def expand_sources(sources: tuple[str, ...]) -> list[str]:
    """Files, directories (their reports, sorted) and globs, in the order given; "-" is stdin."""
    out: list[str] = []
    for s in sources:
        if s == "-":
            out.append(s)
            continue
        p = Path(s)
        if p.is_dir():
            out.extend(
                str(f) for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES
            )
        elif not p.exists() and any(ch in s for ch in "*?["):
            matches = sorted(glob.glob(s, recursive=True))
            if not matches:
                out.append(s)  # reported as missing below
            out.extend(matches)
        else:
            out.append(s)
    return out


def _read_one(source: str, year: int | None) -> Plan:
    from duban import read_report

    if source == "-":
        return read_report(sys.stdin.buffer.read(), year=year, name="stdin.txt")
    return read_report(Path(source), year=year)


@click.command("read")
@click.argument("sources", nargs=-1, required=True)
@click.option("--year", type=click.IntRange(1949, 2100), help="计划年度（覆盖从正文或文件名识别的年度）。")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="输出格式。"
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="输出文件（xlsx 必填）。"
)
def read_command(sources: tuple[str, ...], year: int | None, fmt: str, output: Path | None) -> None:
    """读取政府工作报告（txt/docx/pdf/html，文件、目录、通配符或 - 表示标准输入），输出结构化计划。"""
    err = Console(stderr=True)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx 需要用 -o 指定输出文件")
    files = expand_sources(sources)
    plans: list[Plan] = []
    failed: list[str] = []
    batch = len(files) > 1
    if batch:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("读取"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
            console=err, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("", total=len(files))
            for f in files:
                progress.update(task, description=Path(f).name)
                try:
                    plans.append(_read_one(f, year))
                except ReadError as exc:
                    failed.append(str(exc))
                    err.print(f"[red]无法读取[/red] {exc}", highlight=False)
                progress.advance(task)
    else:
        try:
            plans.append(_read_one(files[0], year))
        except ReadError as exc:
            err.print(f"[red]无法读取[/red] {exc}", highlight=False)
            sys.exit(2)

    _write(plans, fmt, output)
    if batch:
        n_q = sum(len(p.quantities) for p in plans)
        n_t = sum(len(p.tasks) for p in plans)
        err.print(
            f"共 {len(files)} 个文件：成功 {len(plans)}，失败 {len(failed)}；量化指标 {n_q} 项，任务 {n_t} 项"
        )
    if failed:
        sys.exit(2)


def _write(plans: list[Plan], fmt: str, output: Path | None) -> None:
    if not plans:
        return
    if fmt == "xlsx":
        assert output is not None
        write_xlsx(plans, output)
        Console(stderr=True).print(f"已写入 {output}")
        return
    stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "table":
            console = Console(file=stream, width=None if output is None else 160)
            for plan in plans:
                print_table(plan, console)
        elif fmt == "json":
            write_json(plans, stream)
        elif fmt == "jsonl":
            write_jsonl(plans, stream)
        elif fmt == "csv":
            write_csv(plans, stream)
        elif fmt == "md":
            write_markdown(plans, stream)
    finally:
        if output:
            stream.close()


def register(main: click.Group) -> None:
    """Add ``duban read`` to the root group."""
    main.add_command(read_command)
