"""``duban cases vectors`` / ``retrain``: the city's word vectors, and retraining the category
model with the cases operators confirmed.

``vectors`` trains fastText word vectors from unlabelled message CSVs and an archive folder of
the city's reports and writes them as a file the city keeps (``train --vectors FILE`` uses it).
``retrain`` retrains a model file from the labelled file it names (or ``--labelled``) plus every
confirmed case in the database, prints the held-out scores of the previous and the new training
set, keeps the previous file as ``MODEL.prev`` and replaces the model only if the new score is not
lower (or with ``--force``). Bad input: one Chinese line, exit 1.
"""

from __future__ import annotations

from pathlib import Path

import click

from duban.cases.textutil import CaseInputError
from duban.cli.cases.classifier import CaseFileError
from duban.cli.common import db_option, friendly, migrated_session, parse_at


def _vectors(unlabelled: tuple[str, ...], archive: str | None, output: str, archive_chars: int) -> None:
    from duban.cases.classify_vectors import archive_files, build_vectors, read_message_texts, save_vectors

    try:
        messages = read_message_texts(unlabelled) if unlabelled else []
        files = archive_files(archive) if archive else []
        if not messages and not files:
            raise CaseInputError("须给出 --unlabelled 或 --archive（词向量的训练文本）")
        vectors, corpus = build_vectors(messages=messages, archive=files, archive_chars=archive_chars)
        save_vectors(vectors, output)
    except CaseInputError as exc:
        raise CaseFileError(str(exc)) from None
    click.echo(
        f"词向量：{len(vectors.index_to_key)} 个词，{vectors.vector_size} 维；由 {corpus.messages} 条留言与"
        f" {corpus.archive_files} 份档案（{corpus.archive_chars:,} 字）训练，写入 {output}"
    )


def _retrain(model: str, labelled: str | None, force: bool, database_url: str | None, at: str | None) -> None:
    from duban.cases.classify_retrain import retrain

    now = parse_at(at)
    try:
        with migrated_session(database_url) as s:
            rep = retrain(
                session=s,
                model_path=model,
                actor="命令行",
                now=now,
                labelled=labelled,
                force=force,
                echo=click.echo,
            )
    except CaseInputError as exc:
        raise CaseFileError(str(exc)) from None
    click.echo(
        f"原训练集 {rep.labelled} 条 + 确认工单 {rep.confirmed} 条；留出 {rep.held_out} 条上的 macro-F1："
        f"原 {rep.previous_score:.4f}，新 {rep.new_score:.4f}"
    )
    if rep.replaced:
        auto = f"；智能派单阈值 {rep.auto_threshold:.4f}" if rep.auto_threshold is not None else ""
        click.echo(f"已替换 {model}（原模型保存为 {rep.backup}）{auto}")
    else:
        click.echo(f"新模型得分低于原模型，未替换 {model}（可用 --force 强制替换）")


def add_commands(cases_group: click.Group) -> None:
    """Add ``vectors`` and ``retrain`` to the ``duban cases`` group."""

    @cases_group.command("vectors")
    @click.option(
        "--unlabelled", multiple=True, type=click.Path(dir_okay=False), help="未标注留言 CSV（可多次给出）。"
    )
    @click.option(
        "--archive", type=click.Path(file_okay=False), default=None, help="本市文档档案目录（.md/.txt）。"
    )
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="词向量文件路径。")
    @click.option(
        "--archive-chars",
        type=click.IntRange(1000, 10**9),
        default=20_000_000,
        show_default=True,
        help="最多读入档案的字数（各文件均分，从文首读起）。",
    )
    def vectors_cmd(
        unlabelled: tuple[str, ...], archive: str | None, output: str, archive_chars: int
    ) -> None:
        """由未标注留言与本市档案训练词向量（fastText），写成本市自有的词向量文件。"""
        _vectors(unlabelled, archive, output, archive_chars)

    @cases_group.command("retrain")
    @click.option("--model", required=True, type=click.Path(dir_okay=False), help="要重新训练的模型文件。")
    @click.option(
        "--labelled",
        type=click.Path(dir_okay=False),
        default=None,
        help="原带标注训练文件（缺省用模型文件中记录的路径）。",
    )
    @click.option("--force", is_flag=True, help="新模型得分较低也替换。")
    @db_option
    @click.option("--at", default=None, help="视作当前时间（测试用）。")
    @friendly
    def retrain_cmd(
        model: str, labelled: str | None, force: bool, database_url: str | None, at: str | None
    ) -> None:
        """用原训练文件加人工确认的工单重新训练分类模型；留出样本评分不低于原模型才替换。"""
        if not Path(model).is_file():
            raise CaseFileError(f"{model}: 模型文件不存在")
        _retrain(model, labelled, force, database_url, at)
