"""``duban cases train`` / ``classify`` as a user runs them, on CSVs written here."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from duban.cli import main

ROWS = [
    ("小区门口垃圾堆积无人清理", "A3区某小区门口垃圾堆了一周，环卫不来清理。", "城乡建设"),
    ("楼下违章建筑占用消防通道", "某小区一楼住户私搭乱建，占用消防通道。", "城乡建设"),
    ("小区电梯经常故障", "物业不维修电梯，老人上下楼困难。", "城乡建设"),
    ("学校强制学生补课收费", "某中学老师强制学生参加收费补课。", "教育文体"),
    ("幼儿园学位不足", "孩子到了入园年龄，附近幼儿园没有学位。", "教育文体"),
    ("中学划片入学不合理", "小区被划到很远的学校，孩子上学不便。", "教育文体"),
    ("社保断缴如何补缴", "换工作后社保断缴三个月，怎样补缴？", "劳动和社会保障"),
    ("公司拖欠工资", "某公司拖欠员工工资半年，请劳动监察处理。", "劳动和社会保障"),
    ("退休养老金待遇咨询", "退休后养老金如何计算，何时发放？", "劳动和社会保障"),
]


def write_csv(path: Path, header: list[str], rows: list[tuple[str, ...]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def model_file(tmp_path: Path, runner: CliRunner) -> Path:
    data = write_csv(tmp_path / "train.csv", ["subject", "detail", "label"], ROWS, encoding="utf-8-sig")
    out = tmp_path / "model.bin"
    result = runner.invoke(main, ["cases", "train", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "训练样本 9 条，3 个类别" in result.output
    assert "市人力资源和社会保障局" in result.output
    return out


def test_train_with_report_prints_macro_f1(tmp_path: Path, runner: CliRunner) -> None:
    data = write_csv(tmp_path / "train.csv", ["text", "label"], [(s + d, lab) for s, d, lab in ROWS])
    result = runner.invoke(main, ["cases", "train", str(data), "-o", str(tmp_path / "m"), "--report"])
    assert result.exit_code == 0, result.output
    assert "3 折分层交叉验证 macro-F1：" in result.output


def test_classify_adds_columns_to_every_row(tmp_path: Path, runner: CliRunner, model_file: Path) -> None:
    data = write_csv(
        tmp_path / "new.csv",
        ["id", "text"],
        [("1", "单位拖欠工资不发"), ("2", "学校乱收补课费"), ("3", "小区垃圾没人清理")],
        encoding="gb18030",
    )
    out = tmp_path / "out.csv"
    args = ["cases", "classify", str(data), "--model", str(model_file), "-o", str(out)]
    result = runner.invoke(main, [*args, "--low-confidence", "0.99"])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert list(rows[0]) == ["id", "text", "predicted", "confidence", "auto_dispatch", "needs_review"]
    assert [r["predicted"] for r in rows] == ["劳动和社会保障", "教育文体", "城乡建设"]
    assert all(0 < float(r["confidence"]) <= 1 and r["needs_review"] in {"0", "1"} for r in rows)
    # 智能派单: 1 exactly where the confidence clears the threshold kept in the model
    from duban.cases.classify import CaseModel

    auto = CaseModel.load(model_file).auto
    assert auto is not None and auto.target == 0.95
    assert [r["auto_dispatch"] for r in rows] == [
        "1" if float(r["confidence"]) >= auto.threshold else "0" for r in rows
    ]


def test_classify_keeps_label_column_and_hotline_headers(
    tmp_path: Path, runner: CliRunner, model_file: Path
) -> None:
    data = write_csv(
        tmp_path / "h.csv", ["留言编号", "留言主题", "留言详情"], [("7", "社保补缴", "如何补缴社保")]
    )
    out = tmp_path / "o.csv"
    result = runner.invoke(main, ["cases", "classify", str(data), "--model", str(model_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["留言编号", "留言主题", "留言详情", "predicted", "confidence", "auto_dispatch"]
    assert rows[0]["predicted"] == "劳动和社会保障"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing-label", "subject,detail\n路灯不亮,小区路灯坏了\n", "缺少 label 列"),
        ("missing-text", "title,label\n路灯不亮,城乡建设\n", "缺少文本列"),
        ("empty-file", "", "文件为空"),
        ("header-only", "text,label\n", "没有数据行"),
        ("empty-label", "text,label\n路灯不亮,城乡建设\n学校收费,\n", "第 2 条记录的 label 列为空"),
    ],
)
def test_bad_training_csv_exits_2_with_clear_message(
    tmp_path: Path, runner: CliRunner, name: str, content: str, message: str
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(main, ["cases", "train", str(path), "-o", str(tmp_path / "m")])
    assert result.exit_code == 1, result.output
    assert str(path) in result.output and message in result.output
    assert "Traceback" not in result.output


def test_wrong_encoding_exits_2(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("text,label\n路灯不亮,城乡建设\n".encode("utf-16"))
    result = runner.invoke(main, ["cases", "train", str(path), "-o", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "无法识别文件编码" in result.output


def test_classify_with_a_non_model_file_exits_2(tmp_path: Path, runner: CliRunner) -> None:
    data = write_csv(tmp_path / "x.csv", ["text"], [("路灯不亮",)])
    fake = tmp_path / "fake.bin"
    fake.write_text("hello", encoding="utf-8")
    result = runner.invoke(
        main, ["cases", "classify", str(data), "--model", str(fake), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "不是 duban 工单分类模型文件" in result.output


def test_classify_missing_text_column_exits_2(tmp_path: Path, runner: CliRunner, model_file: Path) -> None:
    data = write_csv(tmp_path / "x.csv", ["id", "body"], [("1", "路灯不亮")])
    result = runner.invoke(
        main, ["cases", "classify", str(data), "--model", str(model_file), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "缺少文本列" in result.output and "id, body" in result.output


def test_train_with_the_citys_taxonomy(tmp_path: Path, runner: CliRunner) -> None:
    """--taxonomy trains with the city's category tree; an unusable tree file exits 2, writes nothing."""
    data = write_csv(tmp_path / "train.csv", ["subject", "detail", "label"], ROWS)
    taxonomy = write_csv(tmp_path / "分类体系.csv", ["一级分类", "二级分类", "三级分类"],
                         [("教育文体", "学前教育", "托育机构"), ("城乡建设", "物业管理", "二次供水")])  # fmt: skip
    out = tmp_path / "m.bin"
    result = runner.invoke(main, ["cases", "train", str(data), "-o", str(out), "--taxonomy", str(taxonomy)])
    assert result.exit_code == 0, result.output
    bad = write_csv(tmp_path / "坏.csv", ["一级分类"], [("教育文体",)])
    result = runner.invoke(
        main, ["cases", "train", str(data), "-o", str(tmp_path / "m2"), "--taxonomy", str(bad)]
    )
    assert result.exit_code == 1 and "坏.csv" in result.output and "至少两列" in result.output
    assert not (tmp_path / "m2").exists()


