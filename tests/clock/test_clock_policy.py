"""Policies as data: the built-in 13710 and hotline files, and clear errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from duban.clock.policy import Policy, PolicyError, Step, builtin_policy_names, load_policy


def test_builtin_policies_are_listed_and_all_load() -> None:
    names = builtin_policy_names()
    assert {"13710", "hotline"} <= set(names)
    for name in names:
        policy = load_policy(name)
        assert isinstance(policy, Policy) and policy.name == name and policy.steps


def test_13710_carries_the_published_limits() -> None:
    policy = load_policy("13710")
    steps = {s.key: s for s in policy.steps}
    assert steps["deploy"] == Step("deploy", "研究部署", 1, None)
    assert steps["first_feedback"] == Step("first_feedback", "首次反馈", 3, None)
    assert steps["settle"] == Step("settle", "一般事项办结", 7, None, "general")
    assert steps["settle_major"] == Step("settle_major", "重大事项办结", None, 1, "major")
    assert policy.remind_after_workdays == 1
    assert policy.circular_after_workdays == 5
    assert policy.report_interval_months == 1
    assert policy.yellow_share == pytest.approx(0.8)
    assert policy.yellow_workdays_before == 1
    assert steps["settle"].applies(major=False) and not steps["settle"].applies(major=True)
    assert steps["deploy"].applies(major=True) and steps["deploy"].applies(major=False)


def test_hotline_limits_per_case_type() -> None:
    policy = load_policy("hotline")
    assert dict(policy.case_limits) == {"咨询": 2, "求助": 10, "建议": 10, "投诉": 15, "举报": 15, "紧急": 0}
    assert policy.case_limit("投诉") == 15
    with pytest.raises(PolicyError, match="表扬"):
        policy.case_limit("表扬")


def test_a_policy_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "weekly.yaml"
    path.write_text(
        "name: weekly\nsteps:\n  - {key: settle, label: 办结, workdays: 5}\n"
        "remind_after_workdays: 2\ncircular_after_workdays: 3\nreport_interval_months: null\n"
        "yellow_share: 0.5\nyellow_workdays_before: 2\n",
        encoding="utf-8",
    )
    policy = load_policy(path)
    assert policy.steps == (Step("settle", "办结", 5, None),)
    assert policy.remind_after_workdays == 2 and policy.report_interval_months is None
    assert load_policy(str(path)) == policy


GOOD = {
    "name": "p",
    "steps": "\n  - {key: deploy, label: 部署, workdays: 1}\n  - {key: settle, label: 办结, workdays: 7}",
    "remind_after_workdays": "1",
    "circular_after_workdays": "5",
    "report_interval_months": "1",
    "yellow_share": "0.8",
    "yellow_workdays_before": "1",
}


def _yaml(**changes: str | None) -> str:
    fields = {**GOOD, **changes}
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)


BAD = [
    # (id, file text, words the message must contain)
    ("yaml-syntax", "name: p\nsteps: [\n  {key: a\n", ["第", "行", "YAML"]),
    ("not-a-mapping", "- 1\n- 2\n", ["顶层"]),
    ("missing-field", _yaml(remind_after_workdays=None), ["remind_after_workdays", "缺少"]),
    ("unknown-field", _yaml(colour="red"), ["colour", "未知字段"]),
    ("step-workdays-text", _yaml(steps="\n  - {key: a, workdays: three}"), ["steps[0].workdays", "three"]),
    (
        "step-negative",
        _yaml(steps="\n  - {key: a, workdays: 1}\n  - {key: b, workdays: -2}"),
        ["steps[1].workdays", "-2"],
    ),
    ("step-both", _yaml(steps="\n  - {key: a, workdays: 1, months: 1}"), ["steps[0]", "只能给一个"]),
    ("step-neither", _yaml(steps="\n  - {key: a, label: 甲}"), ["steps[0]", "workdays"]),
    (
        "step-dup",
        _yaml(steps="\n  - {key: a, workdays: 1}\n  - {key: a, workdays: 2}"),
        ["steps[1].key", "重名"],
    ),
    ("step-colon", _yaml(steps="\n  - {key: 'a:b', workdays: 1}"), ["steps[0].key"]),
    (
        "step-applies",
        _yaml(steps="\n  - {key: a, workdays: 1, applies_to: big}"),
        ["steps[0].applies_to", "big"],
    ),
    ("step-extra", _yaml(steps="\n  - {key: a, workdays: 1, hours: 3}"), ["steps[0].hours"]),
    ("steps-empty", _yaml(steps="[]"), ["steps", "非空"]),
    ("share-high", _yaml(yellow_share="1.5"), ["yellow_share", "1.5"]),
    ("share-text", _yaml(yellow_share="most"), ["yellow_share", "most"]),
    ("remind-zero", _yaml(remind_after_workdays="0"), ["remind_after_workdays", "不小于 1"]),
    ("interval-bool", _yaml(report_interval_months="true"), ["report_interval_months"]),
    ("limits-bad", _yaml(case_limits="{咨询: two}"), ["case_limits.咨询", "two"]),
]


@pytest.mark.parametrize(("text", "words"), [(t, w) for _, t, w in BAD], ids=[b[0] for b in BAD])
def test_bad_policy_file_names_file_and_field(tmp_path: Path, text: str, words: list[str]) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_the_good_template_itself_loads(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(_yaml(), encoding="utf-8")
    assert [s.key for s in load_policy(path).steps] == ["deploy", "settle"]


def test_unknown_builtin_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="13710"):
        load_policy("13711")
    with pytest.raises(PolicyError, match="不存在"):
        load_policy(tmp_path / "none.yaml")
