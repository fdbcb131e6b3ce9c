"""Retraining with the cases operators confirmed: the held-out scores of the previous and the new
training set, the previous file kept as MODEL.prev, replaced only if not worse (or forced), one
``retrain`` event; the command line, on a tiny corpus written here."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from duban.audit.models import EventRow
from duban.cases.classify import CaseModel
from duban.cases.classify_retrain import confirmed_cases, held_out, retrain
from duban.cases.flow import confirm_category
from duban.cases.intake import intake
from duban.cases.schemas import CaseCreate
from duban.cases.textutil import CaseInputError
from duban.cli import main
from duban.db import session_scope
from tests.cases.conftest import NOW, url_of

PLACES = ["和平路", "新华街", "迎宾路", "云中路", "北环路", "南关", "东城", "西街", "文瀛湖", "御河"]
LABELLED = {
    "城乡建设": ["{p}小区垃圾堆积无人清理", "{p}违章建筑占用消防通道", "{p}小区电梯经常故障物业不修"],
    "教育文体": ["{p}中学强制学生补课收费", "{p}幼儿园学位不足", "{p}小学划片入学不合理"],
    "劳动和社会保障": ["{p}公司拖欠员工工资", "{p}社保断缴如何补缴", "{p}退休养老金待遇咨询"],
}
# 交通运输 is not in the labelled file: only operators' confirmations teach it.
CONFIRMED = ["{p}出租车拒载乘客", "{p}公交车站台被拆", "{p}网约车乱停乱放"]


def _labelled_csv(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["subject", "detail", "label"])
        for label, forms in LABELLED.items():
            for i, p in enumerate(PLACES):
                w.writerow([forms[i % 3].format(p=p), "请有关部门尽快处理。", label])
    return path


def _model(tmp_path: Path) -> Path:
    out = tmp_path / "model.bin"
    got = CliRunner().invoke(
        main, ["cases", "train", str(_labelled_csv(tmp_path)), "-o", str(out), "--taxonomy", "none"]
    )
    assert got.exit_code == 0, got.output
    return out


def _confirm_cases(s, calendar, policy, forms: list[str], label: str, *, by_intake: bool) -> None:
    """Cases whose category a person gave: at intake, or by confirming the model's guess."""
    for i, p in enumerate(PLACES):
        data = CaseCreate(
            channel="hotline_web",
            title=forms[i % 3].format(p=p),
            content="请有关部门尽快处理。",
            category=label if by_intake else None,
        )
        row = intake(session=s, data=data, actor="话务员", now=NOW, calendar=calendar, policy=policy)
        if not by_intake:
            confirm_category(session=s, case_id=row.id, category=label, actor="班长", now=NOW)


def test_confirmed_cases_teach_the_model_and_replace_it(db, calendar, policy, tmp_path: Path) -> None:
    model_path = _model(tmp_path)
    before = CaseModel.load(model_path)
    assert "交通运输" not in before.labels and before.meta["sources"]["labelled"].endswith("labelled.csv")
    with session_scope(db) as s:
        _confirm_cases(s, calendar, policy, CONFIRMED, "交通运输", by_intake=False)
        intake(session=s, data=CaseCreate(channel="hotline_web", content="未确认的工单"), actor="t", now=NOW,
               calendar=calendar, policy=policy)  # fmt: skip
        got = confirmed_cases(session=s)
        assert len(got) == 10 and {r.label for r in got} == {"交通运输"}
        rep = retrain(session=s, model_path=model_path, actor="班长", now=NOW)
    # the held-out fifth holds confirmed 交通运输 cases the previous training set cannot name
    assert any(held_out(r) for r in got)
    assert rep.new_score > rep.previous_score and rep.replaced
    assert (rep.labelled, rep.confirmed) == (30, 10)
    after = CaseModel.load(model_path)
    assert "交通运输" in after.labels and after.meta["confirmed_cases"] == 10
    assert after.predict(["迎宾路出租车拒载乘客"])[0].label == "交通运输"
    assert CaseModel.load(str(model_path) + ".prev").labels == before.labels
    with session_scope(db) as s:
        event = s.scalars(select(EventRow).where(EventRow.action == "retrain")).one()
        assert event.entity == "case_model" and event.after["new_score"] == rep.new_score
        assert event.after["replaced"] is True


