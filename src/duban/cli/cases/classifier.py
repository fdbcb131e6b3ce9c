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


def _train(
    file: str,
    output: str,
    report: bool,
    taxonomy_path: str | None = None,
    *,
    unlabelled: tuple[str, ...] = (),
    archive: str | None = None,
    vectors_path: str | None = None,
    auto_precision: float = 0.95,
) -> None:
    from duban.cases.category_units import suggest_unit
    from duban.cases.classify import cross_validate
    from duban.cases.classify_sources import Sources, train_from

    tax_file = _taxonomy_file(file, taxonomy_path)
    sources = Sources(
        labelled=str(Path(file).resolve()),
        taxonomy=str(tax_file.resolve()) if tax_file is not None else None,
        unlabelled=tuple(str(Path(u).resolve()) for u in unlabelled),
        archive=str(Path(archive).resolve()) if archive else None,
        vectors=str(Path(vectors_path).resolve()) if vectors_path else None,
        auto_precision=auto_precision,
    )
    try:
        trained = train_from(sources, trained_at=datetime.now(UTC), echo=click.echo)
    except CaseInputError as exc:
        raise CaseFileError(str(exc)) from None
    model, rows = trained.model, trained.rows
    try:
        model.save(output)
    except OSError as exc:
        raise CaseFileError(f"{output}: 无法写入模型文件（{exc.strerror}）") from None
    counts = {label: sum(1 for r in rows if r.label == label) for label in model.labels}
    click.echo(f"训练样本 {model.training_size} 条，{len(model.labels)} 个类别：")
    for label, n in counts.items():
        click.echo(f"  {label}\t{n}\t→ {suggest_unit(label)}")
    if model.auto is not None:
        a = model.auto
        click.echo(
            f"智能派单阈值 {a.threshold:.4f}：留出样本中 {a.share:.1%} 可自动派单，准确率 {a.precision:.1%}"
            f"（目标 {a.target:.0%}，另留余量 {a.margin:.1%}）"
        )
    if report:
        folds = min(5, *counts.values())
        if folds >= 2:
            f1 = cross_validate(
                rows,
                folds=folds,
                taxonomy=trained.inputs.taxonomy,
                unlabelled=trained.inputs.unlabelled,
                vectors=trained.inputs.vectors,
            )
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
    extra = ["predicted", "confidence", "auto_dispatch"] + (
        ["needs_review"] if low_confidence is not None else []
    )
    header = [h for h in table.header if h not in extra] + extra
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row, pred in zip(table.rows, predictions, strict=True):
        values = list(row.values())
        out = [values[i] if i < len(values) else "" for i, h in enumerate(table.header) if h not in extra]
        out += [pred.label, f"{pred.confidence:.4f}", "1" if model.auto_dispatch(pred) else "0"]
        if low_confidence is not None:
            out.append("1" if pred.confidence < low_confidence else "0")
        writer.writerow(out)
    try:
        Path(output).write_text(buf.getvalue(), encoding="utf-8-sig")
    except OSError as exc:
        raise CaseFileError(f"{output}: 无法写入（{exc.strerror}）") from None
    sent = sum(1 for p in predictions if model.auto_dispatch(p))
    flagged = sum(1 for p in predictions if low_confidence is not None and p.confidence < low_confidence)
    click.echo(
        f"已分类 {len(predictions)} 条，写入 {output}；{sent} 条可智能派单"
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
    @click.option(
        "--unlabelled",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="未标注留言 CSV（可多次给出）：参与词表与 IDF，并用于训练词向量。",
    )
    @click.option(
        "--archive",
        type=click.Path(file_okay=False),
        default=None,
        help="本市文档档案目录（.md/.txt）：与未标注留言一起训练词向量（不给 --vectors 时）。",
    )
    @click.option(
        "--vectors",
        "vectors_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="duban cases vectors 生成的词向量文件。",
    )
    @click.option(
        "--auto-precision",
        type=click.FloatRange(0.5, 1.0),
        default=0.95,
        show_default=True,
        help="智能派单的目标准确率：在留出样本上保持此准确率的最低置信度阈值写入模型。",
    )
    def train_cmd(
        file: str,
        output: str,
        report: bool,
        taxonomy_path: str | None,
        unlabelled: tuple[str, ...],
        archive: str | None,
        vectors_path: str | None,
        auto_precision: float,
    ) -> None:
        """从带 label 列的留言 CSV 训练分类模型。"""
        _train(
            file,
            output,
            report,
            taxonomy_path,
            unlabelled=unlabelled,
            archive=archive,
            vectors_path=vectors_path,
            auto_precision=auto_precision,
        )

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
        """为 CSV 每行加上 predicted、confidence、auto_dispatch 列（label 列可有可无）。"""
        _classify(file, model_path, output, low_confidence)
