"""Results against targets: 完成值 by unit family, evidence files by content, 序时进度, the lights."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from importlib import resources

import pytest
import yaml
from openpyxl import Workbook
from sqlalchemy import select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.ledger import service
from duban.ledger.errors import LedgerError
from duban.ledger.evidence import sniff
from duban.ledger.models import DutyRow, EvidenceRow, ProgressRow
from duban.ledger.results import pace, parse_result_rules, result_rules, share_done, unit_factor
from duban.ledger.tick import tick
from tests.ledger.conftest import NOW
from tests.ledger.ledger_factories import assigned_duty, at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def test_rules_file_is_valid_and_checked():
    r = result_rules()
    assert set(r.labels) == {"done", "ahead", "on_track", "behind"}
    text = resources.files("duban.ledger").joinpath("rules/results.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    del raw["pace"]["labels"]["behind"]
    with pytest.raises(LedgerError, match=r"pace\.labels 缺少 behind"):
        parse_result_rules(raw)


def test_units_convert_within_a_family_and_refuse_across():
    assert unit_factor("亿元", "元", field="x") == 1e8
    assert unit_factor("亿元", "万元", field="x") == 1e4
    assert unit_factor("万亩", "亩", field="x") == 1e4
    assert unit_factor("公里", "米", field="x") == 1000
    with pytest.raises(LedgerError, match="完成值「高标准农田」: 单位「个」与目标单位「亩」不是同一类"):
        unit_factor("个", "亩", field="完成值「高标准农田」")


def test_pace_reads_done_against_elapsed(calendar):
    start, due = date(2023, 1, 3), date(2023, 12, 29)
    half = date(2023, 7, 3)
    assert pace(done=0.5, start=start, due=due, today=half, calendar=calendar).key == "on_track"
    assert pace(done=0.8, start=start, due=due, today=half, calendar=calendar).label == "超进度"
    behind = pace(done=0.2, start=start, due=due, today=half, calendar=calendar)
    assert behind.label == "欠进度" and 0.45 < behind.elapsed < 0.55
    assert pace(done=1.0, start=start, due=due, today=half, calendar=calendar).label == "已完成"
    # amounts count, rates do not: 10万亩 of 20万亩 is half done, whatever the share says
    targets = [{"value": 200000.0, "unit": "亩", "bound": "exact"}, {"value": 6.0, "unit": "%"}]
    results = [{"target": 0, "in_target_unit": 100000.0}, {"target": 1, "in_target_unit": 9.0}]
    assert share_done(targets, results, 90) == 0.5
    assert share_done(targets, [], 30) == 0.3


def test_progress_carries_results_converted_and_refuses_a_wrong_unit(db_with_units):
    with session_scope(db_with_units) as s:
        duty = assigned_duty(s, now=NOW, unit="市农业农村局", ref="t2")
        duty_id = duty.id
        p = service.add_progress(session=s, duty_id=duty_id, text="已建成12万亩", actor="农业局", now=at(2023, 3, 1),
                                 results=[{"target": 0, "value": 12, "unit": "万亩"}])  # fmt: skip
        assert p.results == [{"target": 0, "value": 12.0, "unit": "万亩", "in_target_unit": 120000.0}]
    with session_scope(db_with_units) as s:
        before = len(list(s.scalars(select(ProgressRow))))
        with pytest.raises(LedgerError, match="单位「个」与目标单位「亩」"):
            service.add_progress(session=s, duty_id=duty_id, text="x", actor="农业局", now=at(2023, 3, 2),
                                 results=[{"target": 0, "value": 3, "unit": "个"}])  # fmt: skip
        with pytest.raises(LedgerError, match="目标序号 3 不存在"):
            service.add_progress(session=s, duty_id=duty_id, text="x", actor="农业局", now=at(2023, 3, 2),
                                 results=[{"target": 3, "value": 3, "unit": "亩"}])  # fmt: skip
        assert len(list(s.scalars(select(ProgressRow)))) == before


def test_evidence_is_checked_by_content_and_logged(db_with_units):
    assert sniff(PDF) == "pdf" and sniff(PNG) == "png" and sniff(_xlsx()) == "xlsx" and sniff(b"MZ") is None
    with session_scope(db_with_units) as s:
        duty_id = assigned_duty(s, now=NOW).id
        row = service.add_evidence(session=s, duty_id=duty_id, name="C:\\scan\\验收报告.pdf", content=PDF,
                                   actor="能源局", now=at(2023, 2, 1))  # fmt: skip
        assert (row.name, row.kind, row.size) == ("验收报告.pdf", "pdf", len(PDF))
        assert row.sha256 == hashlib.sha256(PDF).hexdigest()
        ev = s.scalars(select(EventRow).where(EventRow.entity == "evidence")).one()
        assert ev.after["sha256"] == row.sha256
        for name, content, message in [
            ("照片.png", PDF, "文件内容不是 png 格式"),
            ("病毒.exe", b"MZ\x90", "只接受 pdf、docx、xlsx、jpg、png"),
            ("大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
            ("空.pdf", b"", "文件为空"),
        ]:
            with pytest.raises(LedgerError, match=message):
                service.add_evidence(
                    session=s, duty_id=duty_id, name=name, content=content, actor="x", now=NOW
                )
        assert [e.name for e in service.list_evidence(session=s, duty_id=duty_id)] == ["验收报告.pdf"]
        assert len(list(s.scalars(select(EvidenceRow)))) == 1


def test_a_green_duty_trailing_its_period_turns_yellow(db_with_units, calendar, policy):
    with session_scope(db_with_units) as s:
        a = assigned_duty(s, now=NOW, unit="市农业农村局", ref="t2", seed="a").id  # due 30 June
        b = assigned_duty(s, now=NOW, unit="市农业农村局", ref="t2", seed="b").id
        for duty_id, value in ((a, 1), (b, 14)):
            service.add_progress(session=s, duty_id=duty_id, text="推进中", actor="农业局", now=at(2023, 4, 20),
                                 results=[{"target": 0, "value": value, "unit": "万亩"}])  # fmt: skip
        tick(session=s, calendar=calendar, policy=policy, now=at(2023, 4, 24))
        lights = {i: light for i, light in s.execute(select(DutyRow.id, DutyRow.light))}
    # ~60 % of the period gone: 1万亩 of 20 (5 %) is 欠进度 → yellow; 14万亩 (70 %) stays green
    assert lights[a] == "yellow" and lights[b] == "green"