def test_a_worse_model_is_not_kept_unless_forced(db, calendar, policy, tmp_path: Path) -> None:
    from duban.cases.training_data import read_labelled_csv

    model_path = _model(tmp_path)
    # operators "confirm" the training part's labour messages (none held out) as 城乡建设, twice over
    wrong = [
        r
        for r in read_labelled_csv(tmp_path / "labelled.csv")
        if r.label == "劳动和社会保障" and not held_out(r)
    ]
    with session_scope(db) as s:
        for r in wrong * 2:
            data = CaseCreate(channel="hotline_web", title=r.subject, content=r.detail, category="城乡建设")
            intake(session=s, data=data, actor="话务员", now=NOW, calendar=calendar, policy=policy)
        rep = retrain(session=s, model_path=model_path, actor="班长", now=NOW)
    assert rep.new_score < rep.previous_score and not rep.replaced and rep.backup is None
    assert CaseModel.load(model_path).meta["confirmed_cases"] == 0
    assert not Path(str(model_path) + ".prev").exists()
    with session_scope(db) as s:
        forced = retrain(session=s, model_path=model_path, actor="班长", now=NOW, force=True)
    assert forced.replaced and CaseModel.load(model_path).meta["confirmed_cases"] == 2 * len(wrong)


def test_retrain_command_prints_both_scores(db, calendar, policy, tmp_path: Path) -> None:
    model_path = _model(tmp_path)
    with session_scope(db) as s:
        _confirm_cases(s, calendar, policy, CONFIRMED, "交通运输", by_intake=True)
    runner = CliRunner()
    got = runner.invoke(main, ["cases", "retrain", "--model", str(model_path), "--database-url", url_of(db)])
    assert got.exit_code == 0, got.output
    assert "原训练集 30 条 + 确认工单 10 条" in got.output and "已替换" in got.output
    assert Path(str(model_path) + ".prev").is_file()
    missing = runner.invoke(
        main, ["cases", "retrain", "--model", str(tmp_path / "none.bin"), "--database-url", url_of(db)]
    )
    assert missing.exit_code == 1 and "模型文件不存在" in missing.output
    gone = tmp_path / "gone.csv"
    moved = runner.invoke(
        main,
        [
            "cases",
            "retrain",
            "--model",
            str(model_path),
            "--labelled",
            str(gone),
            "--database-url",
            url_of(db),
        ],
    )
    assert moved.exit_code == 1 and "gone.csv" in moved.output and "Traceback" not in moved.output


def test_a_model_without_sources_needs_the_labelled_file(db, tmp_path: Path) -> None:
    from duban.cases.classify import train
    from duban.cases.training_data import read_labelled_csv

    path = tmp_path / "plain.bin"
    train(read_labelled_csv(_labelled_csv(tmp_path))).save(path)
    with session_scope(db) as s, pytest.raises(CaseInputError, match="--labelled"):
        retrain(session=s, model_path=path, actor="t", now=NOW)


def test_cli_intake_with_the_model_auto_dispatches_and_counts(db, tmp_path: Path) -> None:
    from sqlalchemy import func

    from duban.cases.models import CaseRow

    model_path = _model(tmp_path)
    auto = CaseModel.load(model_path).auto
    assert auto is not None and auto.threshold <= 1
    intake_csv = tmp_path / "intake.csv"
    with intake_csv.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["channel", "case_type", "title", "content"])
        for forms in LABELLED.values():
            w.writerow(["hotline_web", "投诉", forms[0].format(p="新建路"), "请有关部门尽快处理。"])
    got = CliRunner().invoke(
        main,
        [
            "cases",
            "intake",
            str(intake_csv),
            "--model",
            str(model_path),
            "--database-url",
            url_of(db),
            "--at",
            "2026-03-03",
        ],
    )
    assert got.exit_code == 0, got.output
    with session_scope(db) as s:
        sent = s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.status == "dispatched"))
        confidences = list(s.scalars(select(CaseRow.confidence)))
    assert sent == sum(c is not None and c >= auto.threshold for c in confidences) > 0
    assert f"智能派单 {sent} 件" in got.output
