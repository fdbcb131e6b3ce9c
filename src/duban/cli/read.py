"""``duban read``: work reports in, structured plans out (terminal, JSON, JSONL, CSV, xlsx, Markdown)."""

from __future__ import annotations

import glob
import sys
from collections import Counter
from dataclasses import dataclass
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

REPORT_SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm")


@dataclass(frozen=True)
class Source:
    """A file to read and its path relative to the folder it was found in (for its doc id)."""

    path: str
    relative: str


def expand_sources(sources: tuple[str, ...]) -> list[Source]:
    """Files, folders (their reports at any depth, sorted) and globs, in the order given; "-" is stdin."""
    out: list[Source] = []
    for s in sources:
        if s == "-":
            out.append(Source(s, "stdin"))
            continue
        p = Path(s)
        if p.is_dir():
            out.extend(
                Source(str(f), f.relative_to(p).as_posix())
                for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES and not f.name.startswith(".")
            )
        elif not p.exists() and any(ch in s for ch in "*?["):
            matches = sorted(glob.glob(s, recursive=True))
            if not matches:
                out.append(Source(s, s))  # reported as missing below
            out.extend(Source(m, m) for m in matches if Path(m).is_file())
        else:
            out.append(Source(s, p.name))
    return out


def name_docs(plans: list[Plan], relatives: list[str]) -> None:
    """Make every ``doc`` id of a batch unique: the file's stem when no other file shares it, else
    place-year when the report says both and no other report has them, else the relative path.

    Two cities' ``2024.md`` become ``北京市-2024`` and ``天津市-2024``; two copies of one report
    keep their relative paths (``a/2024``, ``b/2024``).
    """
    stems = Counter(p.doc for p in plans)
    place_year = [f"{p.place}-{p.year}" if p.place and p.year else None for p in plans]
    taken = Counter(k for k, p in zip(place_year, plans, strict=True) if k and stems[p.doc] > 1)
    for plan, key, rel in zip(plans, place_year, relatives, strict=True):
        if stems[plan.doc] == 1:
            continue
        if key and taken[key] == 1:
            plan.doc = key
        else:
            plan.doc = str(Path(rel).with_suffix("").as_posix())
    left = Counter(p.doc for p in plans)  # a stem that is another file's place-year
    for plan, rel in zip(plans, relatives, strict=True):
        if left[plan.doc] > 1:
            plan.doc = str(Path(rel).with_suffix("").as_posix())


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
    """读取政府工作报告（txt/md/docx/pdf/html，文件、目录（含子目录）、通配符或 - 表示标准输入），输出结构化计划。"""
    err = Console(stderr=True)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx 需要用 -o 指定输出文件")
    files = expand_sources(sources)
    if not files:
        raise click.ClickException("没有找到可读的报告文件（txt/md/docx/pdf/html）：" + "、".join(sources))
    plans: list[Plan] = []
    relatives: list[str] = []
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
                progress.update(task, description=f.relative)
                try:
                    plan = _read_one(f.path, year)
                    plan.text, plan.line_starts = (
                        "",
                        [],
                    )  # no output writes them: a batch of thousands keeps less
                    plans.append(plan)
                    relatives.append(f.relative)
                except ReadError as exc:
                    failed.append(str(exc))
                    err.print(f"[red]无法读取[/red] {exc}", highlight=False)
                except Exception as exc:  # one bad file must not end a batch of thousands
                    failed.append(f.path)
                    err.print(
                        f"[red]无法读取[/red] {f.path}: 读取出错（{type(exc).__name__}: {exc}）",
                        highlight=False,
                    )
                progress.advance(task)
        name_docs(plans, relatives)
    else:
        try:
            plans.append(_read_one(files[0].path, year))
        except ReadError as exc:
            err.print(f"[red]无法读取[/red] {exc}", highlight=False)
            sys.exit(1)

    _write(plans, fmt, output)
    if batch:
        n_q = sum(len(p.quantities) for p in plans)
        n_t = sum(len(p.tasks) for p in plans)
        err.print(
            f"共 {len(files)} 个文件：成功 {len(plans)}，失败 {len(failed)}；量化指标 {n_q} 项，任务 {n_t} 项"
        )
    if failed:
        sys.exit(1)


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
