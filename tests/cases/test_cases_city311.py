"""Bulk import of real 311 exports through the column mappings: every shipped mapping reads its
real file, bad rows are named by row and column (all-or-nothing unless skip_bad), a second import
adds nothing, and Baltimore's SLA figures agree with an independent count of the real file."""

from __future__ import annotations

import csv
import statistics
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.cases.city311 import (
    ImportProblem,
    import_export,
    load_mapping,
    mapping_names,
    read_export,
)
from duban.cases.models import CaseRow
from duban.cases.sla311 import sla_stats
from duban.db import session_scope
from tests.cases.conftest import NOW
from tests.conftest import shared_path

FILES = [
    ("baltimore", "baltimore_311_sample_10000.csv", 10000),
    ("sf", "sf_311_sample_10000.csv", 10000),
    ("nyc", "nyc_311_2024_anthony.csv", 1000),
    ("nyc", "nyc_311_2024_yangzi.csv", 1000),
    ("nyc", "nyc_311_jasonlin.csv", 1000),
    ("nyc-export", "nyc_311_2018_mzuber.csv", 1000),
    ("nyc-export", "nyc_311_2025_somaiyah.csv", 235),
]


def test_shipped_mappings_load():
    assert set(mapping_names()) == {"baltimore", "sf", "nyc", "nyc-export"}
    for name in mapping_names():
        m = load_mapping(name)
        assert m.source.startswith("import:")


@pytest.mark.parametrize(("mapping", "name", "rows"), FILES, ids=[f[1] for f in FILES])
def test_every_real_export_reads_cleanly(mapping, name, rows):
    parsed = read_export(shared_path("corpus", "city311", name), load_mapping(mapping))
    assert parsed.problems == []
    assert len(parsed.records) == rows
    r = parsed.records[0]
    assert r.created.tzinfo is not None and r.service_type and r.content
    assert all(x.closed is None or x.closed.tzinfo is not None for x in parsed.records)


def test_sf_zero_coordinates_mean_no_location():
    parsed = read_export(shared_path("corpus", "city311", "sf_311_sample_10000.csv"), load_mapping("sf"))
    assert not any(r.lat == 0 and r.lon == 0 for r in parsed.records)
    assert any(r.lat is None for r in parsed.records)


def _independent_baltimore(path: Path) -> tuple[float, float, dict[str, tuple[int, float]]]:
    """Share closed by due and median days, counted straight from the CSV with strptime."""
    fmt = "%m/%d/%Y %I:%M:%S %p"
    by_due = with_due = 0
    days: list[float] = []
    per_type: dict[str, list[float]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            created = datetime.strptime(rec["CreatedDate"], fmt)  # noqa: DTZ007  (same zone for all three)
            closed = datetime.strptime(rec["CloseDate"], fmt) if rec["CloseDate"] else None  # noqa: DTZ007
            due = datetime.strptime(rec["DueDate"], fmt) if rec["DueDate"] else None  # noqa: DTZ007
            if due is not None:
                with_due += 1
                by_due += closed is not None and closed <= due
            if closed is not None:
                d = (closed - created).total_seconds() / 86400
                days.append(d)
                per_type.setdefault(rec["SRType"], []).append(d)
    return (
        by_due / with_due,
        statistics.median(days),
        {t: (len(v), statistics.median(v)) for t, v in per_type.items()},
    )


def test_baltimore_sla_matches_an_independent_count():
    path = shared_path("corpus", "city311", "baltimore_311_sample_10000.csv")
    lines = sla_stats(read_export(path, load_mapping("baltimore")).records)
    share, median, per_type = _independent_baltimore(path)
    total = lines[-1]
    assert total.service_type == "全部" and total.requests == 10000
    # 1 hour of slack either way: a handful of rows straddle a daylight-saving change
    assert total.share_by_due == pytest.approx(share, abs=0.002)
    assert total.median_days_to_close == pytest.approx(median, abs=1 / 24)
    assert 0 < total.share_by_due < 1
    for line in lines[:5]:
        n, med = per_type[line.service_type]
        assert line.closed == n
        assert line.median_days_to_close == pytest.approx(med, abs=1 / 24)
    assert [x.requests for x in lines[:-1]] == sorted((x.requests for x in lines[:-1]), reverse=True)


def test_import_baltimore_then_again_adds_nothing(db):
    path = shared_path("corpus", "city311", "baltimore_311_sample_10000.csv")
    m = load_mapping("baltimore")
    with session_scope(db) as s:
        rep = import_export(session=s, path=path, mapping=m, actor="t", now=NOW)
        assert (rep.created, rep.existing, rep.skipped) == (10000, 0, [])
    with session_scope(db) as s:
        rep = import_export(session=s, path=path, mapping=m, actor="t", now=NOW)
        assert (rep.created, rep.existing) == (0, 10000)
        assert s.scalar(select(func.count()).select_from(CaseRow)) == 10000
        assert (
            s.scalar(select(func.count()).select_from(EventRow).where(EventRow.action == "import")) == 10000
        )
        # open imported requests are history: the clock does not tick them
        from duban.cases.tick import tick_cases
        from duban.clock.calendar import WorkCalendar
        from duban.clock.policy import load_policy

        open_ = s.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.settled_at.is_(None)))
        assert open_ > 0
        rep = tick_cases(session=s, calendar=WorkCalendar.default(), policy=load_policy("hotline"), now=NOW)
        assert (rep.evaluated, rep.actions) == (0, 0)
        row = s.scalar(select(CaseRow).where(CaseRow.external_id == "18-00269879"))
        assert (row.status, row.category, row.channel, row.lat, row.zipcode) == (
            "settled", "TRT-Traffic Signal Repairs", "hotline_phone", 39.0, "21215",
        )  # fmt: skip
        assert row.received_at.isoformat() == "2018-04-12T15:11:26+00:00"  # 11:11 EDT


