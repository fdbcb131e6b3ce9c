"""The monitoring rules and its access section are data: the shipped files load, every measure
type has a deadline in the clock policy, and a broken file is refused naming the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from duban import access
from duban.monitoring.rules import (
    RULES_FILE,
    MonitoringError,
    check_id_number,
    load_rules,
    mask_id,
    read_rules,
)


def test_the_shipped_rules_load_and_every_measure_has_a_deadline():
    rules = load_rules()
    limits = dict(rules.policy.case_limits)
    assert set(rules.measures) <= set(limits) and all(limits[m] > 0 for m in rules.measures)
    assert rules.types == ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
    assert rules.found_by == ("农户自主申报", "干部走访排查", "部门筛查预警")
    assert [c.kind for c in rules.clearance] == [
        "income_months",
        "measures_done",
        "visit_recent",
        "risk_resolved",
    ]


def _broken(tmp_path: Path, change) -> Path:
    target = tmp_path / "rules.yaml"
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    change(data)
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shutil.copy(RULES_FILE.parent / "measures_policy.yaml", tmp_path / "measures_policy.yaml")
    return target


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(income_line=-1), "income_line"),
        (lambda d: d["types"].update({"新类别": {"visit_every_days": 0}}), "types.新类别.visit_every_days"),
        (lambda d: d["clearance"].append({"kind": "lucky"}), "clearance[4].kind"),
        (lambda d: d["clearance"][0].update(months=0), "clearance[0].months"),
        (lambda d: d["measures"].append("心理帮扶"), "心理帮扶 在时限策略 monitoring 中没有时限"),
        (lambda d: d.update(risks=["因病", "因病"]), "risks：有重复项"),
    ],
)
def test_a_broken_rules_file_names_the_field(tmp_path, change, words):
    with pytest.raises(MonitoringError) as err:
        read_rules(_broken(tmp_path, change))
    assert words in str(err.value)


def test_id_numbers_are_checked_and_masked():
    assert check_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(MonitoringError, match="校验位不对（应为 X）"):
        check_id_number("110105194912310021")
    assert mask_id("11010519491231002X") == "1101**********002X"


def test_the_access_section_is_read_and_checked(tmp_path):
    assert access.monitoring_may("office", "import") and not access.monitoring_may("leader", "visit")
    assert access.monitoring_may("unit", "finish_measure") and not access.monitoring_may("operator", "create")
    data = yaml.safe_load(access.ACCESS_FILE.read_text(encoding="utf-8"))
    data["monitoring"]["actions"]["visit"] = ["unit", "village_cadre"]
    broken = tmp_path / "roles.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(access.AccessTableError, match=r"monitoring.actions.visit.*village_cadre"):
        access.monitoring_access(broken)
