"""``duban cases train`` / ``classify``: train and apply the case classifier on message CSVs.

``train`` learns a model from a labelled CSV (``label`` plus ``text`` or ``subject``+``detail``)
and writes a model file; ``classify`` adds ``predicted``, ``confidence`` (and with
``--low-confidence`` a ``needs_review``) column to every row of a CSV. A bad file prints one
Chinese line naming the file, row and column, and exits 2.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import click

from duban.cases.textutil import CaseInputError


class CaseFileError(click.ClickException):
    """A user's file is unusable: one clear line, exit code 1 (docs/cli.md: 1 = bad input)."""

    exit_code = 1


# A hotline's export folder usually carries its category tree: used unless --taxonomy says else.
TAXONOMY_BESIDE = "taxonomy.csv"


def _taxonomy_file(file: str, taxonomy: str | None) -> Path | None:
    """The taxonomy CSV to train with: ``--taxonomy FILE``, none for ``--taxonomy none``, else a
    ``taxonomy.csv`` in the training file's folder if there is one."""
    if taxonomy is not None:
        return None if taxonomy.strip().lower() == "none" else Path(taxonomy)
    beside = Path(file).parent / TAXONOMY_BESIDE
    return beside if beside.is_file() else None


def _train(file: str, output: str, report: bool, taxonomy_path: str | None = None) -> None:
    from duban.cases.category_units import suggest_unit
    from duban.cases.classify import cross_validate, train
    from duban.cases.training_data import read_labelled_csv, read_taxonomy

    try:
        rows = read_labelled_csv(file)
        tax_file = _taxonomy_file(file, taxonomy_path)
        taxonomy = read_taxonomy(tax_file) if tax_file is not None else None
        if taxonomy is not None:
            click.echo(
                f"分类体系 {tax_file}：{len(taxonomy.groups)} 个一级分类，{len(taxonomy.terms)} 个下级类目名作为特征"
            )
        model = train(rows, trained_at=datetime.now(UTC), taxonomy=taxonomy)
    except CaseInputError as exc:
        raise CaseFileError(str(exc)) from None
    try:
        model.save(output)
    except OSError as exc:
        raise CaseFileError(f"{output}: 无法写入模型文件（{exc.strerror}）") from None
    counts = {label: sum(1 for r in rows if r.label == label) for label in model.labels}
    click.echo(f"训练样本 {model.training_size} 条，{len(model.labels)} 个类别：")
    for label, n in counts.items():
        click.echo(f"  {label}\t{n}\t→ {suggest_unit(label)}")
    if report:
        folds = min(5, *counts.values())
        if folds >= 2:
            f1 = cross_validate(rows, folds=folds, taxonomy=taxonomy)
            click.echo(f"{folds} 折分层交叉验证 macro-F1：{f1:.4f}")
        else:
            click.echo("样本太少，无法交叉验证（每类至少需要 2 条）")
    click.echo(f"模型已写入 {output}")


def _classify(file: str, model_path: str, output: str, low_confidence: float | None) -> None:
    from duban.cases.classify import CaseModel
    from duban.cases.textutil import read_csv, require_text_columns, row_text

    try:
        model = CaseModel.load(model_path)
        table = read_csv(file)
        if not table.rows:
            raise CaseInputError(f"{table.path}: 文件没有数据行")
        require_text_columns(table)
    except CaseInputError as exc:
        raise CaseFileError(str(exc)) from None
    pairs = []
    for n, row in enumerate(table.rows, start=1):
        subject, detail = row_text(row)
        if not subject and not detail:
            raise CaseFileError(f"{table.path}: 第 {n} 条记录没有文本（subject/detail/text 均为空）")
        pairs.append((subject, detail))
    predictions = model.predict(pairs)
    extra = ["predicted", "confidence"] + (["needs_review"] if low_confidence is not None else [])
    header = [h for h in table.header if h not in extra] + extra
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row, pred in zip(table.rows, predictions, strict=True):
        values = list(row.values())
        out = [values[i] if i < len(values) else "" for i, h in enumerate(table.header) if h not in extra]
        out += [pred.label, f"{pred.confidence:.4f}"]
        if low_confidence is not None:
            out.append("1" if pred.confidence < low_confidence else "0")
        writer.writerow(out)
    try:
        Path(output).write_text(buf.getvalue(), encoding="utf-8-sig")
    except OSError as exc:
        raise CaseFileError(f"{output}: 无法写入（{exc.strerror}）") from None
    flagged = sum(1 for p in predictions if low_confidence is not None and p.confidence < low_confidence)
    click.echo(
        f"已分类 {len(predictions)} 条，写入 {output}"
        + (f"；{flagged} 条需人工复核" if low_confidence is not None else "")
    )


def add_commands(cases_group: click.Group) -> None:
    """Add ``train`` and ``classify`` to the ``duban cases`` group."""

    @cases_group.command("train")
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="模型文件路径。")
    @click.option("--report", is_flag=True, help="另做 5 折分层交叉验证并打印 macro-F1。")
    @click.option(
        "--taxonomy",
        "taxonomy_path",
        default=None,
        metavar="FILE|none",
        help="本市工单分类体系 CSV（一级分类,二级分类,三级分类…）：其下级类目名作为特征。"
        f"缺省时使用训练文件同目录下的 {TAXONOMY_BESIDE}（如有）；none 表示不用。",
    )
    def train_cmd(file: str, output: str, report: bool, taxonomy_path: str | None) -> None:
        """从带 label 列的留言 CSV 训练分类模型。"""
        _train(file, output, report, taxonomy_path)

    @cases_group.command("classify")
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--model", "model_path", required=True, type=click.Path(dir_okay=False), help="模型文件。")
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出 CSV。")
    @click.option(
        "--low-confidence",
        type=click.FloatRange(0, 1),
        default=None,
        help="置信度低于此值的行在 needs_review 列标 1。",
    )
    def classify_cmd(file: str, model_path: str, output: str, low_confidence: float | None) -> None:
        """为 CSV 每行加上 predicted、confidence 列（label 列可有可无）。"""
        _classify(file, model_path, output, low_confidence)