BAD_CSV = """ServiceRequestNum,SRType,MethodReceived,CreatedDate,SRStatus,DueDate,CloseDate,Address,ZipCode,Latitude,Longitude,Agency,Outcome
A-1,SW-Dirty Alley,Phone,04/12/2018 11:11:26 AM,Closed,04/13/2018 11:11:26 AM,04/12/2018 12:45:47 PM,1 MAIN ST,21215,39.3,-76.6,DPW,
A-2,SW-Dirty Alley,Phone,2018-13-45,Closed,,,2 MAIN ST,21215,39.3,-76.6,DPW,
A-3,SW-Dirty Alley,Phone,04/12/2018 11:11:26 AM,Lost,,,3 MAIN ST,21215,north,-76.6,DPW,
A-1,SW-Dirty Alley,Phone,04/12/2018 11:11:26 AM,Open,,,4 MAIN ST,21215,39.3,-76.6,DPW,
A-5,SW-HGW,Web,04/14/2018 09:00:00 AM,New,,,5 MAIN ST,21215,,,DPW,
"""


def test_bad_rows_are_named_and_nothing_is_imported(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    m = load_mapping("baltimore")
    with session_scope(db) as s, pytest.raises(ImportProblem) as err:
        import_export(session=s, path=path, mapping=m, actor="t", now=NOW)
    text = str(err.value)
    assert "4 处错误，未导入任何记录" in text
    assert "第 3 行 列 CreatedDate：“2018-13-45” 不是日期时间" in text
    assert "第 4 行 列 SRStatus：状态“Lost”不在映射的 status_map 中" in text
    assert "第 4 行 列 Latitude：“north” 不是数字" in text
    assert "第 5 行 列 ServiceRequestNum：编号 A-1 与第 2 行重复" in text
    with session_scope(db) as s:
        assert s.scalar(select(func.count()).select_from(CaseRow)) == 0
        rep = import_export(session=s, path=path, mapping=m, actor="t", now=NOW, skip_bad=True)
        assert rep.created == 2 and [p.row for p in rep.skipped] == [3, 4, 4, 5]
        assert sorted(s.scalars(select(CaseRow.external_id)).all()) == ["A-1", "A-5"]
        a5 = s.scalar(select(CaseRow).where(CaseRow.external_id == "A-5"))
        assert (a5.status, a5.channel, a5.lat) == ("received", "hotline_web", None)


def test_bad_mapping_and_missing_columns_are_clear(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("columns: {external_id: id, created: c, status: s}\n", encoding="utf-8")
    with pytest.raises(ImportProblem, match=r"字段 columns\.service_type：缺少此列"):
        load_mapping(bad)
    bad.write_text(
        "columns: {external_id: id, created: c, status: s, service_type: t}\nstatus_map: {X: gone}\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportProblem, match=r"status_map\.X"):
        load_mapping(bad)
    with pytest.raises(ImportProblem, match="不存在"):
        load_mapping("atlantis")
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("id,c\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportProblem, match="表头缺少映射 baltimore 需要的列"):
        read_export(csv_path, load_mapping("baltimore"))
