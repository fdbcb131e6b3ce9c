"""The 分类模型 page and the office's 重新训练 button: the model's auto-dispatch figures, a
retrain from the labelled file plus the confirmed cases (run after the answer), its result on
the page, and the replaced model used by the next intake."""

from __future__ import annotations

import csv
from pathlib import Path

from duban.cases.classify import CaseModel

PLACES = ["和平路", "新华街", "迎宾路", "云中路", "北环路", "南关", "东城", "西街"]
FORMS = {
    "市容环卫": ["{p}小区垃圾无人清运", "{p}道路垃圾堆积发臭", "{p}垃圾桶满了没人收"],
    "教育文体": ["{p}学校乱收补课费", "{p}幼儿园入园难", "{p}学校食堂饭菜差"],
    "交通运输": ["{p}公交车班次太少", "{p}出租车拒载", "{p}公交站台损坏"],
}


def train_tiny_model(folder: Path) -> Path:
    """A labelled CSV written here and a model trained from it by the command line (so the
    model names its labelled file, as retrain needs)."""
    from click.testing import CliRunner

    from duban.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "labelled.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["subject", "detail", "label"])
        for label, forms in FORMS.items():
            for i, p in enumerate(PLACES):
                w.writerow([forms[i % 3].format(p=p), "请尽快处理", label])
    model = folder / "model.bin"
    got = CliRunner().invoke(main, ["cases", "train", str(data), "-o", str(model), "--taxonomy", "none"])
    assert got.exit_code == 0, got.output
    return model


def test_office_retrains_the_model_from_the_console(app, clients, tmp_path) -> None:
    path = train_tiny_model(tmp_path / "model")
    console = app.state.console
    console.settings = console.settings.with_(case_model=path)
    browser, csrf = clients.browser("office")
    page = browser.get("/cases/model")
    assert page.status_code == 200
    assert 'id="auto-dispatch"' in page.text and "尚未重新训练" in page.text
    auto = CaseModel.load(path).auto
    assert auto is not None and f"{auto.threshold:.3f}" in page.text
    # a case whose category the office gave: training data for the retrain
    api = clients.api("office")
    r = api.post(
        "/api/cases", json={"title": "网约车乱停", "content": "网约车乱停乱放", "category": "交通运输"}
    )
    assert r.status_code == 201, r.text
    r = browser.post("/cases/model/retrain", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/cases/model"
    page = browser.get("/cases/model").text
    confirmed = CaseModel.load(path).meta["confirmed_cases"]  # the world's confirmed cases and ours
    assert confirmed >= 1 and f"确认工单 {confirmed} 条）" in page and "已替换" in page
    assert "交通运输" in CaseModel.load(path).labels
    assert Path(str(path) + ".prev").is_file()


def test_retrain_without_a_model_file_is_refused(app, clients) -> None:
    browser, csrf = clients.browser("office")
    assert "未配置分类模型文件" in browser.get("/cases/model").text
    r = browser.post("/cases/model/retrain", data={"csrf_token": csrf})
    assert r.status_code == 409 and "DUBAN_CASE_MODEL" in r.text


def test_an_operator_recalls_an_auto_dispatched_case_from_its_page(app, clients) -> None:
    from tests.cases.test_cases_auto_dispatch import RULES, ThresholdClassifier

    app.state.console._classifier = (ThresholdClassifier(RULES, threshold=0.95),)
    api = clients.api("office")
    r = api.post("/api/cases", json={"title": "拖欠工资", "content": "公司拖欠工资三个月"})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["status"] == "dispatched" and case["unit"] == "市人力资源和社会保障局"
    browser, csrf = clients.browser("office")
    page = browser.get(f"/cases/{case['id']}").text
    assert 'id="recall-form"' in page and "智能派单（置信度 0.970" in page
    bad = browser.post(f"/cases/{case['id']}/action", data={"csrf_token": csrf, "action": "recall"})
    assert bad.status_code == 422 and "召回须写明理由" in bad.text
    ok = browser.post(
        f"/cases/{case['id']}/action", data={"csrf_token": csrf, "action": "recall", "reason": "实为劳务纠纷"}
    )
    assert ok.status_code == 303
    after = api.get(f"/api/cases/{case['id']}").json()
    assert (after["status"], after["review"]) == ("returned", "needs_review")
    assert [e["action"] for e in after["events"]][-2:] == ["return", "recall"]
    # a case dispatched by a person offers no recall
    r = api.post("/api/cases", json={"title": "学校收费", "content": "学校乱收费"})
    other = r.json()
    assert other["status"] == "received"
    assert api.post(f"/api/cases/{other['id']}/dispatch", json={"unit": "市教育局"}).status_code == 200
    assert 'id="recall-form"' not in browser.get(f"/cases/{other['id']}").text