def test_taxonomy_beside_the_training_file_is_used_unless_none(tmp_path: Path, runner: CliRunner) -> None:
    """A hotline export folder's taxonomy.csv is picked up and named; ``--taxonomy none`` skips it."""
    data = write_csv(tmp_path / "train.csv", ["subject", "detail", "label"], ROWS)
    result = runner.invoke(main, ["cases", "train", str(data), "-o", str(tmp_path / "plain.bin")])
    assert result.exit_code == 0 and "分类体系" not in result.output
    write_csv(tmp_path / "taxonomy.csv", ["一级分类", "二级分类", "三级分类"],
              [("教育文体", "学前教育", "托育机构"), ("城乡建设", "物业管理", "二次供水")])  # fmt: skip
    result = runner.invoke(main, ["cases", "train", str(data), "-o", str(tmp_path / "tax.bin")])
    assert result.exit_code == 0, result.output
    assert f"分类体系 {tmp_path / 'taxonomy.csv'}：2 个一级分类，4 个下级类目名作为特征" in result.output
    from duban.cases.classify import CaseModel

    assert "taxonomy" in CaseModel.load(tmp_path / "tax.bin").meta["features"]
    result = runner.invoke(
        main, ["cases", "train", str(data), "-o", str(tmp_path / "no.bin"), "--taxonomy", "none"]
    )
    assert result.exit_code == 0 and "分类体系" not in result.output
    assert "taxonomy" not in CaseModel.load(tmp_path / "no.bin").meta["features"]
    missing = tmp_path / "没有.csv"
    result = runner.invoke(
        main, ["cases", "train", str(data), "-o", str(tmp_path / "x.bin"), "--taxonomy", str(missing)]
    )
    assert result.exit_code == 1 and str(missing) in result.output and "无法读取文件" in result.output
    assert not (tmp_path / "x.bin").exists()
